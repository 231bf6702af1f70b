import Foundation
import Testing
import TwvoiceCore

/// `twvoice stream replay --scenario` through the binary, against conversation bots on loopback
/// that each carry one known flaw (or none).
@Suite(.serialized)
struct ScenarioTests {
  /// Speech: a tone for `seconds`, then half a second of quiet (the caller's turn ends).
  static func speech(seconds: Double) -> Data {
    CodecEncodeTests.pcm16WAV(
      CodecEncodeTests.tone(300, rate: 8000, seconds: seconds) + [Int16](repeating: 0, count: 4000))
  }

  /// A folder with the audio the scenarios speak, and `files` (name → YAML).
  static func folder(_ files: [String: String]) throws -> URL {
    var all: [String: Data] = [
      "hello.wav": speech(seconds: 1), "two.wav": speech(seconds: 0.8), "wait.wav": speech(seconds: 1.5),
      // Its caller stops sending audio before the bot's 200 ms of quiet have passed.
      "short.wav": CodecEncodeTests.pcm16WAV(
        CodecEncodeTests.tone(300, rate: 8000, seconds: 1) + [Int16](repeating: 0, count: 400)),
    ]
    for (name, text) in files { all[name] = Data(text.utf8) }
    return try CodecEncodeTests.directory(all)
  }

  /// Runs `stream replay --scenario` in `dir` against `bot`.
  static func play(
    _ bot: TestBot, in dir: URL, _ arguments: [String], speed: String = "5"
  ) throws -> Twvoice.Result {
    try Twvoice.run(
      ["stream", "replay", "--url", bot.url, "--speed", speed, "--seed", "3"] + arguments, in: dir)
  }

  static func steps(_ r: Twvoice.Result) throws -> [JSONValue] {
    try JSONParser.parse(r.stdout)["scenarios"]?[0]?["steps"]?.arrayValue ?? []
  }

  static let booking = """
    name: booking, with barge-in
    params: {lang: en}
    steps:
      - say: hello.wav
      - expect_bot_speech: {within: 1.5s}
      - wait_bot_silence: {for: 700ms, timeout: 20s}
      - say: two.wav
      - expect_bot_speech: {within: 1.5s}
      - barge_in: {after: 300ms, say: wait.wav}
      - expect_clear: {within: 400ms}
      - expect_bot_speech_ms: {min: 500ms, max: 3s}
      - expect_mark: {name: reply-3, within: 10s}
      - expect_hangup: {within: 5s}
    """

  @Test func aCleanBotPassesEveryStep() throws {
    let bot = try TestBot(.conversation(.init(hangUpAfterReplies: 3)))
    defer { bot.stop() }
    let dir = try Self.folder(["booking.yaml": Self.booking])
    defer { TemporaryDirectory.remove(dir) }
    // At half real time: the clear must come within 400 ms of session time, 800 ms of real
    // time, however busy the machine (other suites run alongside; sanitizers slow the bot).
    let r = try Self.play(
      bot, in: dir, ["--scenario", "booking.yaml", "--json", "--junit", "report.xml"], speed: "0.5")
    #expect(r.status == 0, "\(r)")
    let steps = try Self.steps(r)
    #expect(steps.count == 10)
    #expect(steps.allSatisfy { $0["status"]?.stringValue == "passed" }, "\(steps)")
    // The first reply comes ~200 ms after the caller's speech ends (the bot's 10 quiet frames).
    let latency = try #require(steps[1]["measured_ms"]?.intValue)
    #expect((150...600).contains(latency), "\(latency)")
    // start.customParameters carries the scenario's params.
    #expect(bot.waitForMessage(containing: #""customParameters":{"lang":"en"}"#))
    let xml = try String(contentsOf: dir.appendingPathComponent("report.xml"), encoding: .utf8)
    #expect(xml.contains(#"<testsuite name="booking, with barge-in" tests="10" failures="0""#), "\(xml)")
    #expect(xml.components(separatedBy: "<testcase ").count == 11)
  }

