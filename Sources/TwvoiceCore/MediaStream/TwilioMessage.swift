#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A message Twilio sends on a Media Stream (media-streams.md §1.3), typed, with the encoder that
/// writes Twilio's exact bytes: its key order, counters (`sequenceNumber`, `chunk`,
/// `timestamp`) as JSON strings, `sampleRate`/`channels` as numbers, no spaces.
///
/// The one place these shapes are spelled out: `StreamSession` sends them, and tests check the
/// capture decoder's fast path against `decode`.
public enum TwilioMessage: Equatable, Sendable {
  /// The first message: no `sequenceNumber`, no `streamSid`.
  case connected
  case start(sequenceNumber: Int, Start)
  case media(sequenceNumber: Int, streamSid: String, Media)
  /// A key the caller pressed (bidirectional streams only); `dtmf.track` is `inbound_track`.
  case dtmf(sequenceNumber: Int, streamSid: String, digit: String)
  /// A bot's mark, echoed once the audio queued before it has played (or was cleared).
  case mark(sequenceNumber: Int, streamSid: String, name: String)
  case stop(sequenceNumber: Int, streamSid: String, accountSid: String, callSid: String)

  /// `start`'s own object.
  public struct Start: Equatable, Sendable {
    public var accountSid: String
    public var streamSid: String
    public var callSid: String
    /// `["inbound"]`, `["outbound"]` or `["inbound","outbound"]`.
    public var tracks: [String]
    /// `<Parameter>` names and values, in document order.
    public var customParameters: [CustomParameter]

    public init(
      accountSid: String, streamSid: String, callSid: String, tracks: [String],
      customParameters: [CustomParameter] = []
    ) {
      self.accountSid = accountSid
      self.streamSid = streamSid
      self.callSid = callSid
      self.tracks = tracks
      self.customParameters = customParameters
    }
  }

  /// One `<Parameter name value/>`, as `start.customParameters` carries it.
  public typealias CustomParameter = NamedValue

  /// `media`'s own object.
  public struct Media: Equatable, Sendable {
    /// `inbound` or `outbound`.
    public var track: String
    /// 1 for the first frame of the track, +1 per frame.
    public var chunk: Int
    /// Milliseconds since the stream started, +20 per frame.
    public var timestamp: Int
    /// µ-law bytes (base64 on the wire).
    public var payload: [UInt8]

    public init(track: String, chunk: Int, timestamp: Int, payload: [UInt8]) {
      self.track = track
      self.chunk = chunk
      self.timestamp = timestamp
      self.payload = payload
    }
  }

  /// The `event` field.
  public var event: String {
    switch self {
    case .connected: "connected"
    case .start: "start"
    case .media: "media"
    case .dtmf: "dtmf"
    case .mark: "mark"
    case .stop: "stop"
    }
  }

