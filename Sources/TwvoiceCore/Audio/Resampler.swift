/// A rational-ratio polyphase FIR resampler with Kaiser-windowed sinc prototypes, streaming.
///
/// Design (codec-perf.md §3.2): for `fin → fout`, `L/M = fout/fin` in lowest terms; the prototype
/// runs at `fin·L` with its pass band to 42.5 % of the lower rate (3.4 kHz for 8 kHz), its stop
/// band from 50 % (4 kHz), designed for 82 dB of attenuation (β = 0.1102·(A − 8.7)) with its
/// length filling each phase's SIMD steps, and `Σh = L` so every phase has a DC gain of exactly 1.
/// Measured (tones every 10 Hz from 4 kHz, the whole output's level): flat within 0.001 dB to
/// 3.4 kHz, every alias at −81.7 dB or below from 16, 44.1 and 48 kHz, the worst in the first
/// side lobe just above 4 kHz (80 dB designs with zero padding measured −78.1 dB at 4 kHz from
/// 16 kHz and −80.0 dB at 4.02 kHz from 48 kHz, for the same taps per output), where
/// `audioop.ratecv` and plain decimation pass them at 0 dB. Output `m` uses phase
/// `(m·M + D) mod L` over the inputs ending at `(m·M + D) div L`, with `D` the prototype's group
/// delay, so the output is aligned with the input; `finish()` flushes the tail so
/// `round(nin · fout / fin)` samples come out in all.
///
/// Large downsampling ratios (`fout ≤ fin/3`) run in two stages, because that filter's 600 Hz
/// transition band costs taps in proportion to `fin` (416 per output at 48 kHz). First a plain
/// decimator by `k`, the largest divisor of `fin` with `fin/k ≥ 1.5·fout` (4 at 48 kHz, 3 at
/// 44.1 kHz; a prime rate has none and keeps one stage): its short filter keeps 0–3.4 kHz and
/// stops from `fin/k − fout/2`, everything that would fold into 0–4 kHz at `fin/k`. Then the
/// stage above, from `fin/k` to `fout`. Measured, 48 → 8 kHz: 208 multiply-adds per output
/// instead of 416 (64 per 12 kHz sample, 112 per 8 kHz one), 1.9× as fast; 44.1 → 8 kHz: 216
/// instead of 384, 1.5× as fast; the aliases and pass band as above, wherever the aliases land,
/// and the output aligned to within 0.02 input samples. The count is the
/// one-stage count: the last stage stops at `round(nin · fout / fin)`, and `finish()` flushes the
/// decimator just as far as that needs.
public struct Resampler {
  public let inputRate: Int
  public let outputRate: Int
  /// Upsampling factor L and downsampling factor M of the last (polyphase) stage, which runs from
  /// `inputRate / decimation` to `outputRate`.
  public let up: Int
  public let down: Int
  /// Taps per phase of the last stage.
  public let tapsPerPhase: Int
  /// The first stage's decimation factor k, or 1 when there is no first stage.
  public let decimation: Int

  private var decimator: FIRStage?
  private var stage: FIRStage
  /// The decimator's output on its way to the last stage.
  private var between: [Float] = []
  private var inputCount = 0

