import Testing
import TwvoiceCore

/// `<Connect><ConversationRelay>` as `twiml render relay` builds it (conversation-relay.md §1);
/// the command lines are checked against twilio-python in TwvoiceCLITests' render vectors.
struct RelayDocumentTests {
  typealias Relay = VoiceDocuments.RelayWebhook

  static func rendered(_ relay: Relay) -> String {
    TwiMLSerializer(declaration: false).string(relay.document())
  }

  /// The rule `body` breaks, or nil.
  static func problem(_ body: () throws -> Void) -> String? {
    do {
      try body()
      return nil
    } catch let error as VoiceDocuments.RuleError {
      return error.message
    } catch {
      return "unexpected \(error)"
    }
  }

  @Test func theURLAloneIsAConnectWithOneRelay() throws {
    let relay = Relay(url: try .init(parsing: "wss://app.example.com/relay"))
    #expect(
      Self.rendered(relay)
        == #"<Response><Connect><ConversationRelay url="wss://app.example.com/relay" /></Connect></Response>"#
    )
  }

  /// Attributes sorted by code point as twilio-python sorts them (so `interruptSensitivity`
  /// comes before `interruptible`), booleans `true`/`false`, lists with spaces, languages
  /// before parameters, and `<Connect action method>`.
  @Test func everyKindOfValueIsWrittenAsTwilioPythonWritesIt() throws {
    var relay = Relay(url: try .init(parsing: "wss://app.example.com/relay?tenant=acme&x=1"))
    relay.welcomeGreeting = #"Tom & Jerry say "hi" <loud>, ¡olé!"#
    relay.interruptible = .true
    relay.interruptSensitivity = .low
    relay.dtmfDetection = true
    relay.preemptible = false
    relay.debug = try Relay.words("debugging,tokens-played")
    relay.speechTimeout = try .init(parsing: "1.5s")
    relay.languages = [try .init(parsing: "es-ES, ttsProvider=Google ,voice=es-ES-Neural2-B")]
    relay.parameters = [NamedValue(name: "b", value: "2"), NamedValue(name: "a", value: "x&y")]
    relay.action = "/ended"
    relay.method = .get
    #expect(
      Self.rendered(relay)
        == #"<Response><Connect action="/ended" method="GET"><ConversationRelay debug="debugging tokens-played" dtmfDetection="true" interruptSensitivity="low" interruptible="true" preemptible="false" speechTimeout="1500" url="wss://app.example.com/relay?tenant=acme&amp;x=1" welcomeGreeting="Tom &amp; Jerry say &quot;hi&quot; &lt;loud&gt;, ¡olé!"><Language code="es-ES" ttsProvider="Google" voice="es-ES-Neural2-B" /><Parameter name="b" value="2" /><Parameter name="a" value="x&amp;y" /></ConversationRelay></Connect></Response>"#
    )
  }

  @Test func theOlderBooleanInterruptibleKeepsItsWordAndMeaning() {
    #expect(Relay.Interruptible(rawValue: "true")?.kinds == .any)
    #expect(Relay.Interruptible(rawValue: "false")?.kinds == Relay.InputKinds.none)
    #expect(Relay.Interruptible.true.rawValue == "true")
    #expect(Relay.InputKinds(rawValue: "true") == nil)
  }

  @Test(
    arguments: [
      ("wss://app.example.com/relay", nil),
      ("wss://app.example.com:8443/a/b?x=1&y=?z", nil),
      ("wss://[2001:db8::1]/relay", nil),
      (
        "https://app.example.com/relay",
        "the ConversationRelay URL must start with wss:// (got https://); Twilio connects to secure WebSockets only"
      ),
      (
        "ws://localhost:8080/relay",
        "the ConversationRelay URL must start with wss:// (got ws://); Twilio connects to secure WebSockets only"
      ),
      ("/relay", "the ConversationRelay URL must be absolute: wss://host/path"),
      ("wss://app/relay?q=a b", "the ConversationRelay URL contains a space (write %20)"),
      (
        "wss://app/relay#top",
        "the ConversationRelay URL has a fragment (#…), which a WebSocket URL must not have (RFC 6455)"
      ),
      (
        "wss://app/relay?x#top",
        "the ConversationRelay URL has a fragment (#…), which a WebSocket URL must not have (RFC 6455)"
      ),
      ("wss:///relay", "the ConversationRelay URL has no host"),
    ] as [(String, String?)])
  func socketURLs(text: String, problem: String?) {
    do {
      let url = try Relay.SocketURL(parsing: text)
      #expect(problem == nil)
      #expect(url.description == text)
    } catch {
      #expect(error.message == problem)
    }
  }

  @Test func languagesAreCodeThenKeyValuePairs() throws {
    let full = try Relay.Language(
      parsing:
        "multi,ttsProvider=ElevenLabs,transcriptionProvider=Deepgram,speechModel=nova-3-general,voice=v=1")
    #expect(
      full
        == Relay.Language(
          code: "multi", ttsProvider: "ElevenLabs", voice: "v=1", transcriptionProvider: "Deepgram",
          speechModel: "nova-3-general"))
    #expect(try Relay.Language(parsing: "en-US") == Relay.Language(code: "en-US"))
  }

  @Test(arguments: [
    (
      "voice=x",
      "expected CODE[,KEY=VALUE…] starting with the language code, e.g. en-US,ttsProvider=Google (keys: ttsProvider, voice, transcriptionProvider, speechModel)"
    ),
    (
      "",
      "expected CODE[,KEY=VALUE…] starting with the language code, e.g. en-US,ttsProvider=Google (keys: ttsProvider, voice, transcriptionProvider, speechModel)"
    ),
    (
      "en-US,tts=Google",
      "unknown key 'tts' (keys: ttsProvider, voice, transcriptionProvider, speechModel)"
    ),
    (
      "en-US,voice", "'voice' is not KEY=VALUE (keys: ttsProvider, voice, transcriptionProvider, speechModel)"
    ),
    ("en-US,voice=a,voice=b", "voice is given twice"),
    ("en-US,voice=", "voice has no value"),
  ])
  func badLanguagesSayWhy(text: String, problem: String) {
    #expect(Self.problem { _ = try Relay.Language(parsing: text) } == problem)
  }

  @Test func listsAndTimeouts() throws {
    let events: [Relay.Event] = try Relay.words("speaker-events, tokens-played")
    #expect(events == [.speakerEvents, .tokensPlayed])
    #expect(
      Self.problem { let _: [Relay.DebugOption] = try Relay.words("debugging verbose") }
        == "'verbose' is not one of debugging, speaker-events, tokens-played")
    #expect(
      Self.problem { let _: [Relay.Event] = try Relay.words(" , ") }
        == "give one or more of speaker-events, tokens-played, config-updated, separated by spaces or commas")
    #expect(try Relay.SpeechTimeout(parsing: "1500") == .milliseconds(1500))
    #expect(try Relay.SpeechTimeout(parsing: "800ms") == .milliseconds(800))
    #expect(try Relay.SpeechTimeout(parsing: "auto") == .auto)
    for bad in ["1.5", "-5", "soon", ""] {
      #expect(
        Self.problem { _ = try Relay.SpeechTimeout(parsing: bad) }
          == "expected auto, milliseconds (1500) or a duration with a unit (1.5s, 800ms)")
    }
  }
}
