import ArgumentParser

/// `twvoice codec`: G.711 audio in and out of Media Streams.
struct CodecCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "codec",
    abstract: "Turn Media Streams captures into WAV, and audio into Media Streams payloads.",
    subcommands: [CodecDecode.self, CodecEncode.self, CodecInfo.self]
  )
}
