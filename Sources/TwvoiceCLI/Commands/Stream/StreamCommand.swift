import ArgumentParser

/// `twvoice stream`: be Twilio toward a Media Streams WebSocket server.
struct StreamCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "stream",
    abstract: "Play the Twilio side of a Media Stream against your WebSocket server, or record real ones.",
    subcommands: [StreamReplay.self, StreamCapture.self, StreamProxy.self, StreamSummary.self]
  )
}
