/// Turns WAV sample bytes of any supported encoding and channel count into mono `Float` samples
/// in [-1, 1] (float input clamped, NaN as 0), streaming: a frame split across two chunks is carried over.
///
/// Scaling (codec-perf.md §3.2): int16/32768, int24/2²³, int32/2³¹, u8 (v−128)/128, float as is,
/// G.711 through its decode table /32768. Channels are averaged.
public struct SampleConverter {
  public let format: AudioFormat
  private var carry: [UInt8] = []

  public init(format: AudioFormat) { self.format = format }

  /// Converts `bytes` (appending any incomplete frame to the carry) into `output`.
  public mutating func convert(_ bytes: UnsafeRawBufferPointer, into output: inout [Float]) {
    let block = format.blockAlign
    var input = bytes
    if !carry.isEmpty {
      let need = block - carry.count
      let take = min(need, input.count)
      carry.append(contentsOf: input.prefix(take))
      input = UnsafeRawBufferPointer(rebasing: input[take...])
      if carry.count == block {
        let frame = carry
        carry = []
        frame.withUnsafeBytes { convertWhole($0, into: &output) }
      }
    }
    let whole = input.count / block * block
    convertWhole(UnsafeRawBufferPointer(rebasing: input[0..<whole]), into: &output)
    carry.append(contentsOf: input[whole...])
  }

  private func convertWhole(_ bytes: UnsafeRawBufferPointer, into output: inout [Float]) {
    let channels = format.channels
    let frames = bytes.count / format.blockAlign
    guard frames > 0, let base = bytes.baseAddress else { return }
    let start = output.count
    output += repeatElement(0, count: frames)
    let scale = 1 / Float(channels)
    output.withUnsafeMutableBufferPointer { out in
      let o = out.baseAddress! + start
      switch format.encoding {
      case .pcmSigned(bits: 16) where channels == 1:
        // Mono 16-bit, the common case, 16 samples at a time: the same values as the loop below
        // (each exact: a 16-bit integer as a Float, times a power of two), a fifth of `codec
        // encode`'s time before (Benchmarks/README.md).
        var f = 0
        #if _endian(little)
          while f + 16 <= frames {
            let samples = SIMD16<Float>(base.loadUnaligned(fromByteOffset: f * 2, as: SIMD16<Int16>.self))
            UnsafeMutableRawPointer(o + f).storeBytes(of: samples * (1 / 32768), as: SIMD16<Float>.self)
            f += 16
          }
        #endif
        while f < frames {
          o[f] = Float(Int16(littleEndian: base.loadUnaligned(fromByteOffset: f * 2, as: Int16.self))) / 32768
          f += 1
        }
      case .pcmSigned(bits: 16):
        for f in 0..<frames {
          var sum: Float = 0
          for c in 0..<channels {
            sum += Float(
              Int16(littleEndian: base.loadUnaligned(fromByteOffset: (f * channels + c) * 2, as: Int16.self)))
          }
          o[f] = sum * scale / 32768
        }
      case .pcmSigned(bits: 24):
        for f in 0..<frames {
          var sum: Float = 0
          for c in 0..<channels {
            let at = (f * channels + c) * 3
            let v =
              Int32(base.load(fromByteOffset: at, as: UInt8.self)) << 8
              | Int32(base.load(fromByteOffset: at + 1, as: UInt8.self)) << 16
              | Int32(base.load(fromByteOffset: at + 2, as: UInt8.self)) << 24
            sum += Float(v >> 8)
          }
          o[f] = sum * scale / 8_388_608
        }
      case .pcmSigned:
        for f in 0..<frames {
          var sum: Float = 0
          for c in 0..<channels {
            sum += Float(
              Int32(littleEndian: base.loadUnaligned(fromByteOffset: (f * channels + c) * 4, as: Int32.self)))
          }
          o[f] = sum * scale / 2_147_483_648
        }
      case .pcmUnsigned8:
        for f in 0..<frames {
          var sum: Float = 0
          for c in 0..<channels {
            sum += Float(base.load(fromByteOffset: f * channels + c, as: UInt8.self)) - 128
          }
          o[f] = sum * scale / 128
        }
      case .float(bits: 32):
        for f in 0..<frames {
          var sum: Float = 0
          for c in 0..<channels {
            sum += sanitized(
              Float(
                bitPattern: UInt32(
                  littleEndian: base.loadUnaligned(fromByteOffset: (f * channels + c) * 4, as: UInt32.self))))
          }
          o[f] = sum * scale
        }
      case .float:
        for f in 0..<frames {
          var sum: Double = 0
          for c in 0..<channels {
            let v = Double(
              bitPattern: UInt64(
                littleEndian: base.loadUnaligned(fromByteOffset: (f * channels + c) * 8, as: UInt64.self)))
            sum += v.isNaN ? 0 : min(max(v, -1), 1)
          }
          o[f] = Float(sum / Double(channels))
        }
      case .g711(let law):
        let table = G711.decodeTable(law)
        for f in 0..<frames {
          var sum: Float = 0
          for c in 0..<channels {
            sum += Float(table[Int(base.load(fromByteOffset: f * channels + c, as: UInt8.self))])
          }
          o[f] = sum * scale / 32768
        }
      }
    }
  }
}

/// A float sample as the integer formats' range allows: clamped to [-1, 1], NaN as 0.
@inline(__always)
func sanitized(_ sample: Float) -> Float { sample.isNaN ? 0 : min(max(sample, -1), 1) }

/// `Float` samples to 16-bit: scaled by 32768, rounded to nearest, clipped. No dither: it is
/// pointless before µ-law and would make output differ from run to run.
@inline(__always)
public func quantize(_ sample: Float) -> Int16 {
  let scaled = (sample * 32768).rounded()
  if !(scaled >= -32768) { return scaled.isNaN ? 0 : -32768 }
  return scaled >= 32767 ? 32767 : Int16(scaled)
}
