import Foundation
import Testing
import TwvoiceCore

/// The bugs voice bots ship, reported by name in every replay: each test bot carries one flaw,
/// and the flawless bot shows none.
@Suite(.serialized)
struct BotFindingsTests {
  /// Plays `scenario` against `bot` and returns the ids of the findings, and the run.
  static func findings(
    _ bot: TestBot, _ scenario: String, speed: String = "5", extra: [String] = []
  ) throws -> (ids: [String], result: Twvoice.Result, dir: URL) {
    let dir = try ScenarioTests.folder(["s.yaml": scenario])
    let r = try ScenarioTests.play(bot, in: dir, ["--scenario", "s.yaml", "--json"] + extra, speed: speed)
    let stream = try JSONParser.parse(r.stdout)["scenarios"]?[0]?["stream"]
    let ids = stream?["findings"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
    return (ids, r, dir)
  }

  static let bargeIn = """
    steps:
      - say: hello.wav
      - barge_in: {after: 300ms, say: wait.wav}
      - silence: 2s
    """

  @Test func aFlawlessBotShowsNothing() throws {
    let bot = try TestBot(.conversation(.init(replyMs: 2000)))
    defer { bot.stop() }
    // At half real time: its clear must come within 500 ms of session time however busy the
    // machine.
    let (ids, r, dir) = try Self.findings(bot, Self.bargeIn, speed: "0.5", extra: ["--strict"])
    defer { TemporaryDirectory.remove(dir) }
    #expect(ids == [], "\(r)")
    #expect(r.status == 0, "\(r)")
  }

  @Test func talkOverIsNamedAndStrictFailsOnIt() throws {
    let bot = try TestBot(.conversation(.init(replyMs: 3000, clearsOnBargeIn: false)))
    defer { bot.stop() }
    let (ids, r, dir) = try Self.findings(bot, Self.bargeIn, extra: ["--strict"])
    defer { TemporaryDirectory.remove(dir) }
    #expect(ids == ["talk-over"], "\(r)")
    #expect(r.status == 1)
    #expect(r.stderr.contains("the bot showed talk-over (--strict"), "\(r)")
    // --allow excuses it.
    let allowed = try ScenarioTests.play(
      bot, in: dir, ["--scenario", "s.yaml", "--strict", "--allow", "talk-over", "-q"])
    #expect(allowed.status == 0, "\(allowed)")
  }

  @Test func aWAVHeaderSentAsAudioIsContainerBytes() throws {
    let header = WAVHeader.bytes(
      format: AudioFormat(encoding: .g711(.muLaw), channels: 1, sampleRate: 8000), dataLength: 8000)
    let bot = try TestBot(.conversation(.init(header: header)))
    defer { bot.stop() }
    let (ids, r, dir) = try Self.findings(bot, "steps:\n  - say: hello.wav\n  - silence: 1500ms")
    defer { TemporaryDirectory.remove(dir) }
    #expect(ids == ["container-bytes"], "\(r)")
    #expect(r.stdout.contains("starts with a WAV (RIFF) header"), "\(r)")
  }

  @Test func hangingUpWithAudioBufferedIsCutOff() throws {
    let bot = try TestBot(.conversation(.init(replyMs: 2000, hangUpAfterReplies: 1, hangsUpEarly: true)))
    defer { bot.stop() }
    let (ids, r, dir) = try Self.findings(bot, "steps:\n  - say: short.wav\n  - silence: 3s", speed: "2")
    defer { TemporaryDirectory.remove(dir) }
    #expect(ids == ["cut-off"], "\(r)")
    let cutOff = try JSONParser.parse(r.stdout)["scenarios"]?[0]?["stream"]?["findings"]?[0]
    // About 1.9 s of the 2 s reply was still buffered when the bot hung up.
    let lost = try #require(cutOff?["lost_ms"]?.doubleValue)
    #expect((1500...2000).contains(lost), "\(r)")
    #expect(r.stdout.contains("s of its audio not yet played"), "\(r)")
  }

  @Test func moreThanFiveSecondsAtOnceIsABurst() throws {
    let bot = try TestBot(.conversation(.init(burstSeconds: 8)))
    defer { bot.stop() }
    let (ids, r, dir) = try Self.findings(bot, "steps:\n  - say: hello.wav\n  - silence: 1s")
    defer { TemporaryDirectory.remove(dir) }
    #expect(ids == ["burst"], "\(r)")
  }

  @Test func pacingWithRelativeSleepsIsAnUnderrun() throws {
    let bot = try TestBot(.conversation(.init(replyMs: 1000, pacesWithSleeps: true)))
    defer { bot.stop() }
    // Real time: the bot's 21 ms sleeps leave the caller's 20 ms of audio a gap each time.
    let (ids, r, dir) = try Self.findings(bot, "steps:\n  - say: short.wav\n  - silence: 1500ms", speed: "1")
    defer { TemporaryDirectory.remove(dir) }
    #expect(ids == ["underrun"], "\(r)")
    let underrun = try JSONParser.parse(r.stdout)["scenarios"]?[0]?["stream"]?["findings"]?[0]
    #expect((underrun?["count"]?.intValue ?? 0) >= 20, "\(r)")
    let total = try #require(underrun?["total_ms"]?.doubleValue)
    let worst = try #require(underrun?["worst_ms"]?.doubleValue)
    #expect(total >= worst && worst >= 1 && worst < 200, "\(r)")
  }

  @Test func nextAudioAfterAClearsEchoIsMarkAfterClear() throws {
    let bot = try TestBot(.conversation(.init(replyMs: 2000, continuesOnMark: true)))
    defer { bot.stop() }
    let (ids, r, dir) = try Self.findings(bot, Self.bargeIn, speed: "2")
    defer { TemporaryDirectory.remove(dir) }
    #expect(ids.contains("mark-after-clear"), "\(r)")
  }

  @Test func findingsGoToTheLogWhereTheyHappenedAndTheLogStillDecodes() throws {
    let bot = try TestBot(.conversation(.init(replyMs: 3000, clearsOnBargeIn: false)))
    defer { bot.stop() }
    let (_, r, dir) = try Self.findings(bot, Self.bargeIn, extra: ["--log", "call.jsonl"])
    defer { TemporaryDirectory.remove(dir) }
    #expect(r.status == 0, "\(r)")
    let log = try String(contentsOf: dir.appendingPathComponent("call.jsonl"), encoding: .utf8)
    let line = try #require(log.split(separator: "\n").first { $0.contains(#""finding""#) })
    let entry = try JSONParser.parse(String(line))
    #expect(entry["from"]?.stringValue == "twvoice")
    #expect(entry["finding"]?["id"]?.stringValue == "talk-over")
    // The scenario's verdicts are there too, one line per step.
    let steps = try log.split(separator: "\n").filter { $0.contains(#""step":{"#) }.map {
      try JSONParser.parse(String($0))
    }
    #expect(steps.compactMap { $0["step"]?["n"]?.intValue } == [1, 2, 3])
    #expect(
      steps.allSatisfy {
        $0["from"]?.stringValue == "twvoice" && $0["step"]?["status"]?.stringValue == "passed"
      })
    let decoded = try Twvoice.run(["codec", "decode", "call.jsonl", "-o", "out.wav"], in: dir)
    #expect(decoded.status == 0, "\(decoded)")
  }

  /// Findings are in every replay, not only scenarios: the JSON summary and the text summary.
  @Test func aPlainReplayReportsFindingsToo() throws {
    let header = WAVHeader.bytes(
      format: AudioFormat(encoding: .g711(.muLaw), channels: 1, sampleRate: 8000), dataLength: 8000)
    let bot = try TestBot(.conversation(.init(header: header)))
    defer { bot.stop() }
    let dir = try ScenarioTests.folder([:])
    defer { TemporaryDirectory.remove(dir) }
    let json = try Twvoice.run(
      ["stream", "replay", "hello.wav", "--url", bot.url, "--speed", "5", "--json"], in: dir)
    #expect(json.status == 0, "\(json)")
    let findings = try JSONParser.parse(json.stdout)["findings"]?.arrayValue ?? []
    #expect(findings.compactMap { $0["id"]?.stringValue } == ["container-bytes"], "\(json)")
    // Valid to Twilio, which plays the header as noise: a finding, not a protocol error.
    #expect(!json.stdout.contains("31951"), "\(json)")
    let text = try Twvoice.run(["stream", "replay", "hello.wav", "--url", bot.url, "--speed", "5"], in: dir)
    #expect(text.stderr.contains("findings container-bytes×1"), "\(text)")
    #expect(text.stderr.contains("twvoice: warning: container-bytes, once; first at "), "\(text)")
  }

  @Test func allowNamesOnlyKnownFindings() throws {
    let r = try Twvoice.run([
      "stream", "replay", "--silence", "1s", "--url", "ws://127.0.0.1:9/ws", "--strict", "--allow",
      "talkover",
    ])
    #expect(r.status == 64, "\(r)")
    #expect(
      r.stderr.contains(
        "The value 'talkover' is invalid for '--allow <id>'. Please provide one of the following: talk-over, underrun"
      ),
      "\(r)")
  }

  @Test func containerHeadersAreRecognisedAndMuLawIsNot() {
    // An MPEG-1 Layer III frame at 128 kbit/s, 44.1 kHz: 417 bytes, then the next header.
    var mp3 = [UInt8](repeating: 0x11, count: 900)
    mp3.replaceSubrange(0..<4, with: [0xFF, 0xFB, 0x90, 0x64])
    mp3.replaceSubrange(417..<421, with: [0xFF, 0xFB, 0x90, 0x64])
    #expect(BotBehaviour.container(mp3) == "an MP3 frame header")
    var broken = mp3
    broken[417] = 0x12
    #expect(BotBehaviour.container(broken) == nil)
    #expect(BotBehaviour.container(Array("ID3\u{03}\u{00}\u{00}\u{00}\u{00}\u{00}\u{00}".utf8)) != nil)
    // µ-law silence and a tone start with no header.
    #expect(BotBehaviour.container([UInt8](repeating: 0xFF, count: 160)) == nil)
    let tone = (0..<160).map { G711.muLawEncode(Int16(8000 * sin(Double($0) / 3))) }
    #expect(BotBehaviour.container(tone) == nil)
  }
}
