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
public struct CaptureError: ClassifiedError, Equatable, Sendable {
  /// A capture that cannot be read is malformed input (65).
  public var failureKind: FailureKind { .dataError }
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
    /// `media.chunk` values not above the previous one (frames out of order, or twice).
    public var chunkAnomalies = 0
    /// Frames that came after later ones and were put back where their timestamp says, into
    /// the silence their absence had left.
    public var reordered = 0
    /// Frames whose time was already taken by audio (a duplicate, an overlap) or that came too
    /// long after their time to be put back (`CaptureDecoder.reorderWindow`): left out.
    public var dropped = 0

    public init() {}
  }

  public var format: String = ""
  public var messages = 0
  public var events: [String: Int] = [:]
  /// Messages with no `event` or an event this decoder does not know.
  public var unknownEvents = 0
  /// `media` messages from the bot (in a session log) that Twilio would refuse, error 31951: no
  /// media object or payload, an unknown track, a payload that is not base64. Logged as they
  /// came, skipped here: they were never played.
  public var invalidBotMessages = 0
  /// Messages whose counters (`sequenceNumber`, `media.chunk`, `media.timestamp`) are JSON
  /// numbers; Twilio writes strings. Read all the same.
  public var numericCounters = 0
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
  /// With `asHeard`: bot audio a `clear` dropped before it played, and audio Twilio would have
  /// discarded (over 10 minutes queued), in samples.
  public var clearedSamples = 0
  public var discardedSamples = 0
}

/// A track's samples waiting for output, in order: µ-law bytes, with long silences kept as a
/// count, so a timestamp jump of hours costs no memory (it is written out in blocks).
final class TrackQueue {
  struct Run {
    var silence: Bool
    var count: Int
  }

  let bytes = ByteQueue(capacity: 1 << 16)
  /// Closed runs, oldest first from `head`; then `openBytes` bytes not yet in a run, so the
  /// per-frame path touches two integers, not the array.
  private var runs: [Run] = []
  private var head = 0
  private var openBytes = 0
  private(set) var count = 0

  /// Silences up to this long are stored as bytes: cheaper than a run, and a frame that comes
  /// late can be written into them (`CaptureDecoder.reorderWindow`).
  static let inlineSilence = 8192

  /// Counts `n` bytes written after `bytes.reserve`.
  func commit(_ n: Int) {
    bytes.commit(n)
    openBytes += n
    count += n
  }

  /// Appends `n` samples of µ-law silence.
  func appendSilence(_ n: Int) {
    guard n > 0 else { return }
    if n <= Self.inlineSilence {
      bytes.append(repeating: G711.muLawSilence, count: n)
      openBytes += n
    } else {
      if openBytes > 0 {
        runs.append(Run(silence: false, count: openBytes))
        openBytes = 0
      }
      if head < runs.count, runs[runs.count - 1].silence {
        runs[runs.count - 1].count += n
      } else {
        runs.append(Run(silence: true, count: n))
      }
    }
    count += n
  }

  /// Writes `source` over queued samples from `offset` (samples from the front), when all of
  /// them are bytes (not a silence run); false otherwise.
  func overwrite(at offset: Int, from source: UnsafeBufferPointer<UInt8>) -> Bool {
    guard offset >= 0, offset + source.count <= count else { return false }
    var samples = offset
    var byteOffset = 0
    var k = head
    while k < runs.count {
      let run = runs[k]
      if samples < run.count {
        guard !run.silence, samples + source.count <= run.count else { return false }
        bytes.overwrite(at: byteOffset + samples, from: source)
        return true
      }
      samples -= run.count
      if !run.silence { byteOffset += run.count }
      k += 1
    }
    guard samples + source.count <= openBytes else { return false }
    bytes.overwrite(at: byteOffset + samples, from: source)
    return true
  }

  /// Appends bytes.
  func append(_ source: UnsafeBufferPointer<UInt8>) {
    guard let base = source.baseAddress, !source.isEmpty else { return }
    bytes.reserve(source.count).update(from: base, count: source.count)
    commit(source.count)
  }

  /// The run at the front.
  var first: Run? {
    if head < runs.count { return runs[head] }
    return openBytes > 0 ? Run(silence: false, count: openBytes) : nil
  }

  /// Drops `n` samples from the front run (`n` ≤ its count).
  func removeFirst(_ n: Int) {
    guard n > 0 else { return }
    count -= n
    guard head < runs.count else {
      bytes.removeFirst(n)
      openBytes -= n
      return
    }
    if !runs[head].silence { bytes.removeFirst(n) }
    runs[head].count -= n
    if runs[head].count == 0 {
      head += 1
      if head == runs.count {
        runs.removeAll(keepingCapacity: true)
        head = 0
      } else if head >= 64 {
        runs.removeFirst(head)
        head = 0
      }
    }
  }

  func removeAll() {
    bytes.removeAll()
    runs.removeAll()
    head = 0
    openBytes = 0
    count = 0
  }
}

