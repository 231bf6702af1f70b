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

  @Test(arguments: [48000, 44100, 16000, 32000, 22050, 11025])
  func passBandIsFlat(rate: Int) {
    for frequency in [300.0, 1000, 3000, 3400] {
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
    #expect(whole.count == pieces.count)
    #expect(zip(whole, pieces).allSatisfy { abs($0 - $1) < 1e-6 })
  }

  @Test func outputIsAlignedWithInput() {
    // An impulse in the middle of the input comes out in the middle of the output.
    var input = [Float](repeating: 0, count: 48000)
    input[24000] = 1
    let out = Self.resample(input, from: 48000)
    let peak = out.indices.max { abs(out[$0]) < abs(out[$1]) } ?? 0
    #expect(abs(peak - 4000) <= 1)
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
      #expect(abs(Double(r.up) / Double(r.down) / (Double(to) / Double(from)) - 1) < 1e-5)
    }
    let out = Self.resample(Self.tone(1000, rate: 44_101), from: 44_101)
    #expect(abs(out.count - 8000) <= 1)
    #expect(abs(Self.dB(Self.amplitude(out, frequency: 1000, rate: 8000) / 0.5)) < 0.05)
    // Exact ratios are kept as they are.
    let exact = Resampler(inputRate: 44_100, outputRate: 8000)
    #expect(exact.up == 80 && exact.down == 441)
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
