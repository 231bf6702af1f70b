/// One verb of a Voice TwiML document, as `twvoice call` runs it: its attributes read, its URLs
/// resolved against the document's URL, and what Twilio does with it. Verbs twvoice does not
/// simulate are kept by name, reported and skipped.
public enum CallVerb: Sendable, Equatable {
  case connectStream(StreamVerb, action: Action?)
  case connectRelay(RelayVerb, action: Action?)
  case startStream(StreamVerb)
  case stopStream(name: String?)
  case pause(seconds: Int)
  case say(text: String, loops: Int)
  case play(url: String, loops: Int, digits: String?)
  case gather(Gather)
  case redirect(Action)
  case dial(nouns: [String], action: Action?)
  case record(Record)
  case hangup
  case reject(reason: String)
  /// Present in the document, not simulated (its name, and why).
  case unsupported(name: String, detail: String)

  /// A URL to request and how.
  public struct Action: Sendable, Equatable {
    public var url: WebURL
    public var method: WebhookRequest.Method

    public init(url: WebURL, method: WebhookRequest.Method) {
      self.url = url
      self.method = method
    }
  }

  /// A `<Stream>` under `<Connect>` or `<Start>`.
  public struct StreamVerb: Sendable, Equatable {
    /// The URL to dial, resolved, its query dropped (as Twilio drops it).
    public var url: WebURL?
    /// Why `url` is missing or was changed (a bad URL, a dropped query): a warning to report.
    public var urlProblem: String?
    public var name: String?
    public var track: String?
    public var parameters: [NamedValue]
    public var statusCallback: Action?
  }

  /// A `<ConversationRelay>` under `<Connect>`.
  public struct RelayVerb: Sendable, Equatable {
    /// The URL to dial, resolved (its query kept: Twilio signs the URL as written).
    public var url: WebURL?
    /// Why `url` is missing: a problem to report.
    public var urlProblem: String?
    /// The element's attributes as written, in order.
    public var attributes: [NamedValue]
    /// `<Parameter>` children: `setup.customParameters`.
    public var parameters: [NamedValue]
  }

  public struct Gather: Sendable, Equatable {
    public var action: Action
    /// `dtmf`, `speech`, or both.
    public var acceptsDigits: Bool
    public var acceptsSpeech: Bool
    public var timeoutSeconds: Int
    public var numDigits: Int?
    public var finishOnKey: String
    public var actionOnEmptyResult: Bool
    /// The `<Say>`, `<Play>` and `<Pause>` inside, run first as the prompt.
    public var prompt: [CallVerb]
  }

  /// A `<Record>`: what the caller says, up to `maxLength` seconds, ended by `timeout` seconds
  /// of silence; its action gets the recording.
  public struct Record: Sendable, Equatable {
    public var action: Action
    public var maxLengthSeconds: Int
    public var timeoutSeconds: Int
  }

  /// The name shown on the timeline.
  public var name: String {
    switch self {
    case .connectStream: "Connect/Stream"
    case .connectRelay: "Connect/ConversationRelay"
    case .startStream: "Start/Stream"
    case .stopStream: "Stop/Stream"
    case .pause: "Pause"
    case .say: "Say"
    case .play: "Play"
    case .gather: "Gather"
    case .redirect: "Redirect"
    case .dial: "Dial"
    case .record: "Record"
    case .hangup: "Hangup"
    case .reject: "Reject"
    case .unsupported(let name, _): name
    }
  }

  /// How long the caller hears a `<Say>`, `<Play>` or `<Pause>` (or a `<Gather>`'s prompt), in
  /// milliseconds. Speech is estimated at 150 words a minute (400 ms a word, 400 ms at least); a
  /// `<Play>` of a URL, whose length twvoice cannot know offline, at 1 s; `<Play digits>` at
  /// 500 ms a key and each `w`. A `loop` of 0 (Twilio: up to 1000 times) counts as 1000.
  public var estimatedMs: Int {
    switch self {
    case .pause(let seconds): return seconds * 1000
    case .say(let text, let loops):
      let words = text.split(whereSeparator: { $0.isWhitespace }).count
      return max(1, words) * 400 * loops
    case .play(_, let loops, let digits):
      if let digits { return max(1, digits.count) * 500 * loops }
      return 1000 * loops
    case .gather(let gather): return gather.prompt.reduce(0) { $0 + $1.estimatedMs }
    default: return 0
    }
  }

