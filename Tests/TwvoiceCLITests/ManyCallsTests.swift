import Foundation
import Testing
import TwvoiceCore

/// `stream replay --calls N`: many calls at once, each its own stream, one mergeable summary.
struct ManyCallsTests {
  static func replay(_ bot: TestBot, in dir: URL, _ arguments: [String], speed: String = "4") throws
    -> Twvoice.Result
  {
    try Twvoice.run(
      ["stream", "replay", "--url", bot.url, "--speed", speed, "--tail", "1s"] + arguments, in: dir)
  }

  static func summary(_ r: Twvoice.Result) throws -> JSONValue { try JSONParser.parse(r.stdout) }

  @Test func everyCallIsItsOwnStreamAndEveryAnswerIsCounted() throws {
    let bot = try TestBot(.conversation(.init(replyMs: 300)))
    defer { bot.stop() }
    let dir = try ScenarioTests.folder([:])
    defer { TemporaryDirectory.remove(dir) }
    // Real time, so a slow (sanitized) build still hears every answer before it hangs up.
    let r = try Self.replay(
      bot, in: dir, ["hello.wav", "--calls", "6", "--ramp", "400ms", "--json"], speed: "1")
    #expect(r.status == 0, "\(r)")
    let s = try Self.summary(r)
    #expect(s["calls"]?["started"]?.intValue == 6)
    #expect(s["calls"]?["completed"]?.intValue == 6)
    #expect(s["calls"]?["failed"]?.intValue == 0)
    // One utterance per call, each answered by the bot.
    #expect(s["response_latency_ms"]?["count"]?.intValue == 6)
    let frames = s["send_lateness_ms"]?["frames"]?.intValue ?? 0
    // The bot saw six starts, each with its own stream and call, and every frame the summary counts.
    #expect(bot.waitForMessage(containing: #""event":"stop""#))
    let starts = bot.messages.filter { $0["event"]?.stringValue == "start" }
    #expect(starts.count == 6)
    #expect(Set(starts.compactMap { $0["start"]?["streamSid"]?.stringValue }).count == 6)
    #expect(Set(starts.compactMap { $0["start"]?["callSid"]?.stringValue }).count == 6)
    let media = bot.messages.filter { $0["event"]?.stringValue == "media" }.count
    #expect(frames > 6 * 50 && frames == media, "frames \(frames), media at the bot \(media)")
    // The histograms that make summaries mergeable are in the JSON and agree with the counts.
    #expect(s["histograms"]?["send_lateness_ms"]?["count"]?.intValue == frames)
    #expect((s["memory_per_call_kb"]?.doubleValue ?? 0) > 0)
  }

  @Test func callsThatCannotConnectAreCountedByCodeAndFailTheRun() throws {
    // A port nothing listens on: every call is refused (31902).
    let probe = try TestBot(.silent)
    let url = probe.url
    probe.stop()
    let dir = try TemporaryDirectory.with([:])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(
      [
        "stream", "replay", "--silence", "1s", "--url", url, "--calls", "3", "--json", "--connect-timeout",
        "2", "--record-dir", ".", "--log-dir", ".",
      ], in: dir)
    #expect(r.status == 1, "\(r)")
    // No call took place: no recordings or logs are left behind.
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    let s = try Self.summary(r)
    #expect(s["calls"]?["failed"]?.intValue == 3)
    #expect(s["calls"]?["failures"]?["31902"]?.intValue == 3)
    #expect(s["calls"]?["completed"]?.intValue == 0)
  }

  @Test func aBotThatFailsSomeCallsFailsTheRunWithEachCounted() throws {
    let bot = try TestBot(.failOddStreams)
    defer { bot.stop() }
    let dir = try ScenarioTests.folder([:])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Self.replay(bot, in: dir, ["--silence", "1s", "--calls", "6", "--json"])
    #expect(r.status == 1, "\(r)")
    let s = try Self.summary(r)
    #expect(s["calls"]?["started"]?.intValue == 6)
    #expect(s["calls"]?["completed"]?.intValue == 3)
    #expect(s["calls"]?["failures"]?["31921"]?.intValue == 3, "\(r.stdout)")
    // Each failed call is named on its own line, with its stream.
    let named = r.stderr.split(separator: "\n").filter { $0.contains("(MZ") && $0.contains("31921") }
    #expect(named.count == 3, "\(r.stderr)")
    #expect(Set(named.map { String($0.split(separator: "(")[1].prefix(34)) }).count == 3)
  }

