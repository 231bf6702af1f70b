/// G.711 companding (ITU-T G.711), as the ITU-T G.191 software tools library implements it.
///
/// Encoding follows G.191's `ulaw_compress` / `alaw_compress` exactly for all 65,536 inputs
/// (negative samples take the one's complement before the 16→14-bit shift). That differs from
/// CPython's `audioop.lin2ulaw` on 508 negative inputs, from `sox -D` on 510 and from FFmpeg on
/// 964, always by one quantisation step (codec-perf.md §1.2). Decoding is the one table every
/// implementation agrees on. Tests pin the four tables by SHA-256.
public enum G711 {
  /// The two companding laws.
  public enum Law: String, Sendable, CaseIterable {
    /// µ-law: North America and Japan; what Twilio Media Streams carry (`audio/x-mulaw`).
    case muLaw = "mulaw"
    /// A-law: the rest of the world's PSTN.
    case aLaw = "alaw"
  }

  /// µ-law code of digital silence: `0xFF`. 160 of them are the payload `"////"×53 + "/w=="`.
  public static let muLawSilence: UInt8 = 0xFF
  /// A-law code of digital silence (`0xD5`: +0 with the even bits inverted).
  public static let aLawSilence: UInt8 = 0xD5

  /// µ-law code for one sample (G.191 `ulaw_compress`).
  @inline(__always)
  public static func muLawEncode(_ x: Int16) -> UInt8 {
    let sign: UInt8 = x >= 0 ? 0x80 : 0x00
    let magnitude14 = Int(x >= 0 ? x : ~x) >> 2  // one's complement for negatives: 0…8191
    let biased = min(magnitude14 + 33, 0x1FFF)
    let segment = (biased >> 6) == 0 ? 0 : Int.bitWidth - (biased >> 6).leadingZeroBitCount
    let mantissa = (biased >> (segment + 1)) & 0x0F
    return UInt8(0x7F ^ ((segment << 4) | mantissa)) | sign
  }

  /// Sample value of a µ-law code.
  @inline(__always)
  public static func muLawDecode(_ code: UInt8) -> Int16 {
    let u = Int(~code)
    var t = ((u & 0x0F) << 3) + 0x84
    t <<= (u & 0x70) >> 4
    return Int16(u & 0x80 != 0 ? 0x84 - t : t - 0x84)
  }

  /// A-law code for one sample (G.191 `alaw_compress`).
  @inline(__always)
  public static func aLawEncode(_ x: Int16) -> UInt8 {
    var ix = Int(x < 0 ? ~x : x) >> 4
    if ix > 15 {
      var exponent = 1
      while ix > 16 + 15 {
        ix >>= 1
        exponent += 1
      }
      ix -= 16
      ix += exponent << 4
    }
    if x >= 0 { ix |= 0x80 }
    return UInt8(ix ^ 0x55)
  }

  /// Sample value of an A-law code.
  @inline(__always)
  public static func aLawDecode(_ code: UInt8) -> Int16 {
    let a = Int(code ^ 0x55)
    var t = a & 0x0F
    let segment = (a & 0x70) >> 4
    if segment != 0 {
      t = (t + t + 1 + 32) << (segment + 2)
    } else {
      t = (t + t + 1) << 3
    }
    return Int16(a & 0x80 != 0 ? t : -t)
  }

  /// The 256 decoded values of a law, indexed by code.
  public static func decodeTable(_ law: Law) -> [Int16] {
    law == .muLaw ? muLawDecodeTable : aLawDecodeTable
  }

  /// The 65,536 codes of a law, indexed by `UInt16(bitPattern: sample)`.
  public static func encodeTable(_ law: Law) -> [UInt8] {
    law == .muLaw ? muLawEncodeTable : aLawEncodeTable
  }

  /// The code of digital silence in a law.
  public static func silence(_ law: Law) -> UInt8 { law == .muLaw ? muLawSilence : aLawSilence }

  static let muLawDecodeTable: [Int16] = (0...255).map { muLawDecode(UInt8($0)) }
  static let aLawDecodeTable: [Int16] = (0...255).map { aLawDecode(UInt8($0)) }
  static let muLawEncodeTable: [UInt8] = (0...65535).map {
    muLawEncode(Int16(bitPattern: UInt16($0)))
  }
  static let aLawEncodeTable: [UInt8] = (0...65535).map {
    aLawEncode(Int16(bitPattern: UInt16($0)))
  }

  /// Decodes `codes` to 16-bit samples, appending to `samples`.
  public static func decode(
    _ codes: UnsafeBufferPointer<UInt8>, law: Law, appendingTo samples: inout [Int16]
  ) {
    let table = law == .muLaw ? muLawDecodeTable : aLawDecodeTable
    let start = samples.count
    samples += repeatElement(0, count: codes.count)
    table.withUnsafeBufferPointer { table in
      samples.withUnsafeMutableBufferPointer { out in
        for i in 0..<codes.count { out[start + i] = table[Int(codes[i])] }
      }
    }
  }

  /// Decodes `codes` to 16-bit little-endian PCM bytes (a WAV's data), appending to `out`.
  public static func decodePCM16LE(_ codes: some Collection<UInt8>, law: Law, appendingTo out: inout [UInt8])
  {
    let table = law == .muLaw ? muLawDecodeTable : aLawDecodeTable
    out.reserveCapacity(out.count + 2 * codes.count)
    for code in codes {
      let v = UInt16(bitPattern: table[Int(code)])
      out.append(UInt8(v & 0xFF))
      out.append(UInt8(v >> 8))
    }
  }

  /// Encodes 16-bit samples, appending the codes to `codes`.
  public static func encode(
    _ samples: UnsafeBufferPointer<Int16>, law: Law, appendingTo codes: inout [UInt8]
  ) {
    let table = law == .muLaw ? muLawEncodeTable : aLawEncodeTable
    let start = codes.count
    codes += repeatElement(0, count: samples.count)
    table.withUnsafeBufferPointer { table in
      codes.withUnsafeMutableBufferPointer { out in
        for i in 0..<samples.count { out[start + i] = table[Int(UInt16(bitPattern: samples[i]))] }
      }
    }
  }
}
