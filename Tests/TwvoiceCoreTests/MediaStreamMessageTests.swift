import Testing
import TwvoiceCore

/// The typed Media Streams messages: Twilio's exact bytes out, Twilio's shapes and codes in,
/// and the session log's lines.
struct MediaStreamMessageTests {
  static let sid = "MZ0123456789abcdef0123456789abcdef"
  static let account = "AC0123456789abcdef0123456789abcdef"
  static let call = "CA0123456789abcdef0123456789abcdef"

  // MARK: what Twilio sends

  @Test func twilioMessagesAreWrittenInTwilioKeyOrderWithCountersAsStrings() throws {
    let start = TwilioMessage.Start(
      accountSid: Self.account, streamSid: Self.sid, callSid: Self.call, tracks: ["inbound", "outbound"],
      customParameters: [.init(name: "lang", value: "zh-CN"), .init(name: "q\"", value: "a\nb")])
    let cases: [(TwilioMessage, String)] = [
      (.connected, #"{"event":"connected","protocol":"Call","version":"1.0.0"}"#),
      (
        .start(sequenceNumber: 1, start),
        #"{"event":"start","sequenceNumber":"1","start":{"accountSid":"\#(Self.account)","streamSid":"\#(Self.sid)","callSid":"\#(Self.call)","tracks":["inbound","outbound"],"customParameters":{"lang":"zh-CN","q\"":"a\nb"},"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}},"streamSid":"\#(Self.sid)"}"#
      ),
      (
        .media(
          sequenceNumber: 2, streamSid: Self.sid,
          .init(track: "inbound", chunk: 1, timestamp: 100, payload: [0xFF, 0, 1])),
        #"{"event":"media","sequenceNumber":"2","media":{"track":"inbound","chunk":"1","timestamp":"100","payload":"/wAB"},"streamSid":"\#(Self.sid)"}"#
      ),
      (
        .dtmf(sequenceNumber: 3, streamSid: Self.sid, digit: "#"),
        ##"{"event":"dtmf","streamSid":"\##(Self.sid)","sequenceNumber":"3","dtmf":{"track":"inbound_track","digit":"#"}}"##
      ),
      (
        .mark(sequenceNumber: 4, streamSid: Self.sid, name: "好</x>"),
        #"{"event":"mark","sequenceNumber":"4","streamSid":"\#(Self.sid)","mark":{"name":"好</x>"}}"#
      ),
      (
        .stop(sequenceNumber: 5, streamSid: Self.sid, accountSid: Self.account, callSid: Self.call),
        #"{"event":"stop","sequenceNumber":"5","streamSid":"\#(Self.sid)","stop":{"accountSid":"\#(Self.account)","callSid":"\#(Self.call)"}}"#
      ),
    ]
    for (message, expected) in cases {
      #expect(message.encoded() == expected)
      // What is written reads back as the same message, and the writer agrees with the general
      // JSON writer on every byte (same escaping, same number forms).
      #expect(try TwilioMessage.decode(expected) == message)
      #expect(JSONWriter(asciiOnly: false).string(try JSONParser.parse(expected)) == expected)
    }
  }

  @Test func twilioMessagesFromCapturesAreReadLeniently() throws {
    // Counters as numbers, keys in another order, fields Twilio may add.
    let text =
      #"{"streamSid":"MZ1","media":{"payload":"AAAA","timestamp":120,"chunk":"2","track":"outbound","extra":1},"sequenceNumber":3,"event":"media"}"#
    #expect(
      try TwilioMessage.decode(text)
        == .media(
          sequenceNumber: 3, streamSid: "MZ1",
          .init(track: "outbound", chunk: 2, timestamp: 120, payload: [0, 0, 0])))
  }