  /// The verbs of `document` (a `<Response>`), read against `documentURL`.
  public static func verbs(in document: TwiMLElement, documentURL: WebURL) -> [CallVerb] {
    document.elements.map { verb($0, documentURL: documentURL) }
  }

  static func verb(_ element: TwiMLElement, documentURL: WebURL) -> CallVerb {
    func text(_ e: TwiMLElement) -> String {
      e.children.compactMap { if case .text(let t) = $0 { t } else { nil } }.joined()
        .trimmingASCIIWhitespace()
    }
    func loops(_ e: TwiMLElement) -> Int {
      guard let raw = e[attribute: "loop"], let n = Int(raw), n >= 0 else { return 1 }
      return n == 0 ? 1000 : min(n, 1000)
    }
    func action(_ e: TwiMLElement, _ attribute: String = "action", methodAttribute: String = "method")
      -> Action?
    {
      guard let raw = e[attribute: attribute] else { return nil }
      guard let url = try? documentURL.resolving(raw.trimmingASCIIWhitespace()) else { return nil }
      return Action(url: url, method: method(e[attribute: methodAttribute]))
    }
    switch element.name {
    case "Connect":
      let act = action(element)
      guard let first = element.elements.first else {
        return .unsupported(name: "Connect", detail: "nothing to connect to")
      }
      if first.name == "Stream" {
        return .connectStream(stream(first, documentURL: documentURL), action: act)
      }
      if first.name == "ConversationRelay" {
        return .connectRelay(relay(first, documentURL: documentURL), action: act)
      }
      return .unsupported(name: "Connect/\(first.name)", detail: "not simulated by twvoice call")
    case "Start":
      guard let first = element.elements.first else {
        return .unsupported(name: "Start", detail: "nothing to start")
      }
      if first.name == "Stream" { return .startStream(stream(first, documentURL: documentURL)) }
      return .unsupported(name: "Start/\(first.name)", detail: "not simulated by twvoice call")
    case "Stop":
      guard let first = element.elements.first else {
        return .unsupported(name: "Stop", detail: "nothing to stop")
      }
      if first.name == "Stream" { return .stopStream(name: first[attribute: "name"]) }
      return .unsupported(name: "Stop/\(first.name)", detail: "not simulated by twvoice call")
    case "Pause":
      let length = element[attribute: "length"].flatMap { Int($0) } ?? 1
      return .pause(seconds: max(0, length))
    case "Say": return .say(text: text(element), loops: loops(element))
    case "Play":
      return .play(url: text(element), loops: loops(element), digits: element[attribute: "digits"])
    case "Gather":
      let input = (element[attribute: "input"] ?? "dtmf").lowercased()
        .split(whereSeparator: { $0 == " " || $0 == "," })
      let gatherAction =
        action(element) ?? Action(url: documentURL, method: method(element[attribute: "method"]))
      return .gather(
        Gather(
          action: gatherAction, acceptsDigits: input.contains("dtmf"),
          acceptsSpeech: input.contains("speech"),
          timeoutSeconds: element[attribute: "timeout"].flatMap { Int($0) }.map { max(0, $0) } ?? 5,
          numDigits: element[attribute: "numDigits"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil },
          finishOnKey: element[attribute: "finishOnKey"] ?? "#",
          actionOnEmptyResult: element[attribute: "actionOnEmptyResult"] == "true",
          prompt: element.elements.map { verb($0, documentURL: documentURL) }))
    case "Redirect":
      let target = text(element)
      guard let url = try? documentURL.resolving(target) else {
        return .unsupported(name: "Redirect", detail: "\(target.escapingControlCharacters): not a URL")
      }
      return .redirect(Action(url: url, method: method(element[attribute: "method"])))
    case "Dial":
      var nouns: [String] = []
      let bare = text(element)
      if !bare.isEmpty { nouns.append("number \(bare)") }
      for noun in element.elements {
        let identity = noun.elements.first { $0.name == "Identity" }.map(text) ?? text(noun)
        nouns.append("\(noun.name.lowercased()) \(identity)")
      }
      return .dial(nouns: nouns, action: action(element))
    case "Record":
      return .record(
        Record(
          action: action(element) ?? Action(url: documentURL, method: method(element[attribute: "method"])),
          maxLengthSeconds: element[attribute: "maxLength"].flatMap { Int($0) }.map { max(1, $0) } ?? 3600,
          timeoutSeconds: element[attribute: "timeout"].flatMap { Int($0) }.map { max(0, $0) } ?? 5))
    case "Hangup": return .hangup
    case "Reject": return .reject(reason: element[attribute: "reason"] ?? "rejected")
    default: return .unsupported(name: element.name, detail: "not simulated by twvoice call")
    }
  }

