/// Peak and RMS level of a stream of samples, overall and per fixed slice of time, for
/// `codec info`'s numbers and its terminal level meter.
public struct LevelMeter: Sendable {
  /// One slice's statistics.
  public struct Slice: Sendable, Equatable {
    public var sumOfSquares: Double = 0
    public var peak: Double = 0
    public var count = 0

    /// RMS in dBFS (full scale = 1.0), −∞ for silence.
    public var rmsDBFS: Double {
      count == 0 ? -.infinity : LevelMeter.dBFS((sumOfSquares / Double(count)).squareRoot())
    }
    public var peakDBFS: Double { LevelMeter.dBFS(peak) }

    mutating func merge(_ other: Slice) {
      sumOfSquares += other.sumOfSquares
      peak = max(peak, other.peak)
      count += other.count
    }
  }

  /// Samples per slice: as asked (one second, say) until `maximumSlices` are full, then doubled
  /// as often as needed (neighbouring slices merged), so a meter over days of timeline holds
  /// at most `maximumSlices` slices.
  public private(set) var samplesPerSlice: Int
  /// `samplesPerSlice` as first asked.
  public let initialSamplesPerSlice: Int
  public private(set) var slices: [Slice] = []
  public private(set) var total = Slice()

  /// The most slices kept: 18 hours at one second each.
  public static let maximumSlices = 65_536

  public init(samplesPerSlice: Int) {
    self.samplesPerSlice = max(1, samplesPerSlice)
    initialSamplesPerSlice = self.samplesPerSlice
  }

  /// How many of the first-asked slices one slice now spans (1, 2, 4 …).
  public var sliceScale: Int { samplesPerSlice / initialSamplesPerSlice }

  private mutating func newSlice() {
    if slices.count == Self.maximumSlices {
      slices = stride(from: 0, to: slices.count, by: 2).map { i in
        var merged = slices[i]
        if i + 1 < slices.count { merged.merge(slices[i + 1]) }
        return merged
      }
      samplesPerSlice *= 2
      if slices[slices.count - 1].count < samplesPerSlice { return }
    }
    slices.append(Slice())
  }

  /// Adds samples in [-1, 1]; anything else (a float WAV may hold ±∞, NaN or 1e38) is clamped
  /// to that range, NaN counting as 0, so the meter never overflows or traps.
  public mutating func add(_ samples: some Sequence<Float>) {
    for sample in samples {
      if slices.isEmpty || slices[slices.count - 1].count == samplesPerSlice { newSlice() }
      let v = sample.isNaN ? 0 : Double(min(max(sample, -1), 1))
      let magnitude = abs(v)
      slices[slices.count - 1].sumOfSquares += v * v
      slices[slices.count - 1].count += 1
      if magnitude > slices[slices.count - 1].peak { slices[slices.count - 1].peak = magnitude }
      total.sumOfSquares += v * v
      total.count += 1
      if magnitude > total.peak { total.peak = magnitude }
    }
  }

  /// Adds `count` samples of digital silence, a slice at a time (hours cost microseconds).
  public mutating func addSilence(_ count: Int) {
    var remaining = count
    while remaining > 0 {
      if slices.isEmpty || slices[slices.count - 1].count == samplesPerSlice { newSlice() }
      let n = min(remaining, samplesPerSlice - slices[slices.count - 1].count)
      slices[slices.count - 1].count += n
      total.count += n
      remaining -= n
    }
  }

  /// The slices merged into at most `columns` groups of equal length (the last may be shorter).
  public func columns(_ columns: Int) -> [Slice] {
    guard slices.count > columns, columns > 0 else { return slices }
    let group = (slices.count + columns - 1) / columns
    return stride(from: 0, to: slices.count, by: group).map { start in
      slices[start..<min(start + group, slices.count)].reduce(into: Slice()) { $0.merge($1) }
    }
  }

  /// One character per slice, from ' ' (below −60 dBFS) through ▁…█ (0 dBFS), RMS.
  public static func bar(_ slices: [Slice]) -> String {
    let blocks: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    return String(
      slices.map { slice in
        let db = slice.rmsDBFS
        guard db > -60 else { return blocks[0] }
        let index = Int(((db + 60) / 60 * 8).rounded(.up))
        return blocks[min(max(index, 1), 8)]
      })
  }

  /// 20·log10(amplitude), −∞ for 0.
  public static func dBFS(_ amplitude: Double) -> Double {
    amplitude > 0 ? 20 * log10(min(amplitude, 1)) : -.infinity
  }
}

#if canImport(Glibc)
  import Glibc
#endif
