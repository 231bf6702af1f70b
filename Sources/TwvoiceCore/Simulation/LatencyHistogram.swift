#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A bounded summary of many durations (ms): count, exact maximum, and percentiles to within
/// 1 % from log-spaced buckets, so an hour of 20 ms frames (180,000 values) or a flood of
/// messages costs a fixed 2,000 counters instead of one entry per value.
public struct LatencyHistogram: Sendable {
  /// Bucket i holds values in [base^i − 1, base^(i+1) − 1): 1 % wide, 0.01 ms wide near 0.
  private static let base = 1.01
  private static let scale = 100.0
  private static let bucketCount = 2000  // up to about 4 × 10^8 ms; beyond goes in the last
  private var buckets: [UInt32] = []
  public private(set) var count = 0
  public private(set) var max: Double = 0

  public init() {}

  /// Adds one value (negative values count as 0).
  public mutating func record(_ value: Double) {
    let v = Swift.max(0, value.isFinite ? value : 0)
    if buckets.isEmpty { buckets = [UInt32](repeating: 0, count: Self.bucketCount) }
    let index = Swift.min(Self.bucketCount - 1, Int(log(v * Self.scale + 1) / log(Self.base)))
    buckets[index] &+= 1
    count += 1
    max = Swift.max(max, v)
  }

  /// The value at quantile `p` (0…1), or nil when empty: the upper edge of its bucket, never
  /// above the exact maximum.
  public func percentile(_ p: Double) -> Double? {
    guard count > 0 else { return nil }
    let rank = Swift.max(1, Int((p * Double(count)).rounded(.up)))
    var seen = 0
    for (index, n) in buckets.enumerated() where n > 0 {
      seen += Int(n)
      if seen >= rank {
        let upper = (pow(Self.base, Double(index + 1)) - 1) / Self.scale
        return Swift.min(upper, max)
      }
    }
    return max
  }
}