  static func method(_ text: String?) -> WebhookRequest.Method {
    text?.uppercased() == "GET" ? .get : .post
  }

  /// A WebSocket `url` attribute resolved against the document, as Twilio dials it: a relative
  /// URL keeps the document's host with the WebSocket scheme that goes with its security.
  static func webSocketURL(_ raw: String, documentURL: WebURL) throws(WebURL.ParseError) -> WebURL {
    let reference = raw.trimmingASCIIWhitespace()
    var resolved = try documentURL.resolving(reference)
    if !reference.contains("://"), resolved.scheme == "https" || resolved.scheme == "http" {
      resolved = try WebURL(
        parsing: (resolved.secure ? "wss" : "ws") + resolved.description.dropFirst(resolved.scheme.count))
    }
    return resolved
  }

  static func relay(_ element: TwiMLElement, documentURL: WebURL) -> RelayVerb {
    var url: WebURL?
    var problem: String?
    if let raw = element[attribute: "url"] {
      do {
        let resolved = try webSocketURL(raw, documentURL: documentURL)
        if resolved.scheme != "wss" && resolved.scheme != "ws" {
          problem = "\(resolved.displayText): a <ConversationRelay url> must be wss:// (Twilio error 64102)"
        } else {
          url = resolved
        }
      } catch {
        problem = "\(error.message) (Twilio error 64102)"
      }
    } else {
      problem = "<ConversationRelay> has no url (Twilio error 64102)"
    }
    return RelayVerb(
      url: url, urlProblem: problem,
      attributes: element.attributes.map { NamedValue(name: $0.name, value: $0.value) },
      parameters: parameters(of: element))
  }

  /// `<Parameter name value>` children.
  static func parameters(of element: TwiMLElement) -> [NamedValue] {
    element.elements.filter { $0.name == "Parameter" }.compactMap { p -> NamedValue? in
      guard let name = p[attribute: "name"] else { return nil }
      return NamedValue(name: name, value: p[attribute: "value"] ?? "")
    }
  }

  static func stream(_ element: TwiMLElement, documentURL: WebURL) -> StreamVerb {
    var url: WebURL?
    var problem: String?
    if let raw = element[attribute: "url"] {
      do {
        let resolved = try webSocketURL(raw, documentURL: documentURL)
        if resolved.scheme != "wss" && resolved.scheme != "ws" {
          problem = "\(resolved.displayText): a <Stream url> must be wss:// (Twilio error 31920)"
        } else if resolved.query != nil {
          // Twilio drops the query of a stream URL; values go in <Parameter>.
          url = try WebURL(parsing: resolved.scheme + "://" + resolved.authorityText + resolved.path)
          problem =
            "\(resolved.displayText): the query string is dropped, as Twilio drops it (use <Parameter>)"
        } else {
          url = resolved
        }
      } catch {
        problem = "\(error.message) (Twilio error 31920)"
      }
    } else {
      problem = "<Stream> has no url (Twilio error 31920)"
    }
    let parameters = parameters(of: element)
    var callback: Action?
    if let raw = element[attribute: "statusCallback"], let cbURL = try? documentURL.resolving(raw) {
      callback = Action(url: cbURL, method: method(element[attribute: "statusCallbackMethod"]))
    }
    return StreamVerb(
      url: url, urlProblem: problem, name: element[attribute: "name"], track: element[attribute: "track"],
      parameters: parameters, statusCallback: callback)
  }
}
