import Foundation
import Testing
import TwvoiceCore

/// `twvoice relay` through the binary against a ConversationRelay app on loopback
/// (`TestRelayApp`): the handshake and setup, every frame type both ways, bad frames and the
/// 1007 close, interruption and preemption, partial prompts, end with hand-off data, scenarios.
@Suite(.serialized) struct RelayTests {
  static func json(_ result: Twvoice.Result) throws -> JSONValue { try JSONParser.parse(result.stdout) }

  @Test func dialsAsTwilioAndSendsSetupFirstWithEveryField() throws {
    let app = try TestRelayApp()
    defer { app.stop() }
    let result = try Twvoice.run(
      [
        "relay", "--url", app.url, "--prompt", "Hello there", "--session-sid",
        "VX" + String(repeating: "a", count: 32),
        "--call-sid", "CA" + String(repeating: "b", count: 32), "--account-sid",
        "AC" + String(repeating: "c", count: 32),
        "--from", "+14155550100", "--to", "+14155550199", "--param", "customer=42", "--param", "tier=gold",
        "--json",
      ], environment: ["TWILIO_AUTH_TOKEN": "relay-test-token"])
    #expect(result.status == 0, "\(result)")
    #expect(!result.stderr.contains("relay-test-token") && !result.stdout.contains("relay-test-token"))
    let upgrade = try #require(app.upgrades.first)
    #expect(upgrade.header("User-Agent") == "Jetty/11.0.24")
    #expect(upgrade.header("Origin") == nil && upgrade.header("Sec-WebSocket-Protocol") == nil)
    #expect(upgrade.header("Cache-Control") == "no-cache" && upgrade.header("Pragma") == "no-cache")
    let signature = try #require(upgrade.header("X-Twilio-Signature"))
    #expect(TwilioSignature.isValid(signature, url: app.url, authToken: "relay-test-token"))
    #expect(upgrade.header("x-amzn-bedrock-agentcore-runtime-custom-twilio-signature") == signature)
    #expect(
      app.received.first
        == #"{"type":"setup","sessionId":"VXaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","callSid":"CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","parentCallSid":"","from":"+14155550100","to":"+14155550199","forwardedFrom":"","callerName":"","direction":"inbound","callType":"PSTN","callStatus":"RINGING","accountSid":"ACcccccccccccccccccccccccccccccccc","customParameters":{"customer":"42","tier":"gold"}}"#
    )
    #expect(
      app.received.dropFirst().first
        == #"{"type":"prompt","voicePrompt":"Hello there","lang":"en-US","last":true}"#)
    let summary = try Self.json(result)
    #expect(summary["status"]?.stringValue == "completed")
    let turn = try #require(summary["turns"]?.arrayValue?.first)
    #expect(turn["prompt"]?.stringValue == "Hello there")
    // The app streams its reply in pieces 5 ms apart: the last token comes after the first.
    let first = try #require(
      Double(turn["first_token_ms"].flatMap { if case .number(let n) = $0 { n } else { nil } } ?? ""))
    let last = try #require(
      Double(turn["last_token_ms"].flatMap { if case .number(let n) = $0 { n } else { nil } } ?? ""))
    #expect(first >= 0 && last >= first + 5)
    #expect(summary["talk_cycles"]?.intValue == 1)
    // The caller hung up: Twilio's close.
    let close = try #require(app.waitForClose())
    #expect(close.code == 1000 && close.reason == "Closing websocket session")
  }

  @Test func endReportsTheHandoffDataExactly() throws {
    let app = try TestRelayApp()
    defer { app.stop() }
    let result = try Twvoice.run(["relay", "--url", app.url, "--prompt", "Agent please", "--json"])
    #expect(result.status == 0, "\(result)")
    let summary = try Self.json(result)
    #expect(summary["status"]?.stringValue == "ended")
    #expect(summary["handoff_data"]?.stringValue == TestRelayApp.handoff)
    let close = try #require(app.waitForClose())
    #expect(close.code == 1000 && close.reason == "Closing websocket session")
  }

  @Test func badFramesGetErrorsAndTenInARowClose1007() throws {
    let app = try TestRelayApp()
    defer { app.stop() }
    let three = try Twvoice.run([
      "relay", "--url", app.url, "--prompt", "garbage 3", "--prompt", "hello", "--json", "--reply-timeout",
      "500ms",
      "--tail", "200ms",
    ])
    #expect(three.status == 0, "\(three)")
    let errors = app.frames("error").compactMap { $0["description"]?.stringValue }
    #expect(errors == (1...3).map { "Invalid message received, code: 64107, this is not json #\($0)" })
    #expect(try Self.json(three)["errors_sent"]?["64107"]?.intValue == 3)
    // --strict fails on them.
    let strict = try Twvoice.run([
      "relay", "--url", app.url, "--prompt", "garbage 1", "--strict", "--reply-timeout", "500ms", "--tail",
      "200ms",
    ])
    #expect(strict.status == 1 && strict.stderr.contains("64107"), "\(strict)")

    let ten = try TestRelayApp()
    defer { ten.stop() }
    let result = try Twvoice.run(["relay", "--url", ten.url, "--prompt", "garbage 10", "--json"])
    #expect(result.status == 1, "\(result)")
    #expect(ten.frames("error").count == 10)
    let close = try #require(ten.waitForClose())
    #expect(close.code == 1007 && close.reason == "Too many consecutive malformed messages.")
    let summary = try Self.json(result)
    #expect(summary["status"]?.stringValue == "failed")
    #expect(summary["error"]?["code"]?.intValue == 64105)
  }

  @Test func talkingOverTheAgentInterruptsAndTheAppStops() throws {
    let app = try TestRelayApp()
    defer { app.stop() }
    let result = try Twvoice.run([
      "relay", "--url", app.url, "--prompt", "Tell me a story", "--prompt", "Stop please",
      "--interrupt-after", "1500ms", "--events", "speaker-events,tokens-played", "--json",
    ])
    #expect(result.status == 0, "\(result)")
    let interrupt = try #require(app.frames("interrupt").first)
    // The first sentence (39 characters) takes 2,053 ms at 19 a second: 1.5 s in, whole words
    // of it had been heard, and the duration is the time into that chunk.
    let heard = try #require(interrupt["utteranceUntilInterrupt"]?.stringValue)
    #expect(!heard.isEmpty && TestRelayApp.story[0].hasPrefix(heard))
    let duration = try #require(interrupt["durationUntilInterruptMs"]?.intValue)
    #expect((1_450...1_600).contains(duration))
    let names = app.frames("info").compactMap { $0["name"]?.stringValue }
    #expect(
      names.contains("agentSpeaking") && names.contains("clientSpeaking") && names.contains("tokensPlayed"))
    let summary = try Self.json(result)
    #expect(summary["interrupts"]?.intValue == 1)
    #expect(summary["turns"]?.arrayValue?.first?["interrupted"] == .bool(true))
  }

  @Test func aPreemptibleFillerIsCutWithoutAnInterrupt() throws {
    let app = try TestRelayApp()
    defer { app.stop() }
    let result = try Twvoice.run([
      "relay", "--url", app.url, "--prompt", "Can you look up my order?", "--events", "tokens-played",
      "--json",
    ])
    #expect(result.status == 0, "\(result)")
    #expect(app.frames("interrupt").isEmpty)
    let summary = try Self.json(result)
    #expect(summary["preemptions"]?.intValue == 1)
    let played = app.frames("info").compactMap { $0["value"]?.stringValue }
    // The filler (41 characters, 2.2 s) was cut 600 ms after it arrived, 300 ms into its audio.
    #expect(
      played.first.map { "One moment while I look that up for you.".hasPrefix($0) && $0.count < 20 } == true)
    #expect(played.last == "Your order ships tomorrow.")
  }

  @Test func partialPromptsDigitsPlaysAndLanguage() throws {
    let app = try TestRelayApp()
    defer { app.stop() }
    let result = try Twvoice.run([
      "relay", "--url", app.url, "--partial-prompts", "--prompt", "please transfer me to billing",
      "--prompt", "play some music", "--prompt", "spanish please", "--prompt", "gracias", "--json", "--tail",
      "200ms",
    ])
    #expect(result.status == 0, "\(result)")
    let prompts = app.frames("prompt")
    let partials = prompts.filter { $0["last"] == .bool(false) }.compactMap { $0["voicePrompt"]?.stringValue }
    #expect(partials.count >= 2)
    #expect(
      partials.allSatisfy {
        "please transfer me to billing".hasPrefix($0) || "play some music".hasPrefix($0)
          || "spanish please".hasPrefix($0) || "gracias".hasPrefix($0)
      })
    #expect(prompts.last?["lang"]?.stringValue == "es-ES")
    let summary = try Self.json(result)
    #expect(summary["digits_sent"]?.stringValue == "1234#")
    #expect(summary["plays"]?.intValue == 1)
  }

  @Test func keysReachTheAppWithDetectionAndDebuggingReportsTheRoundTrip() throws {
    let app = try TestRelayApp()
    defer { app.stop() }
    let result = try Twvoice.run([
      "relay", "--url", app.url, "--dtmf-detection", "--dtmf", "5@300ms", "--dtmf", "#@600ms", "--prompt",
      "hi",
      "--debug", "debugging", "--tail", "200ms", "--json",
    ])
    #expect(result.status == 0, "\(result)")
    #expect(app.frames("dtmf").compactMap { $0["digit"]?.stringValue } == ["5", "#"])
    let roundTrip = app.frames("info").filter { $0["name"]?.stringValue == "roundTripDelayMs" }
    #expect(!roundTrip.isEmpty && roundTrip.allSatisfy { $0["value"]?.stringValue.flatMap(Int.init) != nil })
    // The app answered each key: talk cycles for the keys and the prompt.
    #expect(try Self.json(result)["talk_cycles"]?.intValue == 3)
  }

  @Test func scenarioStepsPassFailAndWriteJUnit() throws {
    let app = try TestRelayApp()
    defer { app.stop() }
    try withTemporaryDirectory { dir in
      try """
      name: hand-off
      params: {customer: "42"}
      steps:
        - say: I need a refill
        - expect_reply: {contains: refill, within: 2s}
        - say: agent please
        - expect_end: {within: 2s, handoff: {reasonCode: live-agent-handoff}}
      """.write(to: dir.appendingPathComponent("good.yaml"), atomically: true, encoding: .utf8)
      let good = try Twvoice.run(
        ["relay", "--url", app.url, "--scenario", "good.yaml", "--junit", "good.xml", "--json"], in: dir)
      #expect(good.status == 0, "\(good)")
      let xml = try String(contentsOf: dir.appendingPathComponent("good.xml"), encoding: .utf8)
      #expect(xml.contains("tests=\"4\"") && xml.contains("failures=\"0\""))
      #expect(app.frames("setup").first?["customParameters"]?["customer"]?.stringValue == "42")

      try """
      steps:
        - say: hello
        - expect_reply: {contains: goodbye, within: 1s}
      """.write(to: dir.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
      let bad = try Twvoice.run(["relay", "--url", app.url, "--scenario", "bad.yaml"], in: dir)
      #expect(bad.status == 1, "\(bad)")
      #expect(bad.stderr.contains("no reply containing \"goodbye\" within 1s"))

      // A folder: each file its own session, one JUnit suite each.
      let folder = dir.appendingPathComponent("suite")
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      for name in ["good.yaml", "bad.yaml"] {
        try FileManager.default.copyItem(
          at: dir.appendingPathComponent(name), to: folder.appendingPathComponent(name))
      }
      let both = try Twvoice.run(
        ["relay", "--url", app.url, "--scenario", "suite", "--junit", "both.xml", "--json"], in: dir)
      #expect(both.status == 1, "\(both)")
      let summary = try Self.json(both)
      #expect(summary["passed"] == .bool(false) && summary["scenarios"]?.arrayValue?.count == 2)
      let suites = try String(contentsOf: dir.appendingPathComponent("both.xml"), encoding: .utf8)
      #expect(suites.components(separatedBy: "<testsuite ").count == 3)

      try """
      steps:
        - say: hello
        - expect_reply: {within: soon}
      """.write(to: dir.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
      let broken = try Twvoice.run(["relay", "--url", app.url, "--scenario", "broken.yaml"], in: dir)
      #expect(broken.status == 65, "\(broken)")
      #expect(broken.stderr.contains("broken.yaml:3: steps[2].expect_reply.within:"))
    }
  }

  @Test func theExampleScenarioPassesAgainstAnAppWrittenLikeTwiliosSamples() throws {
    let app = try TestRelayApp()
    defer { app.stop() }
    let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../examples/relay/handoff.yaml").standardized
    let result = try Twvoice.run(["relay", "--url", app.url, "--scenario", example.path])
    #expect(result.status == 0, "\(result)")
    #expect(result.stderr.contains("ok   4 expect_end"))
  }

  @Test func anUnreachableAppFailsWith64102AndAClosedSocketWith64105() throws {
    let app = try TestRelayApp()
    let url = app.url
    app.stop()
    let unreachable = try Twvoice.run([
      "relay", "--url", url, "--prompt", "hi", "--json", "--connect-timeout", "2",
    ])
    #expect(unreachable.status == 1, "\(unreachable)")
    #expect(try Self.json(unreachable)["error"]?["code"]?.intValue == 64102)

    let closing = try TestRelayApp()
    defer { closing.stop() }
    let closed = try Twvoice.run(["relay", "--url", closing.url, "--prompt", "please hang up", "--json"])
    #expect(closed.status == 1, "\(closed)")
    let summary = try Self.json(closed)
    #expect(
      summary["error"]?["code"]?.intValue == 64105
        && summary["error"]?["message"]?.stringValue == "Websocket ended")
  }

  @Test func manySessionsAtOnceAreSummedAndFailuresNamed() throws {
    let app = try TestRelayApp()
    defer { app.stop() }
    let result = try Twvoice.run([
      "relay", "--url", app.url, "--calls", "20", "--ramp", "200ms", "--prompt", "hello", "--tail", "200ms",
      "--json",
    ])
    #expect(result.status == 0, "\(result)")
    let summary = try Self.json(result)
    #expect(
      summary["sessions"]?["started"]?.intValue == 20 && summary["sessions"]?["completed"]?.intValue == 20)
    #expect(summary["turns"]?.intValue == 20 && summary["time_to_first_token_ms"]?["count"]?.intValue == 20)
    let ids = Set(app.frames("setup").compactMap { $0["sessionId"]?.stringValue })
    #expect(ids.count == 20 && ids.allSatisfy { $0.hasPrefix("VX") && $0.count == 34 })

    let failing = try TestRelayApp()
    defer { failing.stop() }
    let failed = try Twvoice.run([
      "relay", "--url", failing.url, "--calls", "4", "--prompt", "please hang up", "--json",
    ])
    #expect(failed.status == 1, "\(failed)")
    #expect(try Self.json(failed)["sessions"]?["failures"]?["64105"]?.intValue == 4)
    #expect(
      failed.stderr.split(separator: "\n").filter { $0.contains("Websocket ended (Twilio error 64105)") }
        .count == 4)
    let refused = try Twvoice.run(["relay", "--url", app.url, "--calls", "2", "--log", "x.jsonl"])
    #expect(refused.status == 64 && refused.stderr.contains("--log takes one session"), "\(refused)")
  }

  @Test func badFlagsAreUsageErrorsAndTheLogHoldsBothSides() throws {
    for arguments in [
      ["relay", "--url", "ws://127.0.0.1:9/x", "--interruptible", "sometimes"],
      ["relay", "--url", "ws://127.0.0.1:9/x", "--events", "everything"],
      ["relay", "--url", "ws://127.0.0.1:9/x", "--session-sid", "VX1"],
      ["relay", "--url", "ws://127.0.0.1:9/x", "--dtmf", "1@1s"],
    ] {
      let result = try Twvoice.run(arguments)
      #expect(result.status == 64, "\(arguments): \(result)")
      #expect(result.stdout.isEmpty)
    }
    let app = try TestRelayApp()
    defer { app.stop() }
    try withTemporaryDirectory { dir in
      let result = try Twvoice.run(
        ["relay", "--url", app.url, "--prompt", "hi", "--log", "relay.jsonl", "-q"], in: dir)
      #expect(result.status == 0, "\(result)")
      let lines = try String(contentsOf: dir.appendingPathComponent("relay.jsonl"), encoding: .utf8)
        .split(separator: "\n").map { try JSONParser.parse(String($0)) }
      #expect(lines.first?["from"]?.stringValue == "twilio")
      #expect(lines.first?["message"]?["type"]?.stringValue == "setup")
      #expect(
        lines.contains { $0["from"]?.stringValue == "bot" && $0["message"]?["type"]?.stringValue == "text" })
    }
  }
}

