/// How samples are stored in a WAV `data` chunk.
public enum SampleEncoding: Equatable, Sendable, CustomStringConvertible {
  /// 8-bit PCM, unsigned (offset binary).
  case pcmUnsigned8
  /// Signed little-endian PCM of 16, 24 or 32 bits.
  case pcmSigned(bits: Int)
  /// IEEE float of 32 or 64 bits.
  case float(bits: Int)
  /// G.711, one byte per sample.
  case g711(G711.Law)

  /// Bytes per sample of one channel.
  public var bytesPerSample: Int {
    switch self {
    case .pcmUnsigned8, .g711: 1
    case .pcmSigned(let bits), .float(let bits): bits / 8
    }
  }

  public var description: String {
    switch self {
    case .pcmUnsigned8: "PCM 8-bit unsigned"
    case .pcmSigned(let bits): "PCM \(bits)-bit"
    case .float(let bits): "IEEE float \(bits)-bit"
    case .g711(.muLaw): "G.711 µ-law"
    case .g711(.aLaw): "G.711 A-law"
    }
  }
}

/// The audio format a WAV file declares.
public struct AudioFormat: Equatable, Sendable {
  public var encoding: SampleEncoding
  public var channels: Int
  public var sampleRate: Int

  public init(encoding: SampleEncoding, channels: Int, sampleRate: Int) {
    self.encoding = encoding
    self.channels = channels
    self.sampleRate = sampleRate
  }

  /// Bytes per frame (one sample of every channel).
  public var blockAlign: Int { encoding.bytesPerSample * channels }

  /// Twilio's Media Streams format: 8 kHz mono µ-law.
  public static let twilio = AudioFormat(encoding: .g711(.muLaw), channels: 1, sampleRate: 8000)
}

/// Why a WAV file could not be read.
public struct WAVError: Error, Equatable, Sendable, CustomStringConvertible {
  public var reason: String
  public init(_ reason: String) { self.reason = reason }
  public var description: String { reason }
}

/// A WAV header read by walking the RIFF chunks (never assuming a 44-byte header).
///
/// Rules (codec-perf.md §2.4): unknown chunks (`LIST`, `JUNK`, `fact`, `bext`, …) are skipped with
/// their pad byte; `fmt ` of 16, 18 or 40 bytes, WAVE_FORMAT_EXTENSIBLE mapped to its SubFormat;
/// a `data` size of 0 or 0xFFFFFFFF means "until the end of the file" (streamed writers).
/// No size field is trusted for an allocation: only `fmt ` is read into memory, and it is capped.
public struct WAVHeader: Equatable, Sendable {
  public var format: AudioFormat
  /// Bytes of sample data the `data` chunk declares, or nil for "until the end of the file".
  public var dataLength: Int?
  /// Chunk ids seen before `data`, in order (for `codec info`).
  public var chunks: [String]

  /// The largest `fmt ` chunk read; real ones are 16, 18 or 40 bytes.
  static let maximumFormatChunk = 4096

