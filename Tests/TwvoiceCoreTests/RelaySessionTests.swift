import Testing
import TwvoiceCore

/// Twilio's side of a ConversationRelay session against apps written in the test, on a
/// simulated clock: what Twilio sends, when, and what it makes of what the app sends
/// (conversation-relay.md §3–6).
struct RelaySessionTests {
  /// Runs a session, answering Twilio's frames with `app` in the same millisecond.
  struct Harness {
    var session: RelaySession
    var sent: [(atMs: Double, text: String)] = []
    var now = 0.0
    var app: (String) -> [String]

    init(
      _ configuration: RelaySession.Configuration = RelaySessionTests.config { _ in },
      script: [RelayScript.Step] = [], app: @escaping (String) -> [String] = { _ in [] }
    ) {
      session = RelaySession(configuration: configuration, script: RelayScript(name: "test", steps: script))
      self.app = app
      deliver(session.open(at: 0))
    }

    mutating func deliver(_ frames: [String]) {
      for frame in frames {
        sent.append((now, frame))
        for reply in app(frame) { deliver(session.receive(text: reply, at: now)) }
      }
    }

    /// Steps the clock to each deadline up to `end` (or the session's end).
    mutating func run(until end: Double = 600_000) {
      while !session.stopped, session.nextDueMs <= end {
        now = max(now, session.nextDueMs)
        deliver(session.tick(now: now))
      }
      now = max(now, min(end, 600_000))
    }

    /// The app sends `text` at `atMs`.
    mutating func app(_ text: String, at atMs: Double) {
      run(until: atMs)
      now = atMs
      deliver(session.receive(text: text, at: atMs))
    }

    func frames(_ type: String) -> [(atMs: Double, text: String)] {
      sent.filter { $0.text.hasPrefix("{\"type\":\"\(type)\"") }
    }
    func infos(_ name: String) -> [(atMs: Double, text: String)] {
      sent.filter { $0.text.hasPrefix("{\"type\":\"info\",\"name\":\"\(name)\"") }
    }
  }

  static func config(_ configure: (inout RelaySession.Configuration) -> Void) -> RelaySession.Configuration {
    var configuration = RelaySession.Configuration(
      setup: .init(
        sessionId: "VX1", callSid: "CA1", from: "+15550100001", to: "+15550100002", accountSid: "AC1"))
    configure(&configuration)
    return configuration
  }

  static func text(_ token: String, last: Bool = false, extra: String = "") -> String {
    #"{"type":"text","token":""# + token + #"","last":\#(last)\#(extra)}"#
  }

