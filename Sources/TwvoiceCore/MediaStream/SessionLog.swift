#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The session log: one line per WebSocket frame of a Media Stream, either way, written by
/// `stream replay --log` (and by every later command that speaks to a bot or listens to one)
/// and read back by `codec decode`, `codec info` and `stream replay`.
///
///     {"t":0.020,"from":"twilio","message":{"event":"media",…}}
///     {"t":0.153,"from":"bot","message":{"event":"mark",…}}
///     {"t":0.170,"from":"bot","raw":"not json"}
///     {"t":0.180,"from":"bot","binary":"UklGRg=="}
///
/// `t` is seconds since the socket opened (three decimals, truncated to the millisecond), `from`
/// who sent the frame. `message` is the frame's text byte for byte when it is JSON on one line;
/// any other text frame is `raw` (a JSON string), a binary frame `binary` (base64). Plain
/// captures, one Twilio message per line, and the `{"twvoice":{"t","dir"}}` lines of earlier
/// versions stay readable by the same readers.
///
/// Bugs the bot showed are logged where they happened, from `twvoice` (readers of frames pass
/// over them):
///
///     {"t":4.200,"from":"twvoice","finding":{"id":"talk-over","message":"…"}}
///     {"t":4.500,"from":"twvoice","step":{"n":4,"step":"expect_clear {within: 300ms}","status":"failed","message":"…"}}
///
/// A whole call's log (`call --log`) times every line from the call's start instead, and adds
/// the HTTP exchanges around the streams; readers of frames pass over them (no `event`):
///
///     {"t":0.000,"from":"twilio","request":{"purpose":"voice","method":"POST","url":"…","parameters":{…}}}
///     {"t":0.004,"from":"app","response":{"status":200,"content_type":"text/xml","latency_ms":3.9,"body":"…"}}
public enum SessionLog {
  /// Who sent a frame. twvoice plays Twilio's side, so what it sends is `twilio`.
  public enum Sender: String, Sendable {
    case twilio
    case bot
    /// twvoice's own observations (`finding` and scenario `step` lines).
    case twvoice
  }

  /// A WebSocket data frame's content, or an observation.
  public enum Frame: Sendable, Equatable {
    /// A text frame; `isJSON` says whether it parses as JSON (then it goes in as `message`).
    case text(String, isJSON: Bool)
    case binary([UInt8])
    /// An observation of twvoice's under `key`: a bug the bot showed (`finding`, from
    /// `BotBehaviour`), a scenario step's verdict (`step`).
    case note(key: String, JSONValue)
  }

  /// One frame with its time and sender.
  public struct Entry: Sendable, Equatable {
    /// Milliseconds since the socket opened.
    public var atMs: Double
    public var from: Sender
    public var frame: Frame

    public init(atMs: Double, from: Sender, frame: Frame) {
      self.atMs = atMs
      self.from = from
      self.frame = frame
    }
  }

  /// Appends `entry` as one line, newline included.
  public static func append(_ entry: Entry, to out: inout [UInt8]) {
    out += prefix
    appendSeconds(entry.atMs, to: &out)
    switch entry.from {
    case .twilio: out += fromTwilio
    case .bot: out += fromBot
    case .twvoice: out += fromTwvoice
    }
    switch entry.frame {
    case .text(let text, let isJSON) where isJSON && !hasLineBreak(text):
      out += messageKey
      out += text.utf8
    case .text(let text, _):
      out += rawKey
      writer.writeString(text, to: &out)
    case .binary(let bytes):
      out += binaryKey
      out.append(UInt8(ascii: "\""))
      Base64.encode(bytes, appendingTo: &out)
      out.append(UInt8(ascii: "\""))
    case .note(let key, let value):
      out.append(UInt8(ascii: ","))
      writer.writeString(key, to: &out)
      out.append(UInt8(ascii: ":"))
      out += writer.string(value).utf8
    }
    out += "}\n".utf8
  }

  /// Whether `text` holds a line feed or carriage return (a JSON frame spread over lines goes in
  /// as `raw`, so one frame stays one line): one pass over the bytes in place, every frame.
  static func hasLineBreak(_ text: String) -> Bool {
    text.utf8.withContiguousStorageIfAvailable { bytes in
      guard let base = bytes.baseAddress else { return false }
      return memchr(base, 0x0A, bytes.count) != nil || memchr(base, 0x0D, bytes.count) != nil
    } ?? text.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D })
  }

  /// An HTTP request Twilio made (`from: twilio`, key `request`) or the application's answer
  /// (`from: app`, key `response`), as one line, newline included.
  public static func appendExchange(atMs: Double, isRequest: Bool, _ value: JSONValue, to out: inout [UInt8])
  {
    out += prefix
    appendSeconds(atMs, to: &out)
    out += (isRequest ? #","from":"twilio","request":"# : #","from":"app","response":"#).utf8
    out += writer.string(value).utf8
    out += "}\n".utf8
  }

  /// `entry` as one line, without the newline.
  public static func line(_ entry: Entry) -> String {
    var out: [UInt8] = []
    append(entry, to: &out)
    return String(decoding: out.dropLast(), as: UTF8.self)
  }

  /// Whether `text` is a session-log line (rather than a bare Twilio message): a JSON object
  /// with `from` and one of `message`, `raw`, `binary`, and no `event`.
  public static func isEntry(_ value: JSONValue) -> Bool {
    value["event"] == nil && value["from"]?.stringValue != nil
      && (value["message"] != nil || value["raw"] != nil || value["binary"] != nil)
  }

  private static let writer = JSONWriter(style: .compact, asciiOnly: false)
  private static let prefix = Array(#"{"t":"#.utf8)
  private static let fromTwilio = Array(#","from":"twilio""#.utf8)
  private static let fromBot = Array(#","from":"bot""#.utf8)
  private static let fromTwvoice = Array(#","from":"twvoice""#.utf8)
  private static let messageKey = Array(#","message":"#.utf8)
  private static let rawKey = Array(#","raw":"#.utf8)
  private static let binaryKey = Array(#","binary":"#.utf8)

  /// `ms` as seconds with three decimals, truncated to the millisecond (so that a frame logged
  /// at 19.6 ms reads 0.019, the millisecond it was in).
  static func appendSeconds(_ ms: Double, to out: inout [UInt8]) {
    let whole = ms.isFinite ? max(0, Int(ms.rounded(.down))) : 0
    out += String(whole / 1000).utf8
    out.append(UInt8(ascii: "."))
    let fraction = whole % 1000
    if fraction < 100 { out.append(UInt8(ascii: "0")) }
    if fraction < 10 { out.append(UInt8(ascii: "0")) }
    out += String(fraction).utf8
  }
}
