/// Speech on one side of a call, found the same way in every run: a simple energy detector over
/// 20 ms frames of µ-law audio, with no adaptation and no randomness.
///
/// - A frame is *voiced* when its RMS level is above −40 dBFS (327 of 32,767).
/// - Speech *starts* at the first of `onsetFrames` (3, i.e. 60 ms) consecutive voiced frames.
/// - Speech *ends* at the end of its last voiced frame, once `hangoverFrames` (25, i.e. 500 ms)
///   unvoiced frames have followed it; shorter pauses stay inside one segment.
///
/// Frames are pushed in order; the detector keeps its segments (16 bytes each: a one-hour call
/// of constant chatter holds a few thousand).
public struct SpeechActivity: Sendable {
  /// One stretch of speech, in ms of session time.
  public struct Segment: Sendable, Equatable {
    public var startMs: Double
    /// The end of the last voiced frame so far (the segment's end once it is over).
    public var endMs: Double
    public var durationMs: Double { endMs - startMs }
    public init(startMs: Double, endMs: Double) {
      self.startMs = startMs
      self.endMs = endMs
    }
  }

  public static let thresholdDBFS = -40.0
  /// The RMS level of `thresholdDBFS` in 16-bit sample units.
  static let thresholdRMS = 327.0
  public static let onsetFrames = 3
  public static let hangoverFrames = 25
  public static let frameMs = 20.0

  /// Segments found, oldest first; the last one may still be going on (`isSpeaking`).
  public private(set) var segments: [Segment] = []
  /// Whether the last segment is still open: speech started and 500 ms of quiet have not yet
  /// followed it.
  public private(set) var isSpeaking = false
  /// Frames pushed so far; every time before `evaluatedMs` has been looked at.
  public private(set) var framesPushed = 0
  /// The end of the last voiced frame pushed, if any.
  public private(set) var lastVoicedEndMs: Double?

  private var voicedRun = 0
  private var quietRun = 0

  public init() {}

  /// Time up to which the audio has been looked at.
  public var evaluatedMs: Double { Double(framesPushed) * Self.frameMs }

  /// Whether a 20 ms frame of µ-law audio is voiced (missing bytes count as silence).
  public static func isVoiced(_ frame: some Collection<UInt8>) -> Bool {
    guard !frame.isEmpty else { return false }
    var energy = 0.0
    for byte in frame {
      let sample = Double(G711.muLawDecodeTable[Int(byte)])
      energy += sample * sample
    }
    return (energy / Double(frame.count)).squareRoot() > thresholdRMS
  }

  /// The next frame (starting at `evaluatedMs`): voiced or not.
  public mutating func push(voiced: Bool) {
    let frameStart = evaluatedMs
    framesPushed += 1
    if voiced {
      lastVoicedEndMs = frameStart + Self.frameMs
      quietRun = 0
      voicedRun += 1
      if isSpeaking {
        segments[segments.count - 1].endMs = frameStart + Self.frameMs
      } else if voicedRun >= Self.onsetFrames {
        let start = frameStart - Double(Self.onsetFrames - 1) * Self.frameMs
        segments.append(Segment(startMs: start, endMs: frameStart + Self.frameMs))
        isSpeaking = true
      }
    } else {
      voicedRun = 0
      quietRun += 1
      if isSpeaking && quietRun >= Self.hangoverFrames { isSpeaking = false }
    }
  }

  /// The audio is over (the call ended): speech still going on ends with its last voiced frame.
  public mutating func finish() { isSpeaking = false }

  /// The first segment that starts at or after `ms`.
  public func firstSegment(startingAtOrAfter ms: Double) -> Segment? {
    // Segments are in order of start: search from the end, where scenario steps look.
    var found: Segment?
    for segment in segments.reversed() {
      if segment.startMs < ms { break }
      found = segment
    }
    return found
  }
}