  /// The JSON text Twilio sends, byte for byte.
  public func encoded() -> String {
    var out: [UInt8] = []
    out.reserveCapacity(self.event == "media" ? 320 : 200)
    encode(into: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// Appends the JSON text Twilio sends (no newline).
  public func encode(into out: inout [UInt8]) {
    var w = Writer(out: out)
    out = []
    switch self {
    case .connected:
      w.raw(#"{"event":"connected","protocol":"Call","version":"1.0.0"}"#)
    case .start(let sequence, let start):
      w.raw(#"{"event":"start","sequenceNumber":"#)
      w.counter(sequence)
      w.raw(#","start":{"accountSid":"#)
      w.string(start.accountSid)
      w.raw(#","streamSid":"#)
      w.string(start.streamSid)
      w.raw(#","callSid":"#)
      w.string(start.callSid)
      w.raw(#","tracks":["#)
      for (i, track) in start.tracks.enumerated() {
        if i > 0 { w.raw(",") }
        w.string(track)
      }
      w.raw(#"],"customParameters":"#)
      w.strings(start.customParameters)
      w.raw(#","mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}},"streamSid":"#)
      w.string(start.streamSid)
      w.raw("}")
    case .media(let sequence, let streamSid, let media):
      w.raw(#"{"event":"media","sequenceNumber":"#)
      w.counter(sequence)
      w.raw(#","media":{"track":"#)
      w.string(media.track)
      w.raw(#","chunk":"#)
      w.counter(media.chunk)
      w.raw(#","timestamp":"#)
      w.counter(media.timestamp)
      w.raw(#","payload":""#)
      Base64.encode(media.payload, appendingTo: &w.out)
      w.raw(#""},"streamSid":"#)
      w.string(streamSid)
      w.raw("}")
    case .dtmf(let sequence, let streamSid, let digit):
      w.raw(#"{"event":"dtmf","streamSid":"#)
      w.string(streamSid)
      w.raw(#","sequenceNumber":"#)
      w.counter(sequence)
      w.raw(#","dtmf":{"track":"inbound_track","digit":"#)
      w.string(digit)
      w.raw("}}")
    case .mark(let sequence, let streamSid, let name):
      w.raw(#"{"event":"mark","sequenceNumber":"#)
      w.counter(sequence)
      w.raw(#","streamSid":"#)
      w.string(streamSid)
      w.raw(#","mark":{"name":"#)
      w.string(name)
      w.raw("}}")
    case .stop(let sequence, let streamSid, let accountSid, let callSid):
      w.raw(#"{"event":"stop","sequenceNumber":"#)
      w.counter(sequence)
      w.raw(#","streamSid":"#)
      w.string(streamSid)
      w.raw(#","stop":{"accountSid":"#)
      w.string(accountSid)
      w.raw(#","callSid":"#)
      w.string(callSid)
      w.raw("}}")
    }
    out = w.out
  }

  /// Reads a message in Twilio's shape. Lenient where Twilio's own output varies between
  /// captures (extra fields, key order, counters as numbers); strict about what a consumer needs
  /// (the error names the field).
  public static func decode(_ text: String) throws(MessageShapeError) -> TwilioMessage {
    // Nearly every message of a stream is media in the exact layout `encode` writes (Twilio's):
    // read those directly; anything else, or anything in doubt, goes through the JSON parser.
    if let media = decodeMedia(exactLayout: text) { return media }
    let value: JSONValue
    do { value = try JSONParser.parse(text) } catch {
      throw MessageShapeError(field: nil, reason: "not valid JSON: \(error)")
    }
    return try decode(value)
  }

  /// Reads a parsed message in Twilio's shape.
  public static func decode(_ value: JSONValue) throws(MessageShapeError) -> TwilioMessage {
    typealias E = MessageShapeError
    guard value.members != nil else { throw E(field: nil, reason: "not a JSON object") }
    guard let event = value["event"]?.stringValue else { throw E(field: "event", reason: "missing") }
    func string(_ v: JSONValue?, _ field: String) throws(E) -> String {
      guard let s = v?.stringValue else { throw E(field: field, reason: "not a string") }
      return s
    }
    func counter(_ v: JSONValue?, _ field: String) throws(E) -> Int {
      switch v {
      case .string(let s)?:
        if let n = Int(s), n >= 0, s.utf8.allSatisfy({ (0x30...0x39).contains($0) }) { return n }
      case .number(let s)?:
        if let n = Int(s), n >= 0 { return n }
      default:
        break
      }
      throw E(field: field, reason: "not a non-negative integer")
    }
    if event == "connected" { return .connected }
    let sequence = try counter(value["sequenceNumber"], "sequenceNumber")
    switch event {
    case "start":
      guard let start = value["start"], start.members != nil else {
        throw E(field: "start", reason: "not an object")
      }
      var tracks: [String] = []
      if case .array(let items)? = start["tracks"] {
        for item in items { tracks.append(try string(item, "start.tracks")) }
      } else {
        throw E(field: "start.tracks", reason: "not an array")
      }
      var parameters: [CustomParameter] = []
      if let custom = start["customParameters"] {
        guard let members = custom.members else {
          throw E(field: "start.customParameters", reason: "not an object")
        }
        for (name, v) in members {
          parameters.append(.init(name: name, value: try string(v, "start.customParameters.\(name)")))
        }
      }
      return .start(
        sequenceNumber: sequence,
        Start(
          accountSid: try string(start["accountSid"], "start.accountSid"),
          streamSid: try string(start["streamSid"] ?? value["streamSid"], "start.streamSid"),
          callSid: try string(start["callSid"], "start.callSid"), tracks: tracks, customParameters: parameters
        ))
    case "media":
      guard let media = value["media"], media.members != nil else {
        throw E(field: "media", reason: "not an object")
      }
      let payload: [UInt8]
      do { payload = try Base64.decode(try string(media["payload"], "media.payload")) } catch let e as E {
        throw e
      } catch {
        throw E(field: "media.payload", reason: "not valid base64")
      }
      return .media(
        sequenceNumber: sequence, streamSid: try string(value["streamSid"], "streamSid"),
        Media(
          track: try string(media["track"], "media.track"), chunk: try counter(media["chunk"], "media.chunk"),
          timestamp: try counter(media["timestamp"], "media.timestamp"), payload: payload))
    case "dtmf":
      return .dtmf(
        sequenceNumber: sequence, streamSid: try string(value["streamSid"], "streamSid"),
        digit: try string(value["dtmf"]?["digit"], "dtmf.digit"))
    case "mark":
      return .mark(
        sequenceNumber: sequence, streamSid: try string(value["streamSid"], "streamSid"),
        name: try string(value["mark"]?["name"], "mark.name"))
    case "stop":
      return .stop(
        sequenceNumber: sequence, streamSid: try string(value["streamSid"], "streamSid"),
        accountSid: try string(value["stop"]?["accountSid"], "stop.accountSid"),
        callSid: try string(value["stop"]?["callSid"], "stop.callSid"))
    default:
      throw E(field: "event", reason: "unknown event \"\(event.escapingControlCharacters)\"")
    }
  }
}

extension TwilioMessage {
  /// A `media` message laid out exactly as `encode` writes it (Twilio's key order, counters as
  /// strings of digits, strings without escapes), read without building a JSON tree; nil for
  /// any other text, which `decode` then reads in full. Gives what the full reading gives.
  static func decodeMedia(exactLayout text: String) -> TwilioMessage? {
    var text = text
    return text.withUTF8 { bytes -> TwilioMessage? in
      var at = 0
      func literal(_ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard at + n <= bytes.count else { return false }
        let same = s.withUTF8Buffer { expected in
          memcmp(expected.baseAddress!, bytes.baseAddress! + at, n) == 0
        }
        if same { at += n }
        return same
      }
      /// A string of plain ASCII (no quote, backslash or control character) up to `"`.
      func plain() -> Range<Int>? {
        let start = at
        while at < bytes.count {
          let b = bytes[at]
          if b == UInt8(ascii: "\"") { return start..<at }
          if b == UInt8(ascii: "\\") || b < 0x20 || b >= 0x80 { return nil }
          at += 1
        }
        return nil
      }
      func counter() -> Int? {
        guard let range = plain(), !range.isEmpty, range.count <= 18 else { return nil }
        var n = 0
        for i in range {
          let d = bytes[i] &- 0x30
          guard d < 10 else { return nil }
          n = n * 10 + Int(d)
        }
        return n
      }
      func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
      }
      guard literal(#"{"event":"media","sequenceNumber":""#), let sequence = counter(),
        literal(#"","media":{"track":""#), let track = plain(), literal(#"","chunk":""#),
        let chunk = counter(),
        literal(#"","timestamp":""#), let timestamp = counter(), literal(#"","payload":""#),
        let payload = plain(), literal(#""},"streamSid":""#), let sid = plain(), literal(#""}"#),
        at == bytes.count
      else { return nil }
      var base64 = Array(UnsafeBufferPointer(rebasing: bytes[payload]))
      guard let audio = try? Base64.decode(bytes: &base64) else { return nil }
      return .media(
        sequenceNumber: sequence, streamSid: string(sid),
        Media(track: string(track), chunk: chunk, timestamp: timestamp, payload: audio))
    }
  }
}

/// A message that is not in the shape its sender's side of the protocol defines.
public struct MessageShapeError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The field at fault, dotted (`media.payload`), or nil for the message as a whole.
  public var field: String?
  public var reason: String
  public init(field: String?, reason: String) {
    self.field = field
    self.reason = reason
  }
  public var description: String { field.map { "\($0): \(reason)" } ?? reason }
}

/// Appends JSON pieces to a byte buffer: literal text, escaped strings, counters as strings.
struct MessageWriter {
  var out: [UInt8]
  private static let json = JSONWriter(style: .compact, asciiOnly: false)

  mutating func raw(_ text: StaticString) {
    text.withUTF8Buffer { out.append(contentsOf: $0) }
  }

  mutating func string(_ s: String) { Self.json.writeString(s, to: &out) }

  /// Names and values as a JSON object of strings, in their order (`customParameters`).
  mutating func strings(_ values: [NamedValue]) {
    raw("{")
    for (i, value) in values.enumerated() {
      if i > 0 { raw(",") }
      string(value.name)
      raw(":")
      string(value.value)
    }
    raw("}")
  }

  /// `s` as a JSON string, quotes included.
  static func escaped(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    json.writeString(s, to: &out)
    return out
  }

  /// A counter as Twilio writes it: a JSON string of decimal digits.
  mutating func counter(_ n: Int) {
    out.append(UInt8(ascii: "\""))
    out.append(contentsOf: String(n).utf8)
    out.append(UInt8(ascii: "\""))
  }
}

extension TwilioMessage {
  fileprivate typealias Writer = MessageWriter
}
