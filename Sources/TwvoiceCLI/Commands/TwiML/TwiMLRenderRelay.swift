import ArgumentParser
import TwvoiceCore

/// `twvoice twiml render relay`: the webhook answer that hands a call to a ConversationRelay app.
struct TwiMLRenderRelay: ParsableCommand {
  typealias Relay = VoiceDocuments.RelayWebhook

  static let configuration = CommandConfiguration(
    commandName: "relay",
    abstract: "Render <Connect><ConversationRelay>, with <Language> and <Parameter> children.",
    discussion: """
      Examples:
        twvoice twiml render relay --url wss://app.example.com/relay \\
          --welcome-greeting "Hi! How can I help?" --interruptible speech
        twvoice twiml render relay --url wss://app.example.com/relay \\
          --lang es-ES,ttsProvider=Google,voice=es-ES-Neural2-B --param tenant=acme \\
          --dtmf-detection --action /relay-ended

      Each flag is the <ConversationRelay> attribute of the same name in kebab case. --url must \
      be an absolute wss:// URL (Twilio connects to secure WebSockets only); a query string is \
      kept. Values Twilio enumerates are checked: --welcome-greeting-interruptible and \
      --report-input-during-agent-speech take none, dtmf, speech or any; --interruptible also \
      takes the older true or false, written as given; --interrupt-sensitivity low, medium or \
      high; --elevenlabs-text-normalization on, auto or off; --debug and --events a list of \
      their words separated by spaces or commas, written with spaces. --speech-timeout takes \
      auto, milliseconds (1500) or a duration (1.5s), written in milliseconds. Providers, voices \
      and models are passed on as written: a combination Twilio cannot serve fails during the \
      call (error 64101).

      --dtmf-detection, --preemptible, --partial-prompts and --profanity-filter write "true"; \
      their --no- forms write "false"; left out, the attribute is absent (Twilio's default).

      --lang CODE[,KEY=VALUE…] adds a <Language code="CODE"> child, one per flag in order; the \
      keys are ttsProvider, voice, transcriptionProvider and speechModel, each at most once, e.g. \
      --lang fr-FR,transcriptionProvider=Google,speechModel=telephony. A <Language> only declares \
      a language the app may switch to; missing keys inherit from <ConversationRelay>. \
      --param NAME=VALUE adds a <Parameter>, which the app receives in setup.customParameters. \
      <Language> children come first, then <Parameter> children, each in command-line order.

      --action is the URL Twilio requests when the session ends (SessionId, SessionStatus, \
      SessionDuration, HandoffData); --method GET or POST (Twilio's default is POST).
      """
  )

  @Option(
    help: "The app's WebSocket URL (wss://host/path).",
    transform: { try Relay.SocketURL(parsing: xmlText($0)) })
  var url: Relay.SocketURL