/// `twvoice call` running `<Connect><ConversationRelay>` and requesting its action.
@Suite(.serialized) struct CallRelayTests {
  static func backend(_ app: TestRelayApp, action: String = #" action="/relay-done""#) throws -> VoiceBackend
  {
    try VoiceBackend(
      .silent,
      routes: [
        "/voice": (
          200, CallTests.xml,
          #"<?xml version="1.0" encoding="UTF-8"?><Response><Connect\#(action)><ConversationRelay url="ws://127.0.0.1:\#(app.port)/relay" welcomeGreeting="Hi!" events="tokens-played"><Parameter name="customer" value="42"/></ConversationRelay></Connect><Say>after connect</Say></Response>"#
        ),
        "/relay-done": (200, CallTests.xml, "<Response><Say>Bye</Say><Hangup/></Response>"),
      ])
  }

  @Test func theActionGetsTheSessionAndItsHandoffDataAndItsTwiMLRuns() throws {
    let app = try TestRelayApp()
    defer { app.stop() }
    let backend = try Self.backend(app)
    defer { backend.stop() }
    let result = try CallTests.call(backend, ["--prompt", "agent please"], speed: "1")
    #expect(result.status == 0, "\(result)")
    let setup = try #require(app.frames("setup").first)
    #expect(setup["customParameters"]?["customer"]?.stringValue == "42")
    #expect(setup["callStatus"]?.stringValue == "RINGING")
    #expect(app.frames("info").first?["value"]?.stringValue == "Hi!")
    let action = try #require(backend.hits.first { $0.path == "/relay-done" })
    #expect(action.signatureValid)
    #expect(
      action.parameter("SessionId")?.hasPrefix("VX") == true && action.parameter("SessionId")?.count == 34)
    #expect(action.parameter("SessionId") == setup["sessionId"]?.stringValue)
    #expect(action.parameter("SessionStatus") == "ended")
    #expect(action.parameter("HandoffData") == TestRelayApp.handoff)
    #expect(action.parameter("CallStatus") == "in-progress")
    #expect(action.parameter("ErrorCode") == nil && action.parameter("ErrorMessage") == nil)
    #expect(action.parameter("SessionDuration").flatMap(Int.init).map { (0...5).contains($0) } == true)
    let summary = try CallTests.json(result)
    #expect(summary["relay_sessions"]?.arrayValue?.first?["status"]?.stringValue == "ended")
    // The action's document ran: its <Say>, then <Hangup>.
    #expect(summary["verbs"]?.arrayValue?.contains { $0["verb"]?.stringValue == "Hangup" } == true)
  }

