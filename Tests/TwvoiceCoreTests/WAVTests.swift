import Testing
import TwvoiceCore

/// WAV layouts built byte by byte: the edge cases of codec-perf.md §2.3, which common readers
/// disagree on.
enum WAVFixture {
  static func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
  static func u32(_ v: Int) -> [UInt8] {
    [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)]
  }
  static func chunk(_ id: String, _ body: [UInt8], pad: Bool = true, size: Int? = nil) -> [UInt8] {
    Array(id.utf8) + u32(size ?? body.count) + body + (pad && body.count % 2 == 1 ? [0] : [])
  }
  static func fmt(
    tag: Int, channels: Int = 1, rate: Int = 8000, bits: Int, size: Int = 16, subFormat: Int? = nil
  ) -> [UInt8] {
    let align = channels * bits / 8
    var body =
      u16(subFormat == nil ? tag : 0xFFFE) + u16(channels) + u32(rate) + u32(rate * align) + u16(align)
      + u16(bits)
    if let subFormat {
      body +=
        u16(22) + u16(bits) + u32(0) + u16(subFormat) + [
          0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71,
        ]
    } else if size == 18 {
      body += u16(0)
    }
    return chunk("fmt ", body)
  }
  static func riff(_ chunks: [UInt8], size: Int? = nil) -> [UInt8] {
    Array("RIFF".utf8) + u32(size ?? (chunks.count + 4)) + Array("WAVE".utf8) + chunks
  }

  /// 1,001 samples (odd, to force pad bytes) of a ramp, as 16-bit values.
  static let samples: [Int16] = (0..<1001).map { Int16(truncatingIfNeeded: $0 * 61 - 30000) }
  static var pcm16: [UInt8] { samples.flatMap { u16(Int(UInt16(bitPattern: $0))) } }
}

struct WAVTests {
  static func read(_ bytes: [UInt8]) throws -> (WAVHeader, [Float]) {
    var source = ArrayByteSource(bytes)
    let header = try WAVHeader.read(from: &source)
    var rest = Array(bytes[source.position...])
    if let length = header.dataLength, length < rest.count { rest = Array(rest[0..<length]) }
    var converter = SampleConverter(format: header.format)
    var floats: [Float] = []
    rest.withUnsafeBytes { converter.convert($0, into: &floats) }
    return (header, floats)
  }

  static let expected: [Float] = WAVFixture.samples.map { Float($0) / 32768 }

  typealias F = WAVFixture

  static let pcmLayouts: [(String, [UInt8])] = [
    ("canonical PCM16", F.riff(F.fmt(tag: 1, bits: 16) + F.chunk("data", F.pcm16))),
    ("fmt 18", F.riff(F.fmt(tag: 1, bits: 16, size: 18) + F.chunk("data", F.pcm16))),
    (
      "odd LIST with pad",
      F.riff(F.fmt(tag: 1, bits: 16) + F.chunk("LIST", [1, 2, 3]) + F.chunk("data", F.pcm16))
    ),
    (
      "JUNK before fmt",
      F.riff(
        F.chunk("JUNK", [UInt8](repeating: 0, count: 28)) + F.fmt(tag: 1, bits: 16) + F.chunk("data", F.pcm16)
      )
    ),
    (
      "LIST after data",
      F.riff(F.fmt(tag: 1, bits: 16) + F.chunk("data", F.pcm16) + F.chunk("LIST", [1, 2, 3, 4]))
    ),
    (
      "sizes 0xFFFFFFFF",
      F.riff(F.fmt(tag: 1, bits: 16) + F.chunk("data", F.pcm16, size: 0xFFFF_FFFF), size: 0xFFFF_FFFF)
    ),
    ("data size 0", F.riff(F.fmt(tag: 1, bits: 16) + F.chunk("data", F.pcm16, size: 0), size: 0)),
    ("EXTENSIBLE PCM16", F.riff(F.fmt(tag: 1, bits: 16, subFormat: 1) + F.chunk("data", F.pcm16))),
    (
      "fact chunk on PCM",
      F.riff(F.fmt(tag: 1, bits: 16) + F.chunk("fact", F.u32(1001)) + F.chunk("data", F.pcm16))
    ),
  ]

