import Foundation
import Testing
import TwvoiceCore

/// The resampler against the design targets of codec-perf.md §3.2.
struct ResamplerTests {
  static func tone(_ frequency: Double, rate: Int, seconds: Double = 1, amplitude: Float = 0.5) -> [Float] {
    (0..<Int(Double(rate) * seconds)).map {
      amplitude * Float(sin(2 * Double.pi * frequency * Double($0) / Double(rate)))
    }
  }

  static func resample(_ input: [Float], from: Int, to: Int = 8000, pieces: Int = 1) -> [Float] {
    var r = Resampler(inputRate: from, outputRate: to)
    var out: [Float] = []
    let size = (input.count + pieces - 1) / pieces
    var offset = 0
    while offset < input.count {
      let end = min(offset + size, input.count)
      input[offset..<end].withUnsafeBufferPointer { r.process($0, into: &out) }
      offset = end
    }
    r.finish(into: &out)
    return out
  }

  /// Amplitude of `frequency` in the middle half of `x` (least-squares fit of sine and cosine).
  static func amplitude(_ x: [Float], frequency: Double, rate: Int) -> Double {
    let mid = Array(x[x.count / 4..<(3 * x.count / 4)])
    var ss = 0.0
    var sc = 0.0
    var cc = 0.0
    var ys = 0.0
    var yc = 0.0
    for (i, y) in mid.enumerated() {
      let t = 2 * Double.pi * frequency * Double(i + x.count / 4) / Double(rate)
      let s = sin(t)
      let c = cos(t)
      ss += s * s
      sc += s * c
      cc += c * c
      ys += Double(y) * s
      yc += Double(y) * c
    }
    let det = ss * cc - sc * sc
    let a = (ys * cc - yc * sc) / det
    let b = (yc * ss - ys * sc) / det
    return (a * a + b * b).squareRoot()
  }

  static func dB(_ ratio: Double) -> Double { 20 * log10(max(ratio, 1e-12)) }

  /// Level of the middle half of `x` against a full-scale-0.5 sine, in dB: for a tone above
  /// 4 kHz, everything it leaves in an 8 kHz output, wherever it folds to.
  static func level(_ x: [Float]) -> Double {
    let mid = x[x.count / 4..<(3 * x.count / 4)]
    let power = mid.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(mid.count)
    return dB(power.squareRoot() / (0.5 / 2.0.squareRoot()))
  }

  /// Noise and a 1004 Hz tone, the same for the same seed.
  static func signal(_ count: Int, rate: Int, seed: UInt64 = 1) -> [Float] {
    var random = SplitMix64(seed: seed)
    return (0..<count).map {
      0.3 * Float.random(in: -1..<1, using: &random)
        + 0.4 * Float(sin(2 * Double.pi * 1004 * Double($0) / Double(rate)))
    }
  }

  @Test(arguments: [48000, 44100, 16000, 32000, 22050, 11025])
  func passBandIsFlat(rate: Int) {
    for frequency in [100.0, 300, 1000, 2000, 3000, 3300, 3400] {
      let out = Self.resample(Self.tone(frequency, rate: rate), from: rate)
      let gain = Self.dB(Self.amplitude(out, frequency: frequency, rate: 8000) / 0.5)
      #expect(abs(gain) < 0.05, "\(rate) Hz input, \(frequency) Hz tone: \(gain) dB")
    }
  }

  @Test(arguments: [48000, 44100, 16000])
  func aliasesAreRejected(rate: Int) {
    for frequency in stride(from: 4300.0, to: Double(rate) / 2, by: rate > 20000 ? 1700 : 700) {
      let out = Self.resample(Self.tone(frequency, rate: rate), from: rate)
      // Where the tone would fold to in the 8 kHz output.
      var alias = frequency.truncatingRemainder(dividingBy: 8000)
      if alias > 4000 { alias = 8000 - alias }
      let level = Self.dB(Self.amplitude(out, frequency: alias, rate: 8000) / 0.5)
      #expect(level < -80, "\(rate) Hz input, \(frequency) Hz tone folds to \(alias) Hz at \(level) dB")
    }
  }