  /// Reads the header from `source`, leaving it positioned at the first byte of sample data.
  public static func read(from source: inout some ByteSource) throws -> WAVHeader {
    var riff = [UInt8](repeating: 0, count: 12)
    let got = try source.readFully(into: &riff)
    guard got >= 4 else { throw WAVError("not a WAV file: too short (\(got) bytes)") }
    let magic = String(decoding: riff[0..<4], as: UTF8.self)
    switch magic {
    case "RIFF": break
    case "RIFX": throw WAVError("big-endian WAV (RIFX) is not supported")
    case "RF64", "BW64": throw WAVError("\(magic) (WAV over 4 GiB) is not supported")
    default:
      if let container = ContainerSniffer.container(atStartOf: Array(riff.prefix(got))) {
        throw WAVError("not a WAV file: it starts with \(container); convert it to WAV first")
      }
      throw WAVError("not a WAV file: it starts with '\(printable(riff[0..<4]))', not 'RIFF'")
    }
    guard got == 12 else { throw WAVError("truncated WAV header") }
    guard riff[8..<12].elementsEqual("WAVE".utf8) else {
      throw WAVError("not a WAV file: RIFF form type is '\(printable(riff[8..<12]))', not 'WAVE'")
    }
    var format: AudioFormat?
    var chunks: [String] = []
    var chunkHeader = [UInt8](repeating: 0, count: 8)
    while true {
      let n = try source.readFully(into: &chunkHeader)
      if n == 0 {
        throw WAVError(format == nil ? "no 'fmt ' chunk before the end of the file" : "no 'data' chunk")
      }
      guard n == 8 else { throw WAVError("truncated chunk header at the end of the file") }
      let id = String(decoding: chunkHeader[0..<4], as: UTF8.self)
      let size = Int(readUInt32(chunkHeader, 4))
      guard chunkHeader[0..<4].allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
        throw WAVError(
          "invalid chunk id '\(printable(chunkHeader[0..<4]))' after \(chunks.last.map { "'\($0)'" } ?? "the RIFF header") (a missing pad byte?)"
        )
      }
      if id == "data" {
        guard let format else { throw WAVError("'data' chunk before the 'fmt ' chunk") }
        chunks.append(id)
        let length: Int? = size == 0 || size == 0xFFFF_FFFF ? nil : size
        return WAVHeader(format: format, dataLength: length, chunks: chunks)
      }
      chunks.append(id)
      if id == "fmt " {
        guard size >= 16 else { throw WAVError("'fmt ' chunk is \(size) bytes; at least 16 expected") }
        guard size <= maximumFormatChunk else {
          throw WAVError("'fmt ' chunk claims \(size) bytes; refusing sizes over \(maximumFormatChunk)")
        }
        var body = [UInt8](repeating: 0, count: size + (size & 1))
        let read = try source.readFully(into: &body)
        guard read >= size else { throw WAVError("'fmt ' chunk is truncated") }
        format = try parseFormat(Array(body.prefix(size)))
      } else {
        let skip = size + (size & 1)
        let skipped = try source.skip(skip)
        guard skipped == skip else {
          throw WAVError("chunk '\(id)' claims \(size) bytes but the file ends after \(skipped)")
        }
      }
    }
  }

  /// Sample rates taken: telephony's lowest to the highest any audio interface records. Outside
  /// it a header is damaged, and resampling from it would cost memory for nothing.
  public static let supportedRates = 1000...768_000

  static func parseFormat(_ fmt: [UInt8]) throws(WAVError) -> AudioFormat {
    var tag = Int(readUInt16(fmt, 0))
    let channels = Int(readUInt16(fmt, 2))
    let rate = Int(readUInt32(fmt, 4))
    let blockAlign = Int(readUInt16(fmt, 12))
    let bits = Int(readUInt16(fmt, 14))
    if tag == 0xFFFE {
      guard fmt.count >= 40 else {
        throw WAVError("WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is \(fmt.count) bytes; 40 expected")
      }
      tag = Int(readUInt16(fmt, 24))  // the first two bytes of the SubFormat GUID
    }
    guard channels > 0 else { throw WAVError("the WAV declares 0 channels") }
    guard channels <= 256 else {
      throw WAVError("the WAV declares \(channels) channels; at most 256 are supported")
    }
    guard supportedRates.contains(rate) else {
      throw WAVError(
        "the WAV declares a sample rate of \(rate) Hz; \(supportedRates.lowerBound) to \(supportedRates.upperBound) Hz are supported"
      )
    }
    let encoding: SampleEncoding
    switch (tag, bits) {
    case (1, 8): encoding = .pcmUnsigned8
    case (1, 16), (1, 24), (1, 32): encoding = .pcmSigned(bits: bits)
    case (3, 32), (3, 64): encoding = .float(bits: bits)
    case (7, 8): encoding = .g711(.muLaw)
    case (6, 8): encoding = .g711(.aLaw)
    case (1, _), (3, _), (6, _), (7, _):
      throw WAVError("unsupported sample size: \(bits) bits for format \(tag)")
    case (0x55, _): throw WAVError("this WAV holds MP3 data (format 0x55); convert it to PCM first")
    default:
      throw WAVError("unsupported WAV format tag \(tag) (PCM, IEEE float, µ-law and A-law are supported)")
    }
    let format = AudioFormat(encoding: encoding, channels: channels, sampleRate: rate)
    guard blockAlign == format.blockAlign else {
      throw WAVError(
        "block align is \(blockAlign); \(format.blockAlign) expected for \(channels) channel(s) of \(encoding)"
      )
    }
    return format
  }

  /// The bytes of a WAV header for `format` and `dataLength` bytes of samples.
  ///
  /// PCM gets the canonical 16-byte `fmt `; µ-law and A-law the 18-byte one plus a `fact` chunk,
  /// as the format requires for non-PCM data. A nil length (output on a pipe, length unknown)
  /// writes 0xFFFFFFFF sizes, as FFmpeg does; every common reader takes them.
  public static func bytes(format: AudioFormat, dataLength: Int?) -> [UInt8] {
    var out: [UInt8] = []
    let isG711: Bool
    let tag: UInt16
    switch format.encoding {
    case .g711(let law):
      isG711 = true
      tag = law == .muLaw ? 7 : 6
    case .float:
      isG711 = false
      tag = 3
    default:
      isG711 = false
      tag = 1
    }
    let formatSize = isG711 ? 18 : 16
    let pad = (dataLength ?? 0) & 1
    let headerSize = 4 + (8 + formatSize) + (isG711 ? 12 : 0) + 8
    out += "RIFF".utf8
    appendUInt32(&out, dataLength.map { UInt32(clamping: headerSize + $0 + pad) } ?? 0xFFFF_FFFF)
    out += "WAVEfmt ".utf8
    appendUInt32(&out, UInt32(formatSize))
    appendUInt16(&out, tag)
    appendUInt16(&out, UInt16(format.channels))
    appendUInt32(&out, UInt32(format.sampleRate))
    appendUInt32(&out, UInt32(format.sampleRate * format.blockAlign))
    appendUInt16(&out, UInt16(format.blockAlign))
    appendUInt16(&out, UInt16(format.encoding.bytesPerSample * 8))
    if isG711 {
      appendUInt16(&out, 0)  // cbSize
      out += "fact".utf8
      appendUInt32(&out, 4)
      appendUInt32(&out, dataLength.map { UInt32(clamping: $0 / format.blockAlign) } ?? 0xFFFF_FFFF)
    }
    out += "data".utf8
    appendUInt32(&out, dataLength.map { UInt32(clamping: $0) } ?? 0xFFFF_FFFF)
    return out
  }

  /// Largest data a WAV's 32-bit sizes can describe, with room for the header.
  public static let maximumDataLength = 0xFFFF_FFFF - 64
}

func readUInt16(_ b: [UInt8], _ at: Int) -> UInt16 { UInt16(b[at]) | UInt16(b[at + 1]) << 8 }
func readUInt32(_ b: [UInt8], _ at: Int) -> UInt32 {
  UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
}
func appendUInt16(_ out: inout [UInt8], _ v: UInt16) {
  out += [UInt8(v & 0xFF), UInt8(v >> 8)]
}
func appendUInt32(_ out: inout [UInt8], _ v: UInt32) {
  out += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)]
}
private func printable(_ bytes: ArraySlice<UInt8>) -> String {
  String(bytes.map { $0 >= 0x20 && $0 < 0x7F ? Character(UnicodeScalar($0)) : "?" })
}
