import ArgumentParser
import TwvoiceCore
import TwvoiceNet

/// `twvoice stream proxy`: between Twilio and a bot, forwarding every frame both ways unchanged
/// and recording both directions, one session log per stream.
struct StreamProxy: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "proxy",
    abstract: "Sit between Twilio and a Media Streams bot: forward every frame both ways, record both.",
    discussion: """
      Listens like stream capture (point a <Stream url> at it through a tunnel, or run stream \
      replay against it). Each upgrade is checked as capture checks it (--path, --auth-token), \
      then dialed through to --upstream the way Twilio dials, signed for it with \
      --upstream-auth-token (without one, the client's X-Twilio-Signature is passed on). Only \
      when the bot has accepted is the client upgraded: a refusal from the bot reaches the client \
      with the bot's status, an unreachable bot is 502. Then every frame goes across unchanged, \
      both ways (text, binary, ping, pong, close, fragments), and each stream is written to \
      DIR/<streamSid>.jsonl in the session log format, from: twilio and from: bot, as it \
      happens.

      Examples:
        twvoice stream proxy --listen 127.0.0.1:8080 --upstream ws://127.0.0.1:5050/media -o calls
        TWILIO_AUTH_TOKEN=… twvoice stream proxy --listen 0.0.0.0:8080 --upstream wss://bot.example.com/ws --upstream-auth-token "$BOT_TOKEN" -o calls

      Runs until SIGINT (Ctrl-C) or SIGTERM: open streams are closed with 1001 on both sides, \
      every file is finished, a summary is printed, and the exit status is 0. Exit status: 0 \
      stopped by a signal; 1 cannot listen (the port is in use); 64 usage; 74 the folder cannot \
      be written.
      """
  )

  @OptionGroup var server: RecordingServerOptions
  @Option(help: "The bot's WebSocket URL, ws://… or wss://…, that every stream is forwarded to.")
  var upstream: String
  @Option(
    name: .customLong("upstream-auth-token"),
    help: "Sign the upgrade to the bot with X-Twilio-Signature made with this auth token.")
  var upstreamAuthToken: String?
  @Flag(help: "Do not verify the bot's TLS certificate (wss:// to a test server).")
  var insecure = false
  @Option(help: "Seconds to reach the bot and have it upgrade, before answering 502.")
  var connectTimeout: Double = 10

  func validate() throws {
    do { _ = try StreamReplayClient.Target(url: upstream) } catch {
      throw ValidationError("--upstream: \(error.message)")
    }
    guard connectTimeout > 0, connectTimeout <= 600 else {
      throw ValidationError("--connect-timeout must be between 0 and 600 seconds.")
    }
  }

  func run() throws {
    Signals.beginFinalising()
    defer { Signals.endFinalising() }
    let environment = SystemIO.environment()
    let o = server
    let (host, port) = try RecordingServerOptions.hostAndPort(o.listen)
    let target: StreamReplayClient.Target
    do { target = try .init(url: upstream) } catch { throw TwvoiceError(.usage, error.description) }
    try SystemIO.makeDirectory(o.outputDir)
    let files = CaptureFiles(folder: o.outputDir, report: RecordingRun.report(o))
    let proxy: StreamProxyServer
    do {
      proxy = try StreamProxyServer(
        host: host, port: port,
        options: .init(
          accepting: .init(
            path: o.path, authToken: o.authToken ?? environment[EnvironmentVariable.authToken]),
          upstream: target, upstreamAuthToken: upstreamAuthToken, insecure: insecure,
          connectTimeoutSeconds: connectTimeout),
        sink: files)
    } catch {
      throw TwvoiceError(.checkFailed, "cannot listen on \(host):\(port): \(StreamCapture.describe(error))")
    }
    try RecordingRun.serve(
      proxy, files: files, options: o,
      doing:
        "proxying ws://\(RecordingRun.shown(host)):\(proxy.port)\(o.path ?? "/") to \(target.displayURL), recording into \(o.outputDir)"
    )
  }
}