  /// 48 and 44.1 kHz go through the decimator first, which folds at 12 and 14.7 kHz: tones at the
  /// 4 kHz edge (the last stage's first side lobe), around 8 kHz (the decimator's stop edge at
  /// 48 kHz), from 12 to 20 kHz, and at the decimator's own folds (`fin/k ± 3.4 kHz` land in the
  /// pass band) leave nothing above −80 dB in the whole output.
  @Test(arguments: [48000, 44100])
  func aliasesAreRejectedThroughBothStages(rate: Int) {
    let fold = Double(rate / Resampler(inputRate: rate, outputRate: 8000).decimation)
    let edge: [Double] = [4005, 4020, 4050, 4100, 4200, 4300, 4500]
    let eight: [Double] = [7900, 7950, 7990, 8010, 8050, 8100]
    let high: [Double] = [12000, 12010, 13000, 14000, 15000, 16000, 17000, 18000, 19000, 20000]
    let folds = [fold - 3400, fold - 600, fold - 10, fold + 10, fold + 600, fold + 3400]
    for frequency in edge + eight + high + folds where frequency < Double(rate) / 2 {
      let level = Self.level(Self.resample(Self.tone(frequency, rate: rate), from: rate))
      #expect(level < -80, "\(rate) Hz input, \(frequency) Hz tone leaves \(level) dB")
    }
  }

  /// The decimator is used when `fout ≤ fin/3`, by the largest divisor of `fin` that keeps
  /// `fin/k ≥ 1.5·fout`; the last stage then runs from `fin/k`.
  @Test func decimationFactors() {
    let cases: [(Int, Int, Int)] = [
      (48000, 8000, 4), (44100, 8000, 3), (96000, 8000, 8), (32000, 8000, 2), (24000, 8000, 2),
      (88200, 8000, 7), (22050, 8000, 1), (16000, 8000, 1), (44101, 8000, 1), (8000, 48000, 1),
      (48000, 16000, 2), (8000, 8000, 1),
    ]
    for (from, to, k) in cases {
      #expect(Resampler(inputRate: from, outputRate: to).decimation == k, "\(from) → \(to)")
    }
    // 48 → 8 kHz: 64 taps per 12 kHz sample, then 112 per output: 208 per output, not 416.
    let r48 = Resampler(inputRate: 48000, outputRate: 8000)
    #expect(r48.up == 2 && r48.down == 3 && r48.tapsPerPhase == 112)
    let r44 = Resampler(inputRate: 44100, outputRate: 8000)
    #expect(r44.up == 80 && r44.down == 147 && r44.tapsPerPhase == 128)
  }

  /// Whatever the length, `round(nin · fout / fin)` samples come out, as with one stage; lengths
  /// that are not multiples of k (or of the ratio) included.
  @Test(arguments: [48000, 44100, 96000, 32000, 24000, 22050, 16000])
  func lengthIsRoundedForEveryInputLength(rate: Int) {
    let lengths = Array(0...70) + [95, 97, 101, 127, 1001, 4799, 4801, 9999, 22051, 44099, 44101, 48005]
    for n in lengths {
      let out = Self.resample(Self.signal(n, rate: rate), from: rate)
      #expect(out.count == Int((Double(n) * 8000 / Double(rate)).rounded()), "\(rate) Hz, \(n) samples")
    }
  }

  /// Pieces of any size, empty ones included, give bit for bit the output of one piece.
  @Test(arguments: [48000, 44100, 96000, 24000, 16000])
  func randomPiecesGiveExactlyTheOutputOfOnePiece(rate: Int) {
    let input = Self.signal(rate / 3 + 17, rate: rate)
    let whole = Self.resample(input, from: rate)
    for seed: UInt64 in 1...4 {
      var random = SplitMix64(seed: seed)
      var r = Resampler(inputRate: rate, outputRate: 8000)
      var out: [Float] = []
      var offset = 0
      while offset < input.count {
        let end = min(input.count, offset + Int.random(in: 0...(seed == 1 ? 7 : 700), using: &random))
        input[offset..<end].withUnsafeBufferPointer { r.process($0, into: &out) }
        offset = end
      }
      r.finish(into: &out)
      #expect(out == whole, "\(rate) Hz, seed \(seed)")
    }
  }