  @Option(help: "Spoken when the session starts.", transform: xmlText)
  var welcomeGreeting: String?
  @Option(help: "What may cut the greeting.")
  var welcomeGreetingInterruptible: Relay.InputKinds?
  @Option(help: "Language of speech and transcription (BCP-47 or multi).", transform: xmlText)
  var language: String?
  @Option(help: "Language of speech, over --language.", transform: xmlText)
  var ttsLanguage: String?
  @Option(help: "Language of transcription, over --language.", transform: xmlText)
  var transcriptionLanguage: String?
  @Option(help: "Text-to-speech provider: Google, Amazon or ElevenLabs.", transform: xmlText)
  var ttsProvider: String?
  @Option(help: "The provider's voice.", transform: xmlText)
  var voice: String?
  @Option(help: "Speech-to-text provider: Google or Deepgram.", transform: xmlText)
  var transcriptionProvider: String?
  @Option(help: "The transcription provider's model.", transform: xmlText)
  var speechModel: String?
  @Option(help: "What may cut the agent (true and false: the older any and none).")
  var interruptible: Relay.Interruptible?
  @Option(help: "How readily speech cuts the agent.")
  var interruptSensitivity: Relay.Sensitivity?
  @Flag(inversion: .prefixedNo, help: "Pass key presses to the app as dtmf messages.")
  var dtmfDetection: Bool?
  @Option(help: ArgumentHelp("Which input reaches the app while the agent speaks.", valueName: "kinds"))
  var reportInputDuringAgentSpeech: Relay.InputKinds?
  @Flag(inversion: .prefixedNo, help: "Let the app's next talk cycle cut the current one.")
  var preemptible: Bool?
  @Option(help: "Phrases that help transcription, comma-separated.", transform: xmlText)
  var hints: String?
  @Option(
    help: ArgumentHelp("Turn on info messages: debugging, speaker-events, tokens-played.", valueName: "list"),
    transform: { try Relay.words(xmlText($0)) })
  var debug: [Relay.DebugOption]?
  @Option(
    help: ArgumentHelp(
      "Event subscriptions: speaker-events, tokens-played, config-updated.", valueName: "list"),
    transform: { try Relay.words(xmlText($0)) })
  var events: [Relay.Event]?
  @Flag(inversion: .prefixedNo, help: "Send prompts with last: false while the caller speaks.")
  var partialPrompts: Bool?
  @Option(
    help: ArgumentHelp("Silence before the final prompt: auto, or milliseconds.", valueName: "ms"),
    transform: { try Relay.SpeechTimeout(parsing: $0) })
  var speechTimeout: Relay.SpeechTimeout?
  @Flag(inversion: .prefixedNo, help: "Filter profanities out of transcripts.")
  var profanityFilter: Bool?
  @Option(help: "Conversational Intelligence service SID or unique name.", transform: xmlText)
  var intelligenceService: String?
  @Option(help: "ElevenLabs text normalization (auto acts as off).")
  var elevenlabsTextNormalization: Relay.TextNormalization?

  @Option(
    name: .customLong("lang"),
    help: ArgumentHelp("A <Language> child (repeatable, kept in order).", valueName: "code[,key=value…]"),
    transform: { try Relay.Language(parsing: xmlText($0)) })
  var languages: [Relay.Language] = []
  @Option(
    name: .customLong("param"),
    help: ArgumentHelp(
      "A <Parameter> the app receives in setup.customParameters (repeatable, kept in order).",
      valueName: "name=value"), transform: { try NamedValue(parsing: xmlText($0)) })
  var params: [NamedValue] = []

  @Option(help: "URL Twilio requests when the session ends (<Connect action>).", transform: xmlText)
  var action: String?
  @Option(help: "The HTTP method for --action.")
  var method: WebhookRequest.Method?

  @OptionGroup var output: RenderOptions

  func run() throws {
    var relay = Relay(url: url)
    relay.welcomeGreeting = welcomeGreeting
    relay.welcomeGreetingInterruptible = welcomeGreetingInterruptible
    relay.language = language
    relay.ttsLanguage = ttsLanguage
    relay.transcriptionLanguage = transcriptionLanguage
    relay.ttsProvider = ttsProvider
    relay.voice = voice
    relay.transcriptionProvider = transcriptionProvider
    relay.speechModel = speechModel
    relay.interruptible = interruptible
    relay.interruptSensitivity = interruptSensitivity
    relay.dtmfDetection = dtmfDetection
    relay.reportInputDuringAgentSpeech = reportInputDuringAgentSpeech
    relay.preemptible = preemptible
    relay.hints = hints
    relay.debug = debug
    relay.events = events
    relay.partialPrompts = partialPrompts
    relay.speechTimeout = speechTimeout
    relay.profanityFilter = profanityFilter
    relay.intelligenceService = intelligenceService
    relay.elevenlabsTextNormalization = elevenlabsTextNormalization
    relay.languages = languages
    relay.parameters = params
    relay.action = action
    relay.method = method
    try output.print(relay.document())
  }
}

extension VoiceDocuments.RelayWebhook.InputKinds: ExpressibleByArgument {}
extension VoiceDocuments.RelayWebhook.Interruptible: ExpressibleByArgument {}
extension VoiceDocuments.RelayWebhook.Sensitivity: ExpressibleByArgument {}
extension VoiceDocuments.RelayWebhook.TextNormalization: ExpressibleByArgument {}