  @Test func setupFirstThenTheGreetingSpokenAtTheTTSRate() {
    var h = Harness(
      Self.config {
        $0.welcomeGreeting = "Hello! How can I help?"  // 22 characters
        $0.speakerEvents = true
        $0.tokensPlayed = true
      })
    #expect(h.sent.count == 1 && h.sent[0].text.hasPrefix(#"{"type":"setup","sessionId":"VX1""#))
    h.run()
    let on = h.infos("agentSpeaking").first
    #expect(on?.atMs == 700 && on?.text.hasSuffix(#""value":"on"}"#) == true)
    let played = h.infos("tokensPlayed")
    #expect(
      played.map(\.text) == [#"{"type":"info","name":"tokensPlayed","value":"Hello! How can I help?"}"#])
    // 22 characters at 19 per second.
    #expect(abs(played[0].atMs - (700 + 22_000 / 19)) < 0.001)
    #expect(h.session.ending == .completed)
  }

  @Test func eachPromptWaitsForTheReplyToPlayAndTheTurnIsTimed() {
    var h = Harness(
      Self.config { $0.tokensPlayed = true },
      script: RelayScript.prompts(["Holding.", "Bye."], turnGapMs: nil, interruptAfterMs: nil).steps
    ) { frame in
      guard frame.contains(#""type":"prompt""#) else { return [] }
      return [Self.text("I heard:"), Self.text(" you."), Self.text("", last: true)]
    }
    h.run()
    let prompts = h.frames("prompt")
    #expect(
      prompts.map(\.text) == [
        #"{"type":"prompt","voicePrompt":"Holding.","lang":"en-US","last":true}"#,
        #"{"type":"prompt","voicePrompt":"Bye.","lang":"en-US","last":true}"#,
      ])
    // Chunks split at the colon, the space kept with the next one.
    #expect(
      h.infos("tokensPlayed").map(\.text).prefix(2) == [
        #"{"type":"info","name":"tokensPlayed","value":"I heard:"}"#,
        #"{"type":"info","name":"tokensPlayed","value":" you."}"#,
      ])
    // The second prompt goes only after the reply has played (300 ms TTS start, 13 characters).
    let replyEnd = prompts[0].atMs + 300 + 13_000 / 19
    #expect(prompts[1].atMs > replyEnd + 500)
    #expect(h.session.turns.count == 2)
    #expect(
      h.session.turns.allSatisfy { $0.firstTokenAtMs == $0.promptAtMs && $0.lastTokenAtMs == $0.promptAtMs })
    #expect(h.session.talkCycles == 2 && h.session.ending == .completed)
  }

  @Test func tenMalformedFramesInARowCloseWith1007AndAValidOneResetsTheCount() {
    var h = Harness()
    for n in 1...9 { h.app("not json #\(n)", at: Double(n)) }
    h.app(Self.text("ok", last: true), at: 10)
    #expect(!h.session.stopped)
    for n in 1...10 { h.app("bad #\(n)", at: Double(10 + n)) }
    let errors = h.frames("error")
    #expect(errors.count == 19)
    #expect(
      errors[0].text
        == #"{"type":"error","description":"Invalid message received, code: 64107, not json #1"}"#)
    #expect(h.session.stopped && h.session.closing.code == 1007)
    #expect(h.session.closing.reason == "Too many consecutive malformed messages.")
    #expect(h.session.ending == .failed(code: 64105, message: "Websocket ended"))
    #expect(h.session.errorsSent == [64107: 19])
  }

  @Test func talkingOverTheAgentInterruptsWithWhatWasHeardAndDropsTheRest() {
    let reply = "Sentence one is here. Sentence two of the reply is long."
    var h = Harness(
      Self.config { $0.tokensPlayed = true },
      script: RelayScript.prompts(["Tell me.", "Stop."], turnGapMs: nil, interruptAfterMs: 2_050).steps
    ) { frame in
      guard frame.contains(#""voicePrompt":"Tell me.""#) else { return [] }
      return [Self.text(reply)]  // the cycle stays open: later tokens come after the interrupt
    }
    h.run(until: 5_000)
    let interrupt = h.frames("interrupt")
    #expect(interrupt.count == 1)
    // The first chunk (21 characters) took 1,105 ms; 945 ms into the second (35 characters),
    // 17.95 of them had been heard: the whole words "Sentence two of".
    #expect(
      interrupt.first?.text
        == #"{"type":"interrupt","utteranceUntilInterrupt":"Sentence two of","durationUntilInterruptMs":944}"#
    )
    #expect(
      h.infos("tokensPlayed").map(\.text).last
        == #"{"type":"info","name":"tokensPlayed","value":" Sentence two of"}"#)
    h.app(Self.text(" More.", last: true), at: h.now + 10)
    #expect(h.session.tokensAfterInterrupt == 1)
    #expect(h.session.interrupts == 1 && h.session.turns[0].interrupted)
    // The prompt that interrupted is passed on.
    #expect(h.frames("prompt").count == 2)
  }

  @Test func aPreemptibleFillerIsCutByTheNextMessageWithoutAnInterrupt() {
    var h = Harness(
      Self.config { $0.tokensPlayed = true }, script: [.init(.say("Book it."))]
    ) { frame in
      guard frame.contains(#""type":"prompt""#) else { return [] }
      return [
        Self.text("Let me check that for you, one moment please.", last: true, extra: #","preemptible":true"#)
      ]
    }
    h.run(until: 1_100)
    let prompt = h.frames("prompt")[0].atMs
    h.app(Self.text("Booked.", last: true), at: prompt + 1_000)
    h.run()
    #expect(h.frames("interrupt").isEmpty)
    #expect(h.session.preemptions == 1)
    let played = h.infos("tokensPlayed").map(\.text)
    // 700 ms of the filler had played: "Let me check" (13 of 46 characters).
    #expect(
      played == [
        #"{"type":"info","name":"tokensPlayed","value":"Let me check"}"#,
        #"{"type":"info","name":"tokensPlayed","value":"Booked."}"#,
      ])
  }

  @Test func endClosesNormallyAndKeepsTheHandoffDataExactly() {
    let handoff = #"{\"reasonCode\":\"live-agent-handoff\"}"#
    var h = Harness(script: [
      .init(.say("agent please")),
      .init(
        .expectEnd(handoff: .json(.object([("reasonCode", .string("live-agent-handoff"))])), withinMs: 2_000)),
    ]) {
      frame in
      frame.contains(#""type":"prompt""#) ? [#"{"type":"end","handoffData":""# + handoff + #""}"#] : []
    }
    h.run()
    #expect(h.session.ending == .ended(handoffData: #"{"reasonCode":"live-agent-handoff"}"#))
    #expect(h.session.closing.code == 1000 && h.session.closing.reason == "Closing websocket session")
    #expect(h.session.scriptPassed)
  }

  @Test func speechOverAnUninterruptibleAgentIsNotPassedOnByDefault() {
    var h = Harness(
      Self.config {
        $0.welcomeGreeting = String(repeating: "word ", count: 40)
        $0.interruptible = .none
        $0.welcomeGreetingInterruptible = .none
      },
      script: [.init(.sayAfterGap("Hello?", gapMs: 1_000))])
    h.run()
    #expect(h.frames("prompt").isEmpty && h.frames("interrupt").isEmpty)
    #expect(h.session.promptsNotReported == 1)
    var reported = Harness(
      Self.config {
        $0.welcomeGreeting = String(repeating: "word ", count: 40)
        $0.welcomeGreetingInterruptible = .none
        $0.reportInputDuringAgentSpeech = .speech
      },
      script: [.init(.sayAfterGap("Hello?", gapMs: 1_000))])
    reported.run()
    #expect(reported.frames("prompt").count == 1 && reported.frames("interrupt").isEmpty)
  }

  @Test func partialPromptsAreCumulativeAndTheFinalRepeatsThemWhole() {
    var h = Harness(
      Self.config { $0.partialPrompts = true }, script: [.init(.say("one two three four five six"))])
    h.run()
    let texts = h.frames("prompt").map(\.text)
    #expect(texts.count >= 3)
    #expect(
      texts.last
        == #"{"type":"prompt","voicePrompt":"one two three four five six","lang":"en-US","last":true}"#)
    #expect(texts.dropLast().allSatisfy { $0.hasSuffix(#""last":false}"#) })
    #expect(texts.first == #"{"type":"prompt","voicePrompt":"one","lang":"en-US","last":false}"#)
  }

  @Test func keysNeedDetectionAndInterruptAnAgentThatAllowsIt() {
    var off = Harness(script: [.init(.press("12"))])
    off.run()
    #expect(off.frames("dtmf").isEmpty)
    var on = Harness(
      Self.config {
        $0.dtmfDetection = true
        $0.welcomeGreeting = String(repeating: "talk ", count: 20)
      },
      script: [.init(.pause(ms: 1_000)), .init(.press("5#"))])
    on.run()
    #expect(
      on.frames("dtmf").map(\.text) == [#"{"type":"dtmf","digit":"5"}"#, ##"{"type":"dtmf","digit":"#"}"##])
    #expect(on.frames("interrupt").count == 1)
  }

  @Test func expectationsFailWithWhatHappened() {
    var h = Harness(script: [.init(.say("hi")), .init(.expectReply(containing: "booked", withinMs: 1_000))]) {
      frame in
      frame.contains(#""type":"prompt""#) ? [Self.text("Sorry, no.", last: true)] : []
    }
    h.run()
    #expect(h.session.results.map(\.status) == [.passed, .failed])
    #expect(h.session.results[1].message == "no reply containing \"booked\" within 1s")
    #expect(h.session.ending == .completed)
  }

  @Test func aFloodingAppCostsBoundedMemoryAndTime() {
    var h = Harness(Self.config { $0.logsMessages = false })
    // 20,000 tokens with no clause end, then 110,000 one-clause tokens in one talk cycle.
    for n in 0..<20_000 { h.app(Self.text("word "), at: Double(n) / 100) }
    #expect(h.session.queueOverflow == 0)
    for n in 0..<110_000 { _ = h.session.receive(text: Self.text("a. "), at: 300 + Double(n) / 1000) }
    #expect(h.session.queueOverflow > 0)
    _ = h.session.receive(text: Self.text("", last: true), at: 600)
    #expect(h.session.transcript.last.map { $0.text.utf8.count <= (1 << 20) + 8 } == true)
  }

  @Test func languageChangesLaterPromptsAndDigitsAreQueuedBehindSpeech() {
    var h = Harness(
      Self.config { $0.tokensPlayed = true },
      script: RelayScript.prompts(["hola", "gracias"], turnGapMs: nil, interruptAfterMs: nil).steps
    ) { frame in
      guard frame.contains(#""voicePrompt":"hola""#) else { return [] }
      return [
        #"{"type":"language","ttsLanguage":"es-ES","transcriptionLanguage":"es-ES"}"#,
        Self.text("Un momento.", last: true), #"{"type":"sendDigits","digits":"1w2"}"#,
      ]
    }
    h.run()
    #expect(h.frames("prompt").last?.text.contains(#""lang":"es-ES""#) == true)
    let played = h.infos("tokensPlayed").map(\.text)
    #expect(
      played == [
        #"{"type":"info","name":"tokensPlayed","value":"Un momento."}"#,
        #"{"type":"info","name":"tokensPlayed","value":"1w2"}"#,
      ])
    #expect(h.session.digitsSent == "1w2")
  }
}