  /// Through both stages, silence takes the short cut and gives bit for bit what filtering zeros
  /// gives: gaps shorter and longer than either filter, at the start, back to back, at the end.
  @Test(arguments: [48000, 44100, 8000])
  func silenceShortCutMatchesFilteringZeros(rate: Int) {
    let to = rate == 8000 ? 48000 : 8000
    let speech = Self.signal(rate / 10 + 3, rate: rate)
    for gaps in [[0, 1, 5, 0], [63, 64, 65, 200], [7, 4801, 3 * rate + 7, 1000], [2 * rate, 1, 1, 333]] {
      var a = Resampler(inputRate: rate, outputRate: to)
      var b = Resampler(inputRate: rate, outputRate: to)
      var outA: [Float] = []
      var outB: [Float] = []
      for (i, gap) in gaps.enumerated() {
        a.processSilence(gap, into: &outA)
        [Float](repeating: 0, count: gap).withUnsafeBufferPointer { b.process($0, into: &outB) }
        if i == 1 {
          // Two gaps back to back.
          a.processSilence(gap, into: &outA)
          [Float](repeating: 0, count: gap).withUnsafeBufferPointer { b.process($0, into: &outB) }
        }
        if i < 3 {
          speech.withUnsafeBufferPointer { a.process($0, into: &outA) }
          speech.withUnsafeBufferPointer { b.process($0, into: &outB) }
        }
      }
      a.finish(into: &outA)
      b.finish(into: &outB)
      #expect(outA == outB, "\(rate) → \(to), gaps \(gaps)")
    }
  }

  /// Ten minutes of silence between two tones: the right count, zeros in between, the tone after
  /// the gap intact (the short cut is taken, or this would filter 29 million samples).
  @Test func longGapIsCountedNotFiltered() {
    let rate = 48000
    let gap = 600 * rate + 5
    let tone = Self.tone(1000, rate: rate)
    var r = Resampler(inputRate: rate, outputRate: 8000)
    var out: [Float] = []
    tone.withUnsafeBufferPointer { r.process($0, into: &out) }
    r.processSilence(gap, into: &out)
    tone.withUnsafeBufferPointer { r.process($0, into: &out) }
    r.finish(into: &out)
    #expect(out.count == Int((Double(2 * rate + gap) * 8000 / Double(rate)).rounded()))
    #expect(out[9000..<(out.count - 9000)].allSatisfy { $0 == 0 })
    let after = Array(out.suffix(8000))
    #expect(abs(Self.dB(Self.amplitude(after, frequency: 1000, rate: 8000) / 0.5)) < 0.05)
  }

  @Test func dcGainIsOneAndLengthIsRounded() {
    let out = Self.resample([Float](repeating: 0.25, count: 44100), from: 44100)
    #expect(out.count == 8000)
    #expect(out[1000..<7000].allSatisfy { abs($0 - 0.25) < 1e-5 })
    #expect(Self.resample([Float](repeating: 0, count: 1001), from: 48000).count == 167)  // round(166.83)
  }

  @Test func streamingInPiecesGivesTheSameOutput() {
    let input = Self.tone(1234, rate: 48000, seconds: 0.3)
    let whole = Self.resample(input, from: 48000)
    let pieces = Self.resample(input, from: 48000, pieces: 37)
    #expect(whole == pieces)
  }

  @Test func outputIsAlignedWithInput() {
    // An impulse in the middle of the input comes out in the middle of the output.
    var input = [Float](repeating: 0, count: 48000)
    input[24000] = 1
    let out = Self.resample(input, from: 48000)
    let peak = out.indices.max { abs(out[$0]) < abs(out[$1]) } ?? 0
    #expect(abs(peak - 4000) <= 1)
  }

