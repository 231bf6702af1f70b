import Foundation
import Testing
import TwvoiceCore

struct TokenDecodeTests {
  static let token = TokenMintTests.seedToken
  static let inside = "1700000100"  // between nbf and exp of the seed token

  @Test func validTokenWithSecretIsVerified() throws {
    let r = try Twvoice.run(
      ["token", "decode", "--now", Self.inside, Self.token], environment: ["TWILIO_API_SECRET": "secret"])
    #expect(r.status == 0, "\(r)")
    #expect(r.stderr.isEmpty)
    let expected = """
      Header      alg HS256 · cty twilio-fpa;v=1 · typ JWT
      Account     ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  (sub)
      API key     SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb  (iss)
      Identity    alice
      Token ID    SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-1700000000  (jti)
      Issued      2023-11-14 22:13:20 UTC  (from jti; 1m 40s ago)
      Not before  2023-11-14 22:13:20 UTC  (1m 40s ago)
      Expires     2023-11-14 23:13:20 UTC  (expires in 58m 20s; lifetime 1h)
      Grants      voice: incoming calls allowed
                  voice: outgoing calls to TwiML app APcccccccccccccccccccccccccccccccc
      Signature   valid (HS256, secret from environment TWILIO_API_SECRET)
      Status      valid

      """
    #expect(r.stdout == expected)
  }