  public init(inputRate: Int, outputRate: Int, attenuation: Double = 82) {
    precondition(inputRate > 0 && outputRate > 0)
    self.inputRate = inputRate
    self.outputRate = outputRate
    let k = Self.decimationFactor(inputRate: inputRate, outputRate: outputRate)
    decimation = k
    let rate = inputRate / k
    let g = Self.gcd(rate, outputRate)
    (up, down) = Self.ratio(outputRate / g, rate / g)
    let lower = Double(min(rate, outputRate))
    let fsUp = Double(rate) * Double(up)
    let passEdge = 0.425 * lower
    let stopEdge = 0.5 * lower
    let beta = 0.1102 * (attenuation - 8.7)
    var n = Self.kaiserLength(attenuation, transition: stopEdge - passEdge, rate: fsUp)
    n = (n + up - 1) / up * up  // a multiple of L
    // Each phase's taps are a multiple of 16 anyway (the SIMD steps of `dot`): the prototype fills
    // them rather than padding with zeros, for the same cost a narrower transition and more
    // attenuation at 4 kHz (101 → 112 taps per phase from 12 to 8 kHz).
    n = (n / up + 15) / 16 * 16 * up
    let h = Self.lowPass(n, cutoff: (passEdge + stopEdge) / 2, rate: fsUp, beta: beta)
    stage = FIRStage(prototype: h, up: up, down: down, delay: n / 2)
    tapsPerPhase = stage.taps
    guard k > 1 else { return }
    // The last stage's centre is `D − (n − 1)/2` of its upsampled samples late (half a sample
    // when n is even: 1 input sample at 48 kHz, 0.5 at 24 kHz); the decimator takes the nearest
    // half input sample of that back, with an odd length for a whole sample and an even one for
    // a half, so the cascade is aligned to within a quarter of an input sample (0 at 48 kHz,
    // 0.02 at 44.1 kHz).
    let late = Double(k) * (Double(n / 2) - Double(n - 1) / 2) / Double(up)
    let halves = Int((2 * late).rounded())
    // The decimator: Kaiser's length estimate falls short for filters this short (53 taps reach
    // 77.6 dB at 48 kHz, not 80), so it is designed for 5 dB more, with its length filling its
    // SIMD16 steps (63 taps at 48 kHz, 47 at 44.1 kHz): 86 dB from 8 kHz at 48 kHz, 88 dB from
    // 10.7 kHz at 44.1 kHz, 0.001 dB of ripple.
    let pass1 = 0.425 * Double(outputRate)
    let stop1 = Double(rate) - 0.5 * Double(outputRate)
    let boosted = attenuation + 5
    let estimate = Self.kaiserLength(boosted, transition: stop1 - pass1, rate: Double(inputRate))
    let n1 = halves % 2 == 0 ? (estimate + 16) / 16 * 16 - 1 : (estimate + 15) / 16 * 16
    let h1 = Self.lowPass(
      n1, cutoff: (pass1 + stop1) / 2, rate: Double(inputRate), beta: 0.1102 * (boosted - 8.7))
    decimator = FIRStage(prototype: h1, up: 1, down: k, delay: (n1 - 1 - halves) / 2)
  }

  /// Whether input and output rates are equal (the caller can skip filtering).
  public var isIdentity: Bool { inputRate == outputRate }

  /// Feeds input samples; appends every output sample they complete.
  public mutating func process(_ input: UnsafeBufferPointer<Float>, into output: inout [Float]) {
    inputCount += input.count
    guard decimator != nil else {
      stage.process(input, into: &output)
      return
    }
    between.removeAll(keepingCapacity: true)
    decimator!.process(input, into: &between)
    between.withUnsafeBufferPointer { stage.process($0, into: &output) }
  }

  /// Feeds `count` zero samples. Once a whole window of zeros is in, every further output is
  /// exactly 0 and is appended without filtering, so hours of filled gap cost no arithmetic; the
  /// decimator's zeros are counted, not stored, on their way to the last stage.
  public mutating func processSilence(_ count: Int, into output: inout [Float]) {
    inputCount += count
    var zeros = count
    if decimator != nil {
      between.removeAll(keepingCapacity: true)
      zeros = decimator!.processSilence(count, into: &between)
      between.withUnsafeBufferPointer { stage.process($0, into: &output) }
    }
    zeros = stage.processSilence(zeros, into: &output)
    output.append(contentsOf: repeatElement(0, count: zeros))
  }

  /// Flushes the filter's delay with silence and appends the last output samples.
  public mutating func finish(into output: inout [Float]) {
    let total = Int((Double(inputCount) * Double(outputRate) / Double(inputRate)).rounded())
    if decimator != nil {
      // The decimator's outputs up to the last one output `total − 1` reads, then no more.
      let last = ((total - 1) * down + stage.delay) / up
      between.removeAll(keepingCapacity: true)
      decimator!.finish(producing: last + 1, into: &between)
      between.withUnsafeBufferPointer { stage.feed($0) }
    }
    stage.finish(producing: total, into: &output)
  }

