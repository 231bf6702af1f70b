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
    #expect(track.chunkAnomalies == 1)
    #expect(summary.sequenceAnomalies.map(\.got) == [7])
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
    #expect(summary.unknownEvents == 2)
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
  ])
  func malformedInputNamesTheLine(line: String, message: String) {
    let text = CaptureText.media(1, chunk: 1, timestamp: 0, codes: [0, 0, 0]) + "\n" + line + "\n"
    #expect(throws: CaptureError.self) { try Self.decode(text) }
    do { _ = try Self.decode(text) } catch { #expect("\(error)" == message) }
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
