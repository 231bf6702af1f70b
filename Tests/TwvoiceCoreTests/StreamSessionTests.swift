import Testing
import TwvoiceCore

/// The Twilio side of a Media Stream, driven by hand with a fake clock.
struct StreamSessionTests {
  static let sid = "MZ0123456789abcdef0123456789abcdef"
  // swift-format-ignore: NeverUseForceTry
  static let sids = try! (
    AccountSid("AC0123456789abcdef0123456789abcdef"), CallSid("CA0123456789abcdef0123456789abcdef"),
    StreamSid(sid)
  )
  static func session(
    audioMs: Int = 100, dtmf: [(String, Int)] = [], tail: Int = 0, bidirectional: Bool = true
  )
    -> StreamSession
  {
    StreamSession(
      configuration: .init(
        accountSid: sids.0, callSid: sids.1, streamSid: sids.2,
        customParameters: [NamedValue(name: "sid", value: "42")], bidirectional: bidirectional,
        firstTimestampMs: 135, tailMs: tail),
      input: .init(
        audio: [UInt8](repeating: 0x7F, count: audioMs * 8),
        dtmf: dtmf.map { DTMFPress(digit: $0.0, atMs: $0.1) }))
  }

  static func json(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

  @Test func messagesHaveTwilioShapes() throws {
    var s = Self.session(audioMs: 40, dtmf: [("5", 20)])
    let opening = s.open()
    #expect(opening[0] == #"{"event":"connected","protocol":"Call","version":"1.0.0"}"#)
    #expect(
      opening[1]
        == #"{"event":"start","sequenceNumber":"1","start":{"accountSid":"AC0123456789abcdef0123456789abcdef","streamSid":"MZ0123456789abcdef0123456789abcdef","callSid":"CA0123456789abcdef0123456789abcdef","tracks":["inbound"],"customParameters":{"sid":"42"},"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}},"streamSid":"MZ0123456789abcdef0123456789abcdef"}"#
    )
    let first = s.tick(now: 0)
    #expect(first.count == 1)
    let media = try Self.json(first[0])
    #expect(media["sequenceNumber"] == .string("2"))
    #expect(media["media"]?["chunk"] == .string("1") && media["media"]?["timestamp"] == .string("135"))
    #expect(media["media"]?["track"] == .string("inbound"))
    #expect(
      try Base64.decode(media["media"]?["payload"]?.stringValue ?? "") == [UInt8](repeating: 0x7F, count: 160)
    )
    let second = s.tick(now: 20)
    #expect(second.count == 2)
    #expect(try Self.json(second[0])["event"] == .string("dtmf"))
    #expect(try Self.json(second[0])["dtmf"]?["track"] == .string("inbound_track"))
    #expect(try Self.json(second[1])["media"]?["timestamp"] == .string("155"))
    let end = s.tick(now: 40)
    #expect(try end.map { try Self.json($0)["event"]?.stringValue } == ["stop"])
    #expect(try Self.json(end[0])["sequenceNumber"] == .string("5"))
    #expect(s.stopped)
  }

  @Test func pacingIsAbsolute() {
    var s = Self.session(audioMs: 1000)
    _ = s.open()
    // A late tick sends every frame that is due, no more.
    #expect(s.tick(now: 99.9).count == 5)
    #expect(s.nextDeadline() == 100)
    #expect(s.tick(now: 100).count == 1)
  }

  func media(_ bytes: Int, byte: UInt8 = 0xFF) -> String {
    #"{"event":"media","streamSid":"\#(Self.sid)","media":{"payload":"\#(Base64.encode([UInt8](repeating: byte, count: bytes)))"}}"#
  }
  func mark(_ name: String) -> String {
    #"{"event":"mark","streamSid":"\#(Self.sid)","mark":{"name":"\#(name)"}}"#
  }

  @Test func marksEchoWhenTheirAudioHasPlayed() throws {
    var s = Self.session(audioMs: 2000)
    _ = s.open()
    _ = s.tick(now: 0)
    #expect(s.receive(text: mark("early"), at: 10).count == 1)  // nothing buffered: at once
    #expect(s.receive(text: media(800), at: 10).isEmpty)  // 100 ms of audio, plays 10…110
    #expect(s.receive(text: mark("a"), at: 11).isEmpty)
    #expect(s.playout.pendingMarks.first?.due == 110)
    let before = s.tick(now: 100)
    #expect(try before.allSatisfy { try Self.json($0)["event"] == .string("media") })
    let at = s.tick(now: 110)
    #expect(try at.contains { try Self.json($0)["mark"]?["name"] == .string("a") })
  }

  @Test func marksEchoInOrderWhenTheNextArrivesAfterTheEarlierOnesPlayed() throws {
    var s = Self.session(audioMs: 2000)
    _ = s.open()
    _ = s.tick(now: 0)
    _ = s.receive(text: media(800), at: 0)  // plays 0…100
    #expect(s.receive(text: mark("first"), at: 0).isEmpty)
    // No tick since: "first" is due (100) when "second" arrives at 200 with nothing buffered.
    let echoes = s.receive(text: mark("second"), at: 200)
    #expect(try echoes.map { try Self.json($0)["mark"]?["name"]?.stringValue } == ["first", "second"])
    #expect(s.playout.pendingMarks.isEmpty)
  }

  @Test func clearDropsAudioAndEchoesEveryPendingMark() throws {
    var s = Self.session(audioMs: 2000)
    _ = s.open()
    _ = s.receive(text: media(8000, byte: 0x55), at: 0)  // 1 s, not silence
    _ = s.receive(text: mark("one"), at: 0)
    _ = s.receive(text: media(8000, byte: 0x55), at: 0)
    _ = s.receive(text: mark("two"), at: 0)
    let echoes = s.receive(text: #"{"event":"clear","streamSid":"\#(Self.sid)"}"#, at: 500)
    #expect(try echoes.map { try Self.json($0)["mark"]?["name"]?.stringValue } == ["one", "two"])
    #expect(s.playout.bytesCleared == 12000)
    #expect(s.playout.bytesPlayed == 4000)
    // The recording keeps only what played.
    let recording = s.stereoRecording()
    let right = stride(from: 1, to: recording.count, by: 2).map { recording[$0] }
    // The bot's first 500 ms, then silence: the clear cut the rest.
    #expect(right.count >= 4000)
    #expect(right.prefix(4000).allSatisfy { $0 == 0x55 })
    #expect(right.filter { $0 == 0x55 }.count == 4000)
    // The summaries' figures come from the same counters.
    let figures = SessionFigures(s)
    #expect(figures.audioPlayedSeconds == 0.5 && figures.audioClearedSeconds == 1.5)
    #expect(figures.clears == 1 && figures.marksReceived == 2 && figures.marksEchoed == 2)
    #expect(figures.messagesReceived == 5 && figures.messagesSent == s.sentMessages)
  }

  @Test(arguments: [
    ("not json", 31951), (#"{"event":"media"}"#, 31951), (#"{"event":"play","streamSid":"x"}"#, 31951),
    (#"{"event":"clear","streamSid":"MZ00000000000000000000000000000000"}"#, 31951),
    (
      #"{"event":"media","streamSid":"MZ0123456789abcdef0123456789abcdef","media":{"playload":"AAAA"}}"#,
      31951
    ),
    (#"{"event":"media","streamSid":"MZ0123456789abcdef0123456789abcdef","media":{"payload":"%%%"}}"#, 31951),
    (#"{"event":"clear","streamSid":"MZ0123456789abcdef0123456789abcdef","extra":1}"#, 31951),
  ])
  func invalidBotMessages(text: String, code: Int) {
    var s = Self.session()
    _ = s.open()
    _ = s.receive(text: text, at: 0)
    #expect(s.violations.map(\.code) == [code])
  }

  @Test func headersInBotAudioArePlayedAndReported() {
    var s = Self.session()
    _ = s.open()
    let wav = WAVHeader.bytes(format: .twilio, dataLength: 100) + [UInt8](repeating: 0xFF, count: 100)
    _ = s.receive(
      text: #"{"event":"media","streamSid":"\#(Self.sid)","media":{"payload":"\#(Base64.encode(wav))"}}"#,
      at: 0)
    // Valid to Twilio, which plays the header as noise: a finding, not a protocol error.
    #expect(s.violations.isEmpty)
    #expect(s.behaviour.findings.map(\.kind) == [.containerBytes])
    #expect(s.playout.bytesQueued == wav.count)
  }

  @Test func unidirectionalStreamsTakeNothingFromTheBot() {
    var s = Self.session(bidirectional: false)
    _ = s.open()
    _ = s.receive(text: mark("x"), at: 0)
    s.receive(binary: [UInt8](repeating: 0, count: 320), at: 1)
    #expect(s.violations.map(\.code) == [31924, 31950])
  }

  @Test(arguments: [
    (["outbound"], ["outbound"]), (["inbound", "outbound"], ["inbound", "outbound"]),
    (["inbound"], ["inbound"]),
  ])
  func forkedStreamsCarryTheirDeclaredTracks(tracks: [String], perFrame: [String]) throws {
    var c = Self.session(bidirectional: false).configuration
    c.tracks = tracks
    var s = StreamSession(
      configuration: c, input: .init(audio: [UInt8](repeating: 0x12, count: 320), dtmf: []))
    let opening = try s.open().map { try Self.json($0) }
    #expect(opening[1]["start"]?["tracks"] == .array(tracks.map { .string($0) }))
    let media = try s.tick(now: 20).map { try Self.json($0) }.filter { $0["event"]?.stringValue == "media" }
    #expect(media.compactMap { $0["media"]?["track"]?.stringValue } == perFrame + perFrame)
    #expect(media.compactMap { $0["sequenceNumber"]?.stringValue } == (0..<media.count).map { "\($0 + 2)" })
    // The input goes out on the first track named; a second (outbound) is silence in step.
    let payloads = media.compactMap { $0["media"]?["payload"]?.stringValue }
    #expect(payloads.first == Base64.encode([UInt8](repeating: 0x12, count: 160)))
    if perFrame.count == 2 {
      #expect(payloads[1] == Base64.encode([UInt8](repeating: G711.muLawSilence, count: 160)))
      #expect(media[0]["media"]?["timestamp"] == media[1]["media"]?["timestamp"])
    }
  }

  @Test func theCallerStaysOnTheLineUntilTheBotHasFinished() throws {
    var s = Self.session(audioMs: 40, tail: 100)
    _ = s.open()
    _ = s.tick(now: 0)
    _ = s.receive(text: media(4000), at: 10)  // 500 ms, plays until 510
    #expect(s.endTime() == 610)
    let messages = s.tick(now: 609)
    #expect(!s.stopped)
    #expect(messages.count == 30)  // frames 20…600
    #expect(try s.tick(now: 610).map { try Self.json($0)["event"]?.stringValue } == ["stop"])
  }

  static func speechThenSilence() -> StreamSession {
    // 200 ms of speech (full-scale code 0x00), then 1 s of silence.
    StreamSession(
      configuration: .init(accountSid: Self.sids.0, callSid: Self.sids.1, streamSid: Self.sids.2, tailMs: 0),
      input: .init(audio: [UInt8](repeating: 0x00, count: 1600) + [UInt8](repeating: 0xFF, count: 8000)))
  }

  @Test func latencyFromEndOfSpeechToFirstBotAudio() {
    var s = Self.speechThenSilence()
    _ = s.open()
    for t in stride(from: 0.0, through: 600, by: 20) { _ = s.tick(now: t) }
    // The last speech frame (180 ms) has been heard at 200 ms.
    #expect(s.utteranceEnds == [200])
    _ = s.receive(text: media(160), at: 150)  // before the end: not a response
    _ = s.receive(text: media(160), at: 550)
    _ = s.receive(text: media(160), at: 600)
    #expect(s.latencies() == [350])
    #expect(s.unansweredUtterances == 0)
  }

  @Test func theTurnEndsWhenTheLastSpeechFrameWasHeardNotWhenItWasDue() {
    // Frames left late (a busy machine, --fast): the 180 ms frame actually left at 300 ms, so
    // the caller finished speaking at 320 ms, and a bot answering 100 ms after hearing it
    // took 100 ms, not 220.
    var s = Self.speechThenSilence()
    _ = s.open()
    _ = s.tick(now: 300)
    #expect(s.utteranceEnds == [320])
    _ = s.receive(text: media(160), at: 420)
    #expect(s.latencies() == [100])
  }

  @Test func utterancesTheBotNeverAnswersAreCounted() {
    var s = Self.speechThenSilence()
    _ = s.open()
    for t in stride(from: 0.0, through: 1200, by: 20) { _ = s.tick(now: t) }
    #expect(s.utterances.count == 1)
    #expect(s.latencies().isEmpty)
    #expect(s.unansweredUtterances == 1)
  }

  @Test func theCallerStaysOnTheLineUntilEveryKeyPressIsSent() throws {
    // 40 ms of audio, a key at 5 s: the line stays open (silence) until the press has gone.
    var s = Self.session(audioMs: 40, dtmf: [("1", 5000)])
    _ = s.open()
    var events: [String] = []
    var t = 0.0
    while !s.stopped && t < 10_000 {
      events += try s.tick(now: t).map { try Self.json($0)["event"]?.stringValue ?? "" }
      t += 20
    }
    #expect(events.contains("dtmf"))
    #expect(events.last == "stop")
    #expect(s.framesSent == 251)  // frames 0…5000 ms
  }

  @Test func violationsAreCountedPerCodeAndOnlyTheFirstAreKept() {
    var s = Self.session(bidirectional: false)
    _ = s.open()
    for k in 0..<1000 { _ = s.receive(text: mark("m\(k)"), at: Double(k)) }
    #expect(s.findings.count == 1)
    #expect(s.findings[0].code == 31924 && s.findings[0].count == 1000)
    #expect(s.findings[0].first.count == StreamSession.Finding.keptOccurrences)
    #expect(s.violationCount == 1000)
    #expect(s.warningCodes == [31924: 1000])
  }

  @Test func theSessionKeepsNoLogOnceTaken() {
    var s = Self.session()
    _ = s.open()
    _ = s.receive(text: "not json \u{1B}]0;x\u{07}", at: 1)
    #expect(s.takeLog().count == 3)
    #expect(s.pendingLog.isEmpty)
    // What the bot sent is escaped before it can reach a terminal.
    #expect(s.findings[0].first[0].message.contains("\u{1B}") == false)
  }

  @Test func tinyMediaMessagesShareOneSegment() {
    var s = Self.session(audioMs: 2000)
    _ = s.open()
    for _ in 0..<1000 { _ = s.receive(text: media(1), at: 0) }
    #expect(s.playout.segments.count == 1)
    #expect(s.playout.bytesQueued == 1000)
  }

  @Test func latenessHistogramPercentiles() {
    var h = LatencyHistogram()
    for v in 1...1000 { h.record(Double(v) / 10) }
    #expect(h.count == 1000 && h.max == 100)
    let p50 = h.percentile(0.5) ?? 0
    #expect(abs(p50 - 50) / 50 < 0.011)
    #expect(h.percentile(1) == 100)
    #expect(LatencyHistogram().percentile(0.5) == nil)
  }
}
