import Testing
import TwvoiceCore

/// Builds Media Streams messages for tests, in Twilio's field order unless told otherwise.
enum CaptureText {
  static let streamSid = "MZ0123456789abcdef0123456789abcdef"

  static func media(
    _ sequence: Int, track: String = "inbound", chunk: Int, timestamp: Int, codes: [UInt8]
  ) -> String {
    #"{"event":"media","sequenceNumber":"\#(sequence)","media":{"track":"\#(track)","chunk":"\#(chunk)","timestamp":"\#(timestamp)","payload":"\#(Base64.encode(codes))"},"streamSid":"\#(streamSid)"}"#
  }

  /// `n` frames of 160 bytes; frame k is filled with the byte `base + k`.
  static func frames(
    _ n: Int, base: UInt8 = 0, track: String = "inbound", startTimestamp: Int = 0, skip: Set<Int> = []
  )
    -> [String]
  {
    (0..<n).filter { !skip.contains($0) }.map { k in
      media(
        k + 2, track: track, chunk: k + 1, timestamp: startTimestamp + 20 * k,
        codes: .init(repeating: base &+ UInt8(k), count: 160))
    }
  }

  static let start =
    #"{"event":"start","sequenceNumber":"1","start":{"streamSid":"\#(streamSid)","callSid":"CA0123456789abcdef0123456789abcdef","tracks":["inbound"],"customParameters":{"sid":"42"},"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}},"streamSid":"\#(streamSid)"}"#
}

