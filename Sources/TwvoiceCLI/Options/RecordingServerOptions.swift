import ArgumentParser
import TwvoiceCore

/// What `stream capture` and `stream proxy` share: where they listen, what they accept, where the
/// session logs go, and how they report.
struct RecordingServerOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Where to listen.", valueName: "host:port"))
  var listen: String = "127.0.0.1:8080"
  @Option(help: "Take streams on this path only (others get 404), e.g. /media.")
  var path: String?
  @Option(
    name: [.customShort("o"), .customLong("output-dir")],
    help: "The folder the session logs go to (made if missing).",
    completion: .directory)
  var outputDir: String
  @Option(
    name: .customLong("auth-token"),
    help:
      "Require X-Twilio-Signature made with this auth token. Default: $TWILIO_AUTH_TOKEN. Visible in ps: prefer the variable."
  )
  var authToken: String?
  @Flag(help: "Print the summary as JSON on standard output when stopped.")
  var json = false
  @Flag(
    name: .shortAndLong,
    help: "No live line, no line per stream and no summary (the line saying where it listens stays).")
  var quiet = false

  func validate() throws {
    if let path, !path.hasPrefix("/") { throw ValidationError("--path must start with /, e.g. /media.") }
    _ = try Self.hostAndPort(listen)
  }

  static func hostAndPort(_ text: String) throws -> (host: String, port: Int) {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
      (0...65535).contains(port)
    else {
      throw ValidationError(
        "--listen '\(text.escapingControlCharacters)': expected HOST:PORT, e.g. 127.0.0.1:8080")
    }
    var host = String(text[..<colon])
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    return (host.isEmpty ? "127.0.0.1" : host, port)
  }
}