  @Test func anAppThatDropsTheSocketFailsWith64105AndTheCallGoesOn() throws {
    let app = try TestRelayApp()
    defer { app.stop() }
    let backend = try Self.backend(app)
    defer { backend.stop() }
    let result = try CallTests.call(backend, ["--prompt", "please hang up"], speed: "1")
    #expect(result.status == 1, "\(result)")
    let action = try #require(backend.hits.first { $0.path == "/relay-done" })
    #expect(action.parameter("SessionStatus") == "failed")
    #expect(action.parameter("ErrorCode") == "64105" && action.parameter("ErrorMessage") == "Websocket ended")
    #expect(action.parameter("HandoffData") == nil)
  }

  @Test func theCallerHangingUpPostsTheActionAsCompletedAndStops() throws {
    let app = try TestRelayApp()
    defer { app.stop() }
    let backend = try Self.backend(app)
    defer { backend.stop() }
    let result = try CallTests.call(backend, ["--prompt", "hello", "--tail", "200ms"], speed: "1")
    #expect(result.status == 0, "\(result)")
    let action = try #require(backend.hits.first { $0.path == "/relay-done" })
    #expect(action.parameter("SessionStatus") == "completed" && action.parameter("CallStatus") == "completed")
    let summary = try CallTests.json(result)
    #expect(summary["verbs"]?.arrayValue?.contains { $0["verb"]?.stringValue == "Hangup" } == false)
    // Without an action, TwiML goes on after </Connect> unless the caller hung up.
    let plain = try TestRelayApp()
    defer { plain.stop() }
    let noAction = try Self.backend(plain, action: "")
    defer { noAction.stop() }
    let ended = try CallTests.call(noAction, ["--prompt", "agent please"], speed: "1")
    #expect(ended.status == 0, "\(ended)")
    let verbs = try CallTests.json(ended)["verbs"]?.arrayValue?.compactMap { $0["verb"]?.stringValue }
    #expect(verbs?.contains("Say") == true)
  }
}
