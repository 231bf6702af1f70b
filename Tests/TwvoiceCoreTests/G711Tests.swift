import Testing
import TwvoiceCore

/// G.711 against the tables pinned in codec-perf.md §1.5 (SHA-256 of the G.191 tables, generated
/// by the reference doc's g711_compare.py), and the spot vectors of §1.4.
struct G711Tests {
  static func hex(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
  }

  static func littleEndian(_ samples: [Int16]) -> [UInt8] {
    samples.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
  }

  @Test func muLawEncodeTableIsG191() {
    #expect(
      Self.hex(Crypto.sha256(G711.encodeTable(.muLaw)))
        == "455d3ccb989aea3ed20d8783a99859635739069ad7ffab3bfc61f36feb6de709")
  }

  @Test func muLawDecodeTable() {
    #expect(
      Self.hex(Crypto.sha256(Self.littleEndian(G711.decodeTable(.muLaw))))
        == "3dab54339e520bb2c924826e3b72a917a2b612e9fd12fc867500f1d983a75827")
  }

  @Test func aLawEncodeTableIsG191() {
    #expect(
      Self.hex(Crypto.sha256(G711.encodeTable(.aLaw)))
        == "f77c76aa923ee25617453f87514828a12896227f82ff383bf3bb53d6ac7c2a0f")
  }

  @Test func aLawDecodeTable() {
    #expect(
      Self.hex(Crypto.sha256(Self.littleEndian(G711.decodeTable(.aLaw))))
        == "e04788d110e58ff8c70c93b8480190d973e3b67876b6119abbaec766cc75c174")
  }

  /// Where G.191 differs from audioop, sox and FFmpeg (codec-perf.md §1.4).
  @Test(
    arguments: [
      (0, 0xFF), (1, 0xFF), (2, 0xFF), (3, 0xFF), (4, 0xFE), (-1, 0x7F), (-2, 0x7F), (-3, 0x7F),
      (-4, 0x7F), (-5, 0x7E), (-8, 0x7E), (-100, 0x73), (1000, 0xCE), (-1000, 0x4E), (-31612, 0x01),
      (32124, 0x80), (32767, 0x80), (-32124, 0x00), (-32768, 0x00),
    ] as [(Int16, UInt8)])
  func muLawSpotVectors(sample: Int16, code: UInt8) {
    #expect(G711.muLawEncode(sample) == code)
  }

  @Test func muLawSymmetryAndRoundTrip() {
    for x in Int16.min...Int16.max {
      #expect(G711.muLawEncode(~x) == G711.muLawEncode(x) ^ 0x80)
    }
    for c in 0...255 {
      let value = G711.muLawDecode(UInt8(c))
      #expect(G711.muLawDecode(G711.muLawEncode(value)) == value)
      let aValue = G711.aLawDecode(UInt8(c))
      #expect(G711.aLawEncode(aValue) == UInt8(c))
    }
    #expect(G711.muLawEncode(G711.muLawDecode(0x7F)) == 0xFF)  // −0 comes back as +0
  }

  @Test func silencePayload() {
    let codes = [UInt8](repeating: G711.muLawEncode(0), count: 160)
    #expect(Base64.encode(codes) == String(repeating: "////", count: 53) + "/w==")
    #expect(G711.aLawEncode(0) == G711.aLawSilence)
  }

  @Test func bulkMatchesScalar() {
    let samples: [Int16] = (0..<1000).map { Int16(truncatingIfNeeded: $0 &* 7919 &- 30000) }
    var codes: [UInt8] = [9]
    samples.withUnsafeBufferPointer { G711.encode($0, law: .muLaw, appendingTo: &codes) }
    #expect(codes.count == 1001 && codes[0] == 9)
    #expect(Array(codes.dropFirst()) == samples.map(G711.muLawEncode))
    var decoded: [Int16] = []
    codes.dropFirst().withContiguousStorageIfAvailable { G711.decode($0, law: .aLaw, appendingTo: &decoded) }
    #expect(decoded == codes.dropFirst().map(G711.aLawDecode))
  }
}
