/// A message a bot sends Twilio on a bidirectional Media Stream (media-streams.md §1.4), typed:
/// the encoder writes the shape Twilio documents, the decoder reports what Twilio would refuse
/// with Twilio's code (31951: not JSON, unknown event, missing or extra fields, wrong
/// `streamSid`, bad payload).
///
/// The one place these shapes are spelled out: `codec encode` writes them, `StreamSession`
/// (through `BotMessageCheck`) reads them.
public enum BotMessage: Equatable, Sendable {
  /// Audio to play: µ-law bytes (base64 on the wire), any length.
  case media(streamSid: String, payload: [UInt8])
  /// A name Twilio echoes once the audio queued before it has played.
  case mark(streamSid: String, name: String)
  /// Drop the queued audio (pending marks are echoed at once).
  case clear(streamSid: String)

  public var streamSid: String {
    switch self {
    case .media(let sid, _), .mark(let sid, _), .clear(let sid): sid
    }
  }

  /// The JSON text, compact, in the documented key order.
  public func encoded() -> String {
    var out: [UInt8] = []
    encode(into: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// Appends the JSON text (no newline).
  public func encode(into out: inout [UInt8]) {
    var w = MessageWriter(out: out)
    out = []
    switch self {
    case .media(let sid, let payload):
      Self.appendMedia(streamSidJSON: MessageWriter.escaped(sid), payload: payload[...], to: &w.out)
    case .mark(let sid, let name):
      w.raw(#"{"event":"mark","streamSid":"#)
      w.string(sid)
      w.raw(#","mark":{"name":"#)
      w.string(name)
      w.raw("}}")
    case .clear(let sid):
      w.raw(#"{"event":"clear","streamSid":"#)
      w.string(sid)
      w.raw("}")
    }
    out = w.out
  }

  /// Appends one `media` message for a stream whose SID is already JSON-escaped (with its
  /// quotes): the encoder's hot path, one call per 20 ms frame.
  public static func appendMedia(streamSidJSON: [UInt8], payload: ArraySlice<UInt8>, to out: inout [UInt8]) {
    out += mediaPrefix
    out += streamSidJSON
    out += payloadKey
    Base64.encode(payload, appendingTo: &out)
    out += mediaSuffix
  }

  private static let mediaPrefix = Array(#"{"event":"media","streamSid":"#.utf8)
  private static let payloadKey = Array(#","media":{"payload":""#.utf8)
  private static let mediaSuffix = Array(#""}}"#.utf8)

  /// Reads one text frame as Twilio does. `streamSid` is this stream's SID: a message for any
  /// other stream is refused (31951) before its body is looked at, as Twilio does.
  public static func decode(_ text: String, streamSid: String) throws(ProtocolViolation) -> BotMessage {
    let value: JSONValue
    do { value = try JSONParser.parse(text) } catch { throw notJSON(error) }
    return try decode(value, streamSid: streamSid)
  }

  /// What Twilio says of a text frame that is not JSON.
  public static func notJSON(_ error: some Error) -> ProtocolViolation {
    ProtocolViolation(code: 31951, message: "not JSON: \(error)")
  }

  /// Reads one parsed message as Twilio does.
  public static func decode(_ value: JSONValue, streamSid: String) throws(ProtocolViolation) -> BotMessage {
    typealias V = ProtocolViolation
    guard let members = value.members else { throw V(code: 31951, message: "not a JSON object") }
    guard let event = value["event"]?.stringValue else { throw V(code: 31951, message: "no event") }
    let allowed: Set<String>
    switch event {
    case "media", "mark": allowed = ["event", "streamSid", event]
    case "clear": allowed = ["event", "streamSid"]
    default:
      throw V(code: 31951, message: "unknown event \"\(event)\" (a bot sends media, mark or clear)")
    }
    let names = Set(members.map(\.key))
    if let extra = names.subtracting(allowed).sorted().first {
      throw V(code: 31951, message: "\(event) message has an unknown field \"\(extra)\"")
    }
    if let missing = allowed.subtracting(names).sorted().first {
      throw V(code: 31951, message: "\(event) message without \"\(missing)\"")
    }
    guard let sid = value["streamSid"]?.stringValue else {
      throw V(code: 31951, message: "streamSid is not a string")
    }
    guard sid == streamSid else {
      throw V(
        code: 31951,
        message: "streamSid \"\(sid.escapingControlCharacters)\" is not this stream's (\(streamSid))")
    }
    switch event {
    case "media":
      guard let media = value["media"], let fields = media.members else {
        throw V(code: 31951, message: "media is not an object")
      }
      if let extra = fields.first(where: { $0.key != "payload" }) {
        throw V(
          code: 31951, message: "media has an unknown field \"\(extra.key)\" (a bot sends media.payload only)"
        )
      }
      guard let payload = media["payload"]?.stringValue else {
        throw V(code: 31951, message: "media without a payload string (media.payload)")
      }
      do { return .media(streamSid: sid, payload: try Base64.decode(payload)) } catch {
        throw V(code: 31951, message: "media.payload is not valid base64")
      }
    case "mark":
      guard let name = value["mark"]?["name"]?.stringValue, value["mark"]?.members?.count == 1 else {
        throw V(code: 31951, message: "mark must be {\"name\": string}")
      }
      return .mark(streamSid: sid, name: name)
    default:
      return .clear(streamSid: sid)
    }
  }
}

/// Something a peer did that Twilio refuses or warns about, with the code Twilio's debugger
/// shows (media-streams.md §1.9).
public struct ProtocolViolation: Error, Equatable, Sendable, CustomStringConvertible {
  public var code: Int
  public var message: String
  public var description: String { "\(code): \(message)" }
  public init(code: Int, message: String) {
    self.code = code
    self.message = message
  }
}
