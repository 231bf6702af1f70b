import Testing
import TwvoiceCore

/// Scenarios and findings on the session engine alone, on a clock the test drives: every timing
/// is exact, whatever the machine's load.
struct ScenarioRunTests {
  static let voiced = [UInt8](repeating: 0x55, count: 160)  // about −33 dBFS
  static let quiet = [UInt8](repeating: 0xFF, count: 160)

  /// `ms` of speech then `quietMs` of silence, µ-law.
  static func speech(_ ms: Int, then quietMs: Int = 500) -> [UInt8] {
    [UInt8](repeating: 0x55, count: ms * 8) + [UInt8](repeating: 0xFF, count: quietMs * 8)
  }

  /// A scenario from (step, value) pairs; audio files are "N.wav" for N ms of speech.
  static func scenario(_ steps: [(String, ScenarioNode)]) throws -> Scenario {
    let items = steps.enumerated().map { k, step in
      ScenarioNode.mapping([(step.0, k + 2, step.1)], line: k + 2)
    }
    return try Scenario.read(.mapping([("steps", 1, .sequence(items, line: 2))], line: 1), file: "s.yaml") {
      guard let ms = Int($0.split(separator: ".")[0]) else { throw TwvoiceError(.noInput, "\($0): missing") }
      return speech(ms)
    }
  }

  static func value(_ text: String) -> ScenarioNode { .scalar(text, line: 0) }
  static func map(_ pairs: [(String, String)]) -> ScenarioNode {
    .mapping(pairs.map { ($0.0, 0, .scalar($0.1, line: 0)) }, line: 0)
  }

  static func session(_ scenario: Scenario) throws -> StreamSession {
    var session = StreamSession(
      configuration: .init(
        accountSid: try AccountSid("AC" + String(repeating: "0", count: 32)),
        callSid: try CallSid("CA" + String(repeating: "0", count: 32)),
        streamSid: try StreamSid("MZ" + String(repeating: "0", count: 32)), tailMs: 1000),
      input: .init(audio: []), scenario: scenario)
    _ = session.open(at: 0)
    return session
  }

  static func media(_ bytes: [UInt8]) -> String {
    #"{"event":"media","streamSid":"MZ00000000000000000000000000000000","media":{"payload":"\#(Base64.encode(bytes))"}}"#
  }
  static let clear = #"{"event":"clear","streamSid":"MZ00000000000000000000000000000000"}"#

  /// Ticks every 20 ms until `end` (or the session stops); `bot(t)` may answer at each tick.
  static func run(
    _ session: inout StreamSession, until end: Double,
    bot: (Double, StreamSession) -> String? = { _, _ in nil }
  ) {
    var t = 0.0
    while t <= end && !session.stopped {
      _ = session.tick(now: t)
      if let text = bot(t, session) { _ = session.receive(text: text, at: t) }
      t += 20
    }
  }

  @Test func speechStartsAfterThreeVoicedFramesAndEndsHalfASecondAfterTheLast() {
    var detector = SpeechActivity()
    for _ in 0..<2 { detector.push(voiced: true) }
    #expect(detector.segments.isEmpty)
    detector.push(voiced: true)
    #expect(detector.segments == [.init(startMs: 0, endMs: 60)] && detector.isSpeaking)
    for _ in 0..<24 { detector.push(voiced: false) }
    #expect(detector.isSpeaking)
    detector.push(voiced: false)
    #expect(!detector.isSpeaking && detector.lastVoicedEndMs == 60)
    #expect(SpeechActivity.isVoiced(Self.voiced) && !SpeechActivity.isVoiced(Self.quiet))
  }

  @Test func aReplyIsTimedFromTheEndOfTheCallersSpeechOnTheAudioAsPlayed() throws {
    var session = try Self.session(
      try Self.scenario([
        ("say", Self.value("1000.wav")), ("expect_bot_speech", Self.map([("within", "1s")])),
      ]))
    // The bot answers 300 ms after the caller's speech ends (at 1000 ms).
    Self.run(&session, until: 3000) { t, _ in t == 1300 ? Self.media(Self.speech(800, then: 0)) : nil }
    let run = try #require(session.script)
    #expect(run.passed)
    #expect(run.results[1].measuredMs == 300)
    #expect(run.results[0].endedAtMs == 1500)  // 1 s of speech and 0.5 s of quiet, all sent
  }

