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

extension OutputFile {
  /// Writes and commits a call recording, µ-law at 8 kHz (interleaved left/right when stereo),
  /// as a PCM16 WAV (what `stream replay --record` and `call --record` write); on failure
  /// nothing is left behind.
  func commitRecording(muLaw interleaved: [UInt8], channels: Int = 2) throws {
    var pcm: [UInt8] = []
    G711.decodePCM16LE(interleaved, law: .muLaw, appendingTo: &pcm)
    let format = AudioFormat(encoding: .pcmSigned(bits: 16), channels: channels, sampleRate: 8000)
    do {
      try beginWAV(format, dataLength: pcm.count)
      try write(pcm)
      try endWAV(format, dataLength: pcm.count)
      try commit()
    } catch {
      abort()
      throw error
    }
  }
}
