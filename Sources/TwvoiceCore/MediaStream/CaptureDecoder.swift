import CByteScan

#if canImport(Glibc)
  import Glibc
#endif

/// A Media Streams track: what the caller said (`inbound`) or what was played to them (`outbound`).
public enum MediaTrack: String, Sendable, CaseIterable {
  case inbound
  case outbound
}

/// A capture error: where (input name and line) and what.
public struct CaptureError: Error, Equatable, Sendable, CustomStringConvertible {
  public var input: String
  /// 1-based line (JSON lines, base64 lines) or message index (JSON array).
  public var line: Int?
  public var message: String
  public var description: String {
    line.map { "\(input):\($0): \(message)" } ?? "\(input): \(message)"
  }
}

/// What a capture contained, for the summary line and `codec info`.
public struct CaptureSummary: Sendable {
  /// Per-track statistics.
  public struct Track: Sendable {
    public var frames = 0
    /// µ-law bytes (= samples at 8 kHz) received.
    public var bytes = 0
    /// Lost frames filled with silence: count, and total samples filled.
    public var gaps = 0
    public var gapSamples = 0
    /// Where the first gaps are, in ms on the timeline, and how long each is (ms).
    public var gapList: [(atMs: Int, lengthMs: Int)] = []
    /// Samples on the timeline (received + filled) before end padding.
    public var timelineSamples = 0
    /// `media.chunk` values that did not follow the previous one.
    public var chunkAnomalies = 0

    public init() {}
  }

  public var format: String = ""
  public var messages = 0
  public var events: [String: Int] = [:]
  /// Messages with no `event` or an event this decoder does not know.
  public var unknownEvents = 0
  public var tracks: [MediaTrack: Track] = [:]
  /// Tracks present in the order first seen.
  public var trackOrder: [MediaTrack] = []
  /// `sequenceNumber`s that did not follow the previous message's.
  public var sequenceAnomalies: [(line: Int, expected: Int, got: Int)] = []
  public var marks: [(name: String, line: Int)] = []
  /// DTMF digits: the line, and where on the inbound track's timeline they came (ms).
  public var dtmf: [(digit: String, line: Int, atMs: Int)] = []
  public var streamSid: String?
  public var callSid: String?
  public var declaredTracks: [String] = []
  public var customParameters: [(key: String, value: String)] = []
  /// Samples in the output, per channel.
  public var outputSamples = 0
}

/// Turns a Media Streams capture into µ-law audio on one timeline, as it arrives.
///
/// Input, detected from its first byte: JSON lines (`{`), a JSON array of messages (`[`), or bare
/// base64 payloads one per line. JSON lines take a fast path for the common shape of a `media`
/// line (keys found in any order, no escapes), falling back to a full JSON parse for anything else,
/// so speed never costs correctness (design.md). Frames are placed by `media.timestamp`: jitter
/// below one frame is absorbed, a gap of a whole frame or more becomes µ-law silence, and with
/// both tracks the shorter is padded, so the output lasts as long as the call did.
public struct CaptureDecoder {
  /// Which track(s) to decode.
  public enum TrackSelection: String, Sendable, CaseIterable {
    /// The inbound track, or the only track present.
    case automatic
    case inbound
    case outbound
    /// Stereo: left inbound, right outbound.
    case both
  }

  /// Encoding of the output samples.
  public enum OutputEncoding: String, Sendable, CaseIterable {
    case pcm16
    case mulaw
    case alaw

    /// Bytes per sample.
    public var bytesPerSample: Int { self == .pcm16 ? 2 : 1 }

    /// The WAV sample encoding.
    public var sampleEncoding: SampleEncoding {
      switch self {
      case .pcm16: .pcmSigned(bits: 16)
      case .mulaw: .g711(.muLaw)
      case .alaw: .g711(.aLaw)
      }
    }
  }

  private enum InputShape { case undetermined, jsonLines, jsonArray, base64Lines }

  private struct TrackState {
    let pending = ByteQueue(capacity: 1 << 16)
    var stats = CaptureSummary.Track()
    var lastChunk: Int?
    var seen = false
  }

  /// Input name for messages.
  public let input: String
  public let selection: TrackSelection
  public let encoding: OutputEncoding
  private var base = CaptureSummary()
  private var mediaMessages = 0
  private var outputSamples = 0

