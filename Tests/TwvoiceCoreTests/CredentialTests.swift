import Testing
import TwvoiceCore

struct DotEnvTests {
  @Test func parsesTheUsualForms() throws {
    let text = """
      # Twilio test credentials
      TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef
      export TWILIO_API_KEY = SK0123456789abcdef0123456789abcdef   # inline comment

      SINGLE='literal \\n #not a comment'
      DOUBLE="line\\nbreak \\"quoted\\""\r
      EMPTY=
      HASHED=abc#def
      TWILIO_ACCOUNT_SID=AC00000000000000000000000000000000
      """
    let env = DotEnv.parse(text, path: "test.env")
    #expect(env.entry(for: "TWILIO_API_KEY")?.value == "SK0123456789abcdef0123456789abcdef")
    #expect(env.entry(for: "TWILIO_API_KEY")?.line == 3)
    #expect(env.entry(for: "SINGLE")?.value == "literal \\n #not a comment")
    #expect(env.entry(for: "DOUBLE")?.value == "line\nbreak \"quoted\"")
    #expect(env.entry(for: "EMPTY")?.value == "")
    #expect(env.entry(for: "HASHED")?.value == "abc#def")
    // The last assignment wins.
    #expect(env.entry(for: "TWILIO_ACCOUNT_SID")?.line == 9)
  }

  @Test(arguments: [
    ("A=1\nnot an assignment\nB=2", 2, "expected KEY=VALUE"),
    ("A B=x\nB=2", 1, "invalid variable name (a 3-character value (not shown))"),
    ("c2VjcmV0 c2=x\nB=2", 1, "invalid variable name (a 11-character value starting 'c2' (not shown))"),
    ("B=2\nA=\"open", 2, "missing closing \" in the value of A"),
    ("\n\nA='x' trailing\nB=2", 3, "unexpected text after the closing quote in the value of A"),
  ])
  func badLinesAreReportedAndSkipped(text: String, line: Int, reason: String) {
    let env = DotEnv.parse(text, path: "x.env")
    #expect(env.problems == [DotEnv.ParseError(path: "x.env", line: line, reason: reason)])
    #expect(env.entry(for: "B")?.value == "2")
    #expect(env.problems.first?.description == "x.env:\(line): \(reason)")
  }

  @Test func readsWhatPythonDotenvReads() {
    let text =
      "\u{FEFF}TWILIO_ACCOUNT_SID=AC1\nBARE\nMY-VAR=1\nMULTI=\"line one\nline two\"\nAFTER=x\nK=a=\u{301}b"
    let env = DotEnv.parse(text, path: ".env")
    #expect(env.problems.isEmpty)
    #expect(env.entry(for: "TWILIO_ACCOUNT_SID")?.value == "AC1")
    #expect(env.entry(for: "BARE") == nil)
    #expect(env.entry(for: "MY-VAR")?.value == "1")
    #expect(env.entry(for: "MULTI")?.value == "line one\nline two")
    #expect(env.entry(for: "AFTER")?.line == 6)
    #expect(env.entry(for: "K")?.value == "a=\u{301}b")
  }

  @Test func precedenceFlagThenEnvironmentThenDotEnv() throws {
    let dotEnv = DotEnv.parse("A=from-dotenv\nB=from-dotenv\nC=from-dotenv", path: ".env")
    let resolver = SettingResolver(environment: ["A": "from-env", "B": "from-env", "E": ""], dotEnv: dotEnv)
    #expect(
      resolver.resolve(flag: "from-flag", flagName: "--a", variable: "A")
        == ResolvedSetting(value: "from-flag", source: .flag("--a")))
    #expect(resolver.resolve(flag: nil, flagName: "--b", variable: "B")?.source == .environment("B"))
    #expect(
      resolver.resolve(flag: nil, flagName: "--c", variable: "C")?.source
        == .dotEnv(path: ".env", line: 3, variable: "C"))
    #expect(resolver.resolve(flag: "", flagName: "--e", variable: "E") == nil)
    #expect(resolver.resolve(variable: "MISSING") == nil)
  }

  @Test func maskShowsNothingOfTheSecret() {
    let masked = maskSecret("0123456789abcdef0123456789abcdef")
    #expect(!masked.contains("cdef"))
    #expect(masked.contains("32 characters"))
  }
}

struct SidTests {
  @Test func acceptsTheRightShape() throws {
    #expect(try AccountSid("AC0123456789abcdef0123456789ABCDEF").rawValue.count == 34)
    #expect((try? APIKeySid("SK0123456789abcdef0123456789abcdef")) != nil)
  }

  @Test(arguments: [
    "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "AC123", "SK0123456789abcdef0123456789abcdef",
    "AC0123456789abcdef0123456789abcdef0", "", "ac0123456789abcdef0123456789abcdef",
  ])
  func refusesOtherShapes(text: String) {
    #expect(throws: SidError.self) { try AccountSid(text) }
  }

