import TwvoiceCore

/// Writing a WAV file through an `OutputFile`, the one way every command does it: the header
/// first (with the sizes when the audio is already known, or "unknown" when it streams, which a
/// pipe's reader plays as is), the samples, then `endWAV`: the real sizes once the output can
/// seek, and the pad byte an odd-sized chunk needs.
extension OutputFile {
  func beginWAV(_ format: AudioFormat, dataLength: Int? = nil) throws(TwvoiceError) {
    try write(WAVHeader.bytes(format: format, dataLength: dataLength))
  }

  /// Ends a WAV whose data chunk holds `dataLength` bytes (then call `commit`).
  func endWAV(_ format: AudioFormat, dataLength: Int) throws(TwvoiceError) {
    guard dataLength <= WAVHeader.maximumDataLength else {
      throw TwvoiceError(.ioError, "the audio is over 4 GiB, more than a WAV file can hold")
    }
    if isSeekable { try overwrite(WAVHeader.bytes(format: format, dataLength: dataLength), at: 0) }
    if dataLength & 1 == 1 { try write([0]) }
  }
}
