import Testing
import TwvoiceCore

/// `token mint`'s policy, called directly: grants, times, identities and warnings as values.
struct MintPlanTests {
  // swift-format-ignore: NeverUseForceTry
  static let (account, key, app) = try! (
    AccountSid("AC0123456789abcdef0123456789abcdef"), APIKeySid("SK0123456789abcdef0123456789abcdef"),
    ApplicationSid("AP0123456789abcdef0123456789abcdef")
  )

  static func request(_ identities: MintRequest.Identities = .fixed("alice")) -> MintRequest {
    MintRequest(accountSid: account, apiKeySid: key, identities: identities, issuedAt: 1_700_000_000)
  }

  @Test func aVoiceGrantWhenAVoiceOptionIsGivenOrNothingElseIs() throws {
    // Nothing asked: an empty Voice grant, as the seed's server mints one.
    #expect(try MintPlan(Self.request()).template.grants == [.voice(VoiceGrant())])
    // Only another grant: no Voice grant beside it.
    var video = Self.request()
    video.otherGrants = [.video(VideoGrant(room: "r"))]
    #expect(try MintPlan(video).template.grants == [.video(VideoGrant(room: "r"))])
    // A voice option with another grant: both, Voice first.
    video.incomingAllow = true
    #expect(try MintPlan(video).template.grants.count == 2)
    guard case .voice(let voice) = try MintPlan(video).template.grants.first else {
      Issue.record("no Voice grant first")
      return
    }
    #expect(voice.incomingAllow)
  }

  @Test func outgoingParamsNeedAnApplication() throws {
    var r = Self.request()
    r.outgoingParams = [NamedValue(name: "team", value: "blue")]
    #expect(throws: MintPlan.Refusal.paramsWithoutApplication) { try MintPlan(r) }
    r.applicationSid = Self.app
    guard case .voice(let voice) = try MintPlan(r).template.grants.first else { return }
    #expect(voice.outgoingApplicationSid == Self.app.rawValue)
    #expect(voice.outgoingApplicationParams.map(\.0) == ["team"])
  }

  @Test func validUntilRules() throws {
    var r = Self.request()
    r.validUntil = 0
    #expect(try MintPlan(r).warnings == [.validUntilZeroIgnored])
    r.validUntil = r.issuedAt
    #expect(try MintPlan(r).warnings == [.alreadyExpired, .neverValid])
    r.validUntil = r.issuedAt + AccessToken.maximumLifetime
    #expect(try MintPlan(r).warnings.isEmpty)
    #expect(try MintPlan(r).template.expiresAt == r.issuedAt + AccessToken.maximumLifetime)
    r.validUntil = r.issuedAt + AccessToken.maximumLifetime + 1
    #expect(throws: MintPlan.Refusal.lifetimeTooLong(seconds: AccessToken.maximumLifetime + 1)) {
      try MintPlan(r)
    }
    // Far in the future or the past does not overflow.
    r.validUntil = Int.max
    #expect(throws: MintPlan.Refusal.self) { try MintPlan(r) }
    r.validUntil = Int.min
    #expect(try MintPlan(r).warnings.contains(.alreadyExpired))
  }

  @Test func aNotBeforeAtOrAfterTheExpiryCanNeverBeValid() throws {
    var r = Self.request()
    r.ttl = 60
    r.notBefore = .at(r.issuedAt + 60)
    #expect(try MintPlan(r).warnings == [.neverValid])
    r.notBefore = .omitted
    #expect(try MintPlan(r).warnings.isEmpty)
  }

  @Test func identitySequences() throws {
    var numbered = try MintPlan(Self.request(.numbered(prefix: "agent", count: 3))).identities
    #expect(Array(sequence(state: ()) { _ in numbered.next() }) == ["agent1", "agent2", "agent3"])
    // Random names: distinct, and the same for the same seed.
    func names(_ seed: UInt64) throws -> [String] {
      var s = try MintPlan(Self.request(.random(count: 2000, seed: seed))).identities
      return Array(sequence(state: ()) { _ in s.next() })
    }
    let first = try names(7)
    #expect(first.count == 2000 && Set(first).count == 2000)
    #expect(try names(7) == first)
    #expect(try names(8) != first)
  }

  @Test func anIdentityVoiceWillNotRouteIsAWarningNamedForTheLongestOfASequence() throws {
    let long = String(repeating: "a", count: VoiceIdentity.maximumLength - 1)
    #expect(try MintPlan(Self.request(.numbered(prefix: long, count: 9))).warnings.isEmpty)
    let warnings = try MintPlan(Self.request(.numbered(prefix: long, count: 10))).warnings
    #expect(warnings.count == 1)
    guard case .identity = warnings.first else {
      Issue.record("\(warnings)")
      return
    }
  }
}