  @Test func aTokenForAnotherAccountIsFlagged() throws {
    let other = "AC" + String(repeating: "d", count: 32)
    // Named on the command line: the token is not for it (exit 1, Twilio error 20103).
    let named = try Twvoice.run(
      ["token", "decode", "--now", Self.inside, "--account-sid", other, Self.token],
      environment: ["TWILIO_API_SECRET": "secret"])
    #expect(named.status == 1, "\(named)")
    #expect(
      named.stderr.contains(
        "twvoice: error: token subject (sub) is ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, not the account \(other) (from --account-sid) (Twilio error 20103)"
      ), "\(named)")
    // From the environment: a warning, as the token may be someone else's on purpose.
    let ambient = try Twvoice.run(
      ["token", "decode", "--now", Self.inside, Self.token],
      environment: ["TWILIO_API_SECRET": "secret", "TWILIO_ACCOUNT_SID": other])
    #expect(ambient.status == 0, "\(ambient)")
    #expect(ambient.stderr.contains("twvoice: warning: token subject (sub) is ACaaaa"))
    // The token's own account: nothing to say.
    let same = try Twvoice.run(
      [
        "token", "decode", "--now", Self.inside, "--account-sid", "AC" + String(repeating: "a", count: 32),
        Self.token,
      ],
      environment: ["TWILIO_API_SECRET": "secret"])
    #expect(same.status == 0 && same.stderr.isEmpty, "\(same)")
  }

  @Test func withoutSecretSaysSoAndStillChecksTimes() throws {
    let r = try Twvoice.run(["token", "decode", "--now", Self.inside, Self.token])
    #expect(r.status == 0)
    #expect(r.stdout.contains("Signature   not checked: no API secret"))
  }

  @Test func readsStandardInput() throws {
    let dash = try Twvoice.run(["token", "decode", "--now", Self.inside, "-"], stdin: Self.token + "\n")
    let implicit = try Twvoice.run(["token", "decode", "--now", Self.inside], stdin: Self.token)
    #expect(dash.status == 0 && implicit.status == 0)
    #expect(dash.stdout == implicit.stdout)
    #expect(dash.stdout.contains("Identity    alice"))
  }

  @Test func jsonIsExactlyAsDecoded() throws {
    let r = try Twvoice.run(["token", "decode", "--json", "--now", Self.inside, Self.token])
    #expect(r.status == 0)
    let value = try JSONParser.parse(r.stdout)
    let compact = JSONWriter(style: .compact)
    #expect(compact.string(value["header"] ?? .null) == JWTParts.json(Self.token, part: 0))
    #expect(compact.string(value["payload"] ?? .null) == JWTParts.json(Self.token, part: 1))
    #expect(value.members?.map(\.key) == ["header", "payload"])
  }

  @Test func badSignatureIs20101() throws {
    let r = try Twvoice.run(
      ["token", "decode", "--now", Self.inside, Self.token], environment: ["TWILIO_API_SECRET": "other"])
    #expect(r.status == 1)
    #expect(
      r.stderr
        == "twvoice: error: token signature does not match: the token was not signed with this API secret (Twilio error 20101)\n"
    )
    #expect(r.stdout.contains("Status      INVALID (1 problem)"))
  }

  @Test func expiredIs20104() throws {
    let r = try Twvoice.run(
      ["token", "decode", "--now", "1700007200", Self.token], environment: ["TWILIO_API_SECRET": "secret"])
    #expect(r.status == 1)
    #expect(
      r.stderr == "twvoice: error: token expired 1h ago (exp 2023-11-14 23:13:20 UTC) (Twilio error 20104)\n")
  }

  @Test func notYetValid() throws {
    let r = try Twvoice.run(["token", "decode", "--now", "1699999000", Self.token])
    #expect(r.status == 1)
    #expect(
      r.stderr.contains("not valid yet: valid from 2023-11-14 22:13:20 UTC, in 16m 40s (Twilio error 20101)"))
  }

  @Test func realClockIsUsedWithoutNow() throws {
    // The seed token expired in 2023.
    let r = try Twvoice.run(["token", "decode", Self.token])
    #expect(r.status == 1)
    #expect(r.stderr.contains("(Twilio error 20104)"))
  }

  @Test func lifetimeOver24HoursIs20157() throws {
    let long = AccessToken(
      accountSid: "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", apiKeySid: "SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
      identity: "a", issuedAt: 1_700_000_000, ttl: 90_000
    ).jwt(secret: "secret")
    let r = try Twvoice.run(
      ["token", "decode", "--now", Self.inside, long], environment: ["TWILIO_API_SECRET": "secret"])
    #expect(r.status == 1)
    #expect(
      r.stderr
        == "twvoice: error: token lifetime is 1d 1h, more than Twilio's maximum of 24h (Twilio error 20157)\n"
    )
  }

  @Test func wrongAlgorithmIs20102() throws {
    let header = Base64.encode(
      Array(#"{"alg":"HS512","typ":"JWT","cty":"twilio-fpa;v=1"}"#.utf8), alphabet: .url, padding: false)
    let rest = Self.token.split(separator: ".").dropFirst().joined(separator: ".")
    let r = try Twvoice.run(
      ["token", "decode", "--now", Self.inside, "\(header).\(rest)"],
      environment: ["TWILIO_API_SECRET": "secret"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("algorithm is 'HS512', Twilio accepts only HS256 (Twilio error 20102)"))
  }

  @Test func docsExampleTokenDecodes() throws {
    // twilio.com docs/iam/access-tokens; its secret is unknown, so only decoding is checked.
    let docs =
      "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiIsImN0eSI6InR3aWxpby1mcGE7dj0xIn0.eyJqdGkiOiJTS3h4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4LTE0NTA0NzExNDciLCJpc3MiOiJTS3h4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4Iiwic3ViIjoiQUN4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eCIsIm5iZiI6MTQ1MDQ3MTE0NywiZXhwIjoxNDUwNDc0NzQ3LCJncmFudHMiOnsiaWRlbnRpdHkiOiJ1c2VyQGV4YW1wbGUuY29tIiwiaXBfbWVzc2FnaW5nIjp7InNlcnZpY2Vfc2lkIjoiSVN4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eCIsImVuZHBvaW50X2lkIjoiSGlwRmxvd1NsYWNrRG9ja1JDOnVzZXJAZXhhbXBsZS5jb206c29tZWlvc2RldmljZSJ9fX0.IHx8KeH1acIfwnd8EIin3QBGPbfnF-yVnSFp5NpQJi0"
    let r = try Twvoice.run(["token", "decode", "--json", "--now", "1450471200", docs])
    let value = try JSONParser.parse(r.stdout)
    #expect(value["payload"]?["grants"]?["identity"]?.stringValue == "user@example.com")
    #expect(value["header"]?.members?.map(\.key) == ["typ", "alg", "cty"])
    // Placeholder SIDs are what Twilio would refuse (20103).
    #expect(r.status == 1)
    #expect(r.stderr.contains("(Twilio error 20103)"))
  }

  @Test(arguments: [
    ("hello", "not a JWT: expected 3 parts separated by '.', found 1"),
    ("a.b", "not a JWT: expected 3 parts separated by '.', found 2"),
    ("e30.%%%.x", "not a JWT: the payload is not base64url"),
    ("eyJhIjox.e30.", "not a JWT: the header is not JSON (unterminated object at byte 7)"),
    ("", "no token given"),
  ])
  func notAJWTIs65(text: String, message: String) throws {
    let r = try Twvoice.run(["token", "decode", "-"], stdin: text)
    #expect(r.status == 65, "\(r)")
    #expect(r.stderr == "twvoice: error: \(message)\n")
    #expect(r.stdout.isEmpty)
  }

  @Test func tokenAndSecretCannotBothComeFromStdin() throws {
    let r = try Twvoice.run(["token", "decode", "--api-secret-stdin"], stdin: "x")
    #expect(r.status == 64)
  }

  @Test func mintThenDecodeRoundTripWithSecretFromDotEnv() throws {
    let dir = try TemporaryDirectory.with([
      ".env":
        "TWILIO_ACCOUNT_SID=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nTWILIO_API_KEY=SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\nTWILIO_API_SECRET=0123456789abcdef0123456789abcdef\n"
    ])
    defer { TemporaryDirectory.remove(dir) }
    let mint = try Twvoice.run(
      ["token", "mint", "--identity", "round_trip", "--ttl", "600", "--region", "ie1"], in: dir)
    #expect(mint.status == 0)
    let decode = try Twvoice.run(["token", "decode", "-"], stdin: mint.stdout, in: dir)
    #expect(decode.status == 0, "\(decode)")
    #expect(decode.stdout.contains("Signature   valid (HS256, secret from .env:3 (TWILIO_API_SECRET))"))
    #expect(decode.stdout.contains("Region      ie1"))
    #expect(!decode.stdout.contains("0123456789abcdef0123456789abcdef"))
  }
}
