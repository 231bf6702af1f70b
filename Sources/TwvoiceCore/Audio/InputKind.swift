/// What an audio input is, told from its first bytes: a WAV file, or a Media Streams capture.
///
/// The one sniffer `codec info`, `codec decode` and `stream replay` share. `RIFF` and its
/// variants (`RIFX` big-endian, `RF64`/`BW64` over 4 GiB) are all WAV, so `WAVHeader.read` can say
/// which one it does not support instead of a JSON reader failing on binary bytes. Anything else
/// is a capture: JSON lines, a JSON array, a session log or bare base64 payloads.
public enum InputKind: Sendable, Equatable {
  case wav
  case capture

  /// Bytes `sniff` needs to decide (fewer only when the input is shorter).
  public static let sniffLength = 4

  public static func sniff(_ prefix: some Collection<UInt8>) -> InputKind {
    let magic = Array(prefix.prefix(sniffLength))
    return wavMagics.contains(magic) ? .wav : .capture
  }

  private static let wavMagics: [[UInt8]] = ["RIFF", "RIFX", "RF64", "BW64"].map { Array($0.utf8) }
}
