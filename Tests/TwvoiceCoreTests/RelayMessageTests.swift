import Testing
import TwvoiceCore

/// ConversationRelay's frames against the captures and examples in conversation-relay.md §3–4.
struct RelayMessageTests {
  @Test func setupIsWrittenInTheCapturedKeyOrderWithEveryStringPresent() {
    let setup = RelayTwilioMessage.setup(
      .init(
        sessionId: "VX00000000000000000000000000000001", callSid: "CA00000000000000000000000000000001",
        from: "+15550100001", to: "+15550100001", forwardedFrom: "+15550100001",
        accountSid: "AC00000000000000000000000000000000"))
    // The capture (§3.1), key for key.
    #expect(
      setup.encoded()
        == #"{"type":"setup","sessionId":"VX00000000000000000000000000000001","callSid":"CA00000000000000000000000000000001","parentCallSid":"","from":"+15550100001","to":"+15550100001","forwardedFrom":"+15550100001","callerName":"","direction":"inbound","callType":"PSTN","callStatus":"RINGING","accountSid":"AC00000000000000000000000000000000","customParameters":{}}"#
    )
    let withParameters = RelayTwilioMessage.setup(
      .init(
        sessionId: "VX1", callSid: "CA1", from: "a", to: "b", accountSid: "AC1",
        customParameters: [NamedValue(name: "z", value: "1"), NamedValue(name: "a", value: "\"q\"")]))
    #expect(withParameters.encoded().hasSuffix(#""customParameters":{"z":"1","a":"\"q\""}}"#))
  }

  @Test func twiliosOtherFramesAreTheCapturedBytes() {
    #expect(
      RelayTwilioMessage.prompt(text: "Holding.", lang: "en", last: true).encoded()
        == #"{"type":"prompt","voicePrompt":"Holding.","lang":"en","last":true}"#)
    #expect(
      RelayTwilioMessage.interrupt(utteranceUntilInterrupt: "Sentence 2 of", durationUntilInterruptMs: 684)
        .encoded()
        == #"{"type":"interrupt","utteranceUntilInterrupt":"Sentence 2 of","durationUntilInterruptMs":684}"#)
    #expect(RelayTwilioMessage.dtmf(digit: "1").encoded() == #"{"type":"dtmf","digit":"1"}"#)
    #expect(
      RelayTwilioMessage.invalidMessage("this is not json #1").encoded()
        == #"{"type":"error","description":"Invalid message received, code: 64107, this is not json #1"}"#)
    #expect(
      RelayTwilioMessage.info(name: "roundTripDelayMs", value: "148").encoded()
        == #"{"type":"info","name":"roundTripDelayMs","value":"148"}"#)
  }

  @Test func theDocumentedAppFramesAreRead() throws {
    #expect(
      try RelayAppMessage.decode(
        #"{"type":"text","token":"Hello world!","last":false,"interruptible":false,"preemptible":false}"#)
        == .text(token: "Hello world!", last: false, lang: nil, interruptible: false, preemptible: false))
    #expect(
      try RelayAppMessage.decode(#"{"type":"text","token":"","last":true}"#)
        == .text(token: "", last: true, lang: nil, interruptible: nil, preemptible: nil))
    #expect(
      try RelayAppMessage.decode(
        #"{"type":"play","source":"https://api.twilio.com/cowbell.mp3","loop":1,"preemptible":false,"interruptible":true}"#
      )
        == .play(
          source: "https://api.twilio.com/cowbell.mp3", loop: 1, preemptible: false, interruptible: true))
    #expect(
      try RelayAppMessage.decode(#"{"type":"sendDigits","digits":"9www4085551212"}"#)
        == .sendDigits("9www4085551212"))
    #expect(
      try RelayAppMessage.decode(
        #"{"type":"language","ttsLanguage":"sv-SE","transcriptionLanguage":"en-US"}"#)
        == .language(tts: "sv-SE", transcription: "en-US"))
    #expect(
      try RelayAppMessage.decode(#"{"type":"end","handoffData":"{\"reasonCode\":\"live-agent-handoff\"}"}"#)
        == .end(handoffData: #"{"reasonCode":"live-agent-handoff"}"#))
    #expect(try RelayAppMessage.decode(#"{"type":"end"}"#) == .end(handoffData: nil))
  }

  @Test(
    arguments: [
      ("this is not json #1", nil, "not JSON"),
      (#"["text"]"#, nil, "not a JSON object"),
      (#"{"token":"hi"}"#, "type", "missing"),
      (#"{"type":"foo"}"#, "type", "unknown type \"foo\""),
      (#"{"type":"text"}"#, "token", "missing"),
      (#"{"type":"text","token":null}"#, "token", "missing"),
      (#"{"type":"text","token":"a","last":"true"}"#, "last", "not a boolean"),
      (#"{"type":"play","source":"cowbell.mp3"}"#, "source", "not an http(s) URL"),
      (#"{"type":"play","source":"https://x.example/a.mp3","loop":1.5}"#, "loop", "not a whole number ≥ 0"),
      (#"{"type":"play","source":"https://x.example/a.mp3","loop":-1}"#, "loop", "not a whole number ≥ 0"),
      (#"{"type":"sendDigits","digits":""}"#, "digits", "expected 0-9, w, # or * (at least one)"),
      (#"{"type":"sendDigits","digits":"12a"}"#, "digits", "expected 0-9, w, # or * (at least one)"),
      (#"{"type":"language"}"#, nil, "language needs ttsLanguage or transcriptionLanguage"),
      (#"{"type":"end","handoffData":{"a":1}}"#, "handoffData", "not a string"),
    ] as [(String, String?, String)])
  func whatTwilioRefusesIsNamedByField(text: String, field: String?, reason: String) {
    #expect(throws: MessageShapeError(field: field, reason: reason)) {
      try RelayAppMessage.decode(text)
    }
  }
}