  /// The first stage's factor: the largest k ≥ 2 dividing `inputRate` with
  /// `inputRate / k ≥ 1.5 · outputRate`, when `outputRate · 3 ≤ inputRate`; else 1.
  static func decimationFactor(inputRate: Int, outputRate: Int) -> Int {
    guard outputRate <= inputRate / 3 else { return 1 }
    var k = Int(Double(inputRate) / (1.5 * Double(outputRate)))
    while k >= 2 && (inputRate % k != 0 || 2 * (inputRate / k) < 3 * outputRate) { k -= 1 }
    return max(k, 1)
  }

  /// Kaiser's estimate of the taps a window design needs for `attenuation` dB over `transition` Hz.
  static func kaiserLength(_ attenuation: Double, transition: Double, rate: Double) -> Int {
    Int(((attenuation - 7.95) / (2.285 * 2 * Double.pi * transition / rate)).rounded(.up))
  }

  /// A Kaiser-windowed sinc low pass of `n` taps, unnormalised.
  static func lowPass(_ n: Int, cutoff: Double, rate: Double, beta: Double) -> [Double] {
    let center = Double(n - 1) / 2
    var h = [Double](repeating: 0, count: n)
    let i0Beta = besselI0(beta)
    for k in 0..<n {
      let x = Double(k) - center
      let arg = 2 * cutoff / rate * x
      let sinc = arg == 0 ? 1 : sin(Double.pi * arg) / (Double.pi * arg)
      let r = 2 * Double(k) / Double(n - 1) - 1
      let window = besselI0(beta * (max(0, 1 - r * r)).squareRoot()) / i0Beta
      h[k] = 2 * cutoff / rate * sinc * window
    }
    return h
  }

  /// Σ a[i]·b[i] with 16-wide SIMD accumulators (strict IEEE order keeps LLVM from vectorising a
  /// plain loop by itself).
  @inline(__always)
  static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var acc0 = SIMD16<Float>()
    var acc1 = SIMD16<Float>()
    var i = 0
    let rawA = UnsafeRawPointer(a)
    let rawB = UnsafeRawPointer(b)
    while i + 32 <= count {
      acc0 +=
        rawA.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
        * rawB.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
      acc1 +=
        rawA.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
        * rawB.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
      i += 32
    }
    if i + 16 <= count {
      acc0 +=
        rawA.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
        * rawB.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
      i += 16
    }
    // Halves added pairwise: `SIMD16.sum()` adds the 16 lanes one after another, 15 dependent
    // additions per output, and short filters felt it (44.1 → 8 kHz ran 1.5× as fast without).
    let v16 = acc0 + acc1
    let v8 = v16.lowHalf + v16.highHalf
    let v4 = v8.lowHalf + v8.highHalf
    let v2 = v4.lowHalf + v4.highHalf
    var sum = v2[0] + v2[1]
    while i < count {
      sum += a[i] * b[i]
      i += 1
    }
    return sum
  }

  static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

  /// The largest factor L or M used: the prototype has about 67·max(L, M) taps (80 dB, this
  /// transition band), so this bounds the filter at about 270,000 taps, 2 MB to design.
  static let maximumFactor = 4096

  /// `L/M` itself when both are at most `maximumFactor` (every common rate pair: 22050 → 8000
  /// is 160/441), else its closest continued-fraction convergent within the bound: coprime rates
  /// such as 767999 → 8000 would need 8000 phases of a 50-million-tap filter, and 1/96 is
  /// 1.3 ppm away (a pitch shift no one hears, 5 ms in an hour).
  static func ratio(_ l: Int, _ m: Int) -> (up: Int, down: Int) {
    guard max(l, m) > maximumFactor else { return (l, m) }
    var (p0, q0, p1, q1) = (0, 1, 1, 0)
    var (a, b) = (l, m)
    while b != 0 {
      let t = a / b
      let (p2, q2) = (t * p1 + p0, t * q1 + q0)
      if max(p2, q2) > maximumFactor { break }
      (p0, q0, p1, q1) = (p1, q1, p2, q2)
      (a, b) = (b, a - t * b)
    }
    if p1 >= 1 && q1 >= 1 { return (p1, q1) }
    let r = Double(l) / Double(m)
    return r >= 1
      ? (min(Int(r.rounded()), maximumFactor), 1) : (1, min(Int((1 / r).rounded()), maximumFactor))
  }

  /// Modified Bessel function of the first kind, order 0 (power series).
  static func besselI0(_ x: Double) -> Double {
    var sum = 1.0
    var term = 1.0
    let half = x / 2
    for k in 1..<64 {
      term *= (half / Double(k)) * (half / Double(k))
      sum += term
      if term < sum * 1e-17 { break }
    }
    return sum
  }
}

