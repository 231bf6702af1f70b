/// A `<Stream url>` parsed the way Twilio must dial it: RFC 6455 §3's `wss://host[:port]/path`
/// (RFC 3986 syntax), or a reference relative to the webhook's URL. One parser serves
/// `twiml validate` and `twiml render`, so what one accepts the other accepts.
///
/// Refused: any scheme but `wss` (`https:`, `ws:`, `javascript:`…); an authority without a host,
/// with user information (RFC 6455 has none), with a port outside 1–65535, or with a bracketed
/// IPv6 literal that does not parse; a fragment (RFC 6455 forbids it); a query string (Twilio
/// drops it: media-streams.md §1.1, errors 31920/31922); characters a URI cannot hold.
public struct StreamURL: Equatable, Sendable {
  /// `wss` for an absolute URL, nil for a relative reference.
  public var scheme: String?
  /// The host as written (an IPv6 literal without its brackets), nil for a relative path.
  public var host: String?
  public var port: Int?
  public var path: String

  /// Why a URL is refused.
  public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
  }

  /// Parses `text`, or says what Twilio would not accept about it.
  public init(parsing text: String) throws(Problem) {
    func fail(_ message: String) -> Problem { Problem(message: "the stream URL \(message)") }
    if text.isEmpty { throw fail("is empty") }
    let bytes = Array(text.utf8)
    if let bad = bytes.first(where: { !Self.isURIByte($0) }) {
      let what =
        bad >= 0x80
        ? "a non-ASCII character (percent-encode it, or write the host in punycode)"
        : bad == 0x20 ? "a space (write %20)" : "the character \(Self.describe(bad))"
      throw fail("contains \(what)")
    }
    if bytes.contains(UInt8(ascii: "#")) {
      throw fail("has a fragment (#…), which a WebSocket URL must not have (RFC 6455)")
    }
    if bytes.contains(UInt8(ascii: "?")) {
      throw fail(
        "has a query string, which Twilio drops: pass values as <Parameter> (--param NAME=VALUE) instead")
    }
    var rest = bytes[...]
    // RFC 3986 scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
    if let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
      !bytes[..<colon].contains(UInt8(ascii: "/")), colon > 0, Self.isAlpha(bytes[0]),
      bytes[..<colon].allSatisfy({
        Self.isAlpha($0) || Self.isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-")
          || $0 == UInt8(ascii: ".")
      })
    {
      let name = String(decoding: bytes[..<colon], as: UTF8.self).lowercased()
      guard name == "wss" else {
        let written = bytes[(colon + 1)...].starts(with: "//".utf8) ? name + "://" : name + ":"
        throw fail("must start with wss:// (got \(written)); Twilio connects to secure WebSockets only")
      }
      scheme = name
      rest = bytes[(colon + 1)...]
      guard rest.starts(with: "//".utf8) else { throw fail("must be wss://host/path (no host after wss:)") }
    } else {
      scheme = nil
      if bytes.first == UInt8(ascii: ":") { throw fail("starts with ':'") }
    }
    if rest.starts(with: "//".utf8) {
      rest = rest.dropFirst(2)
      let end = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
      let authority = rest[..<end]
      rest = rest[end...]
      (host, port) = try Self.authority(authority, fail)
    } else {
      host = nil
      port = nil
    }
    try Self.checkPercentEncoding(rest, fail)
    path = String(decoding: rest, as: UTF8.self)
  }

  /// What is wrong with `text` as a stream URL, or nil.
  public static func problem(_ text: String) -> String? {
    do {
      _ = try StreamURL(parsing: text)
      return nil
    } catch { return error.message }
  }

  private static func authority(
    _ authority: ArraySlice<UInt8>, _ fail: (String) -> Problem
  ) throws(Problem) -> (String, Int?) {
    if authority.isEmpty { throw fail("has no host") }
    if authority.contains(UInt8(ascii: "@")) {
      throw fail("carries user information (user@host), which a WebSocket URL cannot have (RFC 6455)")
    }
    var hostPart = authority
    var portPart: ArraySlice<UInt8>?
    let host: String
    if authority.first == UInt8(ascii: "[") {
      guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else {
        throw fail("has an IPv6 address without its closing ']'")
      }
      let literal = authority[(authority.startIndex + 1)..<close]
      guard isIPv6(literal) else {
        throw fail("has '[\(String(decoding: literal, as: UTF8.self))]', which is not an IPv6 address")
      }
      host = String(decoding: literal, as: UTF8.self)
      let after = authority[(close + 1)...]
      if !after.isEmpty {
        guard after.first == UInt8(ascii: ":") else { throw fail("has text after the IPv6 address") }
        portPart = after.dropFirst()
      }
    } else {
      if let colon = authority.firstIndex(of: UInt8(ascii: ":")) {
        hostPart = authority[..<colon]
        portPart = authority[(colon + 1)...]
      }
      if hostPart.isEmpty { throw fail("has no host") }
      let name = String(decoding: hostPart, as: UTF8.self)
      if let problem = hostNameProblem(hostPart) { throw fail("has host '\(name)', \(problem)") }
      host = name
    }
    guard let portPart else { return (host, nil) }
    guard !portPart.isEmpty, portPart.allSatisfy(isDigit) else {
      throw fail(
        "has port '\(String(decoding: portPart, as: UTF8.self))'; a port is a number from 1 to 65535")
    }
    let digits = portPart.drop { $0 == UInt8(ascii: "0") }
    guard digits.count <= 5, let port = Int(String(decoding: digits, as: UTF8.self)),
      (1...65535).contains(port)
    else {
      throw fail(
        "has port \(String(decoding: portPart, as: UTF8.self)); a port is a number from 1 to 65535")
    }
    return (host, port)
  }

  /// A DNS name (letters, digits, hyphens and underscores in dot-separated labels of 1–63) or a
  /// dotted IPv4 address.
  private static func hostNameProblem(_ name: ArraySlice<UInt8>) -> String? {
    if name.contains(UInt8(ascii: "%")) { return "which must not be percent-encoded" }
    var labels = name.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
    if labels.count > 1, labels.last?.isEmpty == true { labels.removeLast() }  // a trailing dot
    if name.count > 254 { return "longer than a DNS name can be (253)" }
    for label in labels {
      if label.isEmpty { return "which has an empty label" }
      if label.count > 63 { return "which has a label longer than 63 characters" }
      guard
        label.allSatisfy({ isAlpha($0) || isDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
      else { return "which is not a host name" }
      if label.first == UInt8(ascii: "-") || label.last == UInt8(ascii: "-") {
        return "which has a label starting or ending with '-'"
      }
    }
    // All-numeric labels read as an IPv4 address, which must then be one.
    if labels.allSatisfy({ $0.allSatisfy(isDigit) }) && !isIPv4(name) {
      return "which is not an IPv4 address (four numbers 0–255)"
    }
    return nil
  }

  /// Four decimal numbers 0–255 without leading zeros (RFC 3986 dec-octet).
  public static func isIPv4(_ text: ArraySlice<UInt8>) -> Bool {
    let parts = text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
    return parts.count == 4
      && parts.allSatisfy { p in
        !p.isEmpty && p.count <= 3 && p.allSatisfy(isDigit) && (p.count == 1 || p.first != UInt8(ascii: "0"))
          && Int(String(decoding: p, as: UTF8.self))! <= 255
      }
  }

  /// RFC 4291 §2.2 text forms: eight groups of 1–4 hex digits, one `::` for a run of zeros, an
  /// IPv4 address as the last 32 bits. Zone identifiers are not accepted.
  public static func isIPv6(_ text: ArraySlice<UInt8>) -> Bool {
    if text.isEmpty { return false }
    let s = Array(text)
    var groups = 0
    var sawDoubleColon = false
    var i = 0
    if s.starts(with: "::".utf8) {
      sawDoubleColon = true
      i = 2
      if i == s.count { return true }
    } else if s.first == UInt8(ascii: ":") {
      return false
    }
    while i < s.count {
      var j = i
      while j < s.count, isHex(s[j]) { j += 1 }
      if j < s.count, s[j] == UInt8(ascii: ".") {
        // An embedded IPv4 address ends the text and counts as two groups.
        guard isIPv4(s[i...]) else { return false }
        groups += 2
        i = s.count
        break
      }
      guard j > i, j - i <= 4 else { return false }
      groups += 1
      i = j
      if i == s.count { break }
      guard s[i] == UInt8(ascii: ":") else { return false }
      if i + 1 < s.count, s[i + 1] == UInt8(ascii: ":") {
        if sawDoubleColon { return false }
        sawDoubleColon = true
        i += 2
        if i == s.count { break }
      } else {
        i += 1
        if i == s.count { return false }  // a trailing single ':'
      }
    }
    return sawDoubleColon ? groups <= 7 : groups == 8
  }

  private static func checkPercentEncoding(_ text: ArraySlice<UInt8>, _ fail: (String) -> Problem)
    throws(Problem)
  {
    var i = text.startIndex
    while i < text.endIndex {
      if text[i] == UInt8(ascii: "%") {
        guard i + 2 < text.endIndex, isHex(text[i + 1]), isHex(text[i + 2]) else {
          throw fail("has a '%' that does not start a %XX escape")
        }
        i += 3
      } else if text[i] == UInt8(ascii: "[") || text[i] == UInt8(ascii: "]") {
        throw fail("has '\(String(UnicodeScalar(text[i])))' outside an IPv6 host")
      } else {
        i += 1
      }
    }
  }

  /// unreserved, reserved and '%' (RFC 3986 §2).
  private static func isURIByte(_ c: UInt8) -> Bool {
    if isAlpha(c) || isDigit(c) { return true }
    return Array("-._~:/?#[]@!$&'()*+,;=%".utf8).contains(c)
  }
  private static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
  private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
  private static func isHex(_ c: UInt8) -> Bool { isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) }
  private static func describe(_ c: UInt8) -> String {
    c >= 0x21 && c < 0x7F ? "'\(String(UnicodeScalar(c)))'" : "U+" + String(format4(c))
  }
  private static func format4(_ c: UInt8) -> String {
    let hex = String(c, radix: 16, uppercase: true)
    return String(repeating: "0", count: 4 - hex.count) + hex
  }
}