  /// The README's scenarios: a flawless bot passes every one of them.
  @Test func theExampleScenariosPassAgainstAFlawlessBot() throws {
    let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../examples/scenarios").standardized
    let bot = try TestBot(.conversation(.init(replyMs: 1500, hangUpAfterReplies: 2, waitsForHash: true)))
    defer { bot.stop() }
    let r = try Twvoice.run([
      "stream", "replay", "--url", bot.url, "--speed", "0.5", "--scenario", examples.path, "--jobs", "3",
      "--strict", "--json",
    ])
    #expect(r.status == 0, "\(r)")
    let scenarios = try JSONParser.parse(r.stdout)["scenarios"]?.arrayValue ?? []
    #expect(scenarios.count == 3)
    for scenario in scenarios {
      #expect(scenario["passed"]?.boolValue == true, "\(scenario)")
    }
  }

  @Test func aBotThatNeverClearsFailsTheClearStepAndSkipsTheRest() throws {
    let bot = try TestBot(.conversation(.init(replyMs: 3000, clearsOnBargeIn: false)))
    defer { bot.stop() }
    let dir = try Self.folder([
      "s.yaml": """
      steps:
        - say: hello.wav
        - barge_in: {after: 500ms, say: two.wav}
        - expect_clear: {within: 300ms}
        - expect_hangup: 2s
      """
    ])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Self.play(bot, in: dir, ["--scenario", "s.yaml", "--json", "--junit", "out.xml"])
    #expect(r.status == 1, "\(r)")
    let steps = try Self.steps(r)
    #expect(steps.map { $0["status"]?.stringValue } == ["passed", "passed", "failed", "skipped"], "\(steps)")
    #expect(steps[2]["message"]?.stringValue?.contains("expected clear within 300 ms") == true, "\(steps[2])")
    let xml = try String(contentsOf: dir.appendingPathComponent("out.xml"), encoding: .utf8)
    #expect(xml.contains(#"failures="1" errors="0" skipped="1""#), "\(xml)")
    #expect(xml.contains("<failure message=\"expected clear within 300 ms"), "\(xml)")
  }

