import Foundation
import Testing
import TwvoiceCore

/// `token decode` checks beyond the basics (issue 9), and `token mint`'s write errors, through
/// the binary.
struct TokenCheckTests {
  static let now = 1_700_000_100
  static let header: JSONValue = .object([
    ("alg", .string("HS256")), ("cty", .string("twilio-fpa;v=1")), ("typ", .string("JWT")),
  ])

  /// A well-formed Access Token payload with `extra` claims added (or replacing).
  static func payload(_ extra: [(String, JSONValue)] = [], grants: JSONValue? = nil) -> JSONValue {
    var members: [(key: String, value: JSONValue)] = [
      ("jti", .string("SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-1700000000")),
      (
        "grants",
        grants
          ?? .object([
            ("identity", .string("alice")),
            ("voice", .object([("incoming", .object([("allow", .bool(true))]))])),
          ])
      ),
      ("iss", .string("SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")),
      ("exp", .number("1700003600")),
      ("nbf", .number("1700000000")),
      ("sub", .string("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")),
    ]
    for (key, value) in extra {
      if let index = members.firstIndex(where: { $0.key == key }) {
        members[index].value = value
      } else {
        members.append((key, value))
      }
    }
    return .object(members)
  }

  static func token(_ payload: JSONValue) -> String {
    JWT.sign(header: header, payload: payload, secret: "secret")
  }

  static func decode(_ token: String, secret: Bool = true) throws -> Twvoice.Result {
    try Twvoice.run(
      ["token", "decode", "--now", String(now), token],
      environment: secret ? ["TWILIO_API_SECRET": "secret"] : [:])
  }

  // PyJWT 2.x (jwt/api_jwt.py `_validate_iat`, default leeway 0): iat > now raises
  // ImmatureSignatureError "The token is not yet valid (iat)"; iat == now passes.
  @Test(arguments: [
    (String(now + 1), true), ("9223372036854775807", true), ("9223372036854775808", true),
    (String(now), false), (String(now - 60), false),
  ])
  func issuedAtInTheFutureIsNotYetValid(iat: String, refused: Bool) throws {
    let r = try Self.decode(Self.token(Self.payload([("iat", .number(iat))])))
    #expect(r.status == (refused ? 1 : 0), "\(r)")
    #expect(r.stderr.contains("(PyJWT: The token is not yet valid (iat))") == refused, "\(r)")
    #expect(r.stdout.contains("Status      valid") == !refused)
  }

  @Test func issuedAtThatIsNotANumberIsRefused() throws {
    let r = try Self.decode(Self.token(Self.payload([("iat", .string("yesterday"))])))
    #expect(r.status == 1, "\(r)")
    #expect(
      r.stderr
        == "twvoice: error: token issued at (iat) must be an integer (a Unix time) (Twilio error 20101)\n")
  }

  @Test(arguments: [
    (JSONValue.string("yes"), "grants.voice.incoming.allow is a string, not true or false"),
    (.number("1"), "grants.voice.incoming.allow is a number, not true or false"),
  ])
  func grantOfTheWrongTypeIsWarned(allow: JSONValue, warning: String) throws {
    let grants: JSONValue = .object([
      ("identity", .string("alice")),
      (
        "voice",
        .object([
          ("incoming", .object([("allow", allow)])),
          ("outgoing", .object([("application_sid", .bool(true))])),
        ])
      ),
    ])
    let r = try Self.decode(Self.token(Self.payload(grants: grants)))
    #expect(r.status == 0, "\(r)")
    #expect(
      r.stderr
        == "twvoice: warning: token \(warning): Twilio and the Voice SDK ignore it\n"
        + "twvoice: warning: token grants.voice.outgoing.application_sid is a boolean, not a string: Twilio and the Voice SDK ignore it\n"
    )
  }

  @Test func emptySignatureIsNeverValid() throws {
    let signed = Self.token(Self.payload())
    let unsigned = String(signed[...signed.lastIndex(of: ".")!])
    for secret in [false, true] {
      let r = try Self.decode(unsigned, secret: secret)
      #expect(r.status == 1, "\(r)")
      #expect(r.stdout.contains("Signature   MISSING (the token is unsigned)"))
      #expect(r.stdout.contains("Status      INVALID (1 problem)"))
      #expect(
        r.stderr == "twvoice: error: token signature is empty: the token is unsigned (Twilio error 20101)\n")
    }
  }

  @Test func unverifiedTokenIsNotCalledValid() throws {
    let r = try Self.decode(Self.token(Self.payload()), secret: false)
    #expect(r.status == 0, "\(r)")
    #expect(
      r.stdout.contains("Status      unverified (no problem found, but the signature was not checked)\n"))
    #expect(!r.stdout.contains("Status      valid"))
  }

  @Test func emptySecretOnStandardInputIsAMissingCredential() throws {
    let r = try Twvoice.run(
      ["token", "decode", "--now", String(Self.now), "--api-secret-stdin", Self.token(Self.payload())],
      stdin: "")
    #expect(r.status == 64, "\(r)")
    #expect(r.stderr == "twvoice: error: missing API secret: standard input was empty (--api-secret-stdin)\n")
  }

  /// `--count` with a huge N into /dev/full: the first failed block ends the run. Before the fix
  /// it minted all N; the guard below ends the child (and fails) if it is still running a minute later.
  @Test func mintStopsAtTheFirstFailedWrite() throws {
    guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = [
      "-c", "exec \"$0\" token mint --identity-prefix u --count 1000000000000 > /dev/full",
      Twvoice.executable.path,
    ]
    process.environment = Twvoice.fakeEnvironment
    let err = Pipe()
    process.standardError = err
    try process.run()
    var waited = 0
    while process.isRunning && waited < 6000 {
      usleep(10_000)
      waited += 1
    }
    let stillRunning = process.isRunning
    if stillRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    #expect(!stillRunning)
    #expect(process.terminationStatus == 74)
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(stderr == "twvoice: error: cannot write standard output: No space left on device\n")
  }

  @Test(arguments: [
    (
      "TWILIO_ACCOUNT_SID", "ACsupersecretvalue",
      "invalid Account SID: got a 18-character value starting 'AC' (not shown)"
    ),
    (
      "TWILIO_API_KEY", "SKhunter2hunter2",
      "invalid API key SID: got a 16-character value starting 'SK' (not shown)"
    ),
  ])
  func rejectedCredentialIsNotEchoed(variable: String, value: String, message: String) throws {
    for fromFile in [false, true] {
      var env = Twvoice.fakeEnvironment
      env[variable] = fromFile ? nil : value
      let dir = try TemporaryDirectory.with(fromFile ? [".env": "\(variable)=\(value)\n"] : [:])
      defer { try? FileManager.default.removeItem(at: dir) }
      let r = try Twvoice.run(["token", "mint", "--identity", "a"], environment: env, in: dir)
      #expect(r.status == 64, "\(r)")
      #expect(!r.stderr.contains(value.dropFirst(2)), "\(r)")
      #expect(r.stderr.contains(message), "\(r)")
    }
  }

  @Test func configuredKeyThatIsNotAKeyIsNotEchoed() throws {
    let r = try Twvoice.run(
      ["token", "decode", "--now", String(Self.now), Self.token(Self.payload())],
      environment: ["TWILIO_API_SECRET": "secret", "TWILIO_API_KEY": "pasted-secret-value"])
    #expect(!r.stdout.contains("pasted-secret-value"), "\(r)")
    #expect(r.stdout.contains("a 19-character value starting 'pa' (not shown)"), "\(r)")
  }
}