  @Test func strictFailsOnAFindingInAnyCallUnlessAllowed() throws {
    // A bot that answers each turn with 6 s of audio at once: a burst, in every call.
    let bot = try TestBot(.conversation(.init(replyMs: 400, burstSeconds: 6)))
    defer { bot.stop() }
    let dir = try ScenarioTests.folder([:])
    defer { TemporaryDirectory.remove(dir) }
    let strict = try Self.replay(bot, in: dir, ["hello.wav", "--calls", "3", "--json", "--strict"])
    #expect(strict.status == 1, "\(strict)")
    let s = try Self.summary(strict)
    #expect(s["findings"]?["burst"]?.intValue == 3, "\(strict.stdout)")
    #expect(strict.stderr.contains("the bot showed burst in 3 calls"), "\(strict.stderr)")
    let allowed = try Self.replay(
      bot, in: dir, ["hello.wav", "--calls", "3", "--json", "--strict", "--allow", "burst"])
    #expect(allowed.status == 0, "\(allowed)")
  }

  @Test func aSignalHangsUpTheCallsUnderWayKeepsThemAndStartsNoMore() throws {
    let bot = try TestBot(.silent)
    defer { bot.stop() }
    let dir = try ScenarioTests.folder([:])
    defer { TemporaryDirectory.remove(dir) }
    // Twenty calls over 20 s: a signal once the first few are under way.
    let run = try BoundedRun.run(
      [
        "stream", "replay", "--url", bot.url, "--silence", "30s", "--calls", "20", "--ramp", "20s", "--json",
        "--record-dir", "rec",
      ], in: dir
    ) { process in
      let deadline = Date().addingTimeInterval(30)
      while bot.messages.filter({ $0["event"]?.stringValue == "start" }).count < 2 && Date() < deadline {
        usleep(10_000)
      }
      kill(process.processIdentifier, SIGTERM)
    }
    #expect(!run.timedOut)
    #expect(run.result.status == 143, "\(run.result)")
    let s = try JSONParser.parse(run.result.stdout)
    let started = s["calls"]?["started"]?.intValue ?? 0
    #expect((2..<20).contains(started), "\(run.result.stdout)")
    // The calls under way were hung up and kept (as a single replay keeps its call).
    #expect(s["calls"]?["completed"]?.intValue == started)
    let kept = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("rec").path)
    #expect(kept.count == started && kept.allSatisfy { $0.hasSuffix(".wav") }, "\(kept)")
  }

  @Test(arguments: [
    (["--record", "x.wav"], "--record takes one call, not --calls: use --record-dir DIR"),
    (["--log", "x.jsonl"], "--log takes one call, not --calls: use --log-dir DIR"),
    (["--stream-sid", "MZ0123456789abcdef0123456789abcdef"], "--stream-sid takes one call, not --calls"),
    (["--calls", "0"], "--calls must be between 1 and 100000"),
    (["--shard", "3/2"], "--shard"),
    (["--shard", "3/4", "--calls", "2"], "--shard 3/4: more shards than --calls 2"),
  ])
  func perCallFlagsAreRefusedWithWhatToUseInstead(extra: [String], message: String) throws {
    let calls = extra.contains("--calls") ? [] : ["--calls", "2"]
    let r = try Twvoice.run(
      ["stream", "replay", "--silence", "1s", "--url", "ws://127.0.0.1:9/"] + calls + extra)
    #expect(r.status == 64, "\(r)")
    #expect(r.stderr.contains(message), "\(r.stderr)")
    #expect(r.stderr.split(separator: "\n").count <= 3, "\(r.stderr)")
  }

  @Test func inputsAreTakenInTurnAndEachCallIsRecordedAndLoggedUnderItsStream() throws {
    let bot = try TestBot(.conversation(.init(replyMs: 200)))
    defer { bot.stop() }
    let dir = try ScenarioTests.folder([:])
    defer { TemporaryDirectory.remove(dir) }
    let inputs = dir.appendingPathComponent("inputs")
    try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
    // 1 s and 0.8 s of speech: calls 1 and 3 send the first, 2 and 4 the second.
    try FileManager.default.copyItem(
      at: dir.appendingPathComponent("hello.wav"), to: inputs.appendingPathComponent("a.wav"))
    try FileManager.default.copyItem(
      at: dir.appendingPathComponent("two.wav"), to: inputs.appendingPathComponent("b.wav"))
    let r = try Self.replay(
      bot, in: dir,
      [
        "--inputs", "inputs", "--calls", "4", "--record-dir", "rec", "--log-dir", "logs", "--json", "--seed",
        "9",
      ])
    #expect(r.status == 0, "\(r)")
    let recordings = try FileManager.default.contentsOfDirectory(
      atPath: dir.appendingPathComponent("rec").path)
    let logs = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("logs").path)
    #expect(recordings.count == 4 && recordings.allSatisfy { $0.hasPrefix("MZ") && $0.hasSuffix(".wav") })
    #expect(
      Set(logs.map { $0.replacingOccurrences(of: ".jsonl", with: "") })
        == Set(recordings.map { $0.replacingOccurrences(of: ".wav", with: "") }))
    // Each log holds its own call: its stream's start, and the audio of its input.
    var voicedFrames: [Int] = []
    for name in logs.sorted() {
      let text = try String(contentsOf: dir.appendingPathComponent("logs/\(name)"), encoding: .utf8)
      let lines = try text.split(separator: "\n").map { try JSONParser.parse(String($0)) }
      let start = lines.first { $0["message"]?["event"]?.stringValue == "start" }
      #expect(start?["message"]?["streamSid"]?.stringValue == String(name.dropLast(6)))
      voicedFrames.append(
        lines.filter { line in
          line["from"]?.stringValue == "twilio" && line["message"]?["event"]?.stringValue == "media"
            && SpeechActivity.isVoiced(
              (try? Base64.decode(line["message"]?["media"]?["payload"]?.stringValue ?? "")) ?? [])
        }.count)
    }
    // SIDs end with the call's number, so sorted logs are calls 1…4: a, b, a, b.
    #expect(
      voicedFrames.count == 4 && voicedFrames[0] == voicedFrames[2] && voicedFrames[1] == voicedFrames[3])
    #expect(voicedFrames[0] > voicedFrames[1], "\(voicedFrames)")
    // A recording is the stereo WAV a single replay writes: the bot's reply is on the right.
    let info = try Twvoice.run(["codec", "info", "rec/\(recordings.sorted()[0])", "--json"], in: dir)
    #expect(info.status == 0 && info.stdout.contains(#""channels": 2"#), "\(info)")
  }

  @Test func shardsRunDistinctCallsAndTheirSummariesMergeIntoOne() throws {
    let bot = try TestBot(.conversation(.init(replyMs: 200)))
    defer { bot.stop() }
    let dir = try ScenarioTests.folder([:])
    defer { TemporaryDirectory.remove(dir) }
    var totals = (frames: 0, answers: 0)
    for k in 1...2 {
      let r = try Self.replay(
        bot, in: dir, ["two.wav", "--calls", "5", "--shard", "\(k)/2", "--json", "--seed", "4"])
      #expect(r.status == 0, "\(r)")
      let s = try Self.summary(r)
      // Shard 1 of 2 runs calls 1, 3, 5; shard 2 runs 2 and 4.
      #expect(s["calls"]?["started"]?.intValue == (k == 1 ? 3 : 2))
      totals.frames += s["send_lateness_ms"]?["frames"]?.intValue ?? 0
      totals.answers += s["response_latency_ms"]?["count"]?.intValue ?? 0
      try Data(r.stdout.utf8).write(to: dir.appendingPathComponent("shard-\(k).json"))
    }
    // Same seed, distinct calls: five streams in all.
    let starts = bot.messages.filter { $0["event"]?.stringValue == "start" }
    #expect(Set(starts.compactMap { $0["start"]?["streamSid"]?.stringValue }).count == 5)

    let merged = try Twvoice.run(
      ["stream", "summary", "merge", "shard-1.json", "shard-2.json", "--json"], in: dir)
    #expect(merged.status == 0, "\(merged)")
    let m = try JSONParser.parse(merged.stdout)
    #expect(m["calls"]?["started"]?.intValue == 5 && m["calls"]?["completed"]?.intValue == 5)
    #expect(m["send_lateness_ms"]?["frames"]?.intValue == totals.frames)
    #expect(m["response_latency_ms"]?["count"]?.intValue == totals.answers)
    // Merging is exact: the merged summary merges again to itself.
    try Data(merged.stdout.utf8).write(to: dir.appendingPathComponent("all.json"))
    let again = try Twvoice.run(["stream", "summary", "merge", "all.json", "--json"], in: dir)
    #expect(again.stdout == merged.stdout)
    let text = try Twvoice.run(["stream", "summary", "merge", "shard-1.json", "shard-2.json"], in: dir)
    #expect(text.stdout.hasPrefix("calls: 5 started of 5, 5 completed, 0 failed"), "\(text)")
  }

  @Test func aSummaryThatIsNotOneIsNamedByFileAndField() throws {
    let dir = try ScenarioTests.folder([
      "bad.json":
        #"{"calls":{"started":1,"completed":1,"failures":{}},"speed":1,"warnings":{},"histograms":{"response_latency_ms":{"count":0,"max":0,"buckets":[]},"send_lateness_ms":{"count":2,"max":1,"buckets":[[5,1]]}},"memory_per_call_kb":null}"#,
      "other.json": "[1, 2",
    ])
    defer { TemporaryDirectory.remove(dir) }
    let bad = try Twvoice.run(["stream", "summary", "merge", "bad.json"], in: dir)
    #expect(bad.status == 65, "\(bad)")
    #expect(bad.stderr.contains("bad.json: histograms.send_lateness_ms: the buckets do not add up to count"))
    let notJSON = try Twvoice.run(["stream", "summary", "merge", "other.json"], in: dir)
    #expect(notJSON.status == 65 && notJSON.stderr.contains("other.json: not JSON"), "\(notJSON)")
    let missing = try Twvoice.run(["stream", "summary", "merge", "none.json"], in: dir)
    #expect(missing.status == 66, "\(missing)")
  }
}