/// One streaming polyphase FIR stage: output `m` is phase `(m·M + D) mod L` over the inputs ending
/// at `(m·M + D) div L` (a plain decimator when L = 1).
private struct FIRStage {
  let up: Int
  let down: Int
  /// Taps per phase, a multiple of 16.
  let taps: Int
  let delay: Int
  /// Phase p's taps, reversed, contiguous: `phases[p * taps + i]` multiplies
  /// `x[n - taps + 1 + i]`.
  private let phases: [Float]
  /// Input not yet fully used, with `taps - 1` samples of history in front.
  private var history: [Float]
  /// Absolute index of `history[0]` in the input stream.
  private var historyStart: Int
  private var inputCount = 0
  private var produced = 0

  /// `prototype` at `L` times the input rate, scaled here so that every phase has a DC gain of 1.
  init(prototype h: [Double], up: Int, down: Int, delay: Int) {
    self.up = up
    self.down = down
    self.delay = delay
    let scale = Double(up) / h.reduce(0, +)
    // Each phase is padded with zero taps (at its oldest end) to a multiple of 16, so the dot
    // product runs in whole SIMD16 steps with no scalar tail: 101 → 112 taps from 12 to 8 kHz;
    // for the one-stage 48 kHz filter (403 → 416) it was 1.6× the speed (Benchmarks/README.md).
    let length = (h.count + up - 1) / up
    taps = (length + 15) / 16 * 16
    var phases = [Float](repeating: 0, count: up * taps)
    for p in 0..<up {
      for k in 0..<length where p + k * up < h.count {
        phases[p * taps + (taps - 1 - k)] = Float(h[p + k * up] * scale)
      }
    }
    self.phases = phases
    history = [Float](repeating: 0, count: taps - 1)
    historyStart = -(taps - 1)
  }

  mutating func process(_ input: UnsafeBufferPointer<Float>, into output: inout [Float]) {
    feed(input)
    produce(available: inputCount, into: &output)
  }

  /// Takes input without producing (the last stage at `finish`, which then stops at its total).
  mutating func feed(_ input: UnsafeBufferPointer<Float>) {
    history.append(contentsOf: input)
    inputCount += input.count
  }

  /// Feeds `count` zero samples and returns how many further outputs are exactly 0, for the
  /// caller to append or pass on: once a whole window of zeros is in, nothing is filtered.
  mutating func processSilence(_ count: Int, into output: inout [Float]) -> Int {
    let head = min(count, taps)
    let zeros = [Float](repeating: 0, count: head)
    zeros.withUnsafeBufferPointer { process($0, into: &output) }
    let rest = count - head
    guard rest > 0 else { return 0 }
    inputCount += rest
    // Outputs m whose window ends before the input's end: m·M + D < inputCount·L.
    let ready = (inputCount * up - delay + down - 1) / down
    let silent = max(0, ready - produced)
    produced += silent
    history.removeAll(keepingCapacity: true)
    history.append(contentsOf: repeatElement(0, count: taps - 1))
    historyStart = inputCount - (taps - 1)
    return silent
  }

