import ArgumentParser
import TwvoiceCore

/// `twvoice codec decode`: a Media Streams capture to WAV.
struct CodecDecode: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "decode",
    abstract: "Decode a Media Streams capture (JSON lines, JSON array or base64 lines) to WAV.",
    discussion: """
      Frames are placed on one timeline by media.timestamp: jitter is absorbed, lost frames \
      become silence of the right length, and with --track both the two tracks stay aligned \
      (left inbound, right outbound). A frame whose line comes after later frames' is put back \
      where its timestamp says, if it is at most 1 s late; a duplicate, or a frame later than \
      that, is left out and counted. The input is decoded as it arrives (after a gap, the output \
      waits up to a second for a late frame), so a capture on a pipe works and memory stays flat \
      whatever the timestamps. Lines end in LF, CRLF or CR; a line may be at most 16 MiB.

      Examples:
        twvoice codec decode capture.jsonl -o call.wav
        twvoice codec decode capture.jsonl --track both -o call-stereo.wav
        twvoice codec decode replay-log.jsonl --track both --as-heard -o heard.wav
        tail -f ws.log | twvoice codec decode - --raw --encoding mulaw > call.ul

      Exit status: 0 success; 65 malformed capture (the error names the line); 66 input missing; \
      74 output error. A failed run leaves no partial output file.
      """
  )

  @Argument(help: "The capture file, or - for standard input.", completion: .file())
  var input: String

  @Option(
    name: .shortAndLong,
    help: "Output file, or - for standard output (the default when it is not a terminal).")
  var output: String = "-"

  @Option(
    help: "Which track: inbound, outbound or both (stereo). Default: inbound, or the only track present.")
  var track: CaptureDecoder.TrackSelection?

  @Option(help: "Sample encoding written: pcm16, mulaw or alaw.")
  var encoding: CaptureDecoder.OutputEncoding = .pcm16

  @Option(help: "Sample rate of the output in Hz (resampled from 8000; pcm16 only).")
  var rate: Int = 8000

  @Flag(
    help: ArgumentHelp(
      "Outbound audio as the caller heard it: Twilio's playout (8,000 bytes/s) with clear applied.",
      discussion: """
        For logs that time each message (stream replay --log, session logs): the bot's media is \
        queued as Twilio plays it and a clear drops what had not played yet, as stream replay \
        --record keeps it. Without it the bot's audio is placed as sent.
        """))
  var asHeard = false

  @Flag(help: "Write samples only, without a WAV header.")
  var raw = false

  @Flag(name: .shortAndLong, help: "No summary on standard error.")
  var quiet = false

  func validate() throws {
    guard (1000...384_000).contains(rate) else {
      throw ValidationError("--rate must be between 1000 and 384000 Hz.")
    }
    if rate != 8000 && encoding != .pcm16 {
      throw ValidationError("--rate needs --encoding pcm16: G.711 is defined at 8000 Hz.")
    }
  }

  func run() throws {
    var source = try FileInput(path: input)
    defer { source.close() }
    let name = source.displayName
    // The first bytes say whether this is a capture at all, before any output exists.
    var head = [UInt8](repeating: 0, count: InputKind.sniffLength)
    head.removeSubrange(try source.readFully(into: &head)...)
    if InputKind.sniff(head) == .wav { throw Self.wavInput(name) }
    var decoder = CaptureDecoder(
      input: input == "-" ? "standard input" : input, selection: track ?? .automatic, encoding: encoding,
      asHeard: asHeard)
    let out = try OutputFile(path: output, input: source)
    let format = AudioFormat(encoding: encoding.sampleEncoding, channels: decoder.channels, sampleRate: rate)
    var rateConverter =
      rate == 8000 ? nil : PCM16RateConverter(channels: decoder.channels, inputRate: 8000, outputRate: rate)
    var framesWritten = 0
    // The header goes first with unknown sizes; a seekable output gets the real ones at the end.
    if !raw { try out.beginWAV(format) }
    var pending: [UInt8] = []
    if rateConverter != nil { pending.reserveCapacity(1 << 21) }
    var converted: [UInt8] = []
    func flush() {
      guard !pending.isEmpty else { return }
      framesWritten += pending.count / format.blockAlign
      out.writeInBackground(pending)
      pending = []
      pending.reserveCapacity(1 << 21)
    }
    /// Moves what the decoder has ready to the output a block at a time, so hours of filled gap
    /// (kept as a count by the decoder) never sit in memory; `live` input (a pipe) is written as
    /// soon as it is decoded.
    func drain(live: Bool, final: Bool = false) {
      guard rateConverter != nil else {
        // At 8 kHz the decoder writes each sample once, straight into the blocks the writer
        // thread writes from.
        while decoder.readySamples > 0 {
          let samples = decoder.takeOutput(into: out.takeBlock())
          framesWritten += samples
          out.writeBlockInBackground(samples * format.blockAlign)
        }
        return
      }
      while true {
        converted.removeAll(keepingCapacity: true)
        guard decoder.takeOutput(into: &converted, limit: 1 << 15) > 0 else { break }
        converted.withUnsafeBytes { rateConverter!.convert($0, into: &pending) }
        if pending.count >= 1 << 20 { flush() }
      }
      if final { rateConverter?.finish(into: &pending) }
      if live && !pending.isEmpty { flush() }
    }
    do {
      // read(2) into large buffers (a regular file by a second thread, blocks ahead) rather
      // than mmap: a file truncated while it is read (log rotation's copytruncate) then ends
      // early instead of killing the process with SIGBUS, at no measurable cost
      // (Benchmarks/README.md).
      let live = !source.isRegularFile
      try head.withUnsafeBytes { try decoder.feed($0) }
      try source.forEachBlockReadingAhead(size: 1 << 20) { block in
        try decoder.feed(block)
        drain(live: live)
      }
      try decoder.finish()
      drain(live: false, final: true)
      flush()
      try out.finishBackgroundWrites()
      if !raw { try out.endWAV(format, dataLength: framesWritten * format.blockAlign) }
      try out.commit()
    } catch {
      out.abort()
      throw error
    }
    let summary = decoder.summary
    if summary.numericCounters > 0 {
      Terminal.warning(
        "\(name): \(summary.numericCounters) message\(summary.numericCounters == 1 ? "" : "s") with numbers for sequenceNumber, chunk or timestamp; Twilio sends strings"
      )
    }
    if let track, let wanted = MediaTrack(rawValue: track.rawValue), !summary.trackOrder.isEmpty,
      !summary.trackOrder.contains(wanted)
    {
      Terminal.warning(
        "\(name): no \(track.rawValue) frames (the capture has \(summary.trackOrder.map(\.rawValue).joined(separator: " and "))): the output is empty"
      )
    }
    if !quiet { Terminal.diagnostic(summaryLine(summary, input: name)) }
  }

  /// A WAV given where a capture is expected: say so, rather than fail on its bytes as JSON.
  static func wavInput(_ name: String) -> TwvoiceError {
    TwvoiceError(
      .dataError,
      "\(name): this is a WAV file; codec decode reads Media Streams captures (codec encode turns a WAV into media messages)"
    )
  }

  private func summaryLine(_ s: CaptureSummary, input: String) -> String {
    var parts: [String] = []
    let frames = s.trackOrder.map { "\(s.tracks[$0]?.frames ?? 0) \($0.rawValue)" }
    parts.append(frames.isEmpty ? "no media frames" : "\(frames.joined(separator: " + ")) frames")
    parts.append(String(format2(Double(s.outputSamples) / 8000)) + " s")
    let gaps = s.tracks.values.reduce(0) { $0 + $1.gaps }
    if gaps > 0 {
      let ms = s.tracks.values.reduce(0) { $0 + $1.gapSamples } / 8
      parts.append("\(gaps) gap\(gaps == 1 ? "" : "s") filled (\(ms) ms)")
    }
    let reordered = s.tracks.values.reduce(0) { $0 + $1.reordered }
    if reordered > 0 {
      parts.append("\(reordered) late frame\(reordered == 1 ? "" : "s") put back by timestamp")
    }
    let dropped = s.tracks.values.reduce(0) { $0 + $1.dropped }
    if dropped > 0 {
      parts.append(
        "\(dropped) frame\(dropped == 1 ? "" : "s") left out (duplicate, overlapping, or over \(CaptureDecoder.reorderWindow / 8000) s late)"
      )
    }
    if s.clearedSamples > 0 {
      parts.append("\(format2(Double(s.clearedSamples) / 8000)) s of bot audio cleared")
    }
    if s.invalidBotMessages > 0 {
      parts.append(
        "\(s.invalidBotMessages) invalid bot media message\(s.invalidBotMessages == 1 ? "" : "s") skipped (Twilio refuses them: 31951)"
      )
    }
    if s.unknownEvents > 0 {
      parts.append("\(s.unknownEvents) unknown event\(s.unknownEvents == 1 ? "" : "s") skipped")
    }
    let channels = track == .both ? "stereo: inbound left, outbound right" : "mono"
    let written =
      raw ? "raw \(encoding.rawValue) \(rate) Hz" : "WAV \(encoding.rawValue) \(rate) Hz \(channels)"
    return
      "twvoice: \(input): \(parts.joined(separator: ", ")) → \(output == "-" ? "standard output" : output) (\(written))"
  }
}

/// `1.234` → "1.23".
func format2(_ value: Double) -> String {
  let hundredths = Int((value * 100).rounded())
  let fraction = hundredths % 100
  return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}

extension CaptureDecoder.TrackSelection: ExpressibleByArgument {
  public init?(argument: String) {
    switch argument {
    case "inbound", "inbound_track": self = .inbound
    case "outbound", "outbound_track": self = .outbound
    case "both", "both_tracks": self = .both
    default: return nil
    }
  }
  public static var allValueStrings: [String] { ["inbound", "outbound", "both"] }
  public static var allValueDescriptions: [String: String] {
    [
      "inbound": "What the caller said (inbound_track).",
      "outbound": "What was played to the caller (outbound_track; a bot's audio).",
      "both": "Stereo: inbound left, outbound right, aligned (both_tracks).",
    ]
  }
  public var defaultValueDescription: String { self == .automatic ? "inbound, or the only track" : rawValue }
}

extension CaptureDecoder.OutputEncoding: ExpressibleByArgument {}