  @Test func aLateReplyFailsWithWhatWasExpectedAndWhatHappened() throws {
    var session = try Self.session(
      try Self.scenario([
        ("say", Self.value("1000.wav")), ("expect_bot_speech", Self.map([("within", "500ms")])),
        ("silence", Self.value("1s")),
      ]))
    Self.run(&session, until: 5000) { t, _ in t == 1800 ? Self.media(Self.speech(800, then: 0)) : nil }
    let run = try #require(session.script)
    #expect(run.results.map(\.status) == [.passed, .failed, .skipped])
    // Decided at the limit, once speech starting by then would have been confirmed (60 ms).
    #expect(
      run.results[1].message
        == "expected bot speech within 500 ms after the caller's turn ended at 1.000 s; none by 1.500 s")
    let failedAt = try #require(run.finishedAtMs)
    #expect((1560...1580).contains(failedAt))
    // After the failure the caller stays on the line for the tail (1 s), then hangs up.
    #expect(session.stopped && session.lastMessageMs == failedAt + 1000)
  }

  @Test func bargeInThenClearIsMeasuredFromTheCallersFirstSpeechFrame() throws {
    var session = try Self.session(
      try Self.scenario([
        ("say", Self.value("1000.wav")), ("barge_in", Self.map([("after", "200ms"), ("say", "600.wav")])),
        ("expect_clear", Self.map([("within", "300ms")])),
      ]))
    var clearAt: Double?
    Self.run(&session, until: 4000) { t, now in
      if t == 1200 { return Self.media(Self.speech(3000, then: 0)) }
      // The bot clears 120 ms after the caller's barge-in speech starts.
      if clearAt == nil, let start = now.script?.results[1].endedAtMs, t >= start + 120 {
        clearAt = t
        return Self.clear
      }
      return nil
    }
    let run = try #require(session.script)
    #expect(run.passed, "\(run.results.map(\.message))")
    let bargedAt = try #require(run.results[1].endedAtMs)
    // The say step ends with its audio (1 s of speech, 0.5 s of quiet); the bot has been
    // speaking since 1200, so the caller talks over it at once.
    #expect(bargedAt == 1500)
    let measured = try #require(run.results[2].measuredMs)
    #expect((100...140).contains(measured), "\(measured)")
    // The cleared audio was never heard: no talk-over.
    #expect(session.behaviour.findings.isEmpty)
  }

  @Test func aBotThatTalksOnOverTheCallerIsTalkOver() throws {
    var session = try Self.session(
      try Self.scenario([
        ("say", Self.value("1000.wav")), ("barge_in", Self.map([("after", "200ms"), ("say", "600.wav")])),
        ("silence", Self.value("1s")),
      ]))
    Self.run(&session, until: 4000) { t, _ in t == 1200 ? Self.media(Self.speech(3000, then: 0)) : nil }
    let finding = try #require(session.behaviour.finding(.talkOver))
    #expect(finding.count == 1)
    #expect(finding.atMs == 1500)
  }

  @Test func markEchoesCountOnlyWhenTheirAudioPlayed() throws {
    var session = try Self.session(
      try Self.scenario([
        ("silence", Self.value("100ms")), ("expect_mark", Self.map([("name", "end"), ("within", "2s")])),
      ]))
    let mark = #"{"event":"mark","streamSid":"MZ00000000000000000000000000000000","mark":{"name":"end"}}"#
    Self.run(&session, until: 3000) { t, _ in
      if t == 200 { return Self.media(Self.speech(500, then: 0)) }
      if t == 220 { return mark }
      if t == 400 { return Self.clear }  // echoes "end" at once: its audio never played
      return nil
    }
    let run = try #require(session.script)
    #expect(run.results[1].status == .failed)
    #expect(run.results[1].message.contains("it was echoed by a clear at 0.400 s (its audio never played)"))
  }

  @Test func underrunsAreCountedWithTheirTotalAndWorstGap() {
    var behaviour = BotBehaviour()
    // Three chunks of speech, each arriving 5 ms after the previous one ran out.
    behaviour.media(Self.voiced, at: 0, playoutEnd: 0, lastQueued: [])
    behaviour.media(Self.voiced, at: 25, playoutEnd: 20, lastQueued: Self.voiced)
    behaviour.media(Self.voiced, at: 52, playoutEnd: 45, lastQueued: Self.voiced)
    // A pause after silence is not a gap in speech; nor is one after a clear.
    behaviour.media(Self.voiced, at: 90, playoutEnd: 72, lastQueued: Self.quiet)
    behaviour.clear(at: 100, echoedMarks: 0)
    behaviour.media(Self.voiced, at: 150, playoutEnd: 100, lastQueued: Self.voiced)
    let underrun = behaviour.finding(.underrun)
    #expect(underrun?.count == 2)
    #expect(underrun?.figures.map(\.name) == ["total_ms", "worst_ms"])
    #expect(underrun?.figures.map(\.value) == [12, 7])
  }

  @Test func junitEscapesWhatABotSent() {
    let xml = JUnitReport.xml([
      .init(
        name: "a \"quoted\" <name>", file: "s.yaml",
        cases: [.init(name: "1 say x", seconds: 1.5, status: .failed, message: "</failure>\u{01}&'\u{FFFE}")])
    ])
    #expect(xml.contains(#"<testsuite name="a &quot;quoted&quot; &lt;name&gt;""#))
    #expect(
      xml.contains(#"<failure message="&lt;/failure&gt;\#u{FFFD}&amp;&apos;\#u{FFFD}" type="expectation">"#))
    #expect(!xml.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
  }
}
