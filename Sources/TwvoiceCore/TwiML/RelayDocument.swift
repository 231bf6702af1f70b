extension VoiceDocuments {
  /// The webhook answer that hands a call to a ConversationRelay app:
  /// `<Connect [action] [method]><ConversationRelay …>`, its `<Language>` and `<Parameter>`
  /// children in order (conversation-relay.md §1).
  ///
  /// Values are typed as the command line reads them, each checked against what the reference
  /// lists, and written back as given: the document is byte-identical to twilio-python's for the
  /// same arguments (booleans `true`/`false`, as it writes Python's `True`/`False`).
  public struct RelayWebhook: Sendable, Equatable {
    public var url: SocketURL
    public var welcomeGreeting: String?
    public var welcomeGreetingInterruptible: InputKinds?
    public var language: String?
    public var ttsLanguage: String?
    public var transcriptionLanguage: String?
    public var ttsProvider: String?
    public var voice: String?
    public var transcriptionProvider: String?
    public var speechModel: String?
    public var interruptible: Interruptible?
    public var interruptSensitivity: Sensitivity?
    public var dtmfDetection: Bool?
    public var reportInputDuringAgentSpeech: InputKinds?
    public var preemptible: Bool?
    /// Comma-separated phrases, as written.
    public var hints: String?
    /// `debug`'s words, written space-separated in the order given.
    public var debug: [DebugOption]?
    /// `events`' words, written space-separated in the order given.
    public var events: [Event]?
    public var partialPrompts: Bool?
    public var speechTimeout: SpeechTimeout?
    public var profanityFilter: Bool?
    public var intelligenceService: String?
    public var elevenlabsTextNormalization: TextNormalization?
    /// `<Language>` children, in order, before the parameters.
    public var languages: [Language] = []
    /// `<Parameter name value>` children, in order; the app gets them in `setup.customParameters`.
    public var parameters: [NamedValue] = []
    /// `<Connect action>`, requested when the session ends (§1.4); relative to the webhook's URL
    /// or absolute, as written.
    public var action: String?
    public var method: WebhookRequest.Method?

    public init(url: SocketURL) { self.url = url }

    /// The `<Response>`.
    public func document() -> TwiMLElement {
      var children: [TwiMLElement.Node] = languages.map { language in
        .element(
          Voice.language(
            code: language.code, ttsProvider: language.ttsProvider, voice: language.voice,
            transcriptionProvider: language.transcriptionProvider, speechModel: language.speechModel))
      }
      children += parameters.map { .element(Voice.parameter(name: $0.name, value: $0.value)) }
      let relay = Voice.conversationRelay(
        url: url.description, language: language, ttsLanguage: ttsLanguage,
        transcriptionLanguage: transcriptionLanguage, ttsProvider: ttsProvider, voice: voice,
        transcriptionProvider: transcriptionProvider, speechModel: speechModel,
        profanityFilter: profanityFilter, dtmfDetection: dtmfDetection, welcomeGreeting: welcomeGreeting,
        partialPrompts: partialPrompts, welcomeGreetingInterruptible: welcomeGreetingInterruptible?.rawValue,
        interruptible: interruptible?.rawValue, preemptible: preemptible, hints: hints,
        intelligenceService: intelligenceService,
        reportInputDuringAgentSpeech: reportInputDuringAgentSpeech?.rawValue,
        elevenlabsTextNormalization: elevenlabsTextNormalization?.rawValue,
        interruptSensitivity: interruptSensitivity?.rawValue, debug: debug?.map(\.rawValue),
        speechTimeout: speechTimeout?.description, events: events?.map(\.rawValue), children: children)
      let connect = Voice.connect(action: action, method: method?.rawValue, children: [.element(relay)])
      return Voice.response(children: [.element(connect)])
    }

    /// `welcomeGreetingInterruptible` and `reportInputDuringAgentSpeech`: which caller input
    /// counts while the agent speaks.
    public enum InputKinds: String, Sendable, CaseIterable {
      case none, dtmf, speech, any
    }

    /// `interruptible`: the input kinds, or the older `true` (any) and `false` (none) that
    /// Twilio still takes (§1.2, changelog 2025-04), written back as given.
    public enum Interruptible: String, Sendable, CaseIterable {
      case none, dtmf, speech, any, `true`, `false`

      /// What the value means.
      public var kinds: InputKinds {
        switch self {
        case .none, .false: .none
        case .dtmf: .dtmf
        case .speech: .speech
        case .any, .true: .any
        }
      }
    }

    /// `interruptSensitivity`: how readily speech cuts the agent.
    public enum Sensitivity: String, Sendable, CaseIterable {
      case low, medium, high
    }

    /// `elevenlabsTextNormalization` (`auto` acts as `off`).
    public enum TextNormalization: String, Sendable, CaseIterable {
      case on, auto, off
    }

    /// A word of `debug`, each turning on `info` frames.
    public enum DebugOption: String, Sendable, CaseIterable {
      case debugging
      case speakerEvents = "speaker-events"
      case tokensPlayed = "tokens-played"
    }

    /// A word of `events`, the newer home of the event subscriptions.
    public enum Event: String, Sendable, CaseIterable {
      case speakerEvents = "speaker-events"
      case tokensPlayed = "tokens-played"
      case configUpdated = "config-updated"
    }

    /// A list of words separated by spaces or commas (as `twvoice relay --events` takes them),
    /// each one of `T`'s values, in the order given; the document separates them with spaces.
    public static func words<T: RawRepresentable & CaseIterable>(_ text: String) throws(RuleError) -> [T]
    where T.RawValue == String {
      let allowed = T.allCases.map(\.rawValue)
      var result: [T] = []
      for word in text.split(whereSeparator: { $0 == " " || $0 == "," }) {
        guard let value = T(rawValue: String(word)) else {
          throw RuleError(
            message:
              "'\(String(word).escapingControlCharacters)' is not one of \(allowed.joined(separator: ", "))")
        }
        result.append(value)
      }
      guard !result.isEmpty else {
        throw RuleError(
          message: "give one or more of \(allowed.joined(separator: ", ")), separated by spaces or commas")
      }
      return result
    }

    /// The `url` Twilio dials: an absolute `wss://host[:port]/path` (§0: Twilio connects to
    /// secure WebSockets only), checked as `StreamURL` checks a stream's URL. Unlike a stream's,
    /// a query string is kept: what Twilio does with it is unconfirmed (§2).
    public struct SocketURL: Sendable, Equatable, CustomStringConvertible {
      /// The URL as written.
      public let description: String

      public init(parsing text: String) throws(RuleError) {
        let parts = text.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let parsed: StreamURL
        do {
          parsed = try StreamURL(parsing: String(parts[0]))
          // The query's characters are a path's, with '?' allowed (RFC 3986 §3.4).
          if parts.count > 1 {
            _ = try StreamURL(parsing: "wss://h/" + parts[1].replacing("?", with: "/"))
          }
        } catch {
          throw RuleError(message: Self.renamed(error.message))
        }
        guard parsed.scheme != nil else {
          throw RuleError(message: "the ConversationRelay URL must be absolute: wss://host/path")
        }
        description = text
      }

      /// StreamURL's message about "the stream URL", about this one.
      private static func renamed(_ message: String) -> String {
        let prefix = "the stream URL "
        guard message.hasPrefix(prefix) else { return message }
        return "the ConversationRelay URL " + message.dropFirst(prefix.count)
      }
    }

    /// `speechTimeout`: `auto`, or milliseconds of silence before the final prompt.
    public enum SpeechTimeout: Sendable, Equatable, CustomStringConvertible {
      case auto
      case milliseconds(Int)

      /// `auto`; a bare whole number is milliseconds, as the attribute is (`1500`); a duration
      /// with a unit (`1.5s`, `800ms`) is converted to them.
      public init(parsing text: String) throws(RuleError) {
        if text == "auto" {
          self = .auto
        } else if !text.isEmpty, text.utf8.count <= 9, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
          let value = Int(text)
        {
          self = .milliseconds(value)
        } else if text.contains(where: \.isLetter), let value = try? DurationText.milliseconds(text) {
          self = .milliseconds(value)
        } else {
          throw RuleError(
            message: "expected auto, milliseconds (1500) or a duration with a unit (1.5s, 800ms)")
        }
      }

      public var description: String {
        switch self {
        case .auto: "auto"
        case .milliseconds(let value): String(value)
        }
      }
    }

    /// A `<Language>` child: one language the session may switch to, with the providers, voice
    /// and model it uses (§1.3; missing attributes inherit from `<ConversationRelay>`).
    public struct Language: Sendable, Equatable {
      public var code: String
      public var ttsProvider: String?
      public var voice: String?
      public var transcriptionProvider: String?
      public var speechModel: String?

      public init(
        code: String, ttsProvider: String? = nil, voice: String? = nil, transcriptionProvider: String? = nil,
        speechModel: String? = nil
      ) {
        self.code = code
        self.ttsProvider = ttsProvider
        self.voice = voice
        self.transcriptionProvider = transcriptionProvider
        self.speechModel = speechModel
      }

      /// The attributes `init(parsing:)` takes after the code, by their XML names.
      public static let keys = ["ttsProvider", "voice", "transcriptionProvider", "speechModel"]

      /// `CODE[,KEY=VALUE…]`, e.g. `es-ES,ttsProvider=Google,voice=es-ES-Neural2-B`: the code
      /// first, then any of `keys`, each at most once. Spaces around the commas are ignored.
      public init(parsing text: String) throws(RuleError) {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map {
          String($0).trimmingASCIIWhitespace()
        }
        let keyList = Self.keys.joined(separator: ", ")
        guard let code = items.first, !code.isEmpty, !code.contains("=") else {
          throw RuleError(
            message:
              "expected CODE[,KEY=VALUE…] starting with the language code, e.g. en-US,ttsProvider=Google (keys: \(keyList))"
          )
        }
        self.init(code: code)
        var seen: Set<String> = []
        for item in items.dropFirst() {
          guard let (key, value) = item.splitOnce(at: "=") else {
            throw RuleError(
              message: "'\(item.escapingControlCharacters)' is not KEY=VALUE (keys: \(keyList))")
          }
          guard Self.keys.contains(key) else {
            throw RuleError(message: "unknown key '\(key.escapingControlCharacters)' (keys: \(keyList))")
          }
          guard seen.insert(key).inserted else { throw RuleError(message: "\(key) is given twice") }
          guard !value.isEmpty else { throw RuleError(message: "\(key) has no value") }
          switch key {
          case "ttsProvider": ttsProvider = value
          case "voice": voice = value
          case "transcriptionProvider": transcriptionProvider = value
          default: speechModel = value
          }
        }
      }
    }
  }
}
