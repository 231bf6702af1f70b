/// What the caller says in a simulated call, loaded from an input file: a WAV (any format,
/// converted to 8 kHz µ-law as `codec encode` converts it) or a capture (its inbound track as
/// `codec decode` rebuilds it, its DTMF presses at their times, its `start.customParameters`).
public struct CallerAudio: Sendable {
  /// 8 kHz µ-law, from the start of the call.
  public var audio: [UInt8]
  /// Keys pressed in a capture, with their time on the inbound track.
  public var dtmf: [DTMFPress]
  /// A capture's `<Parameter>` values, in order.
  public var customParameters: [NamedValue]

  public init(
    audio: [UInt8], dtmf: [DTMFPress] = [],
    customParameters: [NamedValue] = []
  ) {
    self.audio = audio
    self.dtmf = dtmf
    self.customParameters = customParameters
  }

  /// Reads all of `source`, of the given kind; `name` is how errors name the input. Malformed
  /// input is a `ClassifiedError` of kind `.dataError` naming the input (and, for a capture,
  /// the line and field).
  public static func load(from source: inout some ByteSource, kind: InputKind, name: String) throws
    -> CallerAudio
  {
    switch kind {
    case .wav:
      let header: WAVHeader
      do { header = try WAVHeader.read(from: &source) } catch let error as WAVError {
        throw TwvoiceError(.dataError, "\(name): \(error)")
      }
      var encoder = MediaEncoder(
        inputFormat: header.format, outputFormat: .raw, frameBytes: 160, streamSid: "")
      var audio: [UInt8] = []
      do {
        try source.forEachBlock(limit: header.dataLength ?? .max) { try encoder.feed($0, into: &audio) }
        try encoder.finish(mark: nil, into: &audio)
      } catch let error as MediaEncoder.ContainerError {
        throw TwvoiceError(.dataError, "\(name): \(error)")
      }
      return CallerAudio(audio: audio)
    case .capture:
      var decoder = CaptureDecoder(input: name, selection: .inbound, encoding: .mulaw)
      var audio: [UInt8] = []
      try source.forEachBlock(size: 1 << 20) { block in
        try decoder.feed(block)
        decoder.takeOutput(into: &audio)
      }
      try decoder.finish()
      decoder.takeOutput(into: &audio)
      return CallerAudio(
        audio: audio, dtmf: decoder.summary.dtmf.map { DTMFPress(digit: $0.digit, atMs: $0.atMs) },
        customParameters: decoder.summary.customParameters.map { NamedValue(name: $0.key, value: $0.value) })
    }
  }
}
