/// The figures of one Media Stream session, typed, as every summary reports them: the text line,
/// the `--json` object, and later the aggregates of many calls. Built once from the session's
/// counters; no summary reads figures back from text it wrote.
public struct SessionFigures: Sendable {
  public var messagesSent: Int
  public var messagesReceived: Int
  /// Seconds of the caller's audio sent, of the bot's audio played and cleared.
  public var audioSentSeconds: Double
  public var audioPlayedSeconds: Double
  public var audioClearedSeconds: Double
  public var marksReceived: Int
  public var marksEchoed: Int
  public var clears: Int
  /// Violations by Twilio code, in code order.
  public var warnings: [(code: Int, count: Int)]
  public var latency: Latency
  public var lateness: Lateness

  /// Response latency over the caller's utterances (ms of session time).
  public struct Latency: Sendable {
    public var utterances: Int
    public var answered: Int
    public var unanswered: Int
    public var p50: Double?
    public var p95: Double?
    public var max: Double?
  }

  /// How late media frames left (ms of session time).
  public struct Lateness: Sendable {
    public var frames: Int
    public var p50: Double
    public var p99: Double
    public var max: Double
  }

  public init(_ session: StreamSession) {
    messagesSent = session.sentMessages
    messagesReceived = session.receivedMessages
    audioSentSeconds = Double(session.framesSent) * 0.02
    audioPlayedSeconds = Double(session.playout.bytesPlayed) / 8000
    audioClearedSeconds = Double(session.playout.bytesCleared) / 8000
    marksReceived = session.marksReceived
    marksEchoed = session.marksEchoed
    clears = session.playout.clears
    warnings = session.warningCodes.sorted { $0.key < $1.key }.map { (code: $0.key, count: $0.value) }
    let latencies = session.latencies()
    latency = Latency(
      utterances: session.utterances.count, answered: latencies.count,
      unanswered: session.unansweredUtterances,
      p50: Self.percentile(latencies, 0.5), p95: Self.percentile(latencies, 0.95), max: latencies.max())
    let frames = session.frameLateness
    lateness = Lateness(
      frames: frames.count, p50: frames.percentile(0.5) ?? 0, p99: frames.percentile(0.99) ?? 0,
      max: frames.max)
  }

  /// The value at `p` (0…1) of `values`, nearest rank; nil when there are none.
  public static func percentile(_ values: [Double], _ p: Double) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let index = min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))
    return sorted[index]
  }
}
