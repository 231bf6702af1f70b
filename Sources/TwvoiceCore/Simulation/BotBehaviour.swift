/// The bugs voice bots ship, found by name in every replay: each with a stable id, when it first
/// happened, how often, and one line that explains it. Fed by the stream session as the call
/// goes (caller frames as sent, bot frames as played, the bot's media as it arrives, clears, the
/// close); keeps counters and a few pending checks, never the audio.
public struct BotBehaviour: Sendable {
  public enum Kind: String, Sendable, CaseIterable {
    /// The caller spoke while the bot's audio kept playing for more than 500 ms, with no clear.
    case talkOver = "talk-over"
    /// Gaps inside the bot's speech: its audio arrived later than real time needed it.
    case underrun
    /// More than `burstSeconds` of audio sent within 100 ms.
    case burst
    /// A payload that starts with a WAV, MP3, ID3 or Ogg header instead of raw µ-law.
    case containerBytes = "container-bytes"
    /// After a clear echoed its marks, the bot sent its next audio while the caller was still
    /// speaking: it took the echoes for audio played.
    case markAfterClear = "mark-after-clear"
    /// The bot closed the socket while its audio was still buffered.
    case cutOff = "cut-off"
  }

  public struct Finding: Sendable {
    public var kind: Kind
    /// When it first happened (ms of session time).
    public var atMs: Double
    public var count: Int
    /// The first occurrence, explained; for `underrun`, the totals so far.
    public var message: String
    /// Figures for machines: `total_ms` and `worst_ms` (underrun), `lost_ms` (cut-off),
    /// `seconds` (burst, the largest).
    public var figures: [(name: String, value: Double)] = []
  }

  /// Findings in order of first occurrence.
  public private(set) var findings: [Finding] = []
  /// Every occurrence not yet taken (`takeOccurrences`), for the session log.
  public private(set) var occurrences: [(kind: Kind, atMs: Double, message: String)] = []

  /// How long the caller may talk over the bot's audio before it is talk-over.
  public static let talkOverMs = 500.0
  /// Seconds of audio within `burstWindowMs` that make a burst.
  public static let burstSeconds = 5
  public static let burstWindowMs = 100.0
  /// A pause inside speech shorter than this is a gap (an underrun); longer is a new turn.
  public static let underrunMaxGapMs = 200.0
  /// A gap shorter than this is not counted (the time it takes to read a frame off a socket).
  public static let underrunMinGapMs = 1.0

  private var callerSpeech = SpeechActivity()
  /// Caller speech onsets waiting to see whether the bot kept talking over them.
  private var talkOverChecks: [(startMs: Double, botVoicedFrames: Int, cleared: Bool)] = []
  /// Whether each of the bot's last `historyFrames` frames was voiced (a ring, by frame number).
  private var botVoicedHistory = [Bool](repeating: false, count: BotBehaviour.historyFrames)
  private var botFramesPushed = 0
  static let historyFrames = 64
  /// The last few clears' times, for caller speech the session gets to after the clear.
  private var recentClears: [Double] = []
  /// Media within the last `burstWindowMs`, from `recentStart` on (compacted now and then, so
  /// a bot flooding tiny messages costs no quadratic time).
  private var recentMedia: [(atMs: Double, bytes: Int)] = []
  private var recentStart = 0
  private var recentBytes = 0
  private var clearSinceLastMedia = false
  /// A clear that echoed marks, while the caller's speech that caused it goes on.
  private var echoingClearAtMs: Double?
  private var underruns = (count: 0, totalMs: 0.0, worstMs: 0.0)

  public init() {}

  public func finding(_ kind: Kind) -> Finding? { findings.first { $0.kind == kind } }

  /// Takes the occurrences found since the last call, oldest first.
  public mutating func takeOccurrences() -> [(kind: Kind, atMs: Double, message: String)] {
    defer { occurrences.removeAll(keepingCapacity: true) }
    return occurrences
  }

  private mutating func report(_ kind: Kind, at ms: Double, _ message: String, occurrence: String? = nil) {
    occurrences.append((kind, ms, occurrence ?? message))
    if let k = findings.firstIndex(where: { $0.kind == kind }) {
      if findings[k].count == 0 { findings[k].message = message }
      findings[k].count += 1
    } else {
      findings.append(Finding(kind: kind, atMs: ms, count: 1, message: message))
    }
  }