  @Test(
    arguments: [
      ("nope", nil as String?),
      (#"[1]"#, nil),
      (#"{"sequenceNumber":"1"}"#, "event"),
      (#"{"event":"media","sequenceNumber":"x"}"#, "sequenceNumber"),
      (#"{"event":"media","sequenceNumber":"-1"}"#, "sequenceNumber"),
      (#"{"event":"media","sequenceNumber":"2","streamSid":"MZ1"}"#, "media"),
      (
        #"{"event":"media","sequenceNumber":"2","streamSid":"MZ1","media":{"payload":"@@"}}"#, "media.payload"
      ),
      (
        #"{"event":"media","sequenceNumber":"2","streamSid":"MZ1","media":{"payload":"AAAA","track":"inbound","chunk":"1","timestamp":"1e3"}}"#,
        "media.timestamp"
      ),
      (#"{"event":"start","sequenceNumber":"1","start":{"tracks":"inbound"}}"#, "start.tracks"),
      (#"{"event":"dance","sequenceNumber":"1"}"#, "event"),
    ] as [(String, String?)])
  func malformedTwilioMessagesNameTheField(text: String, field: String?) {
    #expect(throws: MessageShapeError.self) { try TwilioMessage.decode(text) }
    do {
      _ = try TwilioMessage.decode(text)
    } catch {
      #expect(error.field == field, "\(error)")
    }
  }

  // MARK: what a bot sends

  @Test func botMessagesRoundTrip() throws {
    let messages: [BotMessage] = [
      .media(streamSid: Self.sid, payload: [0x7F, 0xFF]), .mark(streamSid: Self.sid, name: "end \"1\""),
      .clear(streamSid: Self.sid),
    ]
    #expect(
      messages.map { $0.encoded() } == [
        #"{"event":"media","streamSid":"\#(Self.sid)","media":{"payload":"f/8="}}"#,
        #"{"event":"mark","streamSid":"\#(Self.sid)","mark":{"name":"end \"1\""}}"#,
        #"{"event":"clear","streamSid":"\#(Self.sid)"}"#,
      ])
    for message in messages {
      #expect(try BotMessage.decode(message.encoded(), streamSid: Self.sid) == message)
    }
  }

  @Test(arguments: [
    ("{", "not JSON"),
    (
      #"{"event":"media","streamSid":"MZ0123456789abcdef0123456789abcdef"}"#,
      "media message without \"media\""
    ),
    (#"{"event":"clear","streamSid":"MZ1"}"#, "is not this stream's"),
    (#"{"event":"clear","streamSid":"MZ1","media":{}}"#, "unknown field \"media\""),
    (
      #"{"event":"media","streamSid":"MZ0123456789abcdef0123456789abcdef","media":{"payload":"AA","track":"outbound"}}"#,
      "a bot sends media.payload only"
    ),
    (#"{"event":"mark","streamSid":"MZ0123456789abcdef0123456789abcdef","mark":{"name":1}}"#, "mark must be"),
    (#"{"event":"play","streamSid":"MZ0123456789abcdef0123456789abcdef"}"#, "unknown event \"play\""),
  ])
  func whatTwilioRefusesFromABotIs31951(text: String, reason: String) {
    do {
      let message = try BotMessage.decode(text, streamSid: Self.sid)
      Issue.record("accepted \(message)")
    } catch {
      #expect(error.code == 31951)
      #expect(error.message.contains(reason), "\(error)")
    }
  }

  // MARK: the session log

  @Test func sessionLogLinesKeepEachFrameAsItWas() throws {
    func line(_ ms: Double, _ from: SessionLog.Sender, _ frame: SessionLog.Frame) -> String {
      SessionLog.line(.init(atMs: ms, from: from, frame: frame))
    }
    let json = #"{ "event" : "clear", "streamSid":"MZ1" }"#
    #expect(line(0, .twilio, .text(json, isJSON: true)) == #"{"t":0.000,"from":"twilio","message":\#(json)}"#)
    // Truncated to the millisecond it happened in.
    #expect(line(1234.9999, .bot, .text("{}", isJSON: true)) == #"{"t":1.234,"from":"bot","message":{}}"#)
    #expect(line(86_400_007, .bot, .text("{}", isJSON: true)).hasPrefix(#"{"t":86400.007,"#))
    #expect(
      line(5, .bot, .text("not \"json\"", isJSON: false)) == #"{"t":0.005,"from":"bot","raw":"not \"json\""}"#
    )
    #expect(line(5, .bot, .binary([1, 2, 3, 4])) == #"{"t":0.005,"from":"bot","binary":"AQIDBA=="}"#)
    // JSON spread over lines would break the one-line-per-frame format: kept as raw text.
    let spread = "{\n\"event\":\"clear\"}"
    let kept = line(5, .bot, .text(spread, isJSON: true))
    #expect(!kept.contains("\n"))
    #expect(try JSONParser.parse(kept)["raw"] == .string(spread))
    var buffer: [UInt8] = []
    SessionLog.append(.init(atMs: 0, from: .bot, frame: .text("{}", isJSON: true)), to: &buffer)
    #expect(buffer.last == 0x0A)
    #expect(SessionLog.isEntry(try JSONParser.parse(kept)))
    #expect(!SessionLog.isEntry(try JSONParser.parse(json)))
  }

  // MARK: the capture decoder's fast path against the typed decoder

  @Test func theFastCapturePathAgreesWithTheTypedDecoder() throws {
    // Frames as Twilio writes them (the fast path's shape), with payloads of every byte value.
    var generator = TwvoiceRandom(seed: 7)
    var lines = [TwilioMessage.connected.encoded()]
    var expected: [UInt8] = []
    for k in 0..<50 {
      let payload = (0..<160).map { _ in UInt8.random(in: 0...255, using: &generator) }
      expected += payload
      lines.append(
        TwilioMessage.media(
          sequenceNumber: k + 2, streamSid: Self.sid,
          .init(track: "inbound", chunk: k + 1, timestamp: 100 + 20 * k, payload: payload)
        ).encoded())
    }
    // The typed decoder reads back every payload.
    let typed = try lines.dropFirst().flatMap { line -> [UInt8] in
      guard case .media(_, _, let media) = try TwilioMessage.decode(line) else { return [] }
      return media.payload
    }
    #expect(typed == expected)
    // The capture decoder produces the same µ-law bytes.
    let decoded = try CaptureDecoderTests.decode(lines.joined(separator: "\n") + "\n", chunkSize: 777)
    #expect(decoded.output == expected)
  }
}

/// A key press as `--dtmf` writes it.
struct DTMFPressTests {
  @Test(arguments: [("5@2s", "5", 2000), ("#@1500ms", "#", 1500), ("D@0.0205s", "D", 20), ("*@0", "*", 0)])
  func pressesRead(text: String, digit: String, atMs: Int) throws {
    #expect(try DTMFPress(parsing: text) == DTMFPress(digit: digit, atMs: atMs))
  }

  @Test(arguments: ["5", "55@1s", "E@1s", "@1s", "d@1s", "5@", "5@-1s", "5@soon"])
  func badPressesAreRefused(text: String) {
    #expect(throws: DTMFPress.ParseError.self) { try DTMFPress(parsing: text) }
  }
}

/// The media fast path of `TwilioMessage.decode` reads exactly what the JSON path reads.
struct TwilioMediaFastPathTests {
  static func general(_ text: String) -> TwilioMessage? {
    (try? JSONParser.parse(text)).flatMap { try? TwilioMessage.decode($0) }
  }

  @Test func everyMutationOfAMediaMessageReadsAsTheJSONPathReadsIt() {
    var rng = SystemRandomNumberGenerator()
    let alphabet = Array(#"0123456789"{}\,:. abcAZ=/+é\u{0}"#.utf8) + [0xFF, 0x80, 0x0A]
    var fast = 0
    for round in 0..<4000 {
      let payload = (0..<Int.random(in: 0...200, using: &rng)).map { _ in
        UInt8.random(in: 0...255, using: &rng)
      }
      let sid = round % 7 == 0 ? "MZ\u{e9}\\\"x" : "MZ0123456789abcdef0123456789abcdef"
      let message = TwilioMessage.media(
        sequenceNumber: Int.random(in: 0...1_000_000, using: &rng), streamSid: sid,
        .init(
          track: round % 5 == 0 ? "outbound" : "inbound", chunk: Int.random(in: 0...99_999, using: &rng),
          timestamp: Int.random(in: 0...9_999_999, using: &rng), payload: payload))
      var bytes = Array(message.encoded().utf8)
      // Up to three random edits: replaced, inserted or removed bytes.
      for _ in 0..<Int.random(in: 0...3, using: &rng) where !bytes.isEmpty {
        let i = Int.random(in: 0..<bytes.count, using: &rng)
        switch Int.random(in: 0...2, using: &rng) {
        case 0: bytes[i] = alphabet.randomElement(using: &rng)!
        case 1: bytes.insert(alphabet.randomElement(using: &rng)!, at: i)
        default: bytes.remove(at: i)
        }
      }
      let text = String(decoding: bytes, as: UTF8.self)
      let read = try? TwilioMessage.decode(text)
      #expect(read == Self.general(text), "\(text)")
      if read != nil { fast += 1 }
    }
    // Most messages are still media after their edits: the comparison covered both paths.
    #expect(fast > 1000)
  }
}
