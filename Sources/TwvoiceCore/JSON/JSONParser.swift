/// A strict RFC 8259 parser producing `JSONValue`, with positions in its errors.
///
/// Used wherever input JSON is untrusted (token parts, capture lines, JSON TwiML trees) and a
/// user needs to be told where it is wrong. Nesting deeper than `maximumDepth` is refused rather
/// than overflowing the stack.
public struct JSONParser {
  /// Why a text is not JSON, and where (a byte offset into the input).
  public struct Error: Swift.Error, Equatable, Sendable, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public var description: String { "\(reason) at byte \(offset + 1)" }
    public init(offset: Int, reason: String) {
      self.offset = offset
      self.reason = reason
    }
  }

  /// Deepest nesting of arrays and objects accepted.
  public static let maximumDepth = 512

  private let bytes: [UInt8]
  private var index = 0
  private var depth = 0

  private init(_ bytes: [UInt8]) { self.bytes = bytes }

  /// Parses one JSON value that must fill `text` (surrounding whitespace allowed).
  public static func parse(_ text: String) throws(Error) -> JSONValue {
    try parse(bytes: Array(text.utf8))
  }

  /// Parses one JSON value from UTF-8 bytes.
  public static func parse(bytes: [UInt8]) throws(Error) -> JSONValue {
    var parser = JSONParser(bytes)
    parser.skipWhitespace()
    let value = try parser.parseValue()
    parser.skipWhitespace()
    if parser.index != parser.bytes.count {
      throw parser.error("unexpected text after the JSON value")
    }
    return value
  }

  private func error(_ reason: String) -> Error { Error(offset: index, reason: reason) }

  private mutating func skipWhitespace() {
    while index < bytes.count {
      switch bytes[index] {
      case 0x20, 0x09, 0x0A, 0x0D: index += 1
      default: return
      }
    }
  }

  private mutating func parseValue() throws(Error) -> JSONValue {
    guard index < bytes.count else { throw error("unexpected end of JSON") }
    switch bytes[index] {
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"):
      try expectLiteral("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expectLiteral("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expectLiteral("null")
      return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
    default: throw error("unexpected character '\(printable(bytes[index]))'")
    }
  }

  private func printable(_ byte: UInt8) -> String {
    (0x21..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + hex2(byte)
  }

  private func hex2(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
  }

  private mutating func expectLiteral(_ literal: StaticString) throws(Error) {
    let count = literal.utf8CodeUnitCount
    let matches = literal.withUTF8Buffer { lit in
      index + count <= bytes.count && (0..<count).allSatisfy { bytes[index + $0] == lit[$0] }
    }
    guard matches else { throw error("invalid literal") }
    index += count
  }

  private mutating func enter() throws(Error) {
    depth += 1
    if depth > Self.maximumDepth { throw error("nesting deeper than \(Self.maximumDepth) levels") }
  }

  private mutating func parseObject() throws(Error) -> JSONValue {
    try enter()
    index += 1
    var members: [(key: String, value: JSONValue)] = []
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
      index += 1
      depth -= 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
        throw error("expected a member name in double quotes")
      }
      let key = try parseString()
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
        throw error("expected ':' after member name")
      }
      index += 1
      skipWhitespace()
      let value = try parseValue()
      members.append((key, value))
      skipWhitespace()
      guard index < bytes.count else { throw error("unterminated object") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      if bytes[index] == UInt8(ascii: "}") {
        index += 1
        depth -= 1
        return .object(members)
      }
      throw error("expected ',' or '}' in object")
    }
  }

  private mutating func parseArray() throws(Error) -> JSONValue {
    try enter()
    index += 1
    var items: [JSONValue] = []
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
      index += 1
      depth -= 1
      return .array(items)
    }
    while true {
      skipWhitespace()
      items.append(try parseValue())
      skipWhitespace()
      guard index < bytes.count else { throw error("unterminated array") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      if bytes[index] == UInt8(ascii: "]") {
        index += 1
        depth -= 1
        return .array(items)
      }
      throw error("expected ',' or ']' in array")
    }
  }

  private mutating func parseNumber() throws(Error) -> JSONValue {
    let start = index
    func digits() -> Int {
      let from = index
      while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
        index += 1
      }
      return index - from
    }
    if bytes[index] == UInt8(ascii: "-") { index += 1 }
    guard index < bytes.count else { throw error("invalid number") }
    if bytes[index] == UInt8(ascii: "0") {
      index += 1
    } else if digits() == 0 {
      throw error("invalid number")
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      index += 1
      if digits() == 0 { throw error("invalid number: digits expected after '.'") }
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
      index += 1
      if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
        index += 1
      }
      if digits() == 0 { throw error("invalid number: digits expected in exponent") }
    }
    return .number(String(decoding: bytes[start..<index], as: UTF8.self))
  }

  private mutating func parseHex4() throws(Error) -> UInt16 {
    guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
    var value: UInt16 = 0
    for _ in 0..<4 {
      let b = bytes[index]
      let digit: UInt8
      switch b {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
      default: throw error("invalid \\u escape")
      }
      value = value << 4 | UInt16(digit)
      index += 1
    }
    return value
  }

  private mutating func parseString() throws(Error) -> String {
    index += 1  // opening quote
    let start = index
    // Fast path: no escapes.
    while index < bytes.count {
      let b = bytes[index]
      if b == UInt8(ascii: "\"") {
        let s = try validatedUTF8(bytes[start..<index], at: start)
        index += 1
        return s
      }
      if b == UInt8(ascii: "\\") { break }
      if b < 0x20 { throw error("control character in string") }
      index += 1
    }
    var out = Array(bytes[start..<index])
    while index < bytes.count {
      let b = bytes[index]
      if b == UInt8(ascii: "\"") {
        index += 1
        return try validatedUTF8(out[...], at: start)
      }
      if b < 0x20 { throw error("control character in string") }
      if b != UInt8(ascii: "\\") {
        out.append(b)
        index += 1
        continue
      }
      index += 1
      guard index < bytes.count else { break }
      let escape = bytes[index]
      index += 1
      switch escape {
      case UInt8(ascii: "\""): out.append(0x22)
      case UInt8(ascii: "\\"): out.append(0x5C)
      case UInt8(ascii: "/"): out.append(0x2F)
      case UInt8(ascii: "b"): out.append(0x08)
      case UInt8(ascii: "f"): out.append(0x0C)
      case UInt8(ascii: "n"): out.append(0x0A)
      case UInt8(ascii: "r"): out.append(0x0D)
      case UInt8(ascii: "t"): out.append(0x09)
      case UInt8(ascii: "u"):
        var scalar = UInt32(try parseHex4())
        if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count,
          bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
        {
          let save = index
          index += 2
          let low = UInt32(try parseHex4())
          if (0xDC00..<0xE000).contains(low) {
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          } else {
            index = save
          }
        }
        // A lone surrogate cannot live in a Swift String; it becomes U+FFFD.
        let unicode = UnicodeScalar(scalar) ?? "\u{FFFD}"
        out += Array(String(unicode).utf8)
      default:
        index -= 1
        throw error("invalid escape '\\\(printable(escape))'")
      }
    }
    throw error("unterminated string")
  }

  private func validatedUTF8(_ slice: ArraySlice<UInt8>, at offset: Int) throws(Error) -> String {
    guard let s = String(validating: slice, as: UTF8.self) else {
      throw Error(offset: offset, reason: "string is not valid UTF-8")
    }
    return s
  }
}
