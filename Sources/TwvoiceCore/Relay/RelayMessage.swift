/// ConversationRelay's messages (conversation-relay.md §3–4), typed: what Twilio sends an app,
/// with the encoder that writes Twilio's bytes (its key order, `setup`'s strings never omitted,
/// `last` a JSON boolean, `durationUntilInterruptMs` an integer, `info.value` always a string), and
/// what an app may send, read and checked as Twilio checks it: anything else is answered with an
/// `error` frame (64107) that echoes the offending text, and the session goes on.
public enum RelayTwilioMessage: Equatable, Sendable {
  /// The first frame, in the millisecond the socket opens.
  case setup(Setup)
  /// A caller turn, or with partial prompts a cumulative part of one (`last: false`).
  case prompt(text: String, lang: String, last: Bool)
  /// A key the caller pressed (with `dtmfDetection`).
  case dtmf(digit: String)
  /// The caller talked over the agent: what they had heard of the chunk playing, and for how long.
  case interrupt(utteranceUntilInterrupt: String, durationUntilInterruptMs: Int)
  /// Twilio refused something the app sent (or another session error).
  case error(description: String)
  /// A subscribed event: `roundTripDelayMs`, `agentSpeaking`, `clientSpeaking`, `tokensPlayed`.
  case info(name: String, value: String)

  /// `setup`'s fields, all strings as Twilio writes them (`""` when empty, never omitted).
  public struct Setup: Equatable, Sendable {
    public var sessionId: String
    public var callSid: String
    public var parentCallSid: String
    public var from: String
    public var to: String
    public var forwardedFrom: String
    public var callerName: String
    /// `inbound`, `outbound-api`, …
    public var direction: String
    /// `PSTN`, …
    public var callType: String
    /// `RINGING` for an inbound call, `IN_PROGRESS` for a later session of the same call.
    public var callStatus: String
    public var accountSid: String
    /// `<Parameter>` names and values, in document order.
    public var customParameters: [NamedValue]

    public init(
      sessionId: String, callSid: String, parentCallSid: String = "", from: String, to: String,
      forwardedFrom: String = "", callerName: String = "", direction: String = "inbound",
      callType: String = "PSTN", callStatus: String = "RINGING", accountSid: String,
      customParameters: [NamedValue] = []
    ) {
      self.sessionId = sessionId
      self.callSid = callSid
      self.parentCallSid = parentCallSid
      self.from = from
      self.to = to
      self.forwardedFrom = forwardedFrom
      self.callerName = callerName
      self.direction = direction
      self.callType = callType
      self.callStatus = callStatus
      self.accountSid = accountSid
      self.customParameters = customParameters
    }
  }

