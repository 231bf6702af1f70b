/// The phone side of a bidirectional Media Stream's playback: what the bot sends is queued and
/// played at 8,000 bytes per second; marks echo when the audio before them has played; `clear`
/// drops the queue and echoes every pending mark at once (media-streams.md §1.5, following
/// Twilio's documentation where third-party simulators differ).
public struct PlayoutBuffer: Sendable {
  /// Twilio discards outbound media beyond 10 minutes queued (warning 31931).
  public static let maximumQueuedMs = 10 * 60 * 1000

  /// When (session ms) the queued audio finishes playing.
  public private(set) var playoutEnd: Double = 0
  /// Marks waiting for the audio before them, with when they fall due.
  public private(set) var pendingMarks: [(name: String, due: Double)] = []
  /// Audio placed on the timeline: start sample (8 kHz, session time) and µ-law bytes.
  public private(set) var segments: [(start: Int, bytes: [UInt8])] = []
  /// Bytes queued, played and cleared.
  public private(set) var bytesQueued = 0
  public private(set) var bytesCleared = 0
  public private(set) var bytesDiscarded = 0
  public private(set) var clears = 0

  public init() {}

  /// Queues bot audio arriving at `now`; false when it was discarded (over 10 minutes queued).
  public mutating func enqueue(_ bytes: [UInt8], at now: Double) -> Bool {
    let start = max(now, playoutEnd)
    if start - now + Double(bytes.count) / 8 > Double(Self.maximumQueuedMs) {
      bytesDiscarded += bytes.count
      return false
    }
    let startSample = Int((start * 8).rounded())
    // Audio that follows on from the last segment extends it: a bot sending many tiny media
    // messages costs their bytes, not a segment each.
    if let last = segments.indices.last, segments[last].start + segments[last].bytes.count == startSample {
      segments[last].bytes += bytes
    } else {
      segments.append((startSample, bytes))
    }
    playoutEnd = start + Double(bytes.count) / 8
    bytesQueued += bytes.count
    return true
  }

  /// A mark from the bot: returns true when it is due at once (nothing buffered).
  public mutating func mark(_ name: String, at now: Double) -> Bool {
    if playoutEnd <= now { return true }
    pendingMarks.append((name, playoutEnd))
    return false
  }

  /// Marks whose audio has played by `now`, in order, removed from the queue.
  public mutating func dueMarks(at now: Double) -> [String] {
    var due: [String] = []
    while let first = pendingMarks.first, first.due <= now {
      due.append(first.name)
      pendingMarks.removeFirst()
    }
    return due
  }

  /// `clear` at `now`: unplayed audio is dropped (and cut from the recording); every pending
  /// mark is returned, to be echoed at once.
  public mutating func clear(at now: Double) -> [String] {
    clears += 1
    let cut = Int((now * 8).rounded())
    var kept: [(start: Int, bytes: [UInt8])] = []
    for segment in segments {
      if segment.start >= cut {
        bytesCleared += segment.bytes.count
      } else if segment.start + segment.bytes.count > cut {
        let keep = cut - segment.start
        bytesCleared += segment.bytes.count - keep
        kept.append((segment.start, Array(segment.bytes.prefix(keep))))
      } else {
        kept.append(segment)
      }
    }
    segments = kept
    playoutEnd = min(playoutEnd, now)
    let marks = pendingMarks.map(\.name)
    pendingMarks = []
    return marks
  }

  /// The audio on the timeline from sample `start` (8 kHz, session time), `count` bytes; µ-law
  /// silence where nothing plays. Final for samples before the present: a clear cuts only what
  /// has not played, and new audio never starts in the past.
  public func samples(from start: Int, count: Int) -> [UInt8] {
    var out = [UInt8](repeating: G711.muLawSilence, count: count)
    // The last segment starting at or before `start + count`, then back while they overlap.
    var low = 0
    var high = segments.count
    while low < high {
      let mid = (low + high) / 2
      if segments[mid].start < start + count { low = mid + 1 } else { high = mid }
    }
    var k = low - 1
    while k >= 0 {
      let segment = segments[k]
      let segmentEnd = segment.start + segment.bytes.count
      if segmentEnd <= start { break }
      let from = max(start, segment.start)
      let to = min(start + count, segmentEnd)
      for i in from..<to { out[i - start] = segment.bytes[i - segment.start] }
      k -= 1
    }
    return out
  }

  /// Drops the audio that ends before sample `sample` and is not among the last 20 ms queued:
  /// a session that keeps no recording holds only what is still to be played or looked at,
  /// whatever the length of the call. `samples(from:count:)` before it reads as silence.
  public mutating func forget(before sample: Int) {
    let bound = min(sample, Int((playoutEnd * 8).rounded()) - 160)
    var k = 0
    while k < segments.count, segments[k].start + segments[k].bytes.count <= bound { k += 1 }
    if k > 0 { segments.removeFirst(k) }
    // A bot's continuous audio is one growing segment: its played head goes a second at a time,
    // so trimming costs a copy per second of audio, not per frame.
    if let first = segments.first, bound - first.start >= 8000 {
      segments[0] = (bound, Array(first.bytes[(bound - first.start)...]))
    }
  }

  /// Whether the audio from sample `start`, `count` bytes, is speech: what
  /// `SpeechActivity.isVoiced(samples(from: start, count: count))` says, read in place when one
  /// segment holds it all (or none touches it: silence), as it does nearly every frame.
  public func isVoiced(from start: Int, count: Int) -> Bool {
    var low = 0
    var high = segments.count
    while low < high {
      let mid = (low + high) / 2
      if segments[mid].start < start + count { low = mid + 1 } else { high = mid }
    }
    let k = low - 1
    guard k >= 0, segments[k].start + segments[k].bytes.count > start else {
      // Nothing plays there (segments before it end before it): silence.
      return false
    }
    let segment = segments[k]
    if segment.start <= start && segment.start + segment.bytes.count >= start + count {
      return SpeechActivity.isVoiced(segment.bytes[(start - segment.start)..<(start - segment.start + count)])
    }
    return SpeechActivity.isVoiced(samples(from: start, count: count))
  }

  /// Bytes that have played (or will, if the session runs on).
  public var bytesPlayed: Int { bytesQueued - bytesCleared }
}