  @Test(arguments: pcmLayouts.map(\.0))
  func pcm16Layouts(name: String) throws {
    let bytes = try #require(Self.pcmLayouts.first { $0.0 == name }?.1)
    let (header, floats) = try Self.read(bytes)
    #expect(header.format == AudioFormat(encoding: .pcmSigned(bits: 16), channels: 1, sampleRate: 8000))
    #expect(floats == Self.expected)
  }

  @Test func otherEncodings() throws {
    let s = WAVFixture.samples
    // 8-bit unsigned: the high byte, offset.
    let u8 = s.map { UInt8(Int($0 >> 8) + 128) }
    let (h8, f8) = try Self.read(F.riff(F.fmt(tag: 1, bits: 8) + F.chunk("data", u8)))
    #expect(h8.format.encoding == .pcmUnsigned8)
    #expect(f8 == u8.map { (Float($0) - 128) / 128 })
    // 24-bit EXTENSIBLE: sample << 8.
    let s24 = s.flatMap { v -> [UInt8] in
      let w = Int(v) << 8
      return [UInt8(w & 0xFF), UInt8(w >> 8 & 0xFF), UInt8(w >> 16 & 0xFF)]
    }
    let (h24, f24) = try Self.read(F.riff(F.fmt(tag: 1, bits: 24, subFormat: 1) + F.chunk("data", s24)))
    #expect(h24.format.encoding == .pcmSigned(bits: 24))
    #expect(f24 == Self.expected)
    // 32-bit integer.
    let s32 = s.flatMap { F.u32(Int(UInt32(bitPattern: Int32($0) << 16))) }
    #expect(try Self.read(F.riff(F.fmt(tag: 1, bits: 32) + F.chunk("data", s32))).1 == Self.expected)
    // Float 32 and 64, with fact.
    let f32 = Self.expected.flatMap { F.u32(Int($0.bitPattern)) }
    let (hf, ff) = try Self.read(
      F.riff(F.fmt(tag: 3, bits: 32, size: 18) + F.chunk("fact", F.u32(1001)) + F.chunk("data", f32)))
    #expect(hf.format.encoding == .float(bits: 32) && ff == Self.expected)
    let f64 = Self.expected.flatMap { v -> [UInt8] in
      let b = Double(v).bitPattern
      return (0..<8).map { UInt8(b >> (8 * $0) & 0xFF) }
    }
    #expect(try Self.read(F.riff(F.fmt(tag: 3, bits: 64) + F.chunk("data", f64))).1 == Self.expected)
  }

  @Test func g711Layouts() throws {
    let codes = WAVFixture.samples.map(G711.muLawEncode)
    let decoded = codes.map { Float(G711.muLawDecode($0)) / 32768 }
    for bytes in [
      F.riff(F.fmt(tag: 7, bits: 8, size: 18) + F.chunk("fact", F.u32(1001)) + F.chunk("data", codes)),
      F.riff(F.fmt(tag: 7, bits: 8) + F.chunk("data", codes)),
      F.riff(F.fmt(tag: 7, bits: 8, subFormat: 7) + F.chunk("data", codes)),
      WAVHeader.bytes(format: .twilio, dataLength: codes.count) + codes + [0],
    ] {
      let (header, floats) = try Self.read(bytes)
      #expect(header.format == .twilio)
      #expect(floats == decoded)
    }
    let alaw = WAVFixture.samples.map(G711.aLawEncode)
    let (ha, fa) = try Self.read(F.riff(F.fmt(tag: 6, bits: 8, size: 18) + F.chunk("data", alaw)))
    #expect(ha.format.encoding == .g711(.aLaw))
    #expect(fa == alaw.map { Float(G711.aLawDecode($0)) / 32768 })
  }

  @Test func stereoIsMixedDown() throws {
    let stereo: [UInt8] = [100, 300, -100, 500].flatMap { F.u16(Int(UInt16(bitPattern: Int16($0)))) }
    let (header, floats) = try Self.read(
      F.riff(F.fmt(tag: 1, channels: 2, rate: 44100, bits: 16) + F.chunk("data", stereo)))
    #expect(header.format.channels == 2 && header.format.sampleRate == 44100)
    #expect(floats == [200 / 32768, 200 / 32768])
  }

