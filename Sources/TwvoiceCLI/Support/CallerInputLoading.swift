import TwvoiceCore

/// What the caller says, from the command line: a WAV or a capture (its inbound audio, DTMF and
/// `start.customParameters`), or silence, plus `--dtmf` presses. Shared by `stream replay` and
/// `call`.
enum CallerInputLoading {
  static func load(file: String?, silence: WrittenDuration?, dtmf: [DTMFPress]) throws -> (
    input: StreamSession.CallerInput, customParameters: [NamedValue]
  ) {
    if let silence {
      let audio = [UInt8](repeating: G711.muLawSilence, count: silence.milliseconds * 8)
      return (.init(audio: audio, dtmf: dtmf), [])
    }
    guard let file else { return (.init(audio: [], dtmf: dtmf), []) }
    var source = try PrefixedSource.open(file)
    defer { source.rest.close() }
    let caller = try CallerAudio.load(
      from: &source, kind: InputKind.sniff(source.prefix), name: SystemIO.displayName(file))
    return (.init(audio: caller.audio, dtmf: dtmf + caller.dtmf), caller.customParameters)
  }
}
