import ArgumentParser
import TwvoiceCore

/// `twvoice twiml render start`: the seed's stream webhook answer.
struct TwiMLRenderStart: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "start",
    abstract: "Render the stream webhook's answer: <Connect><Stream> (or <Start><Stream>) and a <Pause>.",
    discussion: """
      The seed's /start webhook answers a call with a bidirectional Media Stream to the bot:
        twvoice twiml render start --url wss://bot.example.com/ws --name "test stream" --param sid=42 --pause 1000

      Twilio's rules are checked: the URL must be wss://host[:port]/path (or relative to the \
      webhook's URL), with no query string (Twilio drops it; use --param) and no fragment, and \
      <Connect> streams take only the inbound track (Twilio error 31941). A value holding a \
      character XML cannot carry (a control character, U+FFFE, U+FFFF) is refused, naming its \
      flag. --unidirectional renders <Start><Stream>, which forks audio one way \
      and allows --track inbound_track|outbound_track|both_tracks.
      """
  )

  @Option(help: "WebSocket URL of the bot (wss://…, or relative to the webhook).", transform: xmlText)
  var url: String

  @Option(help: "Friendly name of the stream.", transform: xmlText)
  var name: String?

  @Option(
    name: .customLong("param"),
    help: ArgumentHelp(
      "A <Parameter> the bot receives in start.customParameters (repeatable, kept in order).",
      valueName: "name=value"), transform: { try NamedValue(parsing: xmlText($0)) })
  var params: [NamedValue] = []

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("A <Pause> of this many seconds after the stream verb.", valueName: "seconds"))
  var pause: Int?

  @Option(
    name: .customLong("status-callback"), help: "URL Twilio calls with stream events.", transform: xmlText)
  var statusCallback: String?

  @Option(name: .customLong("status-callback-method"), help: "GET or POST.", transform: xmlText)
  var statusCallbackMethod: String?

  @Flag(help: "Render <Start><Stream> (one-way fork) instead of <Connect><Stream>.")
  var unidirectional = false

  @Option(
    help: "inbound_track, outbound_track or both_tracks (only inbound_track with <Connect>).",
    transform: xmlText)
  var track: String?

  @OptionGroup var output: RenderOptions

  func run() throws {
    let webhook = VoiceDocuments.StreamWebhook(
      url: url, name: name, parameters: params, pauseSeconds: pause,
      statusCallback: statusCallback, statusCallbackMethod: statusCallbackMethod,
      unidirectional: unidirectional,
      track: track)
    let document: TwiMLElement
    do { document = try webhook.document() } catch { throw TwvoiceError(.usage, error.message) }
    try output.print(document)
  }
}