  @Test func writerOutputReadsBack() throws {
    for format in [
      AudioFormat.twilio, AudioFormat(encoding: .pcmSigned(bits: 16), channels: 2, sampleRate: 8000),
    ] {
      let header = WAVHeader.bytes(format: format, dataLength: 1002)
      var source = ArrayByteSource(header + [UInt8](repeating: 0, count: 1002))
      let read = try WAVHeader.read(from: &source)
      #expect(read.format == format && read.dataLength == 1002)
      #expect(source.position == header.count)
    }
    #expect(WAVHeader.bytes(format: .twilio, dataLength: 1001).count == 58)
  }

  @Test(
    arguments: [
      ("empty", [], "not a WAV file: too short (0 bytes)"),
      ("text", Array("hello world, not audio".utf8), "not a WAV file: it starts with 'hell', not 'RIFF'"),
      ("RIFX", Array("RIFX".utf8) + F.u32(4) + Array("WAVE".utf8), "big-endian WAV (RIFX) is not supported"),
      ("truncated header", Array("RIFF".utf8) + F.u32(4), "truncated WAV header"),
      ("no fmt", F.riff(F.chunk("LIST", [1, 2])), "no 'fmt ' chunk before the end of the file"),
      (
        "data before fmt", F.riff(F.chunk("data", [1, 2]) + F.fmt(tag: 1, bits: 16)),
        "'data' chunk before the 'fmt ' chunk"
      ),
      (
        "zero channels", F.riff(F.fmt(tag: 1, channels: 0, bits: 16) + F.chunk("data", [])),
        "the WAV declares 0 channels"
      ),
      (
        "absurd rate", F.riff(F.fmt(tag: 1, rate: 96_000_000, bits: 16) + F.chunk("data", [])),
        "the WAV declares a sample rate of 96000000 Hz; 1000 to 768000 Hz are supported"
      ),
      (
        "1 Hz", F.riff(F.fmt(tag: 1, rate: 1, bits: 16) + F.chunk("data", [0, 0])),
        "the WAV declares a sample rate of 1 Hz; 1000 to 768000 Hz are supported"
      ),
      (
        "1.5 MHz", F.riff(F.fmt(tag: 1, rate: 1_536_000, bits: 16) + F.chunk("data", [0, 0])),
        "the WAV declares a sample rate of 1536000 Hz; 1000 to 768000 Hz are supported"
      ),
      (
        "huge fmt", F.riff(Array("fmt ".utf8) + F.u32(0x7FFF_FFFF)),
        "'fmt ' chunk claims 2147483647 bytes; refusing sizes over 4096"
      ),
      (
        "chunk past end", F.riff(F.fmt(tag: 1, bits: 16) + Array("LIST".utf8) + F.u32(1_000_000) + [1, 2]),
        "chunk 'LIST' claims 1000000 bytes but the file ends after 2"
      ),
      (
        "LIST without pad",
        F.riff(F.fmt(tag: 1, bits: 16) + F.chunk("LIST", [1, 2, 3], pad: false) + F.chunk("data", [1, 2])),
        "invalid chunk id 'ata?' after 'LIST' (a missing pad byte?)"
      ),
      (
        "MP3 in WAV", F.riff(F.fmt(tag: 0x55, bits: 0) + F.chunk("data", [])),
        "this WAV holds MP3 data (format 0x55); convert it to PCM first"
      ),
      (
        "12-bit", F.riff(F.fmt(tag: 1, bits: 12) + F.chunk("data", [])),
        "unsupported sample size: 12 bits for format 1"
      ),
    ] as [(String, [UInt8], String)])
  func malformedFilesAreRefused(name: String, bytes: [UInt8], message: String) {
    var source = ArrayByteSource(bytes)
    #expect(throws: WAVError(message), "\(name)") { try WAVHeader.read(from: &source) }
  }

  @Test func containersInsideTheAudioAreRecognised() {
    #expect(ContainerSniffer.container(atStartOf: F.riff([])) != nil)
    #expect(ContainerSniffer.container(atStartOf: Array("ID3\u{4}".utf8) + [0, 0, 0, 0]) != nil)
    #expect(
      ContainerSniffer.container(atStartOf: [0xFF, 0xFB, 0x90, 0x64] + [UInt8](repeating: 0, count: 12))
        != nil)
    // µ-law silence is not an MPEG frame header.
    #expect(ContainerSniffer.container(atStartOf: [UInt8](repeating: 0xFF, count: 16)) == nil)
    #expect(ContainerSniffer.container(atStartOf: F.pcm16) == nil)
  }
}
