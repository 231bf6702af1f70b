import Testing
import TwvoiceCore

/// twvoice's tokens against twilio-python's, byte for byte.
struct AccessTokenTests {
  @Test func fixtureIsComplete() {
    #expect(TokenVector.all.count >= 150)
    #expect(TokenVector.all.contains { $0.name == "voice-basic" })
  }

  @Test(arguments: TokenVector.all)
  func headerPayloadAndSignatureMatchTwilioPython(_ vector: TokenVector) throws {
    let token = vector.accessToken
    let compact = JSONWriter(style: .compact, asciiOnly: true)
    #expect(compact.string(token.header) == vector.string("header"))
    #expect(compact.string(token.payload) == vector.string("payload"))
    let secret = try #require(vector.string("secret"))
    #expect(token.jwt(secret: secret) == vector.string("token"))
  }

  @Test(arguments: TokenVector.all)
  func decodingRecoversPartsAndVerifies(_ vector: TokenVector) throws {
    let decoded = try JWT.decode(try #require(vector.string("token")))
    #expect(decoded.headerText == vector.string("header"))
    #expect(decoded.payloadText == vector.string("payload"))
    let secret = try #require(vector.string("secret"))
    #expect(decoded.hasValidSignature(secret: secret))
    #expect(!decoded.hasValidSignature(secret: secret + "x"))
  }

  /// twilio-formats.md §1.8 V1, the seed's token.
  @Test func documentedVectorV1() {
    let token = AccessToken(
      accountSid: "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", apiKeySid: "SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
      identity: "alice",
      grants: [
        .voice(VoiceGrant(incomingAllow: true, outgoingApplicationSid: "APcccccccccccccccccccccccccccccccc"))
      ],
      issuedAt: 1_700_000_000)
    #expect(
      token.jwt(secret: "secret").hasSuffix(".j4S2B73-WfnsYoSfgX8PnCaCB2KccgSH4514d46GYt4"))
  }

  @Test func sameGrantTwiceKeepsFirstPositionLastContent() {
    let token = AccessToken(
      accountSid: "AC1", apiKeySid: "SK1",
      grants: [.video(VideoGrant(room: "a")), .chat(ChatGrant()), .video(VideoGrant(room: "b"))],
      issuedAt: 0)
    #expect(
      JSONWriter().string(token.payload["grants"] ?? .null) == #"{"video":{"room":"b"},"chat":{}}"#)
  }
}

struct AccessTokenCheckTests {
  static let secret = "an-api-secret-of-reasonable-size!"
  static func mint(_ edit: (inout AccessToken) -> Void = { _ in }) -> JWT.Decoded {
    var token = AccessToken(
      accountSid: "AC0123456789abcdef0123456789abcdef", apiKeySid: "SK0123456789abcdef0123456789abcdef",
      identity: "alice", grants: [.voice(VoiceGrant(incomingAllow: true))], issuedAt: 1_000_000)
    edit(&token)
    // swift-format-ignore: NeverUseForceTry
    return try! JWT.decode(token.jwt(secret: secret))
  }

  static func codes(_ check: AccessTokenCheck) -> [Int?] {
    check.findings.filter { $0.severity == .error }.map(\.twilioCode)
  }

  @Test func validTokenPasses() {
    let check = AccessTokenCheck(Self.mint(), secret: Self.secret, now: 1_000_010)
    #expect(check.isValid)
    #expect(check.signature == .valid)
    #expect(check.findings.isEmpty)
  }

  @Test func withoutSecretSignatureIsNotChecked() {
    let check = AccessTokenCheck(Self.mint(), secret: nil, now: 1_000_010)
    #expect(check.isValid)
    #expect(check.signature == .notChecked)
  }

  @Test func wrongSecretIs20101() {
    let check = AccessTokenCheck(Self.mint(), secret: "other", now: 1_000_010)
    #expect(check.signature == .invalid)
    #expect(Self.codes(check) == [20101])
  }

  @Test func expiredIs20104() {
    let check = AccessTokenCheck(Self.mint(), secret: Self.secret, now: 1_003_600)
    #expect(Self.codes(check) == [20104])
    #expect(check.findings[0].message.hasPrefix("expired 0s ago"))
  }

  @Test func notYetValidIs20101() {
    let check = AccessTokenCheck(
      Self.mint { $0.notBefore = .at(1_000_100) }, secret: Self.secret, now: 1_000_050)
    #expect(Self.codes(check) == [20101])
    #expect(check.findings[0].message.contains("not valid yet"))
  }

  @Test func lifetimeOver24HoursIs20157() {
    let check = AccessTokenCheck(Self.mint { $0.ttl = 86_401 }, secret: Self.secret, now: 1_000_010)
    #expect(Self.codes(check) == [20157])
    let exactly = AccessTokenCheck(Self.mint { $0.ttl = 86_400 }, secret: Self.secret, now: 1_000_010)
    #expect(exactly.isValid)
  }

  @Test func badIssuerAndSubjectAre20103() {
    let check = AccessTokenCheck(
      Self.mint {
        $0.accountSid = "AC123"
        $0.apiKeySid = "SK123"
      }, secret: Self.secret, now: 1_000_010)
    #expect(Self.codes(check) == [20103, 20103])
  }

  @Test func wrongAlgorithmIs20102() throws {
    // {"alg":"none","cty":"twilio-fpa;v=1","typ":"JWT"} with the valid payload of mint().
    let good = Self.mint()
    let header = Base64.encode(
      Array(#"{"alg":"none","cty":"twilio-fpa;v=1","typ":"JWT"}"#.utf8), alphabet: .url, padding: false)
    let payload = good.signingInput.split(separator: ".")[1]
    let decoded = try JWT.decode("\(header).\(payload).")
    let check = AccessTokenCheck(decoded, secret: Self.secret, now: 1_000_010)
    #expect(Self.codes(check) == [20102])
    #expect(check.signature == .missing)
  }

  @Test func voiceIdentityWarning() {
    let check = AccessTokenCheck(Self.mint { $0.identity = "bob smith" }, secret: nil, now: 1_000_010)
    #expect(check.isValid)
    #expect(check.findings.map(\.severity) == [.warning])
    #expect(check.findings[0].message.contains("U+0020"))
  }

  @Test(arguments: [
    ("", JWT.DecodingError.empty),
    ("abc", .wrongNumberOfParts(1)),
    ("a.b.c.d", .wrongNumberOfParts(4)),
    ("!!.e30.", .invalidBase64(part: "header")),
    ("e30.W10.", .notAnObject(part: "payload")),
    ("e30.e30.***", .invalidBase64(part: "signature")),
  ])
  func notAJWT(text: String, error: JWT.DecodingError) {
    #expect(throws: error) { try JWT.decode(text) }
  }
}
