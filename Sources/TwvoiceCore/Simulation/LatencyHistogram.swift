#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A bounded summary of many durations (ms): count, exact maximum, and percentiles to within
/// 1 % from log-spaced buckets, so an hour of 20 ms frames (180,000 values) or a flood of
/// messages costs a fixed 2,000 counters instead of one entry per value.
///
/// Histograms merge exactly (`merge`): the buckets of many calls, or of several processes'
/// summaries (`buckets` / `init(count:max:buckets:)`), add up to the histogram of all values.
public struct LatencyHistogram: Sendable, Equatable {
  /// Bucket i holds values in [base^i − 1, base^(i+1) − 1): 1 % wide, 0.01 ms wide near 0.
  private static let base = 1.01
  private static let scale = 100.0
  /// `log(base)`, computed once: `record` runs for every frame of every call.
  private static let logBase = log(base)
  /// Up to about 4 × 10^8 ms; beyond goes in the last.
  public static let bucketCount = 2000
  private var buckets: [UInt32] = []
  public private(set) var count = 0
  public private(set) var max: Double = 0

  public init() {}

  /// Adds one value (negative values count as 0).
  public mutating func record(_ value: Double) {
    let v = Swift.max(0, value.isFinite ? value : 0)
    if buckets.isEmpty { buckets = [UInt32](repeating: 0, count: Self.bucketCount) }
    let index = Swift.min(Self.bucketCount - 1, Int(log(v * Self.scale + 1) / Self.logBase))
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

  /// Adds every value of `other`.
  public mutating func merge(_ other: LatencyHistogram) {
    guard other.count > 0 else { return }
    if buckets.isEmpty { buckets = [UInt32](repeating: 0, count: Self.bucketCount) }
    for (index, n) in other.buckets.enumerated() where n > 0 { buckets[index] &+= n }
    count += other.count
    max = Swift.max(max, other.max)
  }

  /// The buckets that hold values, in order: index and how many.
  public var nonEmptyBuckets: [(index: Int, count: Int)] {
    buckets.enumerated().compactMap { $0.element > 0 ? ($0.offset, Int($0.element)) : nil }
  }

  /// A histogram from its parts as `nonEmptyBuckets`, `count` and `max` gave them; nil when they
  /// do not fit together (an index out of range, counts that do not add up to `count`).
  public init?(count: Int, max: Double, buckets parts: [(index: Int, count: Int)]) {
    guard count >= 0, max.isFinite, max >= 0 else { return nil }
    var total = 0
    var filled = [UInt32](repeating: 0, count: Self.bucketCount)
    for (index, n) in parts {
      guard (0..<Self.bucketCount).contains(index), n > 0, n <= Int(UInt32.max) - Int(filled[index]) else {
        return nil
      }
      filled[index] += UInt32(n)
      total += n
    }
    guard total == count else { return nil }
    self.count = count
    self.max = max
    buckets = count > 0 ? filled : []
  }
}