  /// A 20 ms frame of the caller's audio as sent, starting at `ms`.
  public mutating func callerFrame(voiced: Bool, atMs ms: Double) {
    let segments = callerSpeech.segments.count
    callerSpeech.push(voiced: voiced)
    if callerSpeech.segments.count > segments, let onset = callerSpeech.segments.last?.startMs {
      // The bot's frames already heard since the onset count too: the two sides are looked at
      // in whatever order the session gets to them.
      let first = Int(onset / SpeechActivity.frameMs)
      let heard = (max(first, botFramesPushed - Self.historyFrames)..<botFramesPushed)
        .filter { botVoicedHistory[$0 % Self.historyFrames] }.count
      let cleared = recentClears.contains { $0 >= onset && $0 < onset + Self.talkOverMs }
      talkOverChecks.append((onset, heard, cleared))
      settleTalkOver()
    }
    if !callerSpeech.isSpeaking { echoingClearAtMs = nil }
  }

  /// A 20 ms frame of the bot's audio as played, starting at `ms` (frames come in order).
  public mutating func botFrame(voiced: Bool, atMs ms: Double) {
    botVoicedHistory[botFramesPushed % Self.historyFrames] = voiced
    botFramesPushed += 1
    guard !talkOverChecks.isEmpty else { return }
    for k in talkOverChecks.indices
    where voiced && ms >= talkOverChecks[k].startMs && ms < talkOverChecks[k].startMs + Self.talkOverMs {
      talkOverChecks[k].botVoicedFrames += 1
    }
    settleTalkOver()
  }

  /// Decides the talk-over checks whose 500 ms the bot's frames now cover: the bot played
  /// (nearly) all of it, and no clear came.
  private mutating func settleTalkOver() {
    let heardUntil = Double(botFramesPushed) * SpeechActivity.frameMs
    let frames = Int(Self.talkOverMs / SpeechActivity.frameMs)
    var kept: [(startMs: Double, botVoicedFrames: Int, cleared: Bool)] = []
    for check in talkOverChecks {
      guard heardUntil >= check.startMs + Self.talkOverMs else {
        kept.append(check)
        continue
      }
      if !check.cleared && check.botVoicedFrames >= frames * 4 / 5 {
        report(
          .talkOver, at: check.startMs,
          "the caller began speaking at \(format3(check.startMs / 1000)) s and the bot's audio kept playing for over \(Int(Self.talkOverMs)) ms, with no clear"
        )
      }
    }
    talkOverChecks = kept
  }

  /// Media from the bot arriving at `now`; `playoutEnd` is when the audio queued before it
  /// finishes (earlier than `now` if the queue ran dry), `lastQueued` the last 20 ms queued.
  public mutating func media(_ bytes: [UInt8], at now: Double, playoutEnd: Double, lastQueued: [UInt8]) {
    // Burst: bytes arriving within the last 100 ms.
    recentMedia.append((now, bytes.count))
    recentBytes += bytes.count
    while recentStart < recentMedia.count, recentMedia[recentStart].atMs < now - Self.burstWindowMs {
      recentBytes -= recentMedia[recentStart].bytes
      recentStart += 1
    }
    if recentStart > 1024 && recentStart * 2 > recentMedia.count {
      recentMedia.removeFirst(recentStart)
      recentStart = 0
    }
    if recentBytes > Self.burstSeconds * 8000 {
      let seconds = Double(recentBytes) / 8000
      if let k = findings.firstIndex(where: { $0.kind == .burst }) {
        findings[k].figures = [("seconds", max(seconds, findings[k].figures.first?.value ?? 0))]
      } else {
        findings.append(
          Finding(kind: .burst, atMs: now, count: 0, message: "", figures: [("seconds", seconds)]))
      }
      report(
        .burst, at: now,
        "\(format3(Double(recentBytes) / 8000)) s of audio arrived within \(Int(Self.burstWindowMs)) ms at \(format3(now / 1000)) s: the bot cannot take back what it queued, and its marks stop telling where playback is"
      )
      recentMedia.removeAll(keepingCapacity: true)
      recentStart = 0
      recentBytes = 0
    }
    let queueWasEmpty = playoutEnd <= now
    if queueWasEmpty, let kind = Self.container(bytes) {
      report(
        .containerBytes, at: now,
        "a payload at \(format3(now / 1000)) s starts with \(kind): Twilio plays raw 8 kHz µ-law only, so the header is heard as noise"
      )
    }
    // Underrun: the queue ran dry in the middle of speech, and no clear emptied it.
    let gap = now - playoutEnd
    if queueWasEmpty && !clearSinceLastMedia && playoutEnd > 0 && gap >= Self.underrunMinGapMs
      && gap < Self.underrunMaxGapMs && SpeechActivity.isVoiced(lastQueued)
    {
      underruns.count += 1
      underruns.totalMs += gap
      underruns.worstMs = max(underruns.worstMs, gap)
      let message =
        "the bot's audio ran dry inside its speech \(underruns.count) time(s), \(Int(underruns.totalMs.rounded())) ms of gaps in all (the worst \(Int(underruns.worstMs.rounded())) ms): it sends audio later than real time needs it (pacing with relative sleeps?)"
      report(
        .underrun, at: playoutEnd, message,
        occurrence: "the bot's audio ran dry for \(Int(gap.rounded())) ms inside its speech")
      if let k = findings.firstIndex(where: { $0.kind == .underrun }) {
        findings[k].count = underruns.count
        findings[k].message = message
        findings[k].figures = [("total_ms", underruns.totalMs), ("worst_ms", underruns.worstMs)]
      }
    }
    clearSinceLastMedia = false
    // Still speaking: a voiced caller frame within the last 100 ms (a bot that waits for a
    // short pause before its next turn is right to).
    if let clearAt = echoingClearAtMs, callerSpeech.isSpeaking,
      let voiced = callerSpeech.lastVoicedEndMs, voiced >= now - 100
    {
      report(
        .markAfterClear, at: now,
        "the clear at \(format3(clearAt / 1000)) s echoed the bot's marks, and the bot sent new audio at \(format3(now / 1000)) s while the caller was still speaking: a mark echoed by a clear is not audio played"
      )
      echoingClearAtMs = nil
    }
  }

