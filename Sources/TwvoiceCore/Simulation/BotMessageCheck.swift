/// Checks what a bot sends on a Media Stream as Twilio does, and names the code Twilio would log
/// (media-streams.md §1.4, §1.9): 31950 binary frame; 31951 not JSON, unknown event, missing or
/// extra fields, wrong streamSid; 31924 anything at all on a unidirectional `<Start>` stream.
public enum BotMessageCheck {
  /// A message from the bot, understood.
  public enum Message: Equatable, Sendable {
    case media([UInt8])
    case mark(String)
    case clear
  }

  /// A violation, with Twilio's code.
  public struct Violation: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var description: String { "\(code): \(message)" }
    public init(code: Int, message: String) {
      self.code = code
      self.message = message
    }
  }

  /// What one frame amounts to: a message to act on, a violation to report, or both (audio that
  /// starts with a file header is played, header and all, and reported).
  public struct Outcome: Equatable, Sendable {
    public var message: Message?
    public var violation: Violation?
  }

  /// Parses and checks one text frame.
  public static func check(text: String, streamSid: String, bidirectional: Bool) -> Outcome {
    switch parse(text: text, streamSid: streamSid, bidirectional: bidirectional) {
    case .success(let message):
      if case .media(let bytes) = message,
        let container = ContainerSniffer.container(atStartOf: Array(bytes.prefix(16)))
      {
        return Outcome(
          message: message,
          violation: Violation(
            code: 31951, message: "media.payload starts with \(container); Twilio plays the header as noise"))
      }
      return Outcome(message: message, violation: nil)
    case .failure(let violation):
      return Outcome(message: nil, violation: violation)
    }
  }

  private static func parse(text: String, streamSid: String, bidirectional: Bool) -> Result<
    Message, Violation
  > {
    guard bidirectional else {
      return .failure(
        Violation(
          code: 31924,
          message: "the bot sent a message on a unidirectional (<Start>) stream, which takes none"))
    }
    let value: JSONValue
    do { value = try JSONParser.parse(text) } catch {
      return .failure(Violation(code: 31951, message: "not JSON: \(error)"))
    }
    guard let members = value.members else {
      return .failure(Violation(code: 31951, message: "not a JSON object"))
    }
    guard let event = value["event"]?.stringValue else {
      return .failure(Violation(code: 31951, message: "no event"))
    }
    func keys(_ allowed: Set<String>) -> Violation? {
      let names = Set(members.map(\.key))
      if let extra = names.subtracting(allowed).sorted().first {
        return Violation(code: 31951, message: "\(event) message has an unknown field \"\(extra)\"")
      }
      if let missing = allowed.subtracting(names).sorted().first {
        return Violation(code: 31951, message: "\(event) message without \"\(missing)\"")
      }
      return nil
    }
    switch event {
    case "media", "mark", "clear":
      let allowed: Set<String> = event == "clear" ? ["event", "streamSid"] : ["event", "streamSid", event]
      if let violation = keys(allowed) { return .failure(violation) }
    default:
      return .failure(
        Violation(code: 31951, message: "unknown event \"\(event)\" (a bot sends media, mark or clear)"))
    }
    guard let sid = value["streamSid"]?.stringValue else {
      return .failure(Violation(code: 31951, message: "streamSid is not a string"))
    }
    guard sid == streamSid else {
      return .failure(
        Violation(
          code: 31951,
          message: "streamSid \"\(sid.escapingControlCharacters)\" is not this stream's (\(streamSid))"))
    }
    switch event {
    case "media":
      guard let media = value["media"], let fields = media.members else {
        return .failure(Violation(code: 31951, message: "media is not an object"))
      }
      if let extra = fields.first(where: { $0.key != "payload" }) {
        return .failure(
          Violation(
            code: 31951,
            message: "media has an unknown field \"\(extra.key)\" (a bot sends media.payload only)"))
      }
      guard let payload = media["payload"]?.stringValue else {
        return .failure(Violation(code: 31951, message: "media without a payload string (media.payload)"))
      }
      let bytes: [UInt8]
      do { bytes = try Base64.decode(payload) } catch {
        return .failure(Violation(code: 31951, message: "media.payload is not valid base64"))
      }
      return .success(.media(bytes))
    case "mark":
      guard let name = value["mark"]?["name"]?.stringValue, value["mark"]?.members?.count == 1 else {
        return .failure(Violation(code: 31951, message: "mark must be {\"name\": string}"))
      }
      return .success(.mark(name))
    default:
      return .success(.clear)
    }
  }
}