  @Test func theTextReportNamesTheFailingStepItsLineAndWhatHappened() throws {
    let bot = try TestBot(.silent)
    defer { bot.stop() }
    let dir = try Self.folder([
      "quiet.yaml": """
      name: greeting
      steps:
        - say: hello.wav
        - expect_bot_speech: {within: 1s}
      """
    ])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Self.play(bot, in: dir, ["--scenario", "quiet.yaml"], speed: "20")
    #expect(r.status == 1, "\(r)")
    #expect(r.stderr.contains("twvoice: scenario greeting (quiet.yaml): FAILED"), "\(r)")
    #expect(r.stderr.contains("FAIL 2 expect_bot_speech {within: 1s} (line 4) at "), "\(r)")
    #expect(
      r.stderr.contains("expected bot speech within 1.000 s after the caller's turn ended at 1.0"), "\(r)")
  }

  @Test func dtmfAndNoSpeechSteps() throws {
    let bot = try TestBot(.conversation(.init(replyMs: 600, answersDTMF: true, waitsForHash: true)))
    defer { bot.stop() }
    let dir = try Self.folder([
      "keys.yaml": """
      steps:
        - expect_no_bot_speech: {for: 1s}
        - dtmf: "12#"
        - expect_bot_speech: {within: 1s}
        - expect_bot_speech_ms: {min: 400ms, max: 900ms}
      """
    ])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Self.play(bot, in: dir, ["--scenario", "keys.yaml", "--json"], speed: "2")
    #expect(r.status == 0, "\(r)")
    #expect(bot.messages.filter { $0["event"]?.stringValue == "dtmf" }.count == 3)
    let length = try #require(try Self.steps(r)[3]["measured_ms"]?.intValue)
    #expect((560...640).contains(length), "\(length)")
  }

  @Test func aBotThatIgnoresKeysFailsTheExpectation() throws {
    let bot = try TestBot(.conversation(.init(answersDTMF: false)))
    defer { bot.stop() }
    let dir = try Self.folder([
      "keys.yaml": """
      steps:
        - dtmf: "5"
        - expect_bot_speech: {within: 1s}
      """
    ])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Self.play(bot, in: dir, ["--scenario", "keys.yaml", "--json"], speed: "20")
    #expect(r.status == 1, "\(r)")
    #expect(try Self.steps(r)[1]["status"]?.stringValue == "failed")
  }

  @Test func aBotThatHangsUpBeforeItsAudioPlayedFailsTheMarkStep() throws {
    let bot = try TestBot(.conversation(.init(replyMs: 2000, hangUpAfterReplies: 1, hangsUpEarly: true)))
    defer { bot.stop() }
    let dir = try Self.folder([
      "bye.yaml": """
      steps:
        - say: short.wav
        - expect_mark: {name: reply-1, within: 5s}
      """
    ])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Self.play(bot, in: dir, ["--scenario", "bye.yaml", "--json"], speed: "10")
    #expect(r.status == 1, "\(r)")
    let step = try Self.steps(r)[1]
    #expect(step["status"]?.stringValue == "failed")
    #expect(step["message"]?.stringValue?.hasPrefix("the bot hung up at") == true, "\(step)")
  }

  /// Four calls at once on their own threads, with nothing timing-sensitive in them: the test
  /// the ThreadSanitizer run keeps (the others need the machine to keep up with the clock).
  @Test func quietScenariosRunAtOnceOnTheirOwnCalls() throws {
    let bot = try TestBot(.silent)
    defer { bot.stop() }
    let quiet = "steps:\n  - silence: 300ms\n  - expect_no_bot_speech: 300ms"
    let dir = try Self.folder(["a.yaml": quiet, "b.yaml": quiet, "c.yaml": quiet, "d.yaml": quiet])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Self.play(
      bot, in: dir, ["--scenario", ".", "--jobs", "4", "--json", "--junit", "all.xml"], speed: "10")
    #expect(r.status == 0, "\(r)")
    let scenarios = try JSONParser.parse(r.stdout)["scenarios"]?.arrayValue ?? []
    #expect(scenarios.count == 4 && scenarios.allSatisfy { $0["passed"]?.boolValue == true })
    #expect(Set(scenarios.compactMap { $0["stream"]?["stream_sid"]?.stringValue }).count == 4)
    let xml = try String(contentsOf: dir.appendingPathComponent("all.xml"), encoding: .utf8)
    #expect(xml.components(separatedBy: "<testsuite ").count == 5)
  }

  @Test func severalScenariosRunAtOnceWithJobs() throws {
    let bot = try TestBot(.conversation(.init(replyMs: 500)))
    defer { bot.stop() }
    let one = """
      steps:
        - say: hello.wav
        - expect_bot_speech: {within: 1.5s}
      """
    let dir = try Self.folder(["a.yaml": one, "b.yaml": one, "c.yml": one, "notes.txt": "not a scenario"])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Self.play(bot, in: dir, ["--scenario", ".", "--jobs", "3", "--json"], speed: "2")
    #expect(r.status == 0, "\(r)")
    let scenarios = try JSONParser.parse(r.stdout)["scenarios"]?.arrayValue ?? []
    #expect(scenarios.compactMap { $0["file"]?.stringValue } == ["./a.yaml", "./b.yaml", "./c.yml"])
    // Each call has its own stream.
    let sids = Set(scenarios.compactMap { $0["stream"]?["stream_sid"]?.stringValue })
    #expect(sids.count == 3)
  }

  @Test(arguments: [
    ("steps: []", "s.yaml:1: steps: expected a list of steps (at least one)"),
    ("steps:\n  - say: missing.wav", "s.yaml:2: steps[1].say: cannot read ./missing.wav"),
    (
      "steps:\n  - expect_clear: {within: 300}",
      "s.yaml:2: steps[1].expect_clear.within: invalid duration '300'"
    ),
    (
      "steps:\n  - expect_clear: {within: 3s, after: 1s}",
      "s.yaml:2: steps[1].expect_clear.after: unknown option"
    ),
    ("steps:\n  - shout: hello.wav", "s.yaml:2: steps[1].shout: unknown step"),
    ("steps:\n  - dtmf: \"12x\"", "s.yaml:2: steps[1].dtmf: expected keys to press"),
    ("nmae: x\nsteps:\n  - silence: 1s", "s.yaml:1: nmae: unknown field"),
    ("steps:\n  - expect_mark: {within: 1s}", "s.yaml:2: steps[1].expect_mark.name: missing"),
    ("steps: [a, {b: 1}", "s.yaml:2:1: not valid YAML: did not find expected ',' or ']'"),
    (
      "a: &a [x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]",
      "more than 100000 values"
    ),
  ])
  func aBadScenarioIsOneLineNamingFileLineAndField(yaml: String, error: String) throws {
    let dir = try Self.folder(["s.yaml": yaml])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(
      ["stream", "replay", "--url", "ws://127.0.0.1:9/ws", "--scenario", "s.yaml", "--junit", "j.xml"],
      in: dir)
    #expect(r.status == (yaml.contains("missing.wav") ? 66 : 65), "\(r)")
    #expect(r.stderr.hasPrefix("twvoice: error: "), "\(r)")
    #expect(r.stderr.contains(error), "\(r)")
    #expect(r.stderr.split(separator: "\n").count == 1, "\(r)")
    // Nothing was written.
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("j.xml").path))
  }

  @Test func scenarioFlagsAreCheckedAgainstTheOthers() throws {
    for arguments in [
      ["--scenario", "s.yaml", "--silence", "1s"], ["--scenario", "s.yaml", "--dtmf", "1@1s"],
      ["--silence", "1s", "--junit", "j.xml"], ["--scenario", "s.yaml", "--jobs", "0"],
      ["--silence", "1s", "--jobs", "2"],
    ] {
      let r = try Twvoice.run(["stream", "replay", "--url", "ws://127.0.0.1:9/ws"] + arguments)
      #expect(r.status == 64, "\(arguments) \(r)")
    }
  }
}

