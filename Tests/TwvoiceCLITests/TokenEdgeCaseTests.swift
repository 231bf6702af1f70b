import Foundation
import Testing
import TwvoiceCore

/// Hostile and extreme inputs found in review: each once crashed, lied or leaked.
struct TokenEdgeCaseTests {
  static let env = Twvoice.fakeEnvironment

  static func token(header: String = #"{"alg":"HS256","typ":"JWT","cty":"twilio-fpa;v=1"}"#, payload: String)
    -> String
  {
    let h = Base64.encode(Array(header.utf8), alphabet: .url, padding: false)
    let p = Base64.encode(Array(payload.utf8), alphabet: .url, padding: false)
    let signature = Crypto.hmac(.sha256, key: Array("secret".utf8), message: Array("\(h).\(p)".utf8))
    return "\(h).\(p).\(Base64.encode(signature, alphabet: .url, padding: false))"
  }

  @Test(arguments: [
    #"{"exp":-9223372036854775808}"#, #"{"nbf":-9223372036854775808,"exp":1}"#,
    #"{"exp":9223372036854775807,"nbf":-1}"#, #"{"exp":-9223372036000000000,"jti":"SK-9223372036854775807"}"#,
  ])
  func extremeClaimsAreInvalidNotACrash(payload: String) throws {
    let r = try Twvoice.run(["token", "decode", "--now", "1700000000", Self.token(payload: payload)])
    #expect(r.status == 1, "\(r)")
    #expect(r.stderr.contains("Twilio error"))
  }

  @Test func extremeClocksAreRefused() throws {
    for args in [["--now", "9223372036854775807"], ["--now", "1", "--valid-until=-9223372036854775808"]] {
      let r = try Twvoice.run(["token", "mint", "--identity", "a"] + args, environment: Self.env)
      #expect(r.status == 64, "\(r)")
      #expect(r.stderr.contains("is not a Unix time between years 1 and 9999"))
    }
  }

  @Test func outputErrorIsExit74() throws {
    guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "\"$0\" token mint --identity a > /dev/full", Twvoice.executable.path]
    process.environment = Self.env
    let err = Pipe()
    process.standardError = err
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 74)
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(stderr == "twvoice: error: cannot write standard output: No space left on device\n")
  }

  @Test func duplicateClaimsReadAsPythonReadsThem() throws {
    // PyJWT (a Python dict) takes the last "exp": this token is expired for Twilio's tooling.
    let t = Self.token(
      payload:
        #"{"exp":1700003600,"iss":"SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","sub":"ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","grants":{},"exp":1}"#
    )
    let r = try Twvoice.run(["token", "decode", "--now", "1700000100", t])
    #expect(r.status == 1)
    #expect(r.stderr.contains("(Twilio error 20104)"))
  }

  @Test func repeatedParamKeepsFirstPositionLastValue() throws {
    let r = try Twvoice.run(
      [
        "token", "mint", "--identity", "a", "--now", "0", "--application-sid",
        "AP0123456789abcdef0123456789abcdef", "--param", "k=1", "--param", "j=x", "--param", "k=2",
      ], environment: Self.env)
    #expect(JWTParts.json(r.stdout, part: 1).contains(#""params":{"k":"2","j":"x"}"#))
  }

  @Test func valuesStartingWithCombiningMarksSplitCorrectly() throws {
    let r = try Twvoice.run(
      [
        "token", "mint", "--identity", "a", "--now", "0", "--application-sid",
        "AP0123456789abcdef0123456789abcdef", "--param", "k=\u{301}x", "--grant", "video:room=\u{200D}y",
      ], environment: Self.env)
    #expect(r.status == 0, "\(r)")
    let payload = JWTParts.json(r.stdout, part: 1)
    #expect(payload.contains(#""k":"\u0301x""#) && payload.contains(#""room":"\u200dy""#))
  }

  @Test func controlCharactersNeverReachTheTerminal() throws {
    let t = Self.token(
      payload:
        #"{"exp":1700003600,"iss":"SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","sub":"ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","grants":{"identity":"a\u001b[31mRED\u0007"}}"#
    )
    let r = try Twvoice.run(["token", "decode", "--now", "1700000000", t])
    #expect(!r.stdout.contains("\u{1B}") && !r.stdout.contains("\u{07}"))
    #expect(r.stdout.contains("aU+001B[31mREDU+0007"))
  }

  @Test func secretOfAnotherKeyIsNotReportedAsForgery() throws {
    let env = ["TWILIO_API_KEY": "SKffffffffffffffffffffffffffffffff", "TWILIO_API_SECRET": "other"]
    let r = try Twvoice.run(
      ["token", "decode", "--now", "1700000100", TokenMintTests.seedToken], environment: env)
    #expect(r.status == 0, "\(r)")
    #expect(
      r.stdout.contains(
        "Signature   not checked: the token's issuer is SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, the secret at hand is for SKffffffffffffffffffffffffffffffff (from environment TWILIO_API_KEY)"
      ))
  }

  @Test func randomIdentitiesForACountAreDistinct() throws {
    let r = try Twvoice.run(
      ["token", "mint", "--count", "5000", "--random-identity", "--seed", "1", "--now", "1"],
      environment: Self.env)
    let names = try r.stdout.split(separator: "\n").map {
      try JSONParser.parse(String($0))["identity"]?.stringValue
    }
    #expect(names.count == 5000 && Set(names).count == 5000)
  }

  @Test func emptyIdentityAndMultiLineSecretFileAreRefused() throws {
    let empty = try Twvoice.run(["token", "mint", "--identity", ""], environment: Self.env)
    #expect(empty.status == 64)
    let dir = try TemporaryDirectory.with(["s": "line1\nline2\n"])
    defer { TemporaryDirectory.remove(dir) }
    var env = Self.env
    env["TWILIO_API_SECRET"] = nil
    let multi = try Twvoice.run(
      ["token", "mint", "--identity", "a", "--api-secret-file", "s"], environment: env, in: dir)
    #expect(multi.status == 65)
    #expect(multi.stderr == "twvoice: error: s: the API secret file must hold one line\n")
  }

  @Test func identityPrefixWarningLooksAtTheLongestIdentity() throws {
    let r = try Twvoice.run(
      ["token", "mint", "--count", "10", "--identity-prefix", String(repeating: "p", count: 120)],
      environment: Self.env)
    #expect(r.stderr.contains("122 characters long"))
  }
}
