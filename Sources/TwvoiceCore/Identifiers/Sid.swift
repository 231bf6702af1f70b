/// What kind of Twilio resource a SID names, given by its two-letter prefix.
public protocol SidKind: Sendable {
  /// The two upper-case letters every SID of this kind starts with.
  static var prefix: String { get }
  /// How people call it, e.g. "Account SID".
  static var noun: String { get }
}

/// A Twilio SID: two prefix letters and 32 hexadecimal digits (34 characters), e.g.
/// `AC0123456789abcdef0123456789abcdef`.
///
/// Twilio issues lower-case hex; upper-case digits are accepted because the API is
/// case-insensitive about them. Placeholders such as `ACxxxx…` are refused on purpose: a token
/// minted with one fails at Twilio with an error far less clear than this one.
public struct Sid<Kind: SidKind>: Hashable, Sendable, CustomStringConvertible {
  /// The SID as given.
  public let rawValue: String

  /// Checks the shape of `text`.
  public init(_ text: String) throws(SidError) {
    try Self.check(text)
    rawValue = text
  }

  public var description: String { rawValue }

  /// Throws when `text` is not shaped like a SID of this kind.
  public static func check(_ text: String) throws(SidError) {
    let utf8 = Array(text.utf8)
    let prefix = Array(Kind.prefix.utf8)
    let isHex: (UInt8) -> Bool = {
      (0x30...0x39).contains($0) || (0x61...0x66).contains($0) || (0x41...0x46).contains($0)
    }
    if utf8.count == 34, utf8.starts(with: prefix), utf8.dropFirst(2).allSatisfy(isHex) { return }
    throw SidError(noun: Kind.noun, prefix: Kind.prefix, given: text)
  }

  /// Generates a random SID of this kind, with lower-case hex as Twilio issues them.
  public static func random(using generator: inout some RandomNumberGenerator) -> Self {
    let digits = Array("0123456789abcdef")
    var text = Kind.prefix
    for _ in 0..<32 { text.append(digits[Int.random(in: 0..<16, using: &generator)]) }
    // The shape is right by construction.
    return Self(unchecked: text)
  }

  /// The SID of call `number` of a run: six hex digits of `run` (the same for every call of the
  /// run), then `number` in 26 hex digits, so the calls of one run never share a SID, however
  /// the run is split between processes.
  public static func numbered(_ number: Int, run: UInt32) -> Self {
    let head = String(run & 0xFF_FFFF, radix: 16)
    let tail = String(UInt64(max(0, number)), radix: 16)
    return Self(
      unchecked: Kind.prefix + String(repeating: "0", count: 6 - head.count) + head
        + String(repeating: "0", count: 26 - tail.count) + tail)
  }

  private init(unchecked text: String) { rawValue = text }
}

/// A value that is not shaped like the SID it should be.
public struct SidError: Error, Equatable, Sendable, CustomStringConvertible {
  public let noun: String
  public let prefix: String
  /// The rejected text. Never shown in messages, only its shape (`shape(of:)`): a secret pasted
  /// on the wrong line of a `.env` file must not end up on screen, even when it starts like a SID.
  public let given: String

  public init(noun: String, prefix: String, given: String) {
    self.noun = noun
    self.prefix = prefix
    self.given = given
  }

  public var description: String {
    "invalid \(noun): got \(Self.shape(of: given)), expected \(prefix) followed by 32 hex digits"
  }

  /// How a rejected credential value is described, the one way every message shows one: its
  /// length and at most its first two characters (enough to recognise "AC…" or "SK…"), never
  /// the value.
  public static func shape(of value: String) -> String {
    let count = value.unicodeScalars.count
    guard count > 0 else { return "an empty value" }
    guard count > 4 else { return "a \(count)-character value (not shown)" }
    let start = value.unicodeScalars.prefix(2).map {
      $0.value < 0x20 || $0.value == 0x7F || $0 == "'" ? "?" : String($0)
    }.joined()
    return "a \(count)-character value starting '\(start)' (not shown)"
  }
}

/// `AC…`: an account.
public enum AccountSidKind: SidKind {
  public static let prefix = "AC"
  public static let noun = "Account SID"
}
/// `SK…`: an API key (the issuer of an Access Token).
public enum APIKeySidKind: SidKind {
  public static let prefix = "SK"
  public static let noun = "API key SID"
}
/// `AP…`: a TwiML application.
public enum ApplicationSidKind: SidKind {
  public static let prefix = "AP"
  public static let noun = "TwiML application SID"
}
/// `CR…`: a push credential.
public enum PushCredentialSidKind: SidKind {
  public static let prefix = "CR"
  public static let noun = "push credential SID"
}
/// `CA…`: a call.
public enum CallSidKind: SidKind {
  public static let prefix = "CA"
  public static let noun = "Call SID"
}
/// `MZ…`: a media stream.
public enum StreamSidKind: SidKind {
  public static let prefix = "MZ"
  public static let noun = "Stream SID"
}
/// `RE…`: a recording.
public enum RecordingSidKind: SidKind {
  public static let prefix = "RE"
  public static let noun = "Recording SID"
}

/// A ConversationRelay session (`setup.sessionId`, the action callback's `SessionId`).
public enum RelaySessionSidKind: SidKind {
  public static let prefix = "VX"
  public static let noun = "ConversationRelay session SID"
}

public typealias AccountSid = Sid<AccountSidKind>
public typealias APIKeySid = Sid<APIKeySidKind>
public typealias ApplicationSid = Sid<ApplicationSidKind>
public typealias PushCredentialSid = Sid<PushCredentialSidKind>
public typealias CallSid = Sid<CallSidKind>
public typealias StreamSid = Sid<StreamSidKind>
public typealias RecordingSid = Sid<RecordingSidKind>
public typealias RelaySessionSid = Sid<RelaySessionSidKind>