  /// Flushes the delay with silence and appends outputs up to `total` in all.
  mutating func finish(producing total: Int, into output: inout [Float]) {
    // Enough zeros for the last output's window, then produce exactly up to `total`.
    let needed = (total * down + delay) / up + 1 - inputCount
    if needed > 0 { history.append(contentsOf: repeatElement(0, count: needed)) }
    produce(available: inputCount + max(needed, 0), limit: total, into: &output)
  }

  private mutating func produce(available: Int, limit: Int = .max, into output: inout [Float]) {
    let taps = taps
    // Output `produced` reads phase p over the inputs ending at n; each next output moves
    // (n, p) on by M/L, kept as a whole step and a remainder (no division per output).
    let t = produced * down + delay
    var n = t / up
    var p = t - n * up
    let (step, remainder) = down.quotientAndRemainder(dividingBy: up)
    let count = min(limit, produced + max(0, (available * up - t + down - 1) / down))
    phases.withUnsafeBufferPointer { coefficients in
      history.withUnsafeBufferPointer { x in
        while produced < count {
          output.append(
            Resampler.dot(
              coefficients.baseAddress! + p * taps, x.baseAddress! + (n - taps + 1 - historyStart),
              count: taps))
          produced += 1
          n += step
          p += remainder
          if p >= up {
            p -= up
            n += 1
          }
        }
      }
    }
    // Drop what no future output needs.
    let nextN = (produced * down + delay) / up
    let keepFrom = nextN - taps + 1 - historyStart
    if keepFrom > 4096 {
      history.removeFirst(keepFrom)
      historyStart += keepFrom
    }
  }
}

#if canImport(Glibc)
  import Glibc
#endif

/// Interleaved little-endian 16-bit PCM at one rate to another, one `Resampler` per channel:
/// `codec decode --rate` turns 8 kHz calls into 16 or 48 kHz for tools that want them.
public struct PCM16RateConverter {
  public let channels: Int
  private var resamplers: [Resampler]
  private var input: [[Float]]
  private var output: [[Float]]

  public init(channels: Int, inputRate: Int, outputRate: Int) {
    self.channels = channels
    resamplers = (0..<channels).map { _ in Resampler(inputRate: inputRate, outputRate: outputRate) }
    input = Array(repeating: [], count: channels)
    output = Array(repeating: [], count: channels)
  }

  /// Converts whole frames of `bytes`, appending the converted frames to `out`.
  public mutating func convert(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
    let frames = bytes.count / (2 * channels)
    if frames > 0, bytes[0..<frames * 2 * channels].allSatisfy({ $0 == 0 }) {
      for c in 0..<channels { resamplers[c].processSilence(frames, into: &output[c]) }
      emit(into: &out)
      return
    }
    for c in 0..<channels {
      input[c].removeAll(keepingCapacity: true)
      for f in 0..<frames {
        let v = Int16(
          littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * (f * channels + c), as: Int16.self))
        input[c].append(Float(v) / 32768)
      }
      input[c].withUnsafeBufferPointer { resamplers[c].process($0, into: &output[c]) }
    }
    emit(into: &out)
  }

  /// Flushes every channel's filter.
  public mutating func finish(into out: inout [UInt8]) {
    for c in 0..<channels { resamplers[c].finish(into: &output[c]) }
    emit(into: &out)
  }

  private mutating func emit(into out: inout [UInt8]) {
    let frames = output.map(\.count).min() ?? 0
    guard frames > 0 else { return }
    out.reserveCapacity(out.count + frames * channels * 2)
    for f in 0..<frames {
      for c in 0..<channels {
        let v = UInt16(bitPattern: quantize(output[c][f]))
        out.append(UInt8(truncatingIfNeeded: v))
        out.append(UInt8(truncatingIfNeeded: v >> 8))
      }
    }
    for c in 0..<channels { output[c].removeFirst(frames) }
  }
}