  @Test func errorHidesValuesThatMayBeSecrets() {
    let pasted = "9f86d081884c7d659a2feaa0c55ad015"  // a secret pasted into --account-sid
    do {
      try AccountSid.check(pasted)
      Issue.record("accepted")
    } catch {
      #expect(!error.description.contains(pasted))
      #expect(error.description.contains("a 32-character value starting '9f' (not shown)"))
    }
    #expect(
      (try? AccountSid.check("AC123")) == nil
        && SidError(noun: "Account SID", prefix: "AC", given: "AC123").description
          == "invalid Account SID: got a 5-character value starting 'AC' (not shown), expected AC followed by 32 hex digits"
    )
  }

  /// A value that starts like a SID is still not echoed: a secret pasted on the
  /// TWILIO_ACCOUNT_SID line may well start with "AC".
  @Test(arguments: ["ACsupersecretvalue", "AC" + String(repeating: "z", count: 32), "SKsecret"])
  func rejectedValueIsShownOnlyByItsShape(value: String) {
    let description = SidError(noun: "Account SID", prefix: "AC", given: value).description
    #expect(!description.contains(value))
    #expect(
      description.contains("a \(value.count)-character value starting '\(value.prefix(2))' (not shown)"))
  }

  @Test func randomSidsHaveTwilioShape() throws {
    var rng = TwvoiceRandom(seed: 1)
    let sid = StreamSid.random(using: &rng)
    #expect(sid.rawValue.hasPrefix("MZ"))
    try StreamSid.check(sid.rawValue)
  }
}

struct TimeTextTests {
  @Test(arguments: [
    (0, "1970-01-01 00:00:00 UTC"), (1_700_000_000, "2023-11-14 22:13:20 UTC"),
    (951_782_400, "2000-02-29 00:00:00 UTC"), (4_102_444_799, "2099-12-31 23:59:59 UTC"),
    (-1, "1969-12-31 23:59:59 UTC"),
  ])
  func utc(seconds: Int, text: String) { #expect(UTCTime.format(seconds) == text) }

  @Test(arguments: [
    (0, "0s"), (59, "59s"), (3600, "1h"), (3552, "59m 12s"), (90_061, "1d 1h"), (-3600, "-1h"),
  ])
  func describe(seconds: Int, text: String) { #expect(DurationText.describe(seconds: seconds) == text) }

  @Test(arguments: [
    ("20ms", Duration.milliseconds(20)), ("1.5s", .milliseconds(1500)), ("2m", .seconds(120)),
    ("1h30m", .seconds(5400)), ("90", .seconds(90)), (" 3s ", .seconds(3)),
  ])
  func parse(text: String, duration: Duration) throws {
    #expect(try DurationText.parse(text) == duration)
  }

  @Test(arguments: ["", "ms", "5x", "-1s", "1s2", "abc", "1e999s"])
  func parseRefuses(text: String) {
    #expect(throws: DurationText.ParseError.self) { try DurationText.parse(text) }
  }
}

struct GrantSpecTests {
  @Test func buildsOneGrantPerKindInOrder() throws {
    let grants = try GrantSpec.grants(from: [
      "sync:service-sid=IS1", "video:room=standup", "sync:endpoint_id=tab", "task_router:role=worker",
      "chat",
    ])
    #expect(grants.map(\.key) == ["data_sync", "video", "task_router", "chat"])
    #expect(grants[0] == .sync(SyncGrant(serviceSid: "IS1", endpointId: "tab")))
    #expect(grants[3].payload == .object([]))
  }

  @Test(arguments: [
    ("phone:x=1", "invalid grant 'phone:x=1': unknown kind 'phone' (known: video, chat, sync, task-router)"),
    ("video:room", "invalid grant 'video:room': expected video:FIELD=VALUE"),
    ("video:name=x", "invalid grant 'video:name=x': unknown field 'name' for video (known: room)"),
  ])
  func refusesUnknown(spec: String, message: String) {
    #expect(throws: GrantSpec.ParseError.self) { try GrantSpec.grants(from: [spec]) }
    #expect(((try? GrantSpec.grants(from: [spec])) == nil))
    do { _ = try GrantSpec.grants(from: [spec]) } catch { #expect(error.description == message) }
  }
}

struct IdentityTests {
  @Test(arguments: [("alice_01", nil as String?), ("bob smith", "U+0020"), ("é", "'é'"), ("a-b", "'-'")])
  func voiceIdentityRule(identity: String, mention: String?) {
    let problem = VoiceIdentity.problem(identity)
    if let mention { #expect(problem?.contains(mention) == true) } else { #expect(problem == nil) }
  }

  @Test func tooLongIdentity() {
    #expect(VoiceIdentity.problem(String(repeating: "a", count: 121)) == nil)
    #expect(VoiceIdentity.problem(String(repeating: "a", count: 122))?.contains("122 characters") == true)
  }

  @Test func randomIdentitiesAreValidAndReproducible() {
    var a = TwvoiceRandom(seed: 7)
    var b = TwvoiceRandom(seed: 7)
    let names = (0..<200).map { _ in RandomIdentity.make(using: &a) }
    #expect(names == (0..<200).map { _ in RandomIdentity.make(using: &b) })
    #expect(names.allSatisfy { VoiceIdentity.problem($0) == nil && !$0.isEmpty })
    #expect(Set(names).count > 100)
  }
}
