/// Checks what a bot sends on a Media Stream as Twilio does, and names the code Twilio would log
/// (media-streams.md §1.4, §1.9): 31950 binary frame; 31951 not JSON, unknown event, missing or
/// extra fields, wrong streamSid (`BotMessage.decode`); 31924 anything at all on a unidirectional
/// `<Start>` stream. Audio that starts with a file header is valid to Twilio, which plays the
/// header as noise: no code, the `container-bytes` finding (`BotBehaviour`) reports it.
public enum BotMessageCheck {
  public typealias Violation = ProtocolViolation

  /// What one frame amounts to: a message to act on, or a violation to report.
  public struct Outcome: Equatable, Sendable {
    public var message: BotMessage?
    public var violation: Violation?
    /// Whether the frame parsed as JSON at all (the session log keeps it as `message` then).
    public var isJSON = true
  }

  /// Parses and checks one text frame.
  public static func check(text: String, streamSid: String, bidirectional: Bool) -> Outcome {
    let value: JSONValue
    do { value = try JSONParser.parse(text) } catch {
      if !bidirectional { return Outcome(message: nil, violation: unidirectional, isJSON: false) }
      return Outcome(message: nil, violation: BotMessage.notJSON(error), isJSON: false)
    }
    guard bidirectional else { return Outcome(message: nil, violation: unidirectional) }
    let message: BotMessage
    do { message = try BotMessage.decode(value, streamSid: streamSid) } catch {
      return Outcome(message: nil, violation: error)
    }
    return Outcome(message: message, violation: nil)
  }

  private static let unidirectional = Violation(
    code: 31924, message: "the bot sent a message on a unidirectional (<Start>) stream, which takes none")
}