/// `twvoice call --scenario`: the scenario drives the caller on the call's first stream.
extension ScenarioTests {
  @Test func aWholeCallFollowsTheScenarioOnItsStream() throws {
    let backend = try VoiceBackend(
      .conversation(.init(replyMs: 800, hangUpAfterReplies: 1)),
      routes: [
        "/voice": (
          200, CallTests.xml,
          #"<Response><Connect><Stream url="/ws"><Parameter name="lang" value="en"/></Stream></Connect><Say>bye</Say></Response>"#
        )
      ])
    defer { backend.stop() }
    let dir = try Self.folder([
      "call.yaml": """
      name: whole call
      steps:
        - say: hello.wav
        - expect_bot_speech: {within: 1.5s}
        - expect_hangup: {within: 5s}
      """
    ])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(
      [
        "call", "--voice-url", backend.base + "/voice", "--speed", "2", "--json", "--scenario", "call.yaml",
        "--junit", "j.xml",
      ], environment: ["TWILIO_AUTH_TOKEN": VoiceBackend.authToken], in: dir)
    #expect(r.status == 0, "\(r)")
    let summary = try JSONParser.parse(r.stdout)
    #expect(summary["scenario"]?["passed"]?.boolValue == true, "\(r)")
    #expect(summary["scenario"]?["steps"]?.arrayValue?.count == 3)
    // TwiML goes on after the bot hangs up.
    #expect(
      summary["verbs"]?.arrayValue?.compactMap { $0["verb"]?.stringValue } == ["Connect/Stream", "Say"])
    #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("j.xml").path))
  }

  @Test func aCallThatNeverReachesAStreamFailsItsScenario() throws {
    let backend = try VoiceBackend(routes: [
      "/voice": (200, CallTests.xml, "<Response><Say>closed</Say></Response>")
    ])
    defer { backend.stop() }
    let dir = try Self.folder(["call.yaml": "steps:\n  - say: hello.wav\n  - expect_bot_speech: 1s"])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(
      ["call", "--voice-url", backend.base + "/voice", "--fast", "--scenario", "call.yaml"],
      environment: ["TWILIO_AUTH_TOKEN": VoiceBackend.authToken], in: dir)
    #expect(r.status == 1, "\(r)")
    #expect(
      r.stderr.contains("FAIL 1 say hello.wav (line 2) at 0.000 s: the call reached no <Connect><Stream>"),
      "\(r)")
    #expect(r.stderr.contains("skip 2 expect_bot_speech 1s"), "\(r)")
  }
}

extension ScenarioTests {
  @Test func aStreamThatDoesNotOpenFailsTheFirstStepAndNamesWhy() throws {
    let port = try freePort()
    let dir = try Self.folder(["s.yaml": "steps:\n  - say: hello.wav\n  - expect_hangup: 1s"])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(
      ["stream", "replay", "--url", "ws://127.0.0.1:\(port)/ws", "--scenario", "s.yaml", "--json"], in: dir)
    #expect(r.status == 1, "\(r)")
    let steps = try Self.steps(r)
    #expect(steps.map { $0["status"]?.stringValue } == ["failed", "skipped"], "\(r)")
    #expect(steps[0]["message"]?.stringValue?.contains("(Twilio error 31902)") == true, "\(r)")
  }
}