  /// The JSON text Twilio sends, byte for byte.
  public func encoded() -> String {
    var w = MessageWriter(out: [])
    switch self {
    case .setup(let s):
      w.raw(#"{"type":"setup","sessionId":"#)
      w.string(s.sessionId)
      for (key, value) in [
        ("callSid", s.callSid), ("parentCallSid", s.parentCallSid), ("from", s.from), ("to", s.to),
        ("forwardedFrom", s.forwardedFrom), ("callerName", s.callerName), ("direction", s.direction),
        ("callType", s.callType), ("callStatus", s.callStatus), ("accountSid", s.accountSid),
      ] {
        w.raw(",")
        w.string(key)
        w.raw(":")
        w.string(value)
      }
      w.raw(#","customParameters":"#)
      w.strings(s.customParameters)
      w.raw("}")
    case .prompt(let text, let lang, let last):
      w.raw(#"{"type":"prompt","voicePrompt":"#)
      w.string(text)
      w.raw(#","lang":"#)
      w.string(lang)
      w.raw(last ? #","last":true}"# : #","last":false}"#)
    case .dtmf(let digit):
      w.raw(#"{"type":"dtmf","digit":"#)
      w.string(digit)
      w.raw("}")
    case .interrupt(let utterance, let duration):
      w.raw(#"{"type":"interrupt","utteranceUntilInterrupt":"#)
      w.string(utterance)
      w.raw(#","durationUntilInterruptMs":"#)
      w.out += String(duration).utf8
      w.raw("}")
    case .error(let description):
      w.raw(#"{"type":"error","description":"#)
      w.string(description)
      w.raw("}")
    case .info(let name, let value):
      w.raw(#"{"type":"info","name":"#)
      w.string(name)
      w.raw(#","value":"#)
      w.string(value)
      w.raw("}")
    }
    return String(decoding: w.out, as: UTF8.self)
  }

  /// The `error` Twilio answers an invalid frame with: the code, then the frame's text as sent.
  public static func invalidMessage(_ text: String) -> RelayTwilioMessage {
    .error(description: "Invalid message received, code: 64107, \(text)")
  }
}

/// What an app sends over ConversationRelay, read as Twilio reads it.
public enum RelayAppMessage: Equatable, Sendable {
  /// Tokens of a reply; the talk cycle ends with `last: true`. Per-message `interruptible` and
  /// `preemptible` override the TwiML values when given.
  case text(token: String, last: Bool, lang: String?, interruptible: Bool?, preemptible: Bool?)
  /// Media to play; `loop` 0 means 1,000 plays.
  case play(source: String, loop: Int, preemptible: Bool, interruptible: Bool?)
  /// DTMF to the far end: `0-9`, `w` (half a second), `#`, `*`.
  case sendDigits(String)
  /// Later speech and transcription in these languages (at least one given).
  case language(tts: String?, transcription: String?)
  /// Closes the session; `handoffData` goes to the `action` callback exactly as sent.
  case end(handoffData: String?)

  /// Reads one text frame from the app; a refusal names the field (the session goes on, and the
  /// app gets `RelayTwilioMessage.invalidMessage`).
  public static func decode(_ text: String) throws(MessageShapeError) -> RelayAppMessage {
    typealias R = MessageShapeError
    let value: JSONValue
    do { value = try JSONParser.parse(text) } catch { throw R(field: nil, reason: "not JSON") }
    guard value.members != nil else { throw R(field: nil, reason: "not a JSON object") }
    guard let type = value["type"]?.stringValue else { throw R(field: "type", reason: "missing") }
    func string(_ key: String, required: Bool) throws(R) -> String? {
      switch value[key] {
      case nil where !required: return nil
      case nil, .null?: throw R(field: key, reason: required ? "missing" : "null")
      case .string(let s)?: return s
      default: throw R(field: key, reason: "not a string")
      }
    }
    func bool(_ key: String) throws(R) -> Bool? {
      switch value[key] {
      case nil: return nil
      case .bool(let b)?: return b
      default: throw R(field: key, reason: "not a boolean")
      }
    }
    switch type {
    case "text":
      let token = try string("token", required: true) ?? ""
      let lang = try string("lang", required: false)
      if let lang, lang.isEmpty { throw R(field: "lang", reason: "empty") }
      return .text(
        token: token, last: try bool("last") ?? false, lang: lang, interruptible: try bool("interruptible"),
        preemptible: try bool("preemptible"))
    case "play":
      let source = try string("source", required: true) ?? ""
      guard let url = try? WebURL(parsing: source), url.scheme == "http" || url.scheme == "https" else {
        throw R(field: "source", reason: "not an http(s) URL")
      }
      var loop = 1
      if let given = value["loop"] {
        guard let n = given.intValue, n >= 0, case .number(let digits) = given, !digits.contains(".") else {
          throw R(field: "loop", reason: "not a whole number ≥ 0")
        }
        loop = n
      }
      return .play(
        source: source, loop: loop, preemptible: try bool("preemptible") ?? false,
        interruptible: try bool("interruptible"))
    case "sendDigits":
      let digits = try string("digits", required: true) ?? ""
      guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && ($0.isNumber || "w#*".contains($0)) }) else {
        throw R(field: "digits", reason: "expected 0-9, w, # or * (at least one)")
      }
      return .sendDigits(digits)
    case "language":
      let tts = try string("ttsLanguage", required: false)
      let transcription = try string("transcriptionLanguage", required: false)
      guard tts != nil || transcription != nil else {
        throw R(field: nil, reason: "language needs ttsLanguage or transcriptionLanguage")
      }
      return .language(tts: tts, transcription: transcription)
    case "end":
      return .end(handoffData: try string("handoffData", required: false))
    default:
      throw R(field: "type", reason: "unknown type \"\(type.escapingControlCharacters)\"")
    }
  }
}
