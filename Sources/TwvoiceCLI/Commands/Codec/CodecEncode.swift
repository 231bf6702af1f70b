import ArgumentParser
import TwvoiceCore

/// `twvoice codec encode`: any WAV to what a bot sends Twilio.
struct CodecEncode: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "encode",
    abstract: "Encode a WAV file to Media Streams payloads: outbound messages, base64, raw or µ-law WAV.",
    discussion: """
      Reads any WAV (PCM 8/16/24/32-bit, float, µ-law, A-law, WAVE_FORMAT_EXTENSIBLE, any \
      channel count and rate), mixes it to mono, resamples to 8 kHz through a polyphase \
      windowed-sinc filter (flat to 3.4 kHz, 80 dB alias rejection) and encodes G.711 µ-law as \
      ITU-T G.191 does. 8 kHz mono µ-law input is copied byte for byte.

      Examples:
        twvoice codec encode greeting.wav > greeting.jsonl
        twvoice codec encode prompt.wav --format payloads --frame 40ms
        twvoice codec encode music-48k.wav --format wav -o music-8k-ulaw.wav
        twvoice codec encode reply.wav --stream-sid MZ0123… --mark reply-done

      Exit status: 0 success; 65 the input is not a WAV this reader takes, or carries a file \
      header inside its audio (a WAV in a WAV, an MP3); 66 input missing; 74 output error.
      """
  )

  @Argument(help: "The WAV file, or - for standard input.", completion: .file(extensions: ["wav"]))
  var input: String

  @Option(name: .shortAndLong, help: "Output file, or - for standard output.")
  var output: String = "-"

  @Option(
    help:
      "messages (outbound media JSON lines), payloads (base64 lines), raw (µ-law bytes) or wav (µ-law WAV).")
  var format: MediaEncoder.OutputFormat = .messages

  @Option(help: "Audio per payload, with its unit: 20ms (160 bytes), 0.5s.")
  var frame: String = "20ms"

  @Option(name: .customLong("stream-sid"), help: "streamSid of the messages (MZ…). Default: a random one.")
  var streamSid: String?

  @Option(help: "Seed for the random streamSid, for reproducible output.")
  var seed: UInt64?

  @Option(help: "Append a mark message with this name after the audio (messages format).")
  var mark: String?

  @Flag(name: .shortAndLong, help: "No summary on standard error.")
  var quiet = false

  func validate() throws {
    if let streamSid {
      do { try StreamSid.check(streamSid) } catch { throw ValidationError("--stream-sid: \(error)") }
    }
    if mark != nil && format != .messages { throw ValidationError("--mark goes with --format messages.") }
    _ = try frameBytes()
  }

  func frameBytes() throws -> Int {
    // A bare number would be seconds (20 = 20 s = 160,000 bytes a payload): say what was meant.
    if let last = frame.last, last.isNumber {
      throw ValidationError(
        "--frame needs a unit: e.g. --frame \(frame)ms for \(frame) milliseconds, or \(frame)s.")
    }
    let duration: Duration
    do { duration = try DurationText.parse(frame) } catch { throw ValidationError("--frame: \(error)") }
    let bytes =
      Int(duration.components.seconds) * 8000 + Int(duration.components.attoseconds / 125_000_000_000_000)
    guard bytes >= 1, bytes <= 8000 * 60 else {
      throw ValidationError("--frame must be between 0.125ms (one sample) and 60s.")
    }
    return bytes
  }

  func run() throws {
    var source = try FileInput(path: input)
    defer { source.close() }
    let header: WAVHeader
    do { header = try WAVHeader.read(from: &source) } catch let error as WAVError {
      throw TwvoiceError(.dataError, "\(source.displayName): \(error)")
    }
    var random = seed.map { TwvoiceRandom(seed: $0) } ?? TwvoiceRandom()
    let sid = streamSid ?? StreamSid.random(using: &random).rawValue
    var encoder = MediaEncoder(
      inputFormat: header.format, outputFormat: format, frameBytes: try frameBytes(), streamSid: sid)
    let out = try OutputFile(path: output, binary: format == .raw || format == .wav, input: source)
    if format == .wav { try out.beginWAV(.twilio) }
    var pending: [UInt8] = []
    var truncated = false
    do {
      let read = try source.forEachBlock(limit: header.dataLength ?? .max) { block in
        try encoder.feed(block, into: &pending)
        if pending.count >= 1 << 20 {
          try out.write(pending)
          pending.removeAll(keepingCapacity: true)
        }
      }
      truncated = header.dataLength.map { read < $0 } ?? false
      try encoder.finish(mark: mark, into: &pending)
      try out.write(pending)
      if format == .wav { try out.endWAV(.twilio, dataLength: encoder.codesWritten) }
      try out.commit()
    } catch let error as MediaEncoder.ContainerError {
      out.abort()
      throw TwvoiceError(.dataError, "\(source.displayName): \(error)")
    } catch {
      out.abort()
      throw error
    }
    if truncated {
      Terminal.warning(
        "\(source.displayName): the data chunk is shorter than its header says (a truncated file?)")
    }
    if !quiet {
      let how: String
      switch encoder.path {
      case .copied: how = "copied (already 8 kHz mono µ-law)"
      case .converted: how = "converted from \(header.format.encoding), \(header.format.channels) channel(s)"
      case .resampled(let rate):
        how = "resampled from \(rate) Hz \(header.format.encoding), \(header.format.channels) channel(s)"
      }
      let frames = format == .messages || format == .payloads ? ", \(encoder.framesWritten) payloads" : ""
      Terminal.diagnostic(
        "twvoice: \(source.displayName): \(format2(Double(encoder.codesWritten) / 8000)) s of µ-law\(frames), \(how)"
      )
    }
  }
}

extension MediaEncoder.OutputFormat: ExpressibleByArgument {}