/// Turns a Media Streams capture into µ-law audio on one timeline, as it arrives.
///
/// Input, detected from its first byte (after a UTF-8 byte-order mark, if any): JSON lines (`{`),
/// a JSON array of messages (`[`), or bare base64 payloads one per line; lines end with LF, CRLF
/// or CR. JSON lines take a fast path when the whole line is exactly one `media` object of the
/// usual shape (keys in any order, string values without escapes); anything else goes to the
/// full JSON parser, so speed never costs correctness (design.md). Frames are placed by
/// `media.timestamp`: a frame that starts half a frame (at most 10 ms) or more after the end of
/// the audio so far follows lost media, and the gap becomes µ-law silence (less is jitter, absorbed); with both
/// tracks the shorter is padded, so the output lasts as long as the call did. Silence is kept as
/// a count until written, so memory stays flat whatever the timestamps.
///
/// With `asHeard`, outbound audio (what the bot sent) is played through Twilio's playout rule
/// (`PlayoutBuffer`: queued at 8,000 bytes/s, `clear` drops what has not played), timed by the
/// arrival time a `stream replay --log` or session log gives each message.
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
    let pending = TrackQueue()
    var stats = CaptureSummary.Track()
    var lastChunk: Int?
    var seen = false
    /// Silence filled for missing frames in the last `reorderWindow` samples of the timeline
    /// (start, length), oldest first: where a frame that comes late still fits.
    var recentGaps: [(start: Int, length: Int)] = []
    /// Samples added to this track's timestamps: a track whose first frame is timed before the
    /// timeline's start (another track's first frame) starts at the timeline's start instead.
    var shift = 0
  }

  /// How far back on the timeline (samples: 1 s) a frame that comes after later ones is still
  /// put where its timestamp says: output after a gap waits up to this long for it.
  public static let reorderWindow = 8000

  /// Input name for messages.
  public let input: String
  public let selection: TrackSelection
  public let encoding: OutputEncoding
  /// Outbound audio as the caller heard it (Twilio's playout, `clear` applied), not as sent.
  public let asHeard: Bool
  /// Whether lines of the usual shape take the byte scanner (tests turn it off to compare).
  public var fastPath = true
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
    summary.clearedSamples = clearedSamples + playout.bytesCleared
    summary.discardedSamples = discardedSamples + playout.bytesDiscarded
    return summary
  }

  /// The longest line taken: a 20 ms frame is about 300 bytes, so 16 MiB is a frame of over
  /// 17 minutes; past it the input is not one message per line (or has no line breaks at all).
  public static let maximumLineBytes = 16 << 20
  /// The largest JSON array document held to parse.
  public static let maximumArrayBytes = 256 << 20
  /// The largest `media.timestamp` taken (ms, about 31,700 years): keeps every sample count in
  /// range of a 64-bit integer whatever a peer writes.
  public static let maximumTimestampMs = 1_000_000_000_000_000

  private var shape = InputShape.undetermined
  private var carry: [UInt8] = []
  private var arrayBytes: [UInt8] = []
  /// Whitespace read before the input's shape was known, kept so a JSON array's error offsets
  /// count from the start of the input however the reads were split.
  private var spaceBeforeShape: [UInt8] = []
  private var lineNumber = 0
  /// LF (also CRLF, whose CR is trimmed) or CR, decided on the input's first 64 KiB.
  private var terminator: UInt8?
  /// Input bytes seen while the line end was undecided, and whether they held a CR.
  private var undecidedBytes = 0
  private var sawCR = false
  private var leading: [UInt8] = []
  private var leadingChecked = false
  private var timelineStartMs: Int?
  private var states: [TrackState] = [TrackState(), TrackState()]
  private var lastSequence: Int?
  /// In automatic mode, the track being written once known.
  private var chosen: MediaTrack?
  private var finished = false

  // As heard: the playout, and the clock that times messages without a timestamp.
  private var playout = PlayoutBuffer()
  private var clearedSamples = 0
  private var discardedSamples = 0
  private var botAnchorMs: Double?
  private var twilioAnchorMs: Double?
  private var lastClockMs: Double?
  private let scratch = ByteQueue(capacity: 4096)

  /// Output channels: 2 for `both`, else 1.
  public var channels: Int { selection == .both ? 2 : 1 }

  public init(input: String, selection: TrackSelection, encoding: OutputEncoding, asHeard: Bool = false) {
    self.input = input
    self.selection = selection
    self.encoding = encoding
    self.asHeard = asHeard
    switch selection {
    case .inbound: chosen = .inbound
    case .outbound: chosen = .outbound
    default: chosen = nil
    }
  }

  // MARK: input

  private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

  /// Consumes the next bytes of the capture.
  public mutating func feed(_ chunk: UnsafeRawBufferPointer) throws(CaptureError) {
    guard !chunk.isEmpty else { return }
    guard leadingChecked else {
      // A UTF-8 byte-order mark (some Windows editors write one) is not part of the capture.
      let take = min(3 - leading.count, chunk.count)
      leading.append(contentsOf: chunk[0..<take])
      if leading.count < 3 && leading.elementsEqual(Self.byteOrderMark.prefix(leading.count)) { return }
      leadingChecked = true
      let head = leading
      leading = []
      if head != Self.byteOrderMark {
        try head.withBytes { (raw) throws(CaptureError) in try feedBytes(raw) }
      }
      try feedBytes(UnsafeRawBufferPointer(rebasing: chunk[take...]))
      return
    }
    try feedBytes(chunk)
  }

  private mutating func feedBytes(_ chunk: UnsafeRawBufferPointer) throws(CaptureError) {
    guard !chunk.isEmpty else { return }
    if shape == .undetermined {
      guard let first = chunk.firstIndex(where: { !isSpace($0) }) else {
        if spaceBeforeShape.count + chunk.count <= Self.maximumArrayBytes {
          spaceBeforeShape.append(contentsOf: chunk)
        } else {
          countNewlines(chunk)  // beyond what is kept (256 MiB of white space): counted only
        }
        return
      }
      switch chunk[first] {
      case UInt8(ascii: "{"): shape = .jsonLines
      case UInt8(ascii: "["):
        shape = .jsonArray
        arrayBytes = spaceBeforeShape
      default: shape = .base64Lines
      }
      let whiteSpace = spaceBeforeShape
      spaceBeforeShape = []
      base.format =
        shape == .jsonLines ? "JSON lines" : shape == .jsonArray ? "JSON array" : "base64 lines"
      if shape != .jsonArray && !whiteSpace.isEmpty {
        // The white space before the first line is (empty) lines too: it goes through the same
        // line path, so line numbers and the line end do not depend on how the reads split it.
        try whiteSpace.withBytes { (raw) throws(CaptureError) in try feedLines(raw) }
      }
    }
    if shape == .jsonArray {
      guard arrayBytes.count + chunk.count <= Self.maximumArrayBytes else {
        throw CaptureError(
          input: input, line: nil,
          message:
            "the JSON array is over \(Self.maximumArrayBytes >> 20) MiB; give it as JSON lines instead (jq -c '.[]')"
        )
      }
      arrayBytes.append(contentsOf: chunk)
      return
    }
    try feedLines(chunk)
  }

  /// The next bytes of a capture made of lines (JSON lines or base64 lines).
  private mutating func feedLines(_ chunk: UnsafeRawBufferPointer) throws(CaptureError) {
    if terminator == nil {
      noteLineEnds(chunk)
      guard terminator != nil else {
        try checkLength(carry.count + chunk.count)
        carry.append(contentsOf: chunk)
        return
      }
      if !carry.isEmpty {
        // What waited may hold line ends: its lines first, then the chunk goes on from its
        // remainder (no copy of the chunk).
        let waiting = carry
        carry = []
        try waiting.withBytes { (raw) throws(CaptureError) in try splitLines(raw) }
      }
    }
    try splitLines(chunk)
  }

  /// Bytes the line end is decided on (see `noteLineEnds`).
  static let terminatorWindow = 1 << 16

  /// Decides the line end on the first `terminatorWindow` bytes of the input, whatever the
  /// reads: LF if there is one (CRLF files too: each line's CR is trimmed as white space), else
  /// CR alone (old Mac files) if there is one, else LF. Until then lines wait in `carry`.
  private mutating func noteLineEnds(_ chunk: UnsafeRawBufferPointer) {
    guard terminator == nil, let base = chunk.baseAddress else { return }
    let look = min(chunk.count, max(0, Self.terminatorWindow - undecidedBytes))
    undecidedBytes += chunk.count
    if memchr(base, 0x0A, look) != nil {
      terminator = 0x0A
      return
    }
    sawCR = sawCR || memchr(base, 0x0D, look) != nil
    if undecidedBytes >= Self.terminatorWindow { terminator = sawCR ? 0x0D : 0x0A }
  }

  /// Finishes the carried partial line, then handles every complete line in `chunk`, carrying
  /// the rest.
  private mutating func splitLines(_ chunk: UnsafeRawBufferPointer) throws(CaptureError) {
    var start = 0
    if !carry.isEmpty {
      guard let newline = lineEnd(chunk, from: 0) else {
        try checkLength(carry.count + chunk.count)
        carry.append(contentsOf: chunk)
        return
      }
      try checkLength(carry.count + newline)
      carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<newline]))
      let line = carry
      carry.removeAll(keepingCapacity: true)
      try line.withBytes { (raw) throws(CaptureError) in try handleLine(raw) }
      start = newline + 1
    }
    while start < chunk.count {
      guard let newline = lineEnd(chunk, from: start) else {
        try checkLength(chunk.count - start)
        carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start...]))
        return
      }
      try handleLine(UnsafeRawBufferPointer(rebasing: chunk[start..<newline]))
      start = newline + 1
    }
  }

  private func checkLength(_ length: Int) throws(CaptureError) {
    guard length <= Self.maximumLineBytes else {
      throw CaptureError(
        input: input, line: lineNumber + 1,
        message:
          "line is over \(Self.maximumLineBytes >> 20) MiB with no line break: a capture holds one message per line"
      )
    }
  }

  /// Ends the input: the last line without a newline, a JSON array, end padding, bot audio
  /// still queued.
  public mutating func finish() throws(CaptureError) {
    guard !finished else { return }
    if !leadingChecked {
      leadingChecked = true
      let head = leading
      leading = []
      if head != Self.byteOrderMark {
        try head.withBytes { (raw) throws(CaptureError) in try feedBytes(raw) }
      }
    }
    finished = true
    if terminator == nil && !carry.isEmpty {
      // A short input with no LF: decided on what there is, as a longer one would be.
      terminator = sawCR ? 0x0D : 0x0A
      let pending = carry
      carry = []
      try pending.withBytes { (raw) throws(CaptureError) in try splitLines(raw) }
    }
    if !carry.isEmpty {
      let line = carry
      carry = []
      try line.withBytes { (raw) throws(CaptureError) in try handleLine(raw) }
    }
    if shape == .jsonArray { try handleArray() }
    if asHeard { flushPlayout() }
    if chosen == nil {
      // Automatic selection never saw an inbound frame: the only track present wins.
      chosen = base.trackOrder.first ?? .inbound
    }
    if selection == .both {
      let length = max(states[0].stats.timelineSamples, states[1].stats.timelineSamples)
      for i in 0..<2 {
        let missing = length - states[i].stats.timelineSamples
        states[i].pending.appendSilence(missing)
      }
    }
  }

  private func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

  private mutating func countNewlines(_ chunk: UnsafeRawBufferPointer) {
    lineNumber += chunk.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
  }

  private func lineEnd(_ buffer: UnsafeRawBufferPointer, from: Int) -> Int? {
    guard let terminator, from < buffer.count, let base = buffer.baseAddress else { return nil }
    guard let hit = memchr(base + from, Int32(terminator), buffer.count - from) else { return nil }
    return UnsafeRawPointer(hit) - base
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
    if fastPath {
      if try twilioMediaLine(line) { return }
      if try fastMediaLine(line) { return }
    }
    let value: JSONValue
    do { value = try JSONParser.parse(bytes: Array(line)) } catch {
      if memchr(line.baseAddress!, 0x0D, line.count) != nil {
        throw self.error(
          "not valid JSON: \(error); the line holds a carriage return (mixed line endings?), convert them with tr '\\r' '\\n'"
        )
      }
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
    if asHeard { flushPlayout() }
  }

  // MARK: the fast path

  /// A counter as Twilio writes one (`sequenceNumber`, `chunk`, `timestamp`): up to 18 decimal
  /// digits, so arithmetic on it cannot overflow.
  private static func digitCounter(_ text: UnsafeRawBufferPointer) -> Int? {
    guard !text.isEmpty, text.count <= 18 else { return nil }
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
  private static let twilioStreamSid = Array(#","streamSid":""#.utf8)
  private static let inboundWord = Array("inbound".utf8)
  private static let outboundWord = Array("outbound".utf8)

  /// Handles a media line exactly as Twilio writes it (`event`, `sequenceNumber`, `media` with
  /// `track`, `chunk`, `timestamp`, `payload`, then `streamSid` or nothing) in one forward pass
  /// that checks every byte of the line's structure; false hands any other line on.
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
    // The rest is exactly `"}}` or `"},"streamSid":"…"}`, with nothing after it.
    at = payloadEnd + 1
    guard at < count, line[at] == UInt8(ascii: "}") else { return false }
    at += 1
    if at + 1 != count {
      guard literal(Self.twilioStreamSid), count - at >= 2, line[count - 2] == UInt8(ascii: "\"") else {
        return false
      }
      guard Self.isPlainString(base + at, count - 2 - at) else { return false }
    }
    if memchr(payload.baseAddress ?? base, Int32(UInt8(ascii: "\\")), payload.count) != nil {
      return false
    }
    mediaMessages += 1
    noteSequence(sequence)
    try placeMedia(
      track: track, timestampMs: timestamp, chunk: chunk, payload: payload, field: "media.payload")
    return true
  }

  /// Whether `count` bytes hold no `"`, `\\`, control character or non-ASCII byte (a JSON string
  /// as is; UTF-8 is left to the full parser, which checks it), eight bytes a step: a
  /// byte-by-byte loop here cost a tenth of `codec decode`'s time.
  @inline(__always)
  private static func isPlainString(_ p: UnsafeRawPointer, _ count: Int) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    var i = 0
    while i + 8 <= count {
      let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
      let quote = w ^ (ones &* 0x22)
      let backslash = w ^ (ones &* 0x5C)
      // A byte below 0x20, or one equal to '"' or '\\' (the "has less" / "has zero" tricks), or
      // one with its high bit set (`| w`).
      let found =
        ((w &- ones &* 0x20) & ~w) | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | w
      if found & highs != 0 { return false }
      i += 8
    }
    while i < count {
      let b = p.load(fromByteOffset: i, as: UInt8.self)
      if b < 0x20 || b == 0x22 || b == 0x5C || b >= 0x80 { return false }
      i += 1
    }
    return true
  }

  /// A strict scanner for one JSON object per line whose members are all plain strings (no
  /// escapes, no control characters) or, at the top level, the `media` object.
  private struct FlatScanner {
    let line: UnsafeRawBufferPointer
    var at = 0

    mutating func space() {
      while at < line.count, line[at] == 0x20 || line[at] == 0x09 { at += 1 }
    }

    mutating func byte(_ b: UInt8) -> Bool {
      space()
      guard at < line.count, line[at] == b else { return false }
      at += 1
      return true
    }

    /// A string without escapes or control characters; nil for anything else.
    mutating func string() -> UnsafeRawBufferPointer? {
      space()
      guard at < line.count, line[at] == UInt8(ascii: "\""), let base = line.baseAddress else { return nil }
      let start = at + 1
      guard let close = memchr(base + start, Int32(UInt8(ascii: "\"")), line.count - start) else {
        return nil
      }
      let end = UnsafeRawPointer(close) - base
      let value = UnsafeRawBufferPointer(rebasing: line[start..<end])
      if memchr(base + start, Int32(UInt8(ascii: "\\")), end - start) != nil { return nil }
      at = end + 1
      return value
    }

    /// `{` member (`,` member)* `}`, calling `member` with each key; false on any other shape.
    mutating func object(_ member: (inout FlatScanner, UnsafeRawBufferPointer) -> Bool) -> Bool {
      guard byte(UInt8(ascii: "{")) else { return false }
      if byte(UInt8(ascii: "}")) { return true }
      repeat {
        guard let key = string(), byte(UInt8(ascii: ":")), member(&self, key) else { return false }
      } while byte(UInt8(ascii: ","))
      return byte(UInt8(ascii: "}"))
    }
  }

  /// Printable ASCII only: a control character, or any byte of a multi-byte (or invalid) UTF-8
  /// sequence, goes to the full parser, which checks the encoding.
  private static func plain(_ text: UnsafeRawBufferPointer) -> Bool {
    !text.contains { $0 < 0x20 || $0 >= 0x7F }
  }

  /// Handles a line that is exactly one `media` message with string members (any order, spaces
  /// allowed, each key once, no other keys); false hands the line to the full parser.
  private mutating func fastMediaLine(_ line: UnsafeRawBufferPointer) throws(CaptureError) -> Bool {
    var event: UnsafeRawBufferPointer?
    var sequence: UnsafeRawBufferPointer?
    var streamSid: UnsafeRawBufferPointer?
    var sawMedia = false
    var track: UnsafeRawBufferPointer?
    var chunk: UnsafeRawBufferPointer?
    var timestamp: UnsafeRawBufferPointer?
    var payload: UnsafeRawBufferPointer?
    func take(_ slot: inout UnsafeRawBufferPointer?, _ scanner: inout FlatScanner) -> Bool {
      guard slot == nil, let value = scanner.string() else { return false }
      slot = value
      return true
    }
    var scanner = FlatScanner(line: line)
    let ok = scanner.object { scanner, key in
      if key.elementsEqual("media".utf8) {
        guard !sawMedia else { return false }
        sawMedia = true
        return scanner.object { scanner, key in
          if key.elementsEqual("payload".utf8) { return take(&payload, &scanner) }
          if key.elementsEqual("track".utf8) { return take(&track, &scanner) }
          if key.elementsEqual("timestamp".utf8) { return take(&timestamp, &scanner) }
          if key.elementsEqual("chunk".utf8) { return take(&chunk, &scanner) }
          return false
        }
      }
      if key.elementsEqual("event".utf8) { return take(&event, &scanner) }
      if key.elementsEqual("sequenceNumber".utf8) { return take(&sequence, &scanner) }
      if key.elementsEqual("streamSid".utf8) { return take(&streamSid, &scanner) }
      return false
    }
    scanner.space()
    guard ok, scanner.at == line.count, let event, event.elementsEqual("media".utf8), let payload else {
      return false
    }
    // Values the full parser would treat differently go to it: counters that are not plain
    // digits, control characters, an unknown or missing track.
    let trackValue: MediaTrack
    if let track, track.elementsEqual("inbound".utf8) {
      trackValue = .inbound
    } else if let track, track.elementsEqual("outbound".utf8) {
      trackValue = .outbound
    } else {
      return false
    }
    var timestampValue: Int?
    if let timestamp {
      guard let t = Self.digitCounter(timestamp) else { return false }
      timestampValue = t
    }
    var chunkValue: Int?
    if let chunk {
      guard let c = Self.digitCounter(chunk) else { return false }
      chunkValue = c
    }
    var sequenceValue: Int?
    if let sequence {
      guard let s = Self.digitCounter(sequence) else { return false }
      sequenceValue = s
    }
    if let streamSid, !Self.plain(streamSid) { return false }
    mediaMessages += 1
    noteSequence(sequenceValue)
    try placeMedia(
      track: trackValue, timestampMs: timestampValue, chunk: chunkValue, payload: payload,
      field: "media.payload")
    return true
  }

  // MARK: the full path

  /// Who sent a message and when it arrived, from a `stream replay --log` line (`twvoice.dir`,
  /// `twvoice.t`) or a session-log line (`from`, `t` around `message`).
  private struct Envelope {
    var fromBot = false
    /// Seconds since the socket opened.
    var seconds: Double?
  }

  private static func seconds(_ value: JSONValue?) -> Double? {
    guard case .number(let text) = value, let s = Double(text), s.isFinite, s >= 0, s < 1e9 else {
      return nil
    }
    return s
  }

  private mutating func handleMessage(_ value: JSONValue) throws(CaptureError) {
    guard value.members != nil else {
      throw error("expected a JSON object (a Media Streams message)")
    }
    // twvoice's own observations in a session log (findings) are not messages.
    if value["event"] == nil && value["from"]?.stringValue == "twvoice" { return }
    var message = value
    var envelope = Envelope()
    if value["event"] == nil, let inner = value["message"], inner.members != nil,
      let from = value["from"]?.stringValue
    {
      message = inner
      envelope = Envelope(fromBot: from == "bot", seconds: Self.seconds(value["t"]))
    } else if let meta = value["twvoice"], meta.members != nil {
      envelope = Envelope(fromBot: meta["dir"]?.stringValue == "received", seconds: Self.seconds(meta["t"]))
    }
    base.messages += 1
    guard let event = message["event"]?.stringValue else {
      base.unknownEvents += 1
      return
    }
    if case .number? = message["sequenceNumber"] {
      base.numericCounters += 1
    } else if case .number? = message["media"]?["chunk"] {
      base.numericCounters += 1
    } else if case .number? = message["media"]?["timestamp"] {
      base.numericCounters += 1
    }
    noteSequence(counter(message["sequenceNumber"]))
    switch event {
    case "connected", "stop":
      base.events[event, default: 0] += 1
    case "start":
      base.events[event, default: 0] += 1
      try handleStart(message)
    case "media":
      base.events[event, default: 0] += 1
      guard envelope.fromBot else { return try handleMedia(message, envelope: envelope) }
      // What the bot sent is in the log as it came; one Twilio would refuse was never played.
      // (`handleMedia` checks a bot's fields and base64 before it changes anything; one timed
      // past the 24 h limit is refused after its track is noted.)
      do { try handleMedia(message, envelope: envelope) } catch { base.invalidBotMessages += 1 }
    case "mark":
      base.events[event, default: 0] += 1
      base.marks.append((message["mark"]?["name"]?.stringValue ?? "", lineNumber))
    case "clear":
      // Only a bot sends `clear`: Twilio drops the audio it has not played yet.
      base.events[event, default: 0] += 1
      if asHeard { try clear(at: clock(envelope)) }
    case "dtmf":
      base.events[event, default: 0] += 1
      base.dtmf.append(
        (message["dtmf"]?["digit"]?.stringValue ?? "?", lineNumber, states[0].stats.timelineSamples / 8))
    default:
      base.unknownEvents += 1
    }
  }

  /// A `media` message: placed on its track's timeline, or played out (`asHeard`, the bot's).
  private mutating func handleMedia(_ message: JSONValue, envelope: Envelope) throws(CaptureError) {
    guard let media = message["media"], media.members != nil else {
      throw error("media message without a media object (media)")
    }
    guard let payload = media["payload"]?.stringValue else {
      throw error("media message without a payload (media.payload)")
    }
    let bytes = Array(payload.utf8)
    if envelope.fromBot {
      // Checked before anything changes, so that a bot's message Twilio would refuse leaves no
      // trace (the caller skips it).
      try bytes.withBytes { (raw) throws(CaptureError) in
        guard Self.decodeBase64(raw, into: scratch) != nil else {
          throw error("payload is not valid base64 (media.payload)")
        }
      }
    }
    // What a bot sends carries no track: it is what the caller hears.
    var track = envelope.fromBot ? MediaTrack.outbound : .inbound
    if let text = media["track"]?.stringValue {
      guard let t = MediaTrack(rawValue: text) else {
        throw error("unknown track '\(text)' (media.track): expected inbound or outbound")
      }
      track = t
    }
    var timestamp: Int?
    if let field = media["timestamp"] {
      guard let t = integer(field), t >= 0 else {
        throw error("timestamp is not a non-negative integer (media.timestamp)")
      }
      timestamp = t
    }
    if let timestamp, let seconds = envelope.seconds {
      // The offset between the stream clock and the arrival clock, from the first line that
      // has both (the bot's own lines preferred: they time the `clear`s).
      let anchor = Double(timestamp) - seconds * 1000
      if envelope.fromBot {
        botAnchorMs = botAnchorMs ?? anchor
      } else {
        twilioAnchorMs = twilioAnchorMs ?? anchor
      }
    }
    // A bot's media carries no timestamp: in a log that times each frame, it goes where it
    // arrived on the stream clock.
    if timestamp == nil, envelope.fromBot, envelope.seconds != nil { timestamp = clock(envelope) }
    let chunk = counter(media["chunk"])
    if asHeard && track == .outbound {
      let arrival: Int
      if let timestamp { arrival = try checkedTimestamp(timestamp) } else { arrival = clock(envelope) }
      try bytes.withBytes { (raw) throws(CaptureError) in
        try playMedia(arrivalMs: arrival, chunk: chunk, payload: raw)
      }
      return
    }
    try bytes.withBytes { (raw) throws(CaptureError) in
      try placeMedia(
        track: track, timestampMs: timestamp, chunk: chunk, payload: raw, field: "media.payload")
    }
  }

  /// An integer member (a string of digits, or a JSON number written as an integer), or nil.
  private func integer(_ value: JSONValue?) -> Int? {
    switch value {
    case .string(let s): Int(s)
    case .number(let n): Int(n)
    default: nil
    }
  }

  /// A counter member (sequenceNumber, chunk): an integer of at most 18 digits, or nil.
  private func counter(_ value: JSONValue?) -> Int? {
    guard let n = integer(value), n >= 0, n < 1_000_000_000_000_000_000 else { return nil }
    return n
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
      if let rate = format["sampleRate"], integer(rate) != 8000 {
        throw error(
          "unsupported sample rate \(Self.shown(rate)) (start.mediaFormat.sampleRate): Twilio streams 8000 Hz"
        )
      }
      if let channels = format["channels"], integer(channels) != 1 {
        throw error(
          "unsupported channel count \(Self.shown(channels)) (start.mediaFormat.channels): Twilio streams mono"
        )
      }
    }
    // Automatic selection: a stream declared with only the outbound track decodes that one.
    if selection == .automatic, chosen == nil, !base.declaredTracks.isEmpty,
      !base.declaredTracks.contains("inbound"), base.declaredTracks.contains("outbound")
    {
      chosen = .outbound
    }
  }

  /// A JSON value as text for a message, shortened.
  private static func shown(_ value: JSONValue) -> String {
    let text =
      value.stringValue.map { "'\($0)'" } ?? JSONWriter(style: .compact, asciiOnly: true).string(value)
    return text.count > 40 ? String(text.prefix(40)) + "…" : text
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

  private func checkedTimestamp(_ timestampMs: Int) throws(CaptureError) -> Int {
    guard timestampMs <= Self.maximumTimestampMs else {
      throw error(
        "timestamp \(timestampMs) is out of range (media.timestamp): ms since the stream started, at most \(Self.maximumTimestampMs)"
      )
    }
    return timestampMs
  }

  /// µ-law bytes the base64 text decodes to (whether or not it is valid).
  private static func decodedLength(_ text: UnsafeRawBufferPointer) -> Int {
    var end = text.count
    if end > 0 && text[end - 1] == UInt8(ascii: "=") { end -= 1 }
    if end > 0 && text[end - 1] == UInt8(ascii: "=") { end -= 1 }
    return end / 4 * 3 + max(end % 4 - 1, 0)
  }

  private mutating func noteTrack(_ i: Int, _ track: MediaTrack, chunk: Int?) {
    if !states[i].seen {
      states[i].seen = true
      base.trackOrder.append(track)
    }
    if let chunk {
      // A chunk number that does not go up: a frame out of order or twice. One that skips ahead
      // is a lost frame (a gap) or a counter both tracks share (Twilio's both_tracks example).
      if let last = states[i].lastChunk, chunk <= last { states[i].stats.chunkAnomalies += 1 }
      states[i].lastChunk = chunk
    }
  }

  private mutating func placeMedia(
    track: MediaTrack, timestampMs: Int?, chunk: Int?, payload: UnsafeRawBufferPointer, field: String
  ) throws(CaptureError) {
    let i = index(track)
    noteTrack(i, track, chunk: chunk)
    let written = isWritten(track)
    let queue = states[i].pending
    if let timestampMs {
      _ = try checkedTimestamp(timestampMs)
      if timelineStartMs == nil { timelineStartMs = timestampMs }
      lastClockMs = Double(timestampMs)
      if asHeard && selection == .both && track == .inbound {
        settlePlayout(at: Double(timestampMs - (timelineStartMs ?? 0)), advance: true)
      }
      var expected = (timestampMs - (timelineStartMs ?? 0)) * 8 + states[i].shift
      if expected < 0 && states[i].stats.timelineSamples == 0 && states[i].stats.frames == 0 {
        states[i].shift = -expected
        expected = 0
      }
      let gap = expected - states[i].stats.timelineSamples
      // Half a frame or more (at most 10 ms, at least the timestamp's 1 ms) after the end of
      // the audio so far: media was lost. Twilio's timestamps go up exactly 20 ms a frame; less
      // is jitter or clock drift, absorbed. As far before the end: the frame came late, or twice.
      // Counted in samples, so it holds for payloads of any size.
      let tolerance = min(max((Self.decodedLength(payload) + 1) / 2, 8), 80)
      if gap < 0 && -gap >= tolerance {
        try placeLate(i, at: expected, payload: payload, field: field, written: written)
        return
      }
      if gap > 0 && gap >= tolerance {
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
        pruneRecentGaps(i)
        states[i].recentGaps.append((states[i].stats.timelineSamples, gap))
        states[i].stats.timelineSamples += gap
        if written { queue.appendSilence(gap) }
      }
    }
    guard let added = Self.decodeBase64(payload, into: queue.bytes) else {
      throw error("payload is not valid base64 (\(field))")
    }
    if written {
      queue.commit(added)
    }
    states[i].stats.frames += 1
    states[i].stats.bytes += added
    states[i].stats.timelineSamples += added
  }

  /// A frame whose timestamp puts it before the end of its track's audio so far: put into the
  /// silence left for it when that is still in the last `reorderWindow` samples and not yet
  /// written out, else left out (its time is taken, or gone).
  private mutating func placeLate(
    _ i: Int, at position: Int, payload: UnsafeRawBufferPointer, field: String, written: Bool
  ) throws(CaptureError) {
    guard let length = Self.decodeBase64(payload, into: scratch) else {
      throw error("payload is not valid base64 (\(field))")
    }
    let end = states[i].stats.timelineSamples
    pruneRecentGaps(i)
    let queue = states[i].pending
    guard length > 0, position >= 0,
      let g = states[i].recentGaps.firstIndex(where: {
        $0.start <= position && position + length <= $0.start + $0.length
      })
    else {
      states[i].stats.dropped += 1
      return
    }
    if written {
      let frame = UnsafeBufferPointer(start: scratch.reserve(0), count: length)
      guard queue.overwrite(at: position - (end - queue.count), from: frame) else {
        states[i].stats.dropped += 1
        return
      }
    }
    let gap = states[i].recentGaps[g]
    let pieces = [
      (gap.start, position - gap.start), (position + length, gap.start + gap.length - position - length),
    ]
    .filter { $0.1 > 0 }
    states[i].recentGaps.replaceSubrange(g...g, with: pieces)
    var stats = states[i].stats
    stats.gaps += pieces.count - 1
    stats.gapSamples -= length
    if let listed = stats.gapList.firstIndex(where: {
      $0.atMs == gap.start / 8 && $0.lengthMs == gap.length / 8
    }) {
      stats.gapList.replaceSubrange(listed...listed, with: pieces.map { ($0.0 / 8, $0.1 / 8) })
    }
    stats.frames += 1
    stats.bytes += length
    stats.reordered += 1
    states[i].stats = stats
  }

  /// Forgets track `i`'s gaps that ended a whole `reorderWindow` before its audio so far: no
  /// late frame goes into them any more. Gaps come in timeline order, so they go from the front,
  /// and the list holds at most the window's worth whatever the capture's length.
  private mutating func pruneRecentGaps(_ i: Int) {
    let horizon = states[i].stats.timelineSamples - Self.reorderWindow
    let stale = states[i].recentGaps.prefix { $0.start + $0.length <= horizon }.count
    if stale > 0 { states[i].recentGaps.removeFirst(stale) }
  }

  /// The longest run of silence one timestamp jump may ask for: 24 hours.
  static let maximumGapSamples = 24 * 3600 * 8000

  // MARK: as heard

  /// When a message without a timestamp arrived, on the stream clock (ms): its arrival time
  /// moved by the offset learned from lines that have both, else the latest time seen.
  private func clock(_ envelope: Envelope) -> Int {
    if let seconds = envelope.seconds {
      let ms = seconds * 1000 + (botAnchorMs ?? twilioAnchorMs ?? 0)
      return min(max(Int(ms.rounded()), 0), Self.maximumTimestampMs)
    }
    return Int(lastClockMs ?? Double(timelineStartMs ?? 0))
  }

  /// Session time of `streamMs` for the playout: ms from the start of the timeline. A jump of
  /// more than 24 h past the bot's audio so far is refused, as for frames placed by timestamp.
  private mutating func playoutTime(_ streamMs: Int) throws(CaptureError) -> Double {
    if timelineStartMs == nil { timelineStartMs = streamMs }
    let now = streamMs - (timelineStartMs ?? 0)
    let reached = max(states[index(.outbound)].stats.timelineSamples, Int(playout.playoutEnd * 8))
    guard now * 8 - reached <= Self.maximumGapSamples else {
      throw error(
        "the bot's message at \(streamMs) ms comes \((now * 8 - reached) / 8000) s after its audio so far; refusing to fill more than 24 h of silence"
      )
    }
    lastClockMs = max(lastClockMs ?? 0, Double(streamMs))
    return Double(now)
  }

  private mutating func playMedia(arrivalMs: Int, chunk: Int?, payload: UnsafeRawBufferPointer)
    throws(CaptureError)
  {
    let i = index(.outbound)
    noteTrack(i, .outbound, chunk: chunk)
    let now = try playoutTime(arrivalMs)
    settlePlayout(at: now)
    guard let added = Self.decodeBase64(payload, into: scratch) else {
      throw error("payload is not valid base64 (media.payload)")
    }
    let bytes = Array(UnsafeBufferPointer(start: scratch.reserve(0), count: added))
    _ = playout.enqueue(bytes, at: now)
    states[i].stats.frames += 1
    states[i].stats.bytes += added
  }

  private mutating func clear(at streamMs: Int) throws(CaptureError) {
    let now = try playoutTime(streamMs)
    settlePlayout(at: now)
    _ = playout.clear(at: now)
  }

  /// Once everything queued has played, nothing can cut it any more: it goes to the track and
  /// the playout starts afresh, so memory holds one stretch of talk, not the call.
  private mutating func settlePlayout(at now: Double, advance: Bool = false) {
    guard playout.playoutEnd <= now else { return }
    if !playout.segments.isEmpty { flushPlayout() }
    // In stereo, the bot's side is final up to now (anything it sends later plays later), so
    // its silence is written as the caller's audio comes, and the output streams.
    let i = index(.outbound)
    let target = Int((now * 8).rounded())
    if advance, target > states[i].stats.timelineSamples {
      states[i].pending.appendSilence(target - states[i].stats.timelineSamples)
      states[i].stats.timelineSamples = target
    }
  }

  private mutating func flushPlayout() {
    let i = index(.outbound)
    let written = isWritten(.outbound)
    for segment in playout.segments {
      let start = max(segment.start, states[i].stats.timelineSamples)
      let skip = start - segment.start
      guard skip < segment.bytes.count else { continue }
      if written { states[i].pending.appendSilence(start - states[i].stats.timelineSamples) }
      let count = segment.bytes.count - skip
      if written {
        segment.bytes.withUnsafeBufferPointer {
          states[i].pending.append(UnsafeBufferPointer(rebasing: $0[skip...]))
        }
      }
      states[i].stats.timelineSamples = start + count
    }
    clearedSamples += playout.bytesCleared
    discardedSamples += playout.bytesDiscarded
    playout = PlayoutBuffer()
  }

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

  /// µ-law silence to convert from, a block at a time.
  private static let silenceBlock = [UInt8](repeating: G711.muLawSilence, count: 1 << 16)

  private var outputQueues: (left: TrackQueue, right: TrackQueue?)? {
    switch selection {
    case .both:
      return (states[0].pending, states[1].pending)
    default:
      guard let track = chosen ?? (finished ? .inbound : nil) else { return nil }
      return (states[index(track)].pending, nil)
    }
  }

  /// Samples (per channel) ready to take.
  public var readySamples: Int {
    guard outputQueues != nil else { return 0 }
    switch selection {
    case .both: return min(settledSamples(0), settledSamples(1))
    default: return settledSamples(index(chosen ?? .inbound))
    }
  }

  /// Samples at the front of track `i`'s queue that no late frame can change any more: all of
  /// them, unless a gap in the last `reorderWindow` samples may still be filled; then those
  /// before it. Audio without gaps streams out as it comes.
  private func settledSamples(_ i: Int) -> Int {
    let queue = states[i].pending
    guard !finished else { return queue.count }
    let end = states[i].stats.timelineSamples
    guard let gap = states[i].recentGaps.first(where: { $0.start + $0.length > end - Self.reorderWindow })
    else { return queue.count }
    return min(max(gap.start - (end - queue.count), 0), queue.count)
  }

  /// Appends up to `limit` samples (per channel) of the audio ready so far to `out`, encoded
  /// and (for `both`) interleaved; returns how many.
  @discardableResult
  public mutating func takeOutput(into out: inout [UInt8], limit: Int = .max) -> Int {
    let n = min(readySamples, limit)
    guard n > 0 else { return 0 }
    let start = out.count
    out += repeatElement(0, count: n * channels * encoding.bytesPerSample)
    return out.withUnsafeMutableBytes {
      takeOutput(into: UnsafeMutableRawBufferPointer(rebasing: $0[start...]))
    }
  }

  /// Writes as many samples (per channel) of the audio ready so far as fit in `out`, encoded
  /// and (for `both`) interleaved, each byte once; returns how many. `codec decode` fills its
  /// output blocks this way, with no zero-filling first.
  public mutating func takeOutput(into out: UnsafeMutableRawBufferPointer) -> Int {
    guard let (left, right) = outputQueues else { return 0 }
    let width = channels * encoding.bytesPerSample
    let limit = min(out.count / width, readySamples)
    var total = 0
    while total < limit, let l = left.first {
      var n = min(l.count, limit - total)
      var r: TrackQueue.Run?
      if let right {
        guard let first = right.first else { break }
        r = first
        n = min(n, first.count)
      }
      if l.silence || r?.silence == true { n = min(n, Self.silenceBlock.count) }
      Self.silenceBlock.withUnsafeBufferPointer { silence in
        let lp = l.silence ? silence.baseAddress! : left.bytes.bytes.baseAddress!
        let rp = r.map { $0.silence ? silence.baseAddress! : right!.bytes.bytes.baseAddress! }
        convert(lp, rp, count: n, into: UnsafeMutableRawBufferPointer(rebasing: out[(total * width)...]))
      }
      left.removeFirst(n)
      right?.removeFirst(n)
      total += n
    }
    outputSamples += total
    return total
  }

  /// When every channel is at a long run of silence, drops up to `limit` samples of it (per
  /// channel) and returns how many: a reader that only measures (`codec info`) skips hours of
  /// filled gap at once. Returns 0 when the next samples are not such a run.
  public mutating func skipSilence(limit: Int = .max) -> Int {
    guard let (left, right) = outputQueues, let l = left.first, l.silence else { return 0 }
    var n = min(l.count, limit)
    if let right {
      guard let r = right.first, r.silence else { return 0 }
      n = min(n, r.count)
    }
    left.removeFirst(n)
    right?.removeFirst(n)
    outputSamples += n
    return n
  }

  private func convert(
    _ l: UnsafePointer<UInt8>, _ r: UnsafePointer<UInt8>?, count: Int,
    into dest: UnsafeMutableRawBufferPointer
  ) {
    guard let out = dest.baseAddress, count > 0 else { return }
    switch encoding {
    case .mulaw:
      if let r {
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
        if let r {
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
        if let r {
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
