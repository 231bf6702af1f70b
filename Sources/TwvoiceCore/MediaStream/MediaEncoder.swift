/// Audio in any WAV format to what a bot sends Twilio: 8 kHz µ-law, framed as outbound `media`
/// messages, bare base64 payloads, or raw bytes, streaming.
///
/// 8 kHz mono µ-law input is copied byte for byte; other 8 kHz input is converted without
/// filtering; any other rate goes through the polyphase `Resampler`. Samples are rounded and
/// clipped to 16 bits, then encoded with G.191 µ-law. Messages are `BotMessage`'s shapes.
public struct MediaEncoder {
  /// What the encoder writes.
  public enum OutputFormat: String, Sendable, CaseIterable {
    /// Outbound media messages, one JSON object per line.
    case messages
    /// One base64 payload per line.
    case payloads
    /// µ-law bytes.
    case raw
    /// µ-law bytes, for the caller to put in a WAV container.
    case wav
  }

  /// How the audio was produced, for the summary.
  public enum Path: Equatable, Sendable {
    /// 8 kHz mono µ-law, copied byte for byte.
    case copied
    /// 8 kHz, converted sample by sample.
    case converted
    /// Resampled from another rate.
    case resampled(from: Int)
  }

  public let inputFormat: AudioFormat
  public let outputFormat: OutputFormat
  /// µ-law bytes per payload (160 = 20 ms).
  public let frameBytes: Int
  public let streamSid: String
  public let path: Path

  private var converter: SampleConverter
  private var resampler: Resampler?
  private var floats: [Float] = []
  private var resampled: [Float] = []
  private var pending: [UInt8] = []
  private var sniff: [UInt8] = []
  private var sniffed = false
  public private(set) var codesWritten = 0
  public private(set) var framesWritten = 0

  public init(inputFormat: AudioFormat, outputFormat: OutputFormat, frameBytes: Int, streamSid: String) {
    self.inputFormat = inputFormat
    self.outputFormat = outputFormat
    self.frameBytes = max(1, frameBytes)
    self.streamSid = streamSid
    converter = SampleConverter(format: inputFormat)
    if inputFormat == .twilio {
      path = .copied
    } else if inputFormat.sampleRate == 8000 {
      path = .converted
    } else {
      path = .resampled(from: inputFormat.sampleRate)
      resampler = Resampler(inputRate: inputFormat.sampleRate, outputRate: 8000)
    }
  }

  /// Why an input cannot be sent as audio.
  public struct ContainerError: Error, Equatable, Sendable, CustomStringConvertible {
    public var container: String
    public var description: String {
      "the audio data starts with \(container): sending a file header as audio is the most common Media Streams bug; extract the samples first (e.g. ffmpeg -i in -ar 8000 -ac 1 out.wav)"
    }
  }

  /// Encodes the next bytes of the WAV `data` chunk, appending finished output to `out`.
  public mutating func feed(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) throws(ContainerError) {
    if !sniffed {
      sniff.append(contentsOf: bytes.prefix(16 - sniff.count))
      if sniff.count >= 16 { try checkContainer() }
    }
    if path == .copied {
      pending.append(contentsOf: bytes)
    } else {
      floats.removeAll(keepingCapacity: true)
      converter.convert(bytes, into: &floats)
      if resampler != nil {
        resampled.removeAll(keepingCapacity: true)
        floats.withUnsafeBufferPointer { resampler!.process($0, into: &resampled) }
        encode(resampled)
      } else {
        encode(floats)
      }
    }
    emitFrames(final: false, into: &out)
  }

  /// Flushes the resampler and the last (possibly short) frame, then the mark, if any.
  public mutating func finish(mark: String?, into out: inout [UInt8]) throws(ContainerError) {
    if !sniffed { try checkContainer() }
    if resampler != nil {
      resampled.removeAll(keepingCapacity: true)
      resampler!.finish(into: &resampled)
      encode(resampled)
    }
    emitFrames(final: true, into: &out)
    if let mark, outputFormat == .messages {
      BotMessage.mark(streamSid: streamSid, name: mark).encode(into: &out)
      out.append(UInt8(ascii: "\n"))
    }
  }

  private mutating func checkContainer() throws(ContainerError) {
    sniffed = true
    if let container = ContainerSniffer.container(atStartOf: sniff) {
      throw ContainerError(container: container)
    }
  }

  private mutating func encode(_ samples: [Float]) {
    let table = G711.encodeTable(.muLaw)
    let start = pending.count
    pending += repeatElement(0, count: samples.count)
    pending.withUnsafeMutableBufferPointer { out in
      table.withUnsafeBufferPointer { t in
        for i in 0..<samples.count {
          out[start + i] = t[Int(UInt16(bitPattern: quantize(samples[i])))]
        }
      }
    }
  }

  private mutating func emitFrames(final: Bool, into out: inout [UInt8]) {
    var offset = 0
    switch outputFormat {
    case .raw, .wav:
      out += pending
      codesWritten += pending.count
      pending.removeAll(keepingCapacity: true)
      return
    case .messages, .payloads:
      var sid: [UInt8] = []
      JSONWriter(asciiOnly: false).writeString(streamSid, to: &sid)
      while pending.count - offset >= frameBytes || (final && offset < pending.count) {
        let end = min(offset + frameBytes, pending.count)
        let frame = pending[offset..<end]
        if outputFormat == .messages {
          BotMessage.appendMedia(streamSidJSON: sid, payload: frame, to: &out)
          out.append(UInt8(ascii: "\n"))
        } else {
          Base64.encode(frame, appendingTo: &out)
          out.append(UInt8(ascii: "\n"))
        }
        codesWritten += end - offset
        framesWritten += 1
        offset = end
      }
      pending.removeFirst(offset)
    }
  }
}

/// Recognises file formats by their first bytes, to catch a container inside the audio.
public enum ContainerSniffer {
  /// The container `bytes` start with, or nil for what looks like plain samples.
  public static func container(atStartOf bytes: [UInt8]) -> String? {
    func starts(_ text: String) -> Bool { bytes.starts(with: text.utf8) }
    if starts("RIFF") && bytes.count >= 12 && bytes[8..<12].elementsEqual("WAVE".utf8) {
      return "a WAV header (RIFF…WAVE): a WAV inside the WAV"
    }
    if starts("ID3") { return "an ID3 tag: this is MP3 data" }
    if starts("OggS") { return "an Ogg page header" }
    if starts("fLaC") { return "a FLAC header" }
    if bytes.count >= 4, bytes[0] == 0xFF, bytes[1] & 0xE0 == 0xE0, isMPEGAudioHeader(bytes) {
      return "an MPEG audio frame header: this is MP3 data"
    }
    return nil
  }

  /// A plausible MPEG-1/2 layer III frame header: version and layer valid, bitrate index not
  /// free or bad, sample rate index not reserved.
  private static func isMPEGAudioHeader(_ b: [UInt8]) -> Bool {
    let version = (b[1] >> 3) & 0x3
    let layer = (b[1] >> 1) & 0x3
    let bitrate = b[2] >> 4
    let rate = (b[2] >> 2) & 0x3
    return version != 1 && layer == 1 && bitrate != 0 && bitrate != 15 && rate != 3
  }
}
