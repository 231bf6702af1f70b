import Foundation
import Testing
import TwvoiceCore

/// The twilio-python vectors, replayed through the command line where flags can express them.
struct MintVectorCase: CustomTestStringConvertible, Sendable {
  var name: String
  var arguments: [String]
  var environment: [String: String]
  var token: String
  var testDescription: String { name }

  static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent(
      "TwvoiceCoreTests/Fixtures/access-token-vectors.jsonl")

  static let all: [MintVectorCase] = {
    guard let text = try? String(contentsOf: fixture, encoding: .utf8) else { return [] }
    return text.split(separator: "\n").compactMap { line in
      (try? JSONParser.parse(String(line))).flatMap(make)
    }
  }()

  /// The command line for a vector, or nil when the CLI deliberately cannot produce it (SIDs
  /// of the wrong shape, ttl over 24h, no identity, params without an app, …).
  static func make(_ v: JSONValue) -> MintVectorCase? {
    guard let name = v["name"]?.stringValue, let token = v["token"]?.stringValue,
      let account = v["account_sid"]?.stringValue, (try? AccountSid.check(account)) != nil,
      let key = v["api_key"]?.stringValue, (try? APIKeySid.check(key)) != nil,
      let secret = v["secret"]?.stringValue, let identity = v["identity"]?.stringValue,
      !identity.isEmpty, let now = v["now"]?.intValue
    else { return nil }
    var args = ["token", "mint", "--identity", identity, "--now", String(now)]
    if let ttl = v["ttl"]?.intValue {
      guard (1...86_400).contains(ttl), v["valid_until"]?.intValue == nil else { return nil }
      args += ["--ttl", String(ttl)]
    }
    if let until = v["valid_until"]?.intValue {
      guard until - now <= 86_400, until != 0 else { return nil }
      args += ["--valid-until", String(until)]
    }
    switch v["nbf"] {
    case .string("none"): args.append("--no-nbf")
    case .number(let n): args += ["--nbf", n]
    default: break
    }
    if let region = v["region"]?.stringValue {
      guard !region.isEmpty else { return nil }
      args += ["--region", region]
    }
    guard case .array(let grants) = v["grants"], !grants.isEmpty else { return nil }
    for (index, grant) in grants.enumerated() {
      let type = grant["type"]?.stringValue ?? ""
      let fields = (grant.members ?? []).filter { $0.key != "type" }
      if type == "voice" {
        guard index == 0 else { return nil }
        var voiceFlags: [String] = []
        for (field, value) in fields {
          switch (field, value) {
          case ("incoming_allow", .bool(let allow)): if allow { voiceFlags.append("--incoming") }
          case ("outgoing_application_sid", .string(let sid)):
            guard (try? ApplicationSid.check(sid)) != nil else { return nil }
            voiceFlags += ["--application-sid", sid]
          case ("outgoing_application_params", .object(let params)):
            for (k, value) in params {
              guard case .string(let s) = value, !k.isEmpty, !k.contains("=") else { return nil }
              voiceFlags += ["--param", "\(k)=\(s)"]
            }
          case ("push_credential_sid", .string(let sid)):
            guard (try? PushCredentialSid.check(sid)) != nil else { return nil }
            voiceFlags += ["--push-credential-sid", sid]
          case ("endpoint_id", .string(let id)):
            guard !id.isEmpty else { return nil }
            voiceFlags += ["--endpoint-id", id]
          default: return nil
          }
        }
        // The CLI adds the Voice grant only when a voice flag says so, or nothing else is granted.
        if voiceFlags.isEmpty && grants.count > 1 { return nil }
        if voiceFlags.contains("--param") && !voiceFlags.contains("--application-sid") { return nil }
        args += voiceFlags
      } else {
        let kind = type == "task_router" ? "task-router" : type
        args += ["--grant", kind]
        for (field, value) in fields {
          guard case .string(let s) = value else { return nil }
          args += ["--grant", "\(kind):\(field)=\(s)"]
        }
      }
    }
    let env = [
      "TWILIO_ACCOUNT_SID": account, "TWILIO_API_KEY": key, "TWILIO_API_SECRET": secret,
    ]
    return MintVectorCase(name: name, arguments: args, environment: env, token: token)
  }
}

