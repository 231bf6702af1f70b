/// The two documents the seed's server returns, as typed builders with Twilio's rules checked:
/// the stream webhook (`<Connect><Stream>` then `<Pause>`) and `<Dial>` to clients, numbers and
/// the rest.
public enum VoiceDocuments {
  /// A rule broken, with the Twilio error a call would hit when there is one.
  public struct RuleError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
  }

  /// The stream webhook's answer.
  public struct StreamWebhook: Sendable {
    public var url: String
    public var name: String?
    /// `<Parameter name value>` children, in order; the bot gets them in `start.customParameters`.
    public var parameters: [NamedValue]
    /// `<Pause length>` after the stream verb (the seed keeps the call up for 1000 s).
    public var pauseSeconds: Int?
    public var statusCallback: String?
    public var statusCallbackMethod: String?
    /// `<Start><Stream>` (fork, one way) instead of `<Connect><Stream>` (bidirectional).
    public var unidirectional: Bool
    public var track: String?

    public init(
      url: String, name: String? = nil, parameters: [NamedValue] = [],
      pauseSeconds: Int? = nil,
      statusCallback: String? = nil, statusCallbackMethod: String? = nil, unidirectional: Bool = false,
      track: String? = nil
    ) {
      self.url = url
      self.name = name
      self.parameters = parameters
      self.pauseSeconds = pauseSeconds
      self.statusCallback = statusCallback
      self.statusCallbackMethod = statusCallbackMethod
      self.unidirectional = unidirectional
      self.track = track
    }

    /// The `<Response>`, or the first rule it breaks.
    public func document() throws(RuleError) -> TwiMLElement {
      if let problem = TwiMLRules.streamURLProblem(url) { throw RuleError(message: problem) }
      if let track {
        if unidirectional {
          if let problem = TwiMLRules.valueProblem(element: "Stream", attribute: "track", value: track) {
            throw RuleError(message: problem + " (Twilio error 31941)")
          }
        } else if let problem = TwiMLRules.connectTrackProblem(track) {
          throw RuleError(message: problem + " (Twilio error 31941)")
        }
      }
      if let method = statusCallbackMethod,
        let problem = TwiMLRules.valueProblem(
          element: "Stream", attribute: "statusCallbackMethod", value: method)
      {
        throw RuleError(message: problem)
      }
      if let pauseSeconds, pauseSeconds < 0 {
        throw RuleError(message: "the pause length must not be negative")
      }
      var stream = TwiMLElement("Stream")
      stream.set("url", url)
      stream.set("name", name)
      stream.set("track", track)
      stream.set("statusCallback", statusCallback)
      stream.set("statusCallbackMethod", statusCallbackMethod)
      for parameter in parameters {
        stream.append(
          TwiMLElement("Parameter", attributes: [("name", parameter.name), ("value", parameter.value)]))
      }
      var response = TwiMLElement("Response")
      response.append(TwiMLElement(unidirectional ? "Start" : "Connect", children: [.element(stream)]))
      if let pauseSeconds {
        response.append(TwiMLElement("Pause", attributes: [("length", String(pauseSeconds))]))
      }
      return response
    }
  }

  /// What `<Dial>` calls.
  public enum DialTarget: Sendable, Equatable {
    /// A Voice SDK client; with parameters it is written `<Client><Identity>…</Identity><Parameter/>…`.
    case client(identity: String, parameters: [Parameter])
    case number(String)
    case sip(String)
    case conference(String)
    case queue(String)

    /// A `<Parameter name value>`.
    public typealias Parameter = NamedValue
  }

  /// `<Dial>` with its nouns in order and its attributes (XML names; checked against Twilio's
  /// allowed values).
  public static func dial(targets: [DialTarget], attributes: [(name: String, value: String)])
    throws(RuleError)
    -> TwiMLElement
  {
    guard !targets.isEmpty else {
      throw RuleError(message: "nothing to dial: give --client, --number, --sip, --conference or --queue")
    }
    var dial = TwiMLElement("Dial")
    for (name, value) in attributes {
      if let problem = TwiMLRules.valueProblem(element: "Dial", attribute: name, value: value) {
        throw RuleError(message: problem)
      }
      dial.set(name, value)
    }
    for target in targets {
      switch target {
      case .client(let identity, let parameters):
        if parameters.isEmpty {
          dial.append(TwiMLElement("Client", text: identity))
        } else {
          var client = TwiMLElement("Client")
          client.append(TwiMLElement("Identity", text: identity))
          for p in parameters {
            client.append(TwiMLElement("Parameter", attributes: [("name", p.name), ("value", p.value)]))
          }
          dial.append(client)
        }
      case .number(let number):
        guard isE164(number) else {
          throw RuleError(
            message: "--number '\(number)' is not an E.164 number: + then 2 to 15 digits, e.g. +14155550100")
        }
        dial.append(TwiMLElement("Number", text: number))
      case .sip(let uri):
        guard uri.lowercased().hasPrefix("sip:") || uri.lowercased().hasPrefix("sips:") else {
          throw RuleError(message: "--sip '\(uri)' must be a SIP URI starting with sip: or sips:")
        }
        dial.append(TwiMLElement("Sip", text: uri))
      case .conference(let name): dial.append(TwiMLElement("Conference", text: name))
      case .queue(let name): dial.append(TwiMLElement("Queue", text: name))
      }
    }
    return TwiMLElement("Response", children: [.element(dial)])
  }

  /// `+` and 2–15 digits, the first not 0 (ITU-T E.164).
  public static func isE164(_ number: String) -> Bool {
    let digits = number.utf8.dropFirst()
    return number.hasPrefix("+") && (2...15).contains(digits.count) && digits.first != UInt8(ascii: "0")
      && digits.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
  }
}
