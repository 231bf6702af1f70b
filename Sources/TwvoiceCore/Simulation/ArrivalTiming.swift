/// How late a stream's media frames arrived, judged by their own timestamps, as the bot sees
/// the sender's pacing and the network together: each frame's arrival minus its `timestamp` is
/// its offset, and a frame is late by how far its offset exceeds the smallest offset seen so far
/// (the frame that came most on time). A sender that keeps Twilio's 20 ms schedule shows
/// lateness near 0 however long the call; one that falls behind shows by how much.
public struct ArrivalTiming: Sendable {
  public private(set) var lateness = LatencyHistogram()
  private var smallestOffsetMs: Double?

  public init() {}

  /// A media frame with `timestampMs` arrived at `arrivedAtMs` (any clock, the same for all).
  public mutating func media(timestampMs: Int, arrivedAtMs: Double) {
    let offset = arrivedAtMs - Double(timestampMs)
    let smallest = min(smallestOffsetMs ?? offset, offset)
    smallestOffsetMs = smallest
    lateness.record(offset - smallest)
  }
}