  /// What the capture held so far.
  public var summary: CaptureSummary {
    var summary = base
    summary.messages += mediaMessages
    if mediaMessages > 0 { summary.events["media", default: 0] += mediaMessages }
    for track in summary.trackOrder { summary.tracks[track] = states[index(track)].stats }
    summary.outputSamples = outputSamples
    return summary
  }

  private var shape = InputShape.undetermined
  private var carry: [UInt8] = []
  private var arrayBytes: [UInt8] = []
  private var lineNumber = 0
  private var timelineStartMs: Int?
  private var states: [TrackState] = [TrackState(), TrackState()]
  private var lastSequence: Int?
  /// In automatic mode, the track being written once known.
  private var chosen: MediaTrack?
  private var finished = false

  /// Output channels: 2 for `both`, else 1.
  public var channels: Int { selection == .both ? 2 : 1 }

  public init(input: String, selection: TrackSelection, encoding: OutputEncoding) {
    self.input = input
    self.selection = selection
    self.encoding = encoding
    switch selection {
    case .inbound: chosen = .inbound
    case .outbound: chosen = .outbound
    default: chosen = nil
    }
  }

  // MARK: input

  /// Consumes the next bytes of the capture.
  public mutating func feed(_ chunk: UnsafeRawBufferPointer) throws(CaptureError) {
    guard !chunk.isEmpty else { return }
    if shape == .undetermined {
      guard let first = chunk.firstIndex(where: { !isSpace($0) }) else {
        countNewlines(chunk)
        return
      }
      switch chunk[first] {
      case UInt8(ascii: "{"): shape = .jsonLines
      case UInt8(ascii: "["): shape = .jsonArray
      default: shape = .base64Lines
      }
      base.format =
        shape == .jsonLines ? "JSON lines" : shape == .jsonArray ? "JSON array" : "base64 lines"
    }
    if shape == .jsonArray {
      arrayBytes.append(contentsOf: chunk)
      return
    }
    // Lines: finish the carried partial line, then every complete line in the chunk.
    var start = 0
    if !carry.isEmpty {
      guard let newline = memchrIndex(chunk, from: 0) else {
        carry.append(contentsOf: chunk)
        return
      }
      carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<newline]))
      let line = carry
      carry.removeAll(keepingCapacity: true)
      try typed { try line.withUnsafeBytes { try handleLine($0) } }
      start = newline + 1
    }
    while start < chunk.count {
      guard let newline = memchrIndex(chunk, from: start) else {
        carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start...]))
        return
      }
      try handleLine(UnsafeRawBufferPointer(rebasing: chunk[start..<newline]))
      start = newline + 1
    }
  }

  /// Ends the input: the last line without a newline, a JSON array, end padding.
  public mutating func finish() throws(CaptureError) {
    guard !finished else { return }
    finished = true
    if !carry.isEmpty {
      let line = carry
      carry = []
      try typed { try line.withUnsafeBytes { try handleLine($0) } }
    }
    if shape == .jsonArray { try handleArray() }
    if chosen == nil {
      // Automatic selection never saw an inbound frame: the only track present wins.
      chosen = base.trackOrder.first ?? .inbound
    }
    if selection == .both {
      let length = max(states[0].stats.timelineSamples, states[1].stats.timelineSamples)
      for i in 0..<2 {
        let missing = length - states[i].stats.timelineSamples
        states[i].pending.append(repeating: G711.muLawSilence, count: missing)
      }
    }
  }

  private func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

  private mutating func countNewlines(_ chunk: UnsafeRawBufferPointer) {
    lineNumber += chunk.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
  }

  private func memchrIndex(_ buffer: UnsafeRawBufferPointer, from: Int) -> Int? {
    guard from < buffer.count, let base = buffer.baseAddress else { return nil }
    guard let hit = memchr(base + from, 0x0A, buffer.count - from) else { return nil }
    return UnsafeRawPointer(hit) - base
  }

  /// Runs `body`, whose closures lose the typed throw, and restores it.
  private func typed(_ body: () throws -> Void) throws(CaptureError) {
    do { try body() } catch let error as CaptureError { throw error } catch {
      throw CaptureError(input: input, line: lineNumber, message: "\(error)")
    }
  }

  private func error(_ message: String) -> CaptureError {
    CaptureError(input: input, line: lineNumber, message: message)
  }

  private mutating func handleLine(_ raw: UnsafeRawBufferPointer) throws(CaptureError) {
    lineNumber += 1
    var line = raw
    while let last = line.last, isSpace(last) { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
    while let first = line.first, isSpace(first) { line = UnsafeRawBufferPointer(rebasing: line.dropFirst()) }
    if line.isEmpty { return }
    if shape == .base64Lines {
      mediaMessages += 1
      try placeMedia(track: .inbound, timestampMs: nil, chunk: nil, payload: line, field: "payload")
      return
    }
    if try twilioMediaLine(line) { return }
    if try fastMediaLine(line) { return }
    let value: JSONValue
    do { value = try JSONParser.parse(bytes: Array(line)) } catch {
      throw self.error("not valid JSON: \(error)")
    }
    try handleMessage(value)
  }

  private mutating func handleArray() throws(CaptureError) {
    let value: JSONValue
    do { value = try JSONParser.parse(bytes: arrayBytes) } catch {
      throw CaptureError(input: input, line: nil, message: "not valid JSON: \(error)")
    }
    arrayBytes = []
    guard case .array(let messages) = value else {
      throw CaptureError(input: input, line: nil, message: "expected a JSON array of messages")
    }
    lineNumber = 0
    for message in messages {
      lineNumber += 1
      try handleMessage(message)
    }
  }

  // MARK: the fast path

  private static let eventMedia = Array(#""event":"media""#.utf8)
  private static let payloadKey = Array(#""payload":""#.utf8)
  private static let trackKey = Array(#""track":""#.utf8)
  private static let timestampKey = Array(#""timestamp":""#.utf8)
  private static let chunkKey = Array(#""chunk":""#.utf8)
  private static let sequenceKey = Array(#""sequenceNumber":""#.utf8)

  /// The value after `key` up to the next quote, or nil when the key is absent or the value has
  /// a backslash (which the full parser must handle).
  private func quotedValue(_ key: [UInt8], in line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
    guard let base = line.baseAddress else { return nil }
    let found = key.withUnsafeBytes { k in tw_memmem(base, line.count, k.baseAddress, k.count) }
    guard let found else { return nil }
    let start = UnsafeRawPointer(found) - base + key.count
    guard start <= line.count,
      let close = memchr(base + start, Int32(UInt8(ascii: "\"")), line.count - start)
    else { return nil }
    let end = UnsafeRawPointer(close) - base
    let value = UnsafeRawBufferPointer(rebasing: line[start..<end])
    if memchr(value.baseAddress ?? base, Int32(UInt8(ascii: "\\")), value.count) != nil { return nil }
    return value
  }

  private func integer(_ text: UnsafeRawBufferPointer?) -> Int? {
    guard let text, !text.isEmpty, text.count <= 18 else { return nil }
    var value = 0
    for byte in text {
      guard byte >= 0x30 && byte <= 0x39 else { return nil }
      value = value * 10 + Int(byte - 0x30)
    }
    return value
  }

  private static let twilioPrefix = Array(#"{"event":"media","sequenceNumber":""#.utf8)
  private static let twilioTrack = Array(#"","media":{"track":""#.utf8)
  private static let twilioChunk = Array(#"","chunk":""#.utf8)
  private static let twilioTimestamp = Array(#"","timestamp":""#.utf8)
  private static let twilioPayload = Array(#"","payload":""#.utf8)
  private static let inboundWord = Array("inbound".utf8)
  private static let outboundWord = Array("outbound".utf8)

  /// Handles a media line exactly as Twilio writes it (`event`, `sequenceNumber`, `media` with
  /// `track`, `chunk`, `timestamp`, `payload`, then `streamSid`) in one forward pass; false hands
  /// any other shape to the order-independent scanner.
  private mutating func twilioMediaLine(_ line: UnsafeRawBufferPointer) throws(CaptureError) -> Bool {
    guard let base = line.baseAddress, line.last == UInt8(ascii: "}") else { return false }
    let count = line.count
    var at = 0
    func literal(_ bytes: [UInt8]) -> Bool {
      guard at + bytes.count <= count,
        bytes.withUnsafeBytes({ memcmp(base + at, $0.baseAddress!, bytes.count) }) == 0
      else { return false }
      at += bytes.count
      return true
    }
    func digits() -> Int? {
      var value = 0
      let start = at
      while at < count, at - start < 18 {
        let b = line[at]
        guard b >= 0x30 && b <= 0x39 else { break }
        value = value &* 10 &+ Int(b &- 0x30)
        at += 1
      }
      return at > start ? value : nil
    }
    guard literal(Self.twilioPrefix), let sequence = digits(), literal(Self.twilioTrack) else {
      return false
    }
    let track: MediaTrack
    if literal(Self.inboundWord) {
      track = .inbound
    } else if literal(Self.outboundWord) {
      track = .outbound
    } else {
      return false
    }
    guard literal(Self.twilioChunk), let chunk = digits(), literal(Self.twilioTimestamp),
      let timestamp = digits(), literal(Self.twilioPayload),
      let close = memchr(base + at, Int32(UInt8(ascii: "\"")), count - at)
    else { return false }
    let payloadEnd = UnsafeRawPointer(close) - base
    let payload = UnsafeRawBufferPointer(rebasing: line[at..<payloadEnd])
    // The rest must close the media object: `"}` then `,"streamSid":"…"}` or `}`.
    guard payloadEnd + 2 <= count, line[payloadEnd + 1] == UInt8(ascii: "}") else { return false }
    if memchr(payload.baseAddress ?? base, Int32(UInt8(ascii: "\\")), payload.count) != nil {
      return false
    }
    mediaMessages += 1
    noteSequence(sequence)
    try placeMedia(
      track: track, timestampMs: timestamp, chunk: chunk, payload: payload, field: "media.payload")
    return true
  }

  /// Handles a `media` line of the usual shape; false hands the line to the full parser.
  private mutating func fastMediaLine(_ line: UnsafeRawBufferPointer) throws(CaptureError) -> Bool {
    guard let base = line.baseAddress,
      Self.eventMedia.withUnsafeBytes({ tw_memmem(base, line.count, $0.baseAddress, $0.count) }) != nil,
      let payload = quotedValue(Self.payloadKey, in: line),
      let trackText = quotedValue(Self.trackKey, in: line),
      let timestamp = integer(quotedValue(Self.timestampKey, in: line))
    else { return false }
    let track: MediaTrack
    if trackText.elementsEqual("inbound".utf8) {
      track = .inbound
    } else if trackText.elementsEqual("outbound".utf8) {
      track = .outbound
    } else {
      return false
    }
    // A line must be one object: anything odd (a second object, trailing text) goes the slow way.
    guard line.first == UInt8(ascii: "{"), line.last == UInt8(ascii: "}") else { return false }
    mediaMessages += 1
    noteSequence(integer(quotedValue(Self.sequenceKey, in: line)))
    try placeMedia(
      track: track, timestampMs: timestamp, chunk: integer(quotedValue(Self.chunkKey, in: line)),
      payload: payload, field: "media.payload")
    return true
  }

  // MARK: the full path

  private mutating func handleMessage(_ message: JSONValue) throws(CaptureError) {
    guard message.members != nil else {
      throw error("expected a JSON object (a Media Streams message)")
    }
    base.messages += 1
    guard let event = message["event"]?.stringValue else {
      base.unknownEvents += 1
      return
    }
    noteSequence(intField(message["sequenceNumber"]))
    switch event {
    case "connected", "stop":
      base.events[event, default: 0] += 1
    case "start":
      base.events[event, default: 0] += 1
      try handleStart(message)
    case "media":
      base.events[event, default: 0] += 1
      guard let media = message["media"], media.members != nil else {
        throw error("media message without a media object (media)")
      }
      guard let payload = media["payload"]?.stringValue else {
        throw error("media message without a payload (media.payload)")
      }
      var track = MediaTrack.inbound
      if let text = media["track"]?.stringValue {
        guard let t = MediaTrack(rawValue: text) else {
          throw error("unknown track '\(text)' (media.track): expected inbound or outbound")
        }
        track = t
      }
      var timestamp: Int?
      if let field = media["timestamp"] {
        guard let t = intField(field), t >= 0 else {
          throw error("timestamp is not a non-negative integer (media.timestamp)")
        }
        timestamp = t
      }
      let bytes = Array(payload.utf8)
      let chunk = intField(media["chunk"])
      try typed {
        try bytes.withUnsafeBytes { raw in
          try placeMedia(
            track: track, timestampMs: timestamp, chunk: chunk, payload: raw, field: "media.payload")
        }
      }
    case "mark":
      base.events[event, default: 0] += 1
      base.marks.append((message["mark"]?["name"]?.stringValue ?? "", lineNumber))
    case "dtmf":
      base.events[event, default: 0] += 1
      base.dtmf.append(
        (message["dtmf"]?["digit"]?.stringValue ?? "?", lineNumber, states[0].stats.timelineSamples / 8))
    default:
      base.unknownEvents += 1
    }
  }

  private func intField(_ value: JSONValue?) -> Int? {
    switch value {
    case .string(let s): Int(s)
    case .number(let n): Int(n)
    default: nil
    }
  }

  private mutating func handleStart(_ message: JSONValue) throws(CaptureError) {
    let start = message["start"]
    base.streamSid = message["streamSid"]?.stringValue ?? start?["streamSid"]?.stringValue
    base.callSid = start?["callSid"]?.stringValue
    if case .array(let tracks) = start?["tracks"] {
      base.declaredTracks = tracks.compactMap(\.stringValue)
    }
    for member in start?["customParameters"]?.members ?? [] {
      base.customParameters.append((member.key, member.value.stringValue ?? ""))
    }
    if let format = start?["mediaFormat"] {
      if let encoding = format["encoding"]?.stringValue, encoding != "audio/x-mulaw" {
        throw error(
          "unsupported media encoding '\(encoding)' (start.mediaFormat.encoding): Twilio streams audio/x-mulaw"
        )
      }
      if let rate = intField(format["sampleRate"]), rate != 8000 {
        throw error("unsupported sample rate \(rate) (start.mediaFormat.sampleRate): Twilio streams 8000 Hz")
      }
      if let channels = intField(format["channels"]), channels != 1 {
        throw error("unsupported channel count \(channels) (start.mediaFormat.channels): Twilio streams mono")
      }
    }
    // Automatic selection: a stream declared with only the outbound track decodes that one.
    if selection == .automatic, chosen == nil, !base.declaredTracks.isEmpty,
      !base.declaredTracks.contains("inbound"), base.declaredTracks.contains("outbound")
    {
      chosen = .outbound
    }
  }

  private mutating func noteSequence(_ sequence: Int?) {
    guard let sequence else { return }
    if let last = lastSequence, sequence != last + 1, base.sequenceAnomalies.count < 1000 {
      base.sequenceAnomalies.append((lineNumber, last + 1, sequence))
    }
    lastSequence = sequence
  }

  // MARK: the timeline

  private func index(_ track: MediaTrack) -> Int { track == .inbound ? 0 : 1 }

  /// Whether frames of `track` go to the output.
  private mutating func isWritten(_ track: MediaTrack) -> Bool {
    switch selection {
    case .both: return true
    case .inbound: return track == .inbound
    case .outbound: return track == .outbound
    case .automatic:
      if chosen == nil && track == .inbound {
        chosen = .inbound
        states[1].pending.removeAll()  // outbound frames buffered while undecided
      }
      // Until an inbound frame shows up, keep the outbound track in case it is the only one.
      return chosen == nil ? track == .outbound : chosen == track
    }
  }

  private mutating func placeMedia(
    track: MediaTrack, timestampMs: Int?, chunk: Int?, payload: UnsafeRawBufferPointer, field: String
  ) throws(CaptureError) {
    let i = index(track)
    if !states[i].seen {
      states[i].seen = true
      base.trackOrder.append(track)
    }
    if let chunk {
      if let last = states[i].lastChunk, chunk != last + 1 { states[i].stats.chunkAnomalies += 1 }
      states[i].lastChunk = chunk
    }
    let written = isWritten(track)
    let queue = states[i].pending
    if let timestampMs {
      if timelineStartMs == nil { timelineStartMs = timestampMs }
      let expected = (timestampMs - (timelineStartMs ?? 0)) &* 8
      let gap = expected - states[i].stats.timelineSamples
      let frameLength = payload.count / 4 * 3
      if gap >= max(frameLength, 8) {
        guard gap <= Self.maximumGapSamples else {
          throw error(
            "timestamp \(timestampMs) jumps \(gap / 8000) s past the previous frame (media.timestamp); refusing to fill more than 24 h of silence"
          )
        }
        states[i].stats.gaps += 1
        states[i].stats.gapSamples += gap
        if states[i].stats.gapList.count < 100 {
          states[i].stats.gapList.append((states[i].stats.timelineSamples / 8, gap / 8))
        }
        states[i].stats.timelineSamples += gap
        if written { queue.append(repeating: G711.muLawSilence, count: gap) }
      }
    }
    guard let added = Self.decodeBase64(payload, into: queue) else {
      throw error("payload is not valid base64 (\(field))")
    }
    if written {
      queue.commit(added)
    }
    states[i].stats.frames += 1
    states[i].stats.bytes += added
    states[i].stats.timelineSamples += added
  }

  /// The longest run of silence one timestamp jump may ask for: 24 hours.
  static let maximumGapSamples = 24 * 3600 * 8000

  /// Base64 pairs: entry `c0 | c1 << 8` holds the 12 bits two characters encode, or 0x8000 when
  /// either is outside the alphabet. Two lookups decode four characters.
  private static let base64PairTable: [UInt16] = {
    var single = [UInt16](repeating: 0x8000, count: 256)
    for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
      single[Int(c)] = UInt16(i)
    }
    var pairs = [UInt16](repeating: 0x8000, count: 65536)
    for c0 in 0..<256 {
      for c1 in 0..<256 {
        let a = single[c0]
        let b = single[c1]
        pairs[c0 | c1 << 8] = (a | b) & 0x8000 != 0 ? 0x8000 : a << 6 | b
      }
    }
    return pairs
  }()

  /// Strict standard base64 (padding optional) decoded into the space after `queue`'s end, not
  /// yet committed. Returns the number of bytes, or nil when the text is not base64.
  private static func decodeBase64(_ text: UnsafeRawBufferPointer, into queue: ByteQueue) -> Int? {
    var end = text.count
    if end > 0 && text[end - 1] == UInt8(ascii: "=") { end -= 1 }
    if end > 0 && text[end - 1] == UInt8(ascii: "=") { end -= 1 }
    let rest = end % 4
    let padding = text.count - end
    guard rest != 1, padding == 0 || (end + padding) % 4 == 0, let input = text.baseAddress else {
      return end == 0 && padding == 0 ? 0 : nil
    }
    let outLength = end / 4 * 3 + (rest == 0 ? 0 : rest - 1)
    // Two spare bytes: the 8-character step stores 8 bytes to write 6.
    let out = queue.reserve(outLength + 2)
    return base64PairTable.withUnsafeBufferPointer { table -> Int? in
      let t = table.baseAddress!
      var bad: UInt16 = 0
      var i = 0
      var o = 0
      let full = end - rest
      while i + 8 <= full {
        let w = input.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        let a = t[Int(truncatingIfNeeded: w & 0xFFFF)]
        let b = t[Int(truncatingIfNeeded: w >> 16 & 0xFFFF)]
        let c = t[Int(truncatingIfNeeded: w >> 32 & 0xFFFF)]
        let d = t[Int(truncatingIfNeeded: w >> 48)]
        bad |= a | b | c | d
        // 48 bits, first byte highest; stored big-endian from the top of a 64-bit word.
        let bits = UInt64(a) << 52 | UInt64(b) << 40 | UInt64(c) << 28 | UInt64(d) << 16
        UnsafeMutableRawPointer(out + o).storeBytes(of: bits.bigEndian, as: UInt64.self)
        i += 8
        o += 6
      }
      while i < full {
        let hi = t[Int(input.loadUnaligned(fromByteOffset: i, as: UInt16.self))]
        let lo = t[Int(input.loadUnaligned(fromByteOffset: i + 2, as: UInt16.self))]
        bad |= hi | lo
        let n = UInt32(hi) << 12 | UInt32(lo)
        out[o] = UInt8(truncatingIfNeeded: n >> 16)
        out[o + 1] = UInt8(truncatingIfNeeded: n >> 8)
        out[o + 2] = UInt8(truncatingIfNeeded: n)
        i += 4
        o += 3
      }
      if rest > 1 {
        let pairIndex = Int(input.loadUnaligned(fromByteOffset: i, as: UInt16.self))
        let hi = t[pairIndex]
        // The third character, if any, pairs with 'A' (0) for the lookup.
        let lo = rest == 3 ? t[Int(input.load(fromByteOffset: i + 2, as: UInt8.self)) | 0x4100] : 0
        bad |= hi | lo
        let n = UInt32(hi) << 12 | UInt32(lo)
        out[o] = UInt8(truncatingIfNeeded: n >> 16)
        if rest == 3 { out[o + 1] = UInt8(truncatingIfNeeded: n >> 8) }
      }
      return bad & 0x8000 == 0 ? outLength : nil
    }
  }

  // MARK: output

  /// Appends the audio ready so far to `out`, encoded and (for `both`) interleaved.
  public mutating func takeOutput(into out: inout [UInt8]) {
    let left: ByteQueue
    var right: ByteQueue?
    switch selection {
    case .both:
      left = states[0].pending
      right = states[1].pending
    default:
      guard let track = chosen ?? (finished ? .inbound : nil) else { return }
      left = states[index(track)].pending
    }
    let n = min(left.count, right?.count ?? .max)
    guard n > 0 else { return }
    let start = out.count
    out.reserveCapacity(start + n * channels * encoding.bytesPerSample)
    out += repeatElement(0, count: n * channels * encoding.bytesPerSample)
    out.withUnsafeMutableBytes { raw in
      convert(
        left.bytes, right?.bytes, count: n, into: UnsafeMutableRawBufferPointer(rebasing: raw[start...]))
    }
    left.removeFirst(n)
    right?.removeFirst(n)
    outputSamples += n
  }

  private func convert(
    _ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>?, count: Int,
    into dest: UnsafeMutableRawBufferPointer
  ) {
    guard let out = dest.baseAddress, let l = left.baseAddress else { return }
    switch encoding {
    case .mulaw:
      if let r = right?.baseAddress {
        for k in 0..<count {
          out.storeBytes(of: l[k], toByteOffset: 2 * k, as: UInt8.self)
          out.storeBytes(of: r[k], toByteOffset: 2 * k + 1, as: UInt8.self)
        }
      } else {
        out.copyMemory(from: l, byteCount: count)
      }
    case .alaw:
      G711.muLawToALaw.withUnsafeBufferPointer { table in
        let t = table.baseAddress!
        if let r = right?.baseAddress {
          for k in 0..<count {
            out.storeBytes(of: t[Int(l[k])], toByteOffset: 2 * k, as: UInt8.self)
            out.storeBytes(of: t[Int(r[k])], toByteOffset: 2 * k + 1, as: UInt8.self)
          }
        } else {
          for k in 0..<count { out.storeBytes(of: t[Int(l[k])], toByteOffset: k, as: UInt8.self) }
        }
      }
    case .pcm16:
      G711.muLawDecodeTableLE.withUnsafeBufferPointer { table in
        let t = table.baseAddress!
        if let r = right?.baseAddress {
          for k in 0..<count {
            out.storeBytes(of: t[Int(l[k])], toByteOffset: 4 * k, as: UInt16.self)
            out.storeBytes(of: t[Int(r[k])], toByteOffset: 4 * k + 2, as: UInt16.self)
          }
        } else {
          // Two samples per lookup: a µ-law byte pair indexes both little-endian PCM words.
          G711.muLawPairDecodeTableLE.withUnsafeBufferPointer { pairs in
            let p = pairs.baseAddress!
            let raw = UnsafeRawPointer(l)
            var k = 0
            while k + 1 < count {
              let pair = raw.loadUnaligned(fromByteOffset: k, as: UInt16.self)
              out.storeBytes(of: p[Int(pair)], toByteOffset: 2 * k, as: UInt32.self)
              k += 2
            }
            if k < count { out.storeBytes(of: t[Int(l[k])], toByteOffset: 2 * k, as: UInt16.self) }
          }
        }
      }
    }
  }
}

extension G711 {
  /// µ-law decode table as little-endian 16-bit words, ready to store.
  static let muLawDecodeTableLE: [UInt16] = muLawDecodeTable.map { UInt16(bitPattern: $0).littleEndian }
  /// Two µ-law bytes (as a little-endian `UInt16`) to their two PCM samples (as the little-endian
  /// `UInt32` of both words): 256 KiB, halving the lookups of the hottest loop in `codec decode`.
  static let muLawPairDecodeTableLE: [UInt32] = (0..<65536).map { pair in
    let first = UInt32(UInt16(bitPattern: muLawDecodeTable[pair & 0xFF]))
    let second = UInt32(UInt16(bitPattern: muLawDecodeTable[pair >> 8]))
    return (first | second << 16).littleEndian
  }
  /// µ-law to A-law through the linear value (G.191 encode of the G.711 decode).
  static let muLawToALaw: [UInt8] = muLawDecodeTable.map { aLawEncode($0) }
}
