import Foundation
import Testing
import TwvoiceCore

/// `stream proxy` between a replay (Twilio's side) and a bot, both on loopback.
@Suite(.serialized)
struct StreamProxyTests {
  static func logLines(_ url: URL) throws -> [JSONValue] {
    try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
      try JSONParser.parse(String($0))
    }
  }

  /// The frames of one side, as text, in order: `message` (byte for byte) or `raw` or `binary`.
  static func frames(_ lines: [JSONValue], from: String) -> [String] {
    lines.filter { $0["from"]?.stringValue == from }.compactMap { line in
      if let message = line["message"] {
        return JSONWriter(style: .compact, asciiOnly: false).string(message)
      }
      return line["raw"]?.stringValue.map { "raw:" + $0 }
        ?? line["binary"]?.stringValue.map { "binary:" + $0 }
    }
  }

  @Test func everyFrameCrossesUnchangedBothWaysAndBothAreRecorded() throws {
    let bot = try TestBot(.conversation(.init(replyMs: 400)))
    defer { bot.stop() }
    let proxy = try CaptureProcess(["--upstream", bot.url], command: "proxy")
    let dir = try ScenarioTests.folder([:])
    defer { TemporaryDirectory.remove(dir) }
    let sid = "MZ00000000000000000000000000000abc"
    let replay = try Twvoice.run(
      [
        "stream", "replay", "hello.wav", "--url", proxy.url, "--speed", "2", "--tail", "1s", "--stream-sid",
        sid,
        "--log", "replay.jsonl", "--json",
      ], in: dir)
    #expect(replay.status == 0, "\(replay)")
    let summary = try JSONParser.parse(replay.stdout)
    // The bot's answer came back through the proxy, and its mark was echoed back to it.
    #expect((summary["audio_played_s"]?.doubleValue ?? 0) > 0.3, "\(replay.stdout)")
    #expect(bot.waitForMessage(containing: #""name":"reply-1""#))
    let deadline = Date().addingTimeInterval(5)
    while !proxy.files().contains(sid + ".jsonl") && Date() < deadline { usleep(10_000) }
    let stopped = proxy.stop()
    #expect(stopped.status == 0, "\(stopped)")
    let recorded = try Self.logLines(proxy.folder.appendingPathComponent(sid + ".jsonl"))
    let sent = try Self.logLines(dir.appendingPathComponent("replay.jsonl"))
    // What the replay sent is what the bot received and what the proxy recorded from Twilio.
    let twilio = Self.frames(sent, from: "twilio")
    #expect(twilio.count > 50)
    #expect(Self.frames(recorded, from: "twilio") == twilio)
    #expect(bot.received.count == twilio.count)
    #expect(
      bot.received
        == sent.filter { $0["from"]?.stringValue == "twilio" }.compactMap { line in
          line["message"].map { JSONWriter(style: .compact, asciiOnly: false).string($0) }
        })
    // What the bot sent is what the replay received and what the proxy recorded from the bot.
    #expect(!Self.frames(sent, from: "bot").isEmpty)
    #expect(Self.frames(recorded, from: "bot") == Self.frames(sent, from: "bot"))
  }

  @Test func framesThatAreNotJSONCrossAsTheyAre() throws {
    let bot = try TestBot(.misbehave)
    defer { bot.stop() }
    let proxy = try CaptureProcess(["--upstream", bot.url], command: "proxy")
    let replay = try Twvoice.run([
      // Real time: the bot's frames, sent on start, cross two hops before the call ends.
      "stream", "replay", "--silence", "1s", "--url", proxy.url, "--json", "--tail", "500ms",
    ])
    let summary = try JSONParser.parse(replay.stdout)
    // The bot's binary frame and its text that is not JSON reached the replay, which named them.
    #expect(summary["warnings"]?["31950"]?.intValue == 1, "\(replay.stdout)")
    #expect(summary["warnings"]?["31951"] != nil, "\(replay.stdout)")
    let stopped = proxy.stop()
    #expect(stopped.status == 0)
    let name = try #require(proxy.files().first)
    let recorded = try Self.logLines(proxy.folder.appendingPathComponent(name))
    #expect(recorded.contains { $0["from"]?.stringValue == "bot" && $0["binary"]?.stringValue == "AQIDBA==" })
    #expect(recorded.contains { $0["from"]?.stringValue == "bot" && $0["raw"]?.stringValue == "not json" })
  }

  @Test func aBotThatRefusesTheUpgradeIsMirroredAndAnUnreachableOneIs502() throws {
    let refusing = try TestBot(.notFound)
    defer { refusing.stop() }
    let proxy = try CaptureProcess(["--upstream", refusing.url], command: "proxy")
    let refused = try Twvoice.run(["stream", "replay", "--silence", "1s", "--url", proxy.url, "--fast"])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("refused the WebSocket upgrade: HTTP/1.1 404"), "\(refused.stderr)")
    #expect(refused.stderr.contains("31920"))
    _ = proxy.stop()
    #expect(proxy.files().isEmpty)

    let probe = try TestBot(.silent)
    let gone = probe.url
    probe.stop()
    let proxy2 = try CaptureProcess(["--upstream", gone, "--connect-timeout", "3"], command: "proxy")
    let unreachable = try Twvoice.run(["stream", "replay", "--silence", "1s", "--url", proxy2.url, "--fast"])
    #expect(unreachable.status == 1)
    #expect(unreachable.stderr.contains("HTTP/1.1 502"), "\(unreachable.stderr)")
    _ = proxy2.stop()
    #expect(proxy2.files().isEmpty)
  }

  @Test func theClientIsCheckedAndTheBotIsSignedForItsOwnURL() throws {
    let bot = try TestBot(.silent)
    defer { bot.stop() }
    let proxy = try CaptureProcess(
      ["--upstream", bot.url, "--auth-token", "client-secret", "--upstream-auth-token", "bot-secret"],
      command: "proxy")
    let unsigned = try Twvoice.run(["stream", "replay", "--silence", "1s", "--url", proxy.url, "--fast"])
    #expect(unsigned.status == 1 && unsigned.stderr.contains("403"), "\(unsigned)")
    let signed = try Twvoice.run(
      ["stream", "replay", "--silence", "500ms", "--url", proxy.url, "--fast", "--tail", "100ms"],
      environment: ["TWILIO_AUTH_TOKEN": "client-secret"])
    #expect(signed.status == 0, "\(signed)")
    _ = proxy.stop()
    let upgrade = try #require(bot.upgrades.first)
    #expect(bot.upgrades.count == 1)
    #expect(
      upgrade.header("X-Twilio-Signature") == TwilioSignature.compute(url: bot.url, authToken: "bot-secret"))
  }
}