struct TokenMintVectorTests {
  @Test func mostVectorsAreExpressibleOnTheCommandLine() {
    #expect(MintVectorCase.all.count >= 110)
  }

  @Test(arguments: MintVectorCase.all)
  func mintMatchesTwilioPython(_ c: MintVectorCase) throws {
    let r = try Twvoice.run(c.arguments, environment: c.environment)
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout == c.token + "\n")
  }
}

struct TokenMintTests {
  static let env = Twvoice.fakeEnvironment
  static let seedToken =
    "eyJhbGciOiJIUzI1NiIsImN0eSI6InR3aWxpby1mcGE7dj0xIiwidHlwIjoiSldUIn0.eyJqdGkiOiJTS2JiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiLTE3MDAwMDAwMDAiLCJncmFudHMiOnsidm9pY2UiOnsiaW5jb21pbmciOnsiYWxsb3ciOnRydWV9LCJvdXRnb2luZyI6eyJhcHBsaWNhdGlvbl9zaWQiOiJBUGNjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjIn19LCJpZGVudGl0eSI6ImFsaWNlIn0sImlzcyI6IlNLYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmIiLCJleHAiOjE3MDAwMDM2MDAsIm5iZiI6MTcwMDAwMDAwMCwic3ViIjoiQUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYSJ9.j4S2B73-WfnsYoSfgX8PnCaCB2KccgSH4514d46GYt4"
  static let seedArgs = [
    "token", "mint", "--identity", "alice", "--incoming", "--now", "1700000000",
    "--application-sid", "APcccccccccccccccccccccccccccccccc",
  ]

  // MARK: credential sources

  @Test func credentialsFromFlags() throws {
    let r = try Twvoice.run(
      Self.seedArgs + [
        "--account-sid", "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "--api-key",
        "SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        "--api-secret", "secret",
      ])
    #expect(r.status == 0)
    #expect(r.stdout == Self.seedToken + "\n")
    #expect(r.stderr.contains("warning: --api-secret is visible to other users"))
    #expect(!r.stderr.contains("secret\n") && !r.stderr.contains("'secret'"))
  }

  @Test func credentialsFromEnvironmentWithAliases() throws {
    let args = [
      "token", "mint", "--identity", "alice", "--allow-incoming", "--now", "1700000000",
      "--voice-app-sid", "APcccccccccccccccccccccccccccccccc",
    ]
    let r = try Twvoice.run(args, environment: Self.env)
    #expect(r.status == 0)
    #expect(r.stdout == Self.seedToken + "\n")
    #expect(r.stderr.isEmpty)
  }

  @Test func applicationSidFromEnvironment() throws {
    var env = Self.env
    env["TWILIO_APPLICATION_SID"] = "APcccccccccccccccccccccccccccccccc"
    let r = try Twvoice.run(
      ["token", "mint", "--identity", "alice", "--incoming", "--now", "1700000000"], environment: env)
    #expect(r.stdout == Self.seedToken + "\n")
  }