  /// Both stages' delays are compensated: an impulse at input `fin/2` peaks at output 4000, and a
  /// 1 kHz tone comes out within 0.1 input samples of where it went in (0 at 48 kHz, whose impulse
  /// response is then symmetric; 0.02 at 44.1 kHz; the one-stage filter was half a sample early
  /// at 48 kHz).
  @Test(arguments: [48000, 44100, 96000, 32000, 24000])
  func twoStagesAreAlignedWithInput(rate: Int) {
    var input = [Float](repeating: 0, count: rate)
    input[rate / 2] = 1
    let out = Self.resample(input, from: rate)
    let peak = out.indices.max { abs(out[$0]) < abs(out[$1]) } ?? 0
    #expect(peak == 4000, "\(rate) Hz")
    if rate == 48000 {
      #expect((1...100).allSatisfy { abs(out[4000 + $0] - out[4000 - $0]) < 1e-4 * out[4000] })
    }
    // y = R·sin(ωm + φ) for an input delayed by τ: φ = −2π·f·τ.
    let toneOut = Self.resample(Self.tone(1000, rate: rate), from: rate)
    let mid = toneOut.count / 4
    var ys = 0.0
    var yc = 0.0
    for m in mid..<(3 * mid) {
      let t = 2 * Double.pi * 1000 * Double(m) / 8000
      ys += Double(toneOut[m]) * sin(t)
      yc += Double(toneOut[m]) * cos(t)
    }
    let late = -atan2(yc, ys) / (2 * Double.pi * 1000) * Double(rate)
    #expect(abs(late) < 0.1, "\(rate) Hz input: output late by \(late) input samples")
  }

  @Test func upsamplingForDecode() {
    let out = Self.resample(Self.tone(1000, rate: 8000), from: 8000, to: 16000)
    #expect(out.count == 16000)
    #expect(abs(Self.dB(Self.amplitude(out, frequency: 1000, rate: 16000) / 0.5)) < 0.05)
  }

  /// Coprime rates would need a filter of tens of millions of taps (767999 → 8000: 8000 phases);
  /// the ratio is approximated within the bound instead, and the output is still right.
  @Test func oddRatesHaveABoundedFilter() {
    for (from, to) in [(767_999, 8000), (44_101, 8000), (8000, 767_999), (1001, 8000)] {
      let r = Resampler(inputRate: from, outputRate: to)
      #expect(max(r.up, r.down) <= 4096, "\(from) → \(to)")
      #expect(r.up * r.tapsPerPhase < 400_000, "\(from) → \(to)")
      let ratio = Double(r.up) / Double(r.down * r.decimation)
      #expect(abs(ratio / (Double(to) / Double(from)) - 1) < 1e-5, "\(from) → \(to)")
    }
    let out = Self.resample(Self.tone(1000, rate: 44_101), from: 44_101)
    #expect(abs(out.count - 8000) <= 1)
    #expect(abs(Self.dB(Self.amplitude(out, frequency: 1000, rate: 8000) / 0.5)) < 0.05)
    // Exact ratios are kept as they are: 44100 → 8000 is 80/441, 14700 → 8000 after the decimator.
    let exact = Resampler(inputRate: 44_100, outputRate: 8000)
    #expect(exact.up == 80 && exact.down * exact.decimation == 441)
  }

  /// Silence takes the short cut and gives what the filter gives.
  @Test func silenceShortCutMatchesTheFilter() {
    let tone = Self.tone(700, rate: 8000, seconds: 0.1)
    var a = Resampler(inputRate: 8000, outputRate: 48000)
    var b = Resampler(inputRate: 8000, outputRate: 48000)
    var outA: [Float] = []
    var outB: [Float] = []
    tone.withUnsafeBufferPointer { a.process($0, into: &outA) }
    tone.withUnsafeBufferPointer { b.process($0, into: &outB) }
    a.processSilence(5000, into: &outA)
    [Float](repeating: 0, count: 5000).withUnsafeBufferPointer { b.process($0, into: &outB) }
    tone.withUnsafeBufferPointer { a.process($0, into: &outA) }
    tone.withUnsafeBufferPointer { b.process($0, into: &outB) }
    a.finish(into: &outA)
    b.finish(into: &outB)
    #expect(outA.count == outB.count)
    #expect(zip(outA, outB).allSatisfy { abs($0 - $1) < 1e-6 })
  }
}

/// A seeded generator (SplitMix64), so random piece sizes and noise repeat from run to run.
private struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
