import Foundation
import Testing
import TwvoiceCore

/// `twvoice stream replay` through the binary, against bots on loopback.
@Suite(.serialized)
struct StreamReplayTests {
  static let sids = [
    "--stream-sid", "MZ0123456789abcdef0123456789abcdef", "--call-sid", "CA0123456789abcdef0123456789abcdef",
    "--account-sid", "AC0123456789abcdef0123456789abcdef",
  ]

  @Test func messagesAndHandshakeLookLikeTwilios() throws {
    let bot = try TestBot(.silent)
    defer { bot.stop() }
    let r = try Twvoice.run(
      [
        "stream", "replay", "--silence", "100ms", "--url", bot.url, "--fast", "--tail", "0s", "--param",
        "sid=42", "--dtmf", "7@40ms", "--json",
      ] + Self.sids,
      environment: ["TWILIO_AUTH_TOKEN": "0123456789abcdef0123456789abcdef"])
    #expect(r.status == 0, "\(r)")
    let upgrade = try #require(bot.upgrades.first)
    #expect(upgrade.header("User-Agent") == "Twilio.TmeWs/1.0")
    #expect(upgrade.header("Origin") == nil)
    #expect(
      upgrade.header("X-Twilio-Signature")
        == TwilioSignature.compute(url: bot.url, authToken: "0123456789abcdef0123456789abcdef"))
    let messages = bot.messages
    try #require(messages.count == 9)
    #expect(
      messages.map { $0["event"]?.stringValue ?? "?" } == [
        "connected", "start", "media", "media", "dtmf", "media", "media", "media", "stop",
      ])
    #expect(bot.received[0] == #"{"event":"connected","protocol":"Call","version":"1.0.0"}"#)
    #expect(messages[1]["start"]?["customParameters"]?["sid"] == .string("42"))
    #expect(messages[1]["start"]?["mediaFormat"]?["sampleRate"] == .int(8000))
    #expect(messages.compactMap { $0["sequenceNumber"]?.stringValue } == (1...8).map(String.init))
    let media = messages.filter { $0["event"] == .string("media") }
    #expect(media.map { $0["media"]?["chunk"]?.stringValue } == ["1", "2", "3", "4", "5"])
    #expect(media.map { $0["media"]?["timestamp"]?.stringValue } == ["100", "120", "140", "160", "180"])
    #expect(
      media.allSatisfy {
        $0["media"]?["payload"]?.stringValue == String(repeating: "////", count: 53) + "/w=="
      })
    #expect(messages[4]["dtmf"]?["track"] == .string("inbound_track"))
    #expect(messages.last?["stop"]?["callSid"] == .string("CA0123456789abcdef0123456789abcdef"))
  }

  @Test func marksEchoAfterPlayoutAndTheRecordingHasBothSides() throws {
    let bot = try TestBot(.replyWithMark(everyFrames: 10, replyBytes: 800))
    defer { bot.stop() }
    let dir = try TemporaryDirectory.make()
    let r = try Twvoice.run(
      [
        "stream", "replay", "--silence", "1s", "--url", bot.url, "--speed", "20", "--tail", "2s",
        "--record", "call.wav", "--log", "call.jsonl", "--json",
      ] + Self.sids,
      in: dir)
    #expect(r.status == 0, "\(r)")
    let summary = try JSONParser.parse(r.stdout)
    #expect(summary["marks_received"]?.intValue == 5)
    #expect(summary["marks_echoed"]?.intValue == 5)
    #expect(summary["audio_played_s"] == .number("0.500"))
    // Each echo comes back after the 100 ms reply has played: at least 5 frames after the reply.
    let events = bot.messages.map { $0["event"]?.stringValue ?? "" }
    let echoes = bot.messages.enumerated().filter { $0.element["event"] == .string("mark") }
    #expect(echoes.map { $0.element["mark"]?["name"]?.stringValue } == (1...5).map { "reply-\($0)" })
    #expect(events.last == "stop")
    let wav = try Data(contentsOf: dir.appendingPathComponent("call.wav"))
    #expect(wav[22] == 2)  // stereo
    // The log decodes with codec decode: caller left, bot right.
    let decoded = try Twvoice.run(
      ["codec", "decode", "call.jsonl", "--track", "both", "--raw", "--encoding", "mulaw", "-q"], in: dir)
    #expect(decoded.status == 0, "\(decoded)")
    let right = stride(from: 1, to: decoded.stdoutBytes.count, by: 2).map { decoded.stdoutBytes[$0] }
    #expect(right.filter { $0 == 0x55 }.count == 4000)
  }

  @Test func clearDropsAudioAndEchoesPendingMarks() throws {
    let bot = try TestBot(.clearOnDTMF)
    defer { bot.stop() }
    let r = try Twvoice.run(
      [
        "stream", "replay", "--silence", "1s", "--url", bot.url, "--speed", "10", "--tail", "0s", "--dtmf",
        "1@500ms", "--json",
      ] + Self.sids)
    #expect(r.status == 0, "\(r)")
    let summary = try JSONParser.parse(r.stdout)
    #expect(summary["clears"]?.intValue == 1)
    func seconds(_ key: String) -> Double {
      Double(summary[key]?.stringValue ?? JSONWriter().string(summary[key] ?? .null)) ?? -1
    }
    // Of the 2 s greeting, what played before the clear (sent at 500 ms, or later on a busy
    // machine) plus what was cut is all of it; without the clear nothing would be cut.
    #expect(seconds("audio_cleared_s") > 0, "\(r.stdout)")
    #expect(abs(seconds("audio_cleared_s") + seconds("audio_played_s") - 2) < 0.0005, "\(r.stdout)")
    // The greeting's mark comes back at the clear, right after the dtmf.
    let events = bot.messages.map { $0["event"]?.stringValue ?? "" }
    let dtmf = try #require(events.firstIndex(of: "dtmf"))
    let mark = try #require(events.firstIndex(of: "mark"))
    #expect(mark > dtmf)
    // Echoed by the clear, not by playout: before the 2 s greeting could have finished playing.
    let chunks = bot.messages[..<mark].compactMap { $0["media"]?["chunk"]?.stringValue.flatMap { Int($0) } }
    #expect((chunks.max() ?? 0) < 100, "\(events)")
  }

  @Test func protocolViolationsAreReportedWithTwilioCodes() throws {
    let bot = try TestBot(.misbehave)
    defer { bot.stop() }
    let r = try Twvoice.run(
      [
        "stream", "replay", "--silence", "200ms", "--url", bot.url, "--speed", "5", "--tail", "100ms",
        "--json",
      ] + Self.sids)
    #expect(r.status == 0)
    let summary = try JSONParser.parse(r.stdout)
    #expect(summary["warnings"] == .object([("31950", .int(1)), ("31951", .int(3))]))
    let strict = try Twvoice.run(
      [
        "stream", "replay", "--silence", "200ms", "--url", bot.url, "--speed", "5", "--tail", "100ms",
        "--strict", "-q",
      ] + Self.sids)
    #expect(strict.status == 1)
    #expect(strict.stderr.contains("the bot broke the Media Streams protocol 4 time(s)"))
  }

  @Test func serverClosingEarlyIs31921AndKeepsTheRecording() throws {
    let bot = try TestBot(.closeAfter(5))
    defer { bot.stop() }
    let dir = try TemporaryDirectory.make()
    let r = try Twvoice.run(
      [
        "stream", "replay", "--silence", "2s", "--url", bot.url, "--speed", "10", "--record", "partial.wav",
        "-q",
      ] + Self.sids, in: dir)
    #expect(r.status == 1)
    #expect(
      r.stderr.contains(
        "the server closed the stream before the call ended (close code 4000) (Twilio error 31921)"), "\(r)")
    #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("partial.wav").path))
  }

  @Test func refusedUpgradeAndUnreachableServer() throws {
    let bot = try TestBot(.notFound)
    defer { bot.stop() }
    let refused = try Twvoice.run([
      "stream", "replay", "--silence", "1s", "--url", "ws://127.0.0.1:\(bot.port)/wrong", "--fast", "-q",
    ])
    #expect(refused.status == 1)
    #expect(
      refused.stderr.contains(
        "the server refused the WebSocket upgrade: HTTP/1.1 404 Not Found (Twilio error 31920)"), "\(refused)"
    )
    let port = bot.port
    bot.stop()
    let down = try Twvoice.run([
      "stream", "replay", "--silence", "1s", "--url", "ws://127.0.0.1:\(port)/ws", "--fast", "-q",
    ])
    #expect(down.status == 1)
    #expect(down.stderr.contains("(Twilio error 31902)"), "\(down)")
    let scheme = try Twvoice.run(["stream", "replay", "--silence", "1s", "--url", "https://example.com/ws"])
    #expect(scheme.status == 64)
    #expect(scheme.stderr.contains("31922"))
  }

  @Test func replayingACaptureResendsItsAudioAndDTMF() throws {
    let bot = try TestBot(.silent)
    defer { bot.stop() }
    let frames = (0..<5).map { k in
      #"{"event":"media","sequenceNumber":"\#(k + 2)","media":{"track":"inbound","chunk":"\#(k + 1)","timestamp":"\#(20 * k)","payload":"\#(Base64.encode([UInt8](repeating: UInt8(k + 1), count: 160)))"},"streamSid":"MZ1"}"#
    }
    let capture =
      (frames[0..<2] + [
        #"{"event":"dtmf","streamSid":"MZ1","sequenceNumber":"9","dtmf":{"track":"inbound_track","digit":"3"}}"#
      ] + frames[2...]).joined(separator: "\n")
    let r = try Twvoice.run(
      ["stream", "replay", "-", "--url", bot.url, "--fast", "--tail", "0s", "-q"] + Self.sids, stdin: capture)
    #expect(r.status == 0, "\(r)")
    let media = bot.messages.filter { $0["event"] == .string("media") }
    #expect(
      try media.map { try Base64.decode($0["media"]?["payload"]?.stringValue ?? "").first } == [
        1, 2, 3, 4, 5,
      ])
    let events = bot.messages.map { $0["event"]?.stringValue ?? "" }
    #expect(events.firstIndex(of: "dtmf") == 4)  // after two frames (40 ms)
  }
}