  /// A clear at `now` that echoed `echoedMarks` pending marks.
  public mutating func clear(at now: Double, echoedMarks: Int) {
    clearSinceLastMedia = true
    recentClears.append(now)
    if recentClears.count > 16 { recentClears.removeFirst() }
    for k in talkOverChecks.indices where talkOverChecks[k].startMs <= now {
      talkOverChecks[k].cleared = true
    }
    if echoedMarks > 0 && callerSpeech.isSpeaking { echoingClearAtMs = now }
  }

  /// The bot closed the socket at `now` with `bufferedMs` of its audio not yet played.
  public mutating func botClosed(at now: Double, bufferedMs: Double) {
    guard bufferedMs >= SpeechActivity.frameMs else { return }
    findings.append(
      Finding(kind: .cutOff, atMs: now, count: 0, message: "", figures: [("lost_ms", bufferedMs)]))
    report(
      .cutOff, at: now,
      "the bot closed the socket at \(format3(now / 1000)) s with \(format3(bufferedMs / 1000)) s of its audio not yet played: the caller never heard the end"
    )
  }

  /// What container a payload starts with, if any: WAV, ID3, Ogg, or an MPEG audio frame whose
  /// header is valid (and, when the payload holds it, followed by a second valid header).
  public static func container(_ bytes: [UInt8]) -> String? {
    if bytes.count >= 12 && bytes[0..<4].elementsEqual("RIFF".utf8)
      && bytes[8..<12].elementsEqual("WAVE".utf8)
    {
      return "a WAV (RIFF) header"
    }
    if bytes.count >= 10 && bytes[0..<3].elementsEqual("ID3".utf8) && (2...4).contains(bytes[3])
      && bytes[4] != 0xFF
    {
      return "an ID3 tag (an MP3 file)"
    }
    if bytes.count >= 4 && bytes[0..<4].elementsEqual("OggS".utf8) { return "an Ogg page header" }
    if let length = mpegFrameLength(bytes, at: 0) {
      if length > 0 && bytes.count >= length + 4 {
        return mpegFrameLength(bytes, at: length) != nil ? "an MP3 frame header" : nil
      }
      return "an MP3 frame header"
    }
    return nil
  }

  /// The length of the MPEG-1/2 audio frame whose valid header is at `offset` (0 when only
  /// Layer III lengths are worked out and this is Layer I or II), else nil.
  static func mpegFrameLength(_ b: [UInt8], at offset: Int) -> Int? {
    guard b.count >= offset + 4, b[offset] == 0xFF, b[offset + 1] & 0xE0 == 0xE0 else { return nil }
    let version = (b[offset + 1] >> 3) & 3  // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5, 1 reserved
    let layer = (b[offset + 1] >> 1) & 3  // 1 = Layer III, 2 = II, 3 = I, 0 reserved
    let bitrateIndex = Int(b[offset + 2] >> 4)
    let rateIndex = Int((b[offset + 2] >> 2) & 3)
    let padding = Int((b[offset + 2] >> 1) & 1)
    guard version != 1, layer != 0, bitrateIndex != 0, bitrateIndex != 15, rateIndex != 3 else { return nil }
    let rates = [[11025, 12000, 8000], [0, 0, 0], [22050, 24000, 16000], [44100, 48000, 32000]]
    let sampleRate = rates[Int(version)][rateIndex]
    // Bitrates (kbit/s) of MPEG-1 and MPEG-2/2.5 Layer III, the layer TTS services send.
    guard layer == 1 else { return 0 }
    let bitrates =
      version == 3
      ? [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
      : [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
    let samplesPerFrame = version == 3 ? 1152 : 576
    return samplesPerFrame / 8 * bitrates[bitrateIndex] * 1000 / sampleRate + padding
  }
}