struct CaptureDecoderTests {
  /// Decodes `text`, fed in pieces of `chunkSize` bytes, to µ-law output.
  static func decode(
    _ text: String, selection: CaptureDecoder.TrackSelection = .automatic,
    encoding: CaptureDecoder.OutputEncoding = .mulaw, chunkSize: Int = 1 << 20
  ) throws -> (output: [UInt8], summary: CaptureSummary) {
    var decoder = CaptureDecoder(input: "capture.jsonl", selection: selection, encoding: encoding)
    var output: [UInt8] = []
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let end = min(offset + chunkSize, bytes.count)
      try bytes[offset..<end].withUnsafeBytes { try decoder.feed($0) }
      decoder.takeOutput(into: &output)
      offset = end
    }
    try decoder.finish()
    decoder.takeOutput(into: &output)
    return (output, decoder.summary)
  }

  @Test func arrayErrorIsTheSameHoweverTheReadsAreSplit() {
    // Whitespace alone in the first read, before the shape is known, still counts in the offset.
    func message(chunkSize: Int) -> String? {
      do {
        _ = try Self.decode(" \n[1,2,3,!]  ", chunkSize: chunkSize)
        return nil
      } catch { return "\(error)" }
    }
    let whole = message(chunkSize: 1 << 20)
    #expect(whole != nil)
    #expect(message(chunkSize: 2) == whole)
    #expect(message(chunkSize: 1) == whole)
  }

  @Test func twilioShapedLines() throws {
    let text =
      (["{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}", CaptureText.start]
      + CaptureText.frames(3)).joined(separator: "\n") + "\n"
    let (out, summary) = try Self.decode(text)
    #expect(
      out == [UInt8](repeating: 0, count: 160) + [UInt8](repeating: 1, count: 160)
        + [UInt8](repeating: 2, count: 160))
    #expect(summary.tracks[.inbound]?.frames == 3)
    #expect(summary.events["start"] == 1 && summary.events["connected"] == 1 && summary.events["media"] == 3)
    #expect(summary.streamSid == CaptureText.streamSid)
    #expect(summary.customParameters.first?.key == "sid")
    #expect(summary.format == "JSON lines")
  }

  @Test func streamingInAnyPieceSizeGivesTheSameOutput() throws {
    let text = ([CaptureText.start] + CaptureText.frames(20, skip: [5, 6])).joined(separator: "\n")
    let whole = try Self.decode(text)
    for size in [1, 7, 100, 389] {
      let pieces = try Self.decode(text, chunkSize: size)
      #expect(pieces.output == whole.output, "piece size \(size)")
    }
    #expect(whole.output.count == 20 * 160)
  }

  @Test func anyKeyOrderSpacesAndEscapesTakeTheFullParser() throws {
    let codes: [UInt8] = (0..<160).map { UInt8($0) }
    let payload = Base64.encode(codes)
    let escaped = payload.replacingSlashes()
    let lines = [
      #"{"streamSid": "MZ1", "media": {"payload": "\#(payload)", "timestamp": "0", "track": "inbound"}, "event": "media"}"#,
      #"{"event":"media","media":{"track":"inbound","timestamp":"20","payload":"\#(escaped)"}}"#,
      #"  {"event":"media","media":{"payload":"\#(payload)"}}  "#,
    ]
    let (out, _) = try Self.decode(lines.joined(separator: "\r\n"))
    #expect(out == codes + codes + codes)
  }

  @Test func lostFramesBecomeSilenceAndJitterIsAbsorbed() throws {
    var lines = CaptureText.frames(10, skip: [3, 4])
    // Frame 7 arrives 5 ms late: jitter, not a gap.
    lines[5] = CaptureText.media(9, chunk: 8, timestamp: 145, codes: .init(repeating: 7, count: 160))
    let (out, summary) = try Self.decode(lines.joined(separator: "\n"))
    #expect(out.count == 10 * 160)
    #expect(Array(out[480..<800]) == [UInt8](repeating: G711.muLawSilence, count: 320))
    #expect(Array(out[800..<960]) == [UInt8](repeating: 5, count: 160))
    let track = try #require(summary.tracks[.inbound])
    #expect(track.gaps == 1 && track.gapSamples == 320)
    #expect(track.gapList.first?.atMs == 60 && track.gapList.first?.lengthMs == 40)
    #expect(track.chunkAnomalies == 0)  // chunks skip ahead over the lost frames: a gap, not disorder
    #expect(summary.sequenceAnomalies.map(\.got) == [7])
  }

  /// Frames in the order of `order` (indices into 0..<n, each filled with its own index).
  static func shuffled(_ order: [Int], track: String = "inbound", startTimestamp: Int = 0) -> [String] {
    order.map { k in
      CaptureText.media(
        k + 2, track: track, chunk: k + 1, timestamp: startTimestamp + 20 * k,
        codes: .init(repeating: UInt8(k % 256), count: 160))
    }
  }

  @Test(arguments: [1 << 20, 301, 7])
  func framesThatComeLateArePutBackByTimestamp(chunkSize: Int) throws {
    // 4 and 5 swapped, 9 a dozen frames late, 3 twice.
    var order = Array(0..<30).filter { $0 != 9 }
    order.swapAt(4, 5)
    order.insert(9, at: 21)
    order.insert(3, at: 4)
    let (out, summary) = try Self.decode(Self.shuffled(order).joined(separator: "\n"), chunkSize: chunkSize)
    #expect(out == (0..<30).flatMap { [UInt8](repeating: UInt8($0), count: 160) })
    let track = try #require(summary.tracks[.inbound])
    #expect(track.reordered == 2 && track.dropped == 1)
    #expect(track.gaps == 0 && track.gapSamples == 0 && track.gapList.isEmpty)
    #expect(track.frames == 30 && track.bytes == 30 * 160)
    #expect(track.chunkAnomalies == 3)  // 3 after 3, 4 after 5, 9 after 21
  }

  @Test func outputWaitsAtAGapForItsLateFrameAndOnlyThere() throws {
    var decoder = CaptureDecoder(input: "live", selection: .inbound, encoding: .mulaw)
    func feed(_ frames: [Int]) throws {
      try Array((Self.shuffled(frames).joined(separator: "\n") + "\n").utf8).withUnsafeBytes {
        try decoder.feed($0)
      }
    }
    try feed([0, 1, 2])
    #expect(decoder.readySamples == 3 * 160)  // no gap: everything is final as it comes
    try feed([4, 5])
    #expect(decoder.readySamples == 3 * 160)  // frame 3 may still come
    try feed([3])
    #expect(decoder.readySamples == 6 * 160)
    // A gap the timeline has moved a whole window past is final, filled with silence.
    try feed(Array(7..<60))
    #expect(decoder.readySamples == 60 * 160)
  }

  @Test func aFrameLaterThanTheReorderWindowIsLeftOutAndItsGapStays() throws {
    // Frame 5 comes after frame 100: 1.9 s late, past the 1 s window.
    let order = Array(0..<101).filter { $0 != 5 } + [5]
    let (out, summary) = try Self.decode(Self.shuffled(order).joined(separator: "\n"), chunkSize: 4096)
    #expect(out.count == 101 * 160)
    #expect(Array(out[800..<960]) == .init(repeating: G711.muLawSilence, count: 160))
    #expect(out[960] == 6)
    let track = try #require(summary.tracks[.inbound])
    #expect(track.reordered == 0 && track.dropped == 1 && track.gaps == 1 && track.gapSamples == 160)
  }

  @Test func aLateFrameInsideALongerGapSplitsIt() throws {
    // Frames 3...6 missing; 5 arrives late: gaps 3–4 and 6 remain.
    let order = [0, 1, 2, 7, 8, 5, 9]
    let (out, summary) = try Self.decode(Self.shuffled(order).joined(separator: "\n"))
    let silence = [UInt8](repeating: G711.muLawSilence, count: 160)
    #expect(Array(out[480..<800]) == silence + silence)
    #expect(Array(out[800..<960]) == .init(repeating: 5, count: 160))
    #expect(Array(out[960..<1120]) == silence)
    let track = try #require(summary.tracks[.inbound])
    #expect(track.gaps == 2 && track.gapSamples == 3 * 160)
    #expect(track.gapList.map(\.atMs) == [60, 120] && track.gapList.map(\.lengthMs) == [40, 20])
  }

  @Test func aChunkCounterBothTracksShareIsNotDisorder() throws {
    // As in Twilio's both_tracks example: one counter for the stream, the same timestamps.
    let lines = (0..<10).flatMap { k in
      [
        CaptureText.media(
          2 * k + 2, track: "outbound", chunk: 2 * k + 1, timestamp: 20 * k,
          codes: .init(repeating: 50, count: 160)),
        CaptureText.media(
          2 * k + 3, track: "inbound", chunk: 2 * k + 2, timestamp: 20 * k,
          codes: .init(repeating: 10, count: 160)),
      ]
    }
    let (out, summary) = try Self.decode(lines.joined(separator: "\n"), selection: .both)
    #expect(out.count == 2 * 10 * 160)
    #expect(summary.tracks[.inbound]?.chunkAnomalies == 0 && summary.tracks[.outbound]?.chunkAnomalies == 0)
    #expect(summary.tracks[.inbound]?.gaps == 0 && summary.tracks[.outbound]?.gaps == 0)
  }

  @Test func aTrackWhoseLinesAllComeFirstStillDecodes() throws {
    // Every outbound line (timed from 40 ms) before the inbound ones (from 0): both tracks are
    // kept, each from its own first frame, as before frames could be put back.
    let text =
      (Self.shuffled(Array(0..<5), track: "outbound", startTimestamp: 40) + Self.shuffled(Array(0..<5)))
      .joined(separator: "\n")
    let (out, summary) = try Self.decode(text, selection: .both)
    let left = stride(from: 0, to: out.count, by: 2).map { out[$0] }
    #expect(left == (0..<5).flatMap { [UInt8](repeating: UInt8($0), count: 160) })
    #expect(summary.tracks[.inbound]?.dropped == 0 && summary.tracks[.outbound]?.dropped == 0)
  }

  @Test func bothTracksAreAlignedAndPadded() throws {
    // Outbound starts 40 ms after inbound and ends 20 ms after it.
    let inbound = CaptureText.frames(3, base: 10)
    let outbound = CaptureText.frames(2, base: 50, track: "outbound", startTimestamp: 40)
    let text = [inbound[0], inbound[1], outbound[0], inbound[2], outbound[1]].joined(separator: "\n")
    let (out, summary) = try Self.decode(text, selection: .both)
    #expect(out.count == 2 * 4 * 160)  // 80 ms on the timeline, stereo
    let left = stride(from: 0, to: out.count, by: 2).map { out[$0] }
    let right = stride(from: 1, to: out.count, by: 2).map { out[$0] }
    #expect(Array(left[0..<160]) == .init(repeating: 10, count: 160))
    #expect(Array(left[480..<640]) == .init(repeating: G711.muLawSilence, count: 160))
    #expect(Array(right[0..<320]) == .init(repeating: G711.muLawSilence, count: 320))
    #expect(Array(right[320..<480]) == .init(repeating: 50, count: 160))
    #expect(summary.trackOrder == [.inbound, .outbound])
  }

  @Test func automaticTakesTheOnlyTrackPresent() throws {
    let text = CaptureText.frames(2, base: 90, track: "outbound").joined(separator: "\n")
    let (out, _) = try Self.decode(text)
    #expect(out == .init(repeating: 90, count: 160) + .init(repeating: 91, count: 160))
    let mixed = (CaptureText.frames(1, base: 90, track: "outbound") + CaptureText.frames(1, base: 1)).joined(
      separator: "\n")
    #expect(try Self.decode(mixed).output == .init(repeating: 1, count: 160))
  }

  @Test func pcm16AndALawOutput() throws {
    let codes: [UInt8] = (0..<160).map { UInt8($0) }
    let text = CaptureText.media(2, chunk: 1, timestamp: 0, codes: codes)
    let pcm = try Self.decode(text, encoding: .pcm16).output
    let expected = codes.map(G711.muLawDecode)
    #expect(pcm.count == 320)
    #expect(
      (0..<160).allSatisfy {
        Int16(bitPattern: UInt16(pcm[2 * $0]) | UInt16(pcm[2 * $0 + 1]) << 8) == expected[$0]
      })
    let alaw = try Self.decode(text, encoding: .alaw).output
    #expect(alaw == expected.map(G711.aLawEncode))
  }

  @Test func jsonArrayAndBase64Lines() throws {
    let codes: [UInt8] = [1, 2, 3, 4, 5, 6]
    let array =
      "["
      + [CaptureText.start, CaptureText.media(2, chunk: 1, timestamp: 0, codes: codes)].joined(
        separator: ",\n") + "]"
    let (out, summary) = try Self.decode(array)
    #expect(out == codes)
    #expect(summary.format == "JSON array")
    let lines = Base64.encode(codes) + "\n\n" + Base64.encode([7, 8]) + "\n"
    let decoded = try Self.decode(lines)
    #expect(decoded.output == codes + [7, 8])
    #expect(decoded.summary.format == "base64 lines")
  }

  @Test func otherEventsAreCountedNotDecoded() throws {
    let lines = [
      #"{"event":"mark","sequenceNumber":"2","streamSid":"MZ1","mark":{"name":"greeting"}}"#,
      #"{"event":"dtmf","streamSid":"MZ1","sequenceNumber":"3","dtmf":{"track":"inbound_track","digit":"5"}}"#,
      #"{"event":"clear","streamSid":"MZ1"}"#,
      #"{"no_event":true}"#,
      #"{"event":"stop","sequenceNumber":"4","streamSid":"MZ1","stop":{}}"#,
    ]
    let (out, summary) = try Self.decode(lines.joined(separator: "\n"))
    #expect(out.isEmpty)
    #expect(summary.marks.map(\.name) == ["greeting"])
    #expect(summary.dtmf.map(\.digit) == ["5"])
    // `clear` (from a bot, in replay logs and proxied calls) is known; only the line with no event is not.
    #expect(summary.unknownEvents == 1)
    #expect(summary.events["clear"] == 1 && summary.events["mark"] == 1)
  }

  @Test(arguments: [
    (
      #"{"event":"media","media":{"track":"inbound","timestamp":"0","payload":"@@@@"}}"#,
      "capture.jsonl:2: payload is not valid base64 (media.payload)"
    ),
    (
      #"{"event":"media","media":{"payload":"AAA"}"#,
      "capture.jsonl:2: not valid JSON: unterminated object at byte 43"
    ),
    (
      #"{"event":"media","media":{"track":"sideways","payload":"AAAA"}}"#,
      "capture.jsonl:2: unknown track 'sideways' (media.track): expected inbound or outbound"
    ),
    (#"{"event":"media","media":{}}"#, "capture.jsonl:2: media message without a payload (media.payload)"),
    (
      #"{"event":"media","media":{"payload":"AAAA","timestamp":"-5"}}"#,
      "capture.jsonl:2: timestamp is not a non-negative integer (media.timestamp)"
    ),
    (
      #"{"event":"start","start":{"mediaFormat":{"encoding":"audio/l16","sampleRate":8000,"channels":1}}}"#,
      "capture.jsonl:2: unsupported media encoding 'audio/l16' (start.mediaFormat.encoding): Twilio streams audio/x-mulaw"
    ),
    (
      #"{"event":"media","media":{"payload":"AAAA","timestamp":"999999999999"}}"#,
      "capture.jsonl:2: timestamp 999999999999 jumps 999999999 s past the previous frame (media.timestamp); refusing to fill more than 24 h of silence"
    ),
    ("[1]", "capture.jsonl:2: expected a JSON object (a Media Streams message)"),
    (
      #"{"event":"media","media":{"payload":"AAAA","timestamp":"1152921504606846976"}}"#,
      "capture.jsonl:2: timestamp 1152921504606846976 is out of range (media.timestamp): ms since the stream started, at most 1000000000000000"
    ),
    (
      #"{"event":"media","media":{"payload":"AAAA","timestamp":"4611686018427387904"}}"#,
      "capture.jsonl:2: timestamp 4611686018427387904 is out of range (media.timestamp): ms since the stream started, at most 1000000000000000"
    ),
    (
      #"{"event":"media","media":{"track":"inbound","timestamp":"9223372036854775807","payload":"AAAA"}}"#,
      "capture.jsonl:2: timestamp 9223372036854775807 is out of range (media.timestamp): ms since the stream started, at most 1000000000000000"
    ),
    (
      #"{"event":"media","sequenceNumber":"2","media":{"track":"inbound","chunk":"1","timestamp":"999999999999999999","payload":"AAAA"}}"#,
      "capture.jsonl:2: timestamp 999999999999999999 is out of range (media.timestamp): ms since the stream started, at most 1000000000000000"
    ),
    (
      #"{"event":"start","start":{"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":1e30,"channels":1}}}"#,
      "capture.jsonl:2: unsupported sample rate 1e30 (start.mediaFormat.sampleRate): Twilio streams 8000 Hz"
    ),
    (
      #"{"event":"start","start":{"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000.5,"channels":1}}}"#,
      "capture.jsonl:2: unsupported sample rate 8000.5 (start.mediaFormat.sampleRate): Twilio streams 8000 Hz"
    ),
    (
      #"{"event":"start","start":{"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":0,"channels":1}}}"#,
      "capture.jsonl:2: unsupported sample rate 0 (start.mediaFormat.sampleRate): Twilio streams 8000 Hz"
    ),
    (
      #"{"event":"start","start":{"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1e300}}}"#,
      "capture.jsonl:2: unsupported channel count 1e300 (start.mediaFormat.channels): Twilio streams mono"
    ),
  ])
  func malformedInputNamesTheLine(line: String, message: String) {
    let text = CaptureText.media(1, chunk: 1, timestamp: 0, codes: [0, 0, 0]) + "\n" + line + "\n"
    #expect(throws: CaptureError.self) { try Self.decode(text) }
    do { _ = try Self.decode(text) } catch { #expect("\(error)" == message) }
  }
}

/// The items of issue 9 that concern decoding captures.
struct CaptureDecoderEdgeTests {
  static func decode(
    _ text: String, selection: CaptureDecoder.TrackSelection = .automatic, chunkSize: Int = 1 << 20,
    fastPath: Bool = true, asHeard: Bool = false
  ) throws -> (output: [UInt8], summary: CaptureSummary) {
    var decoder = CaptureDecoder(
      input: "capture.jsonl", selection: selection, encoding: .mulaw, asHeard: asHeard)
    decoder.fastPath = fastPath
    var output: [UInt8] = []
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let end = min(offset + chunkSize, bytes.count)
      try bytes[offset..<end].withUnsafeBytes { try decoder.feed($0) }
      decoder.takeOutput(into: &output)
      offset = end
    }
    try decoder.finish()
    decoder.takeOutput(into: &output)
    return (output, decoder.summary)
  }

  @Test func oneLostFrameIsFilled() throws {
    // Timestamps 100, 120, 140, 160, 200: the frame at 180 was lost.
    let lines = CaptureText.frames(6, base: 1, startTimestamp: 100, skip: [4])
    let (out, summary) = try Self.decode(lines.joined(separator: "\n"))
    #expect(out.count == 6 * 160)
    #expect(Array(out[640..<800]) == .init(repeating: G711.muLawSilence, count: 160))
    #expect(Array(out[800..<960]) == .init(repeating: 6, count: 160))
    #expect(summary.tracks[.inbound]?.gaps == 1 && summary.tracks[.inbound]?.gapSamples == 160)
  }

  @Test(arguments: [80, 100, 240, 1])
  func oneLostFrameOfAnySizeIsFilled(bytes: Int) throws {
    // Frames of `bytes` samples, timestamps in whole ms (rounded down), frame 3 lost.
    let lines = (0..<6).filter { $0 != 3 }.map { k in
      CaptureText.media(
        k + 2, chunk: k + 1, timestamp: k * bytes / 8, codes: .init(repeating: UInt8(k), count: bytes))
    }
    let (out, _) = try Self.decode(lines.joined(separator: "\n"))
    if bytes >= 16 {
      #expect(out.count >= 6 * bytes - 8 && out.count <= 6 * bytes + 8, "\(out.count)")
      #expect(out[3 * bytes + 4] == G711.muLawSilence)
    }
  }

  @Test func bothTracksStayAlignedAcrossOneLostFrame() throws {
    let inbound = CaptureText.frames(5, base: 10, skip: [2])
    let outbound = CaptureText.frames(5, base: 50, track: "outbound")
    let text = zip(inbound + [""], outbound).flatMap { [$0, $1] }.filter { !$0.isEmpty }.joined(
      separator: "\n")
    let (out, _) = try Self.decode(text, selection: .both)
    let left = stride(from: 0, to: out.count, by: 2).map { out[$0] }
    let right = stride(from: 1, to: out.count, by: 2).map { out[$0] }
    #expect(left.count == 5 * 160)
    #expect(left[3 * 160] == 13 && right[3 * 160] == 53)
  }

  @Test func byteOrderMarkIsSkipped() throws {
    let text = "\u{FEFF}" + CaptureText.frames(2).joined(separator: "\n") + "\n"
    for size in [1, 2, 3, 1 << 20] {
      let (out, summary) = try Self.decode(text, chunkSize: size)
      #expect(out.count == 320, "piece size \(size)")
      #expect(summary.format == "JSON lines")
    }
    let b64 = "\u{FEFF}" + Base64.encode([1, 2, 3]) + "\n"
    #expect(try Self.decode(b64, chunkSize: 1).output == [1, 2, 3])
  }

  @Test func carriageReturnLineEndingsKeepEveryFrame() throws {
    let lines = CaptureText.frames(50)
    for separator in ["\r", "\r\n", "\n"] {
      for size in [1 << 20, 333] {
        let (out, summary) = try Self.decode(lines.joined(separator: separator) + separator, chunkSize: size)
        #expect(summary.tracks[.inbound]?.frames == 50, "\(separator.debugDescription) \(size)")
        #expect(out.count == 50 * 160)
      }
    }
  }

  @Test func aLineWithNoEndIsCapped() throws {
    var decoder = CaptureDecoder(input: "zero", selection: .automatic, encoding: .mulaw)
    let block = [UInt8](repeating: 0, count: 1 << 20)
    var thrown: CaptureError?
    do {
      for _ in 0..<20 { try block.withUnsafeBytes { try decoder.feed($0) } }
    } catch { thrown = error as? CaptureError }
    #expect(
      thrown?.description
        == "zero:1: line is over 16 MiB with no line break: a capture holds one message per line")
  }

  /// The fast path and the full parser agree on every input: the same audio and counts, or both
  /// refuse it.
  @Test func invalidUTF8InAFastPathValueIsRefusedAsTheFullParserRefusesIt() throws {
    // Twilio's exact shape, but the streamSid holds a UTF-8 lead byte followed by an ASCII digit
    // (Fuzz/crashes/FuzzCapture/invalid-utf8-in-stream-sid): not JSON, on either path.
    var line = Array(
      CaptureText.media(2, chunk: 1, timestamp: 0, codes: .init(repeating: 7, count: 160)).utf8)
    let sid = Array(CaptureText.streamSid.utf8)
    let at = try #require(line.indices.first { line[$0...].starts(with: sid) })
    line[at + 20] = 0xDF
    for fastPath in [true, false] {
      var decoder = CaptureDecoder(input: "c.jsonl", selection: .automatic, encoding: .mulaw)
      decoder.fastPath = fastPath
      #expect(throws: CaptureError.self, "fast path: \(fastPath)") {
        try (line + [0x0A]).withUnsafeBytes { try decoder.feed($0) }
        try decoder.finish()
      }
    }
  }

  @Test func lineEndsAreDecidedTheSameHoweverTheReadsAreSplit() throws {
    // LF or CR is decided on the input's first 64 KiB, not on the first read
    // (Fuzz/crashes/FuzzCapture/line-end-depends-on-blocks).
    let frames = CaptureText.frames(3)
    let inputs = [
      frames.joined(separator: "\r"),  // old Mac line ends
      frames.joined(separator: "\r\n"),
      "\r\n" + frames.joined(separator: "\r"),  // an LF early decides LF: one long line
      frames[0].split(separator: ",", omittingEmptySubsequences: false).joined(separator: ",\r") + "\n"
        + frames[1],  // CR as JSON white space
      String(repeating: " ", count: 70_000) + frames.joined(separator: "\r"),
      // White space before the first line is lines too (Fuzz/crashes/FuzzCapture/leading-cr-line-number).
      "\r\"not base64\"",
      "\r \r\r" + frames.joined(separator: "\r") + "\r{",
    ]
    for (i, input) in inputs.enumerated() {
      let whole = Result { try Self.decode(input) }
      for size in [1, 2, 5, 6, 13, 4096] {
        let pieces = Result { try Self.decode(input, chunkSize: size) }
        switch (whole, pieces) {
        case (.success(let a), .success(let b)):
          #expect(
            a.output == b.output && a.summary.messages == b.summary.messages, "input \(i), reads of \(size)")
        case (.failure(let a), .failure(let b)):
          #expect("\(a)" == "\(b)", "input \(i), reads of \(size)")
        default:
          Issue.record("input \(i), reads of \(size): \(whole) vs \(pieces)")
        }
      }
    }
    #expect(try Self.decode(inputs[0]).summary.messages == 3)
    #expect(try Self.decode(inputs[3]).summary.messages == 2)
    #expect(throws: CaptureError.self) { try Self.decode(inputs[5]) }
    // The error names the line it is on, counting the empty ones before it.
    #expect((Result { try Self.decode(inputs[5]) }.error as? CaptureError)?.line == 2)
    #expect((Result { try Self.decode(inputs[6]) }.error as? CaptureError)?.line == 7)
  }

  @Test func fastPathAgreesWithTheFullParser() throws {
    let payload = Base64.encode([UInt8](repeating: 7, count: 160))
    let other = Base64.encode([UInt8](repeating: 9, count: 160))
    let sid = CaptureText.streamSid
    let media = CaptureText.media(2, chunk: 1, timestamp: 0, codes: .init(repeating: 7, count: 160))
    let head: String = String(media.dropLast(3))
    let tab: String = head + "\tx\"}"
    let quote: String = head + "x\"x\"}"
    let unitSeparator: String = head + "\u{1F}234567\"}"
    let inputs: [String] = [
      media,
      // Two media objects on one line.
      media + CaptureText.media(3, chunk: 2, timestamp: 20, codes: .init(repeating: 9, count: 160)),
      media + " " + media,
      // CR-only line endings.
      CaptureText.frames(50).joined(separator: "\r"),
      // A mark with a media object inside.
      #"{"event":"mark","streamSid":"\#(sid)","mark":{"name":"x"},"extra":{"event":"media","media":{"track":"inbound","timestamp":"0","payload":"\#(payload)"}}}"#,
      #"{"event":"mark","media":{"track":"inbound","timestamp":"0","payload":"\#(payload)"}}"#,
      #"{"event":"media","media":{"track":"inbound","timestamp":"0","payload":"\#(payload)"},"event":"mark"}"#,
      #"{"event":"media","media":{"track":"inbound","timestamp":"0","payload":"\#(payload)","payload":"\#(other)"}}"#,
      #"{"event":"media","media":{"track":"inbound","timestamp":"0","payload":"\#(payload)"}} trailing"#,
      #"{"event":"media","media":{"track":"inbound","timestamp":"0","payload":"\#(payload)"},"streamSid":"\#(sid)"}}"#,
      #"{"event":"media","sequenceNumber":"2","media":{"track":"inbound","chunk":"1","timestamp":"0","payload":"\#(payload)"},"streamSid":"\#(sid)","x":1}"#,
      #"{"event":"media","sequenceNumber":"2","media":{"track":"inbound","chunk":"1","timestamp":"0","payload":"\#(payload)"}}"#,
      #"{ "event" : "media" , "media" : { "payload" : "\#(payload)" , "track" : "outbound" , "timestamp" : "40" } }"#,
      #"{"event":"media","media":{"track":"inbound","timestamp":40,"payload":"\#(payload)"}}"#,
      #"{"event":"media","media":{"track":"inbound","timestamp":"0x10","payload":"\#(payload)"}}"#,
      #"{"event":"media","media":{"track":"Inbound","timestamp":"0","payload":"\#(payload)"}}"#,
      #"{"event":"media","media":{"timestamp":"0","payload":"\#(payload)"}}"#,
      #"{"event":"media","media":{"track":"inbound","timestamp":"0","payload":"\#(payload)","extra":"1"}}"#,
      #"{"event":"media","media":{"track":"inbound","timestamp":"0","payload":"\#(payload)"},"media":{"track":"inbound","timestamp":"20","payload":"\#(other)"}}"#,
      #"{"event":"media","streamSid":"MZ\u0031","media":{"track":"inbound","timestamp":"0","payload":"\#(payload)"}}"#,
      #"{"event":"media","media":{"track":"inbound","timestamp":"0","payload":"\#(payload)"}"#,
      #"{"event":"media","media":{"track":"inbound","timestamp":"00020","payload":"\#(payload)"}}"#,
      // Twilio's exact shape with a control character or a quote in the streamSid.
      tab, quote, unitSeparator,
    ]
    for (i, input) in inputs.enumerated() {
      let text = CaptureText.frames(1, base: 3).joined() + "\n" + input + "\n"
      let fast = Result { try Self.decode(text) }
      let full = Result { try Self.decode(text, fastPath: false) }
      switch (fast, full) {
      case (.success(let a), .success(let b)):
        #expect(a.output == b.output, "input \(i)")
        #expect(a.summary.messages == b.summary.messages, "input \(i)")
        #expect(a.summary.events == b.summary.events, "input \(i)")
        #expect(a.summary.unknownEvents == b.summary.unknownEvents, "input \(i)")
        #expect(a.summary.tracks[.inbound]?.frames == b.summary.tracks[.inbound]?.frames, "input \(i)")
        #expect(a.summary.sequenceAnomalies.count == b.summary.sequenceAnomalies.count, "input \(i)")
      case (.failure, .failure):
        break
      default:
        Issue.record("input \(i): fast path \(fast), full parser \(full)")
      }
    }
    // The three of issue 9: nothing decoded from a mark, no second object dropped, every frame.
    #expect(try Self.decode(inputs[4]).output.isEmpty)
    #expect(throws: CaptureError.self) { try Self.decode(inputs[1]) }
    #expect(try Self.decode(inputs[3]).output.count == 50 * 160)
  }

  @Test func hoursOfGapAreNotHeldInMemory() throws {
    // 23.9 h between two frames: the decoder keeps the gap as a count and writes it in blocks.
    let gapMs = 86_040_000
    let text = [
      CaptureText.media(2, chunk: 1, timestamp: 100, codes: .init(repeating: 1, count: 160)),
      CaptureText.media(3, chunk: 2, timestamp: 100 + gapMs, codes: .init(repeating: 2, count: 160)),
    ].joined(separator: "\n")
    var decoder = CaptureDecoder(input: "c", selection: .both, encoding: .pcm16)
    try Array(text.utf8).withUnsafeBytes { try decoder.feed($0) }
    try decoder.finish()
    var silent = 0
    var sampled = 0
    var block: [UInt8] = []
    while true {
      let s = decoder.skipSilence()
      block.removeAll(keepingCapacity: true)
      let n = decoder.takeOutput(into: &block, limit: 4096)
      #expect(block.count == n * 4)
      silent += s
      sampled += n
      if s == 0 && n == 0 { break }
    }
    #expect(silent + sampled == gapMs * 8 + 160)
    #expect(sampled < 20_000)
    #expect(decoder.summary.outputSamples == gapMs * 8 + 160)
  }

  /// A replay log: the caller's frames and the bot's, each line timed (`twvoice.t`); the bot
  /// sends 1 s of audio at once at 0.1 s, then `clear` at 0.5 s.
  static func replayLog(clearAt: Double?) -> String {
    var lines: [String] = []
    for k in 0..<50 {
      let frame = CaptureText.media(
        k + 2, chunk: k + 1, timestamp: 100 + 20 * k, codes: .init(repeating: 1, count: 160))
      lines.append(String(frame.dropLast()) + #","twvoice":{"t":\#(Double(k) * 0.02),"dir":"sent"}}"#)
    }
    let bot = Base64.encode([UInt8](repeating: 0x55, count: 8000))
    lines.insert(
      #"{"event":"media","streamSid":"MZ1","media":{"track":"outbound","timestamp":"200","payload":"\#(bot)"},"twvoice":{"t":0.1,"dir":"received"}}"#,
      at: 6)
    if let clearAt {
      lines.insert(
        #"{"event":"clear","streamSid":"MZ1","twvoice":{"t":\#(clearAt),"dir":"received"}}"#, at: 26)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  @Test func asHeardAppliesClear() throws {
    let log = Self.replayLog(clearAt: 0.5)
    let sent = try Self.decode(log, selection: .outbound)
    // As sent: the whole second from 0.1 s.
    #expect(sent.output.count == 800 + 8000)
    #expect(sent.summary.events["clear"] == 1 && sent.summary.unknownEvents == 0)
    let heard = try Self.decode(log, selection: .outbound, asHeard: true)
    // As heard: from 0.1 s to the clear at 0.5 s, nothing after.
    #expect(heard.output.count == 4000)
    #expect(Array(heard.output[0..<800]) == .init(repeating: G711.muLawSilence, count: 800))
    #expect(Array(heard.output[800..<4000]) == .init(repeating: 0x55, count: 3200))
    #expect(heard.summary.clearedSamples == 4800)
    // Stereo: the caller's second on the left, the bot's cut audio on the right.
    let both = try Self.decode(log, selection: .both, asHeard: true)
    #expect(both.output.count == 2 * 8000)
    let right = stride(from: 1, to: both.output.count, by: 2).map { both.output[$0] }
    #expect(right[3999] == 0x55 && right[4000] == G711.muLawSilence)
    // In stereo the output streams: while the bot is silent its side is final up to the
    // caller's latest frame (here 100 ms, before the bot's audio arrives).
    var decoder = CaptureDecoder(input: "log", selection: .both, encoding: .mulaw, asHeard: true)
    let opening = log.split(separator: "\n").prefix(6).joined(separator: "\n") + "\n"
    try Array(opening.utf8).withUnsafeBytes { try decoder.feed($0) }
    var early: [UInt8] = []
    decoder.takeOutput(into: &early)
    #expect(early.count == 2 * 800)
    // A bot message timed days past its audio so far is skipped (counted as invalid), not
    // filled up to.
    let far =
      CaptureText.frames(1).joined() + "\n"
      + #"{"event":"media","streamSid":"MZ1","media":{"track":"outbound","timestamp":"999999999999","payload":"AAAA"},"twvoice":{"t":0.1,"dir":"received"}}"#
    let skipped = try Self.decode(far, selection: .both, asHeard: true)
    #expect(skipped.summary.invalidBotMessages == 1 && skipped.output.count == 2 * 160)
    // Without a clear, as heard is the whole second.
    #expect(
      try Self.decode(Self.replayLog(clearAt: nil), selection: .outbound, asHeard: true).output.count == 8800)
  }
}

extension String {
  /// `a/b` → `a\/b`, as some JSON writers escape slashes.
  func replacingSlashes() -> String {
    var out = ""
    for c in self {
      if c == "/" { out += "\\/" } else { out.append(c) }
    }
    return out
  }
}

struct LevelMeterTests {
  /// Days of timeline (filled gaps) keep the meter's memory bounded: slices widen instead.
  @Test func longTimelinesWidenTheSlices() {
    var meter = LevelMeter(samplesPerSlice: 8000)
    meter.add([Float](repeating: 0.5, count: 8000))
    meter.addSilence(8000 * 86_400 * 10)
    meter.add([Float](repeating: 0.5, count: 8000))
    #expect(meter.slices.count <= LevelMeter.maximumSlices)
    #expect(meter.total.count == 8000 * (86_400 * 10 + 2))
    #expect(meter.slices.reduce(0) { $0 + $1.count } == meter.total.count)
    #expect(meter.slices.count * meter.sliceScale >= 86_400 * 10)
    #expect(abs(meter.total.peakDBFS - LevelMeter.dBFS(0.5)) < 1e-9)
  }

  @Test func nonFiniteSamplesNeverTrap() {
    var meter = LevelMeter(samplesPerSlice: 4)
    meter.add([.infinity, -.infinity, .nan, 1e38, .greatestFiniteMagnitude])
    #expect(meter.total.peak == 1)
    #expect(meter.total.peakDBFS == 0)
    #expect(LevelMeter.bar(meter.columns(10)).count == 2)
  }
}

extension Result {
  /// The failure, if any.
  fileprivate var error: Failure? {
    if case .failure(let error) = self { return error }
    return nil
  }
}