  @Test func credentialsFromDotEnvInWorkingDirectory() throws {
    let dir = try TemporaryDirectory.with([
      ".env": """
      # test credentials
      TWILIO_ACCOUNT_SID=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
      export TWILIO_API_KEY="SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
      TWILIO_API_SECRET='secret'
      TWILIO_APPLICATION_SID=APcccccccccccccccccccccccccccccccc
      """
    ])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(
      ["token", "mint", "--identity", "alice", "--incoming", "--now", "1700000000"], in: dir)
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout == Self.seedToken + "\n")
    // --no-env-file ignores it.
    let ignored = try Twvoice.run(["token", "mint", "--identity", "a", "--no-env-file"], in: dir)
    #expect(ignored.status == 64)
    #expect(ignored.stderr.contains("missing Account SID"))
  }

  @Test func precedenceFlagOverEnvironmentOverDotEnv() throws {
    let dir = try TemporaryDirectory.with([
      ".env":
        "TWILIO_ACCOUNT_SID=AC11111111111111111111111111111111\nTWILIO_API_KEY=SK11111111111111111111111111111111\nTWILIO_API_SECRET=dotenv\n"
    ])
    defer { TemporaryDirectory.remove(dir) }
    let env = ["TWILIO_API_KEY": "SK22222222222222222222222222222222", "TWILIO_API_SECRET": "environment"]
    let r = try Twvoice.run(
      [
        "token", "mint", "--identity", "a", "--now", "1700000000", "--account-sid",
        "AC33333333333333333333333333333333",
      ],
      environment: env, in: dir)
    #expect(r.status == 0, "\(r)")
    let token = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    let payload = JWTParts.json(token, part: 1)
    #expect(payload.contains(#""sub":"AC33333333333333333333333333333333""#))  // flag
    #expect(payload.contains(#""iss":"SK22222222222222222222222222222222""#))  // environment
    let verify = try Twvoice.run(
      ["token", "decode", "--now", "1700000001", token], environment: ["TWILIO_API_SECRET": "environment"])
    #expect(verify.status == 0, "\(verify)")
  }

  @Test func explicitEnvFile() throws {
    let dir = try TemporaryDirectory.with([
      "ci.env":
        "TWILIO_ACCOUNT_SID=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nTWILIO_API_KEY=SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\nTWILIO_API_SECRET=secret\n",
      ".env": "TWILIO_API_SECRET=wrong\n",
    ])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(Self.seedArgs + ["--env-file", "ci.env"], in: dir)
    #expect(r.stdout == Self.seedToken + "\n")
    let missing = try Twvoice.run(Self.seedArgs + ["--env-file", "nope.env"], in: dir)
    #expect(missing.status == 66)
    #expect(missing.stderr == "twvoice: error: cannot read nope.env: No such file or directory\n")
    #expect(missing.stdout.isEmpty)
  }

  @Test func malformedDotEnvLineIsNamedAndSkipped() throws {
    let dir = try TemporaryDirectory.with([
      ".env": "TWILIO_API_KEY=SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n!! oops\nTWILIO_API_SECRET=secret\n"
    ])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(Self.seedArgs + ["--account-sid", "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"], in: dir)
    #expect(r.status == 0)
    #expect(r.stdout == Self.seedToken + "\n")
    #expect(r.stderr == "twvoice: warning: .env:2: expected KEY=VALUE, line ignored\n")
  }

  @Test func secretFromFileAndStdin() throws {
    let dir = try TemporaryDirectory.with(["secret.txt": "secret\n"])
    defer { TemporaryDirectory.remove(dir) }
    var env = Self.env
    env["TWILIO_API_SECRET"] = "wrong"  // the flag wins over the environment
    let file = try Twvoice.run(
      Self.seedArgs + ["--api-secret-file", "secret.txt"], environment: env, in: dir)
    #expect(file.stdout == Self.seedToken + "\n")
    let stdin = try Twvoice.run(Self.seedArgs + ["--api-secret-stdin"], stdin: "secret\n", environment: env)
    #expect(stdin.stdout == Self.seedToken + "\n")
    #expect(stdin.stderr.isEmpty)
    let empty = try Twvoice.run(Self.seedArgs + ["--api-secret-stdin"], stdin: "", environment: env)
    #expect(empty.status == 64)  // a missing credential, like no secret at all
    #expect(
      empty.stderr == "twvoice: error: missing API secret: standard input was empty (--api-secret-stdin)\n")
    let two = try Twvoice.run(
      Self.seedArgs + ["--api-secret-stdin", "--api-secret-file", "x"], environment: env)
    #expect(two.status == 64)
    #expect(two.stderr.contains("Give the API secret one way only"))
  }

  @Test(arguments: [
    ("TWILIO_ACCOUNT_SID", "missing Account SID: pass --account-sid or set TWILIO_ACCOUNT_SID"),
    ("TWILIO_API_KEY", "missing API key SID: pass --api-key or set TWILIO_API_KEY"),
    (
      "TWILIO_API_SECRET",
      "missing API secret: set TWILIO_API_SECRET, or pass --api-secret-file PATH or --api-secret-stdin"
    ),
  ])
  func missingCredentialNamesFlagAndVariable(variable: String, message: String) throws {
    var env = Self.env
    env[variable] = nil
    let r = try Twvoice.run(["token", "mint", "--identity", "alice"], environment: env)
    #expect(r.status == 64)
    #expect(r.stderr == "twvoice: error: \(message)\n")
    #expect(r.stdout.isEmpty)
  }

  // MARK: checks

  @Test(arguments: [
    (
      ["--account-sid", "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"],
      "invalid Account SID: got a 34-character value starting 'AC' (not shown), expected AC followed by 32 hex digits (from --account-sid)"
    ),
    (
      ["--api-key", "AC0123456789abcdef0123456789abcdef"],
      "invalid API key SID: got a 34-character value starting 'AC' (not shown), expected SK followed by 32 hex digits (from --api-key)"
    ),
    (
      ["--application-sid", "AP123"],
      "invalid TwiML application SID: got a 5-character value starting 'AP' (not shown), expected AP followed by 32 hex digits (from --application-sid)"
    ),
    (
      ["--push-credential-sid", "CR1"],
      "invalid push credential SID: got a 3-character value (not shown), expected CR followed by 32 hex digits (from --push-credential-sid)"
    ),
    (
      ["--param", "a=b"],
      "--param needs a TwiML application: pass --application-sid or set TWILIO_APPLICATION_SID (Twilio ignores params without one)"
    ),
    (
      ["--grant", "fax:x=1"],
      "invalid grant 'fax:x=1': unknown kind 'fax' (known: video, chat, sync, task-router)"
    ),
    (
      ["--valid-until", "1700090000", "--now", "1700000000"],
      "--valid-until is 1d 1h after now, more than Twilio's 24h maximum (error 20157)"
    ),
  ])
  func badValuesAreRefused(extra: [String], message: String) throws {
    let r = try Twvoice.run(["token", "mint", "--identity", "alice"] + extra, environment: Self.env)
    #expect(r.status == 64, "\(r)")
    #expect(r.stderr == "twvoice: error: \(message)\n")
    #expect(r.stdout.isEmpty)
  }

  @Test(arguments: [
    (
      ["--ttl", "86401"],
      "--ttl 86401 is more than 86400 seconds (24 hours); Twilio refuses such tokens (error 20157)."
    ),
    (["--ttl", "0"], "--ttl must be at least 1 second."),
    (["--ttl", "-5"], "--ttl must be at least 1 second."),  // a negative value, not a flag
    (
      ["--param", "novalue"],
      "The value 'novalue' is invalid for '--param <key=value>': expected NAME=VALUE with a non-empty NAME"
    ),
    (["--random-identity"], "Give one of --identity, --random-identity or --identity-prefix."),
    (["--count", "2"], "--count needs distinct identities: use --identity-prefix or --random-identity."),
    (["--nbf", "5", "--no-nbf"], "--nbf and --no-nbf cannot be used together."),
    (["--ttl", "60", "--valid-until", "5"], "Give --ttl or --valid-until, not both."),
    (
      ["--output", "xml"],
      "The value 'xml' is invalid for '--output <output>'. Please provide one of 'token' and 'json'."
    ),
  ])
  func usageErrors(extra: [String], message: String) throws {
    let r = try Twvoice.run(["token", "mint", "--identity", "alice"] + extra, environment: Self.env)
    #expect(r.status == 64, "\(r)")
    #expect(r.stderr.hasPrefix("twvoice: error: \(message)\n"), "\(r)")
    #expect(r.stdout.isEmpty)
  }

  @Test func ttlOfExactly24HoursIsAccepted() throws {
    let r = try Twvoice.run(
      ["token", "mint", "--identity", "a", "--ttl", "86400", "--now", "100"], environment: Self.env)
    #expect(r.status == 0)
    #expect(JWTParts.json(r.stdout, part: 1).contains(#""exp":86500,"nbf":100"#))
  }

  @Test func identityThatVoiceRejectsWarnsButMints() throws {
    let r = try Twvoice.run(
      ["token", "mint", "--identity", "bob smith", "--now", "1700000000"], environment: Self.env)
    #expect(r.status == 0)
    #expect(
      r.stderr
        == "twvoice: warning: identity contains 'U+0020'; Twilio Voice accepts only letters, digits and underscore; the token is minted anyway, as the helper libraries do\n"
    )
    #expect(JWTParts.json(r.stdout, part: 1).contains(#""identity":"bob smith""#))
    let long = try Twvoice.run(
      ["token", "mint", "--identity", String(repeating: "a", count: 122)], environment: Self.env)
    #expect(long.status == 0)
    #expect(long.stderr.contains("122 characters long"))
  }

  // MARK: output

  @Test func jsonOutputHasTheSeedEndpointShape() throws {
    let r = try Twvoice.run(Self.seedArgs + ["--output", "json"], environment: Self.env)
    #expect(r.stdout == "{\"token\":\"\(Self.seedToken)\",\"identity\":\"alice\"}\n")
  }

  @Test func countWithPrefixGivesJSONLines() throws {
    let r = try Twvoice.run(
      ["token", "mint", "--count", "3", "--identity-prefix", "load", "--now", "1700000000"],
      environment: Self.env)
    #expect(r.status == 0)
    let lines = r.stdout.split(separator: "\n")
    #expect(lines.count == 3)
    for (i, line) in lines.enumerated() {
      let value = try JSONParser.parse(String(line))
      #expect(value["identity"]?.stringValue == "load\(i + 1)")
      let token = try #require(value["token"]?.stringValue)
      #expect(JWTParts.json(token, part: 1).contains(#""identity":"load\#(i + 1)""#))
    }
    let plain = try Twvoice.run(
      ["token", "mint", "--count", "2", "--identity-prefix", "p", "--output", "token"], environment: Self.env)
    #expect(plain.stdout.split(separator: "\n").allSatisfy { $0.split(separator: ".").count == 3 })
  }

  @Test func randomIdentityIsAlphanumericAndSeedable() throws {
    let args = ["token", "mint", "--random-identity", "--seed", "9", "--output", "json", "--now", "1"]
    let a = try Twvoice.run(args, environment: Self.env)
    let b = try Twvoice.run(args, environment: Self.env)
    #expect(a.status == 0)
    #expect(a.stdout == b.stdout)
    let identity = try JSONParser.parse(a.stdout)["identity"]?.stringValue ?? ""
    #expect(!identity.isEmpty && identity.allSatisfy { $0.isLetter || $0.isNumber })
    let unseeded = try Twvoice.run(
      ["token", "mint", "--random-identity", "--count", "20"], environment: Self.env)
    #expect(Set(unseeded.stdout.split(separator: "\n")).count == 20)
  }

  @Test func otherProductGrants() throws {
    let r = try Twvoice.run(
      [
        "token", "mint", "--identity", "a", "--now", "0", "--grant", "video:room=standup", "--grant",
        "sync:service_sid=IS1", "--grant", "chat", "--grant", "task-router:role=worker",
      ], environment: Self.env)
    #expect(
      JWTParts.json(r.stdout, part: 1).contains(
        #""grants":{"video":{"room":"standup"},"data_sync":{"service_sid":"IS1"},"chat":{},"task_router":{"role":"worker"},"identity":"a"}"#
      ))
  }

  @Test func secretNeverAppearsInAnyOutput() throws {
    let secret = "s3cr3t-VALUE-that-must-not-leak-0123456789"
    var env = Self.env
    env["TWILIO_API_SECRET"] = secret
    let runs: [[String]] = [
      ["token", "mint", "--identity", "a"],
      ["token", "mint", "--identity", "a", "--api-key", secret],
      ["token", "mint", "--identity", "a", "--account-sid", secret],
      ["token", "mint", "--identity", "a", "--api-secret", secret, "--ttl", "99999"],
      ["token", "mint", "--identity", "a", "--application-sid", secret],
      ["token", "decode", "not.a.jwt"],
    ]
    for args in runs {
      let r = try Twvoice.run(args, environment: env)
      #expect(!r.stdout.contains(secret) && !r.stderr.contains(secret), "\(args)")
    }
  }
}
