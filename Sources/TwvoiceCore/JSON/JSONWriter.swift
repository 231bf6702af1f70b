/// Serialises `JSONValue` byte for byte as Python's `json.dumps` does.
///
/// Two styles matter: twilio-python tokens go through PyJWT, which calls
/// `json.dumps(obj, separators=(",", ":"))` with `ensure_ascii=True` (DEL and non-ASCII as `\uXXXX`,
/// lower-case hex, surrogate pairs beyond the BMP; `/` never escaped); the seed's server returns
/// JSON through its web framework, which we follow with `.python` separators `", "`/`": "`.
public struct JSONWriter: Sendable {
  /// Separators between members and between a key and its value.
  public enum Style: Sendable {
    /// `{"a":1,"b":2}`: PyJWT's and every compact emitter's.
    case compact
    /// `{"a": 1, "b": 2}`: `json.dumps` defaults.
    case python
    /// Indented by two spaces per level, for people.
    case pretty
  }

  public var style: Style
  /// Escape every character beyond ASCII as `\uXXXX` (Python's `ensure_ascii=True`).
  public var asciiOnly: Bool

  public init(style: Style = .compact, asciiOnly: Bool = true) {
    self.style = style
    self.asciiOnly = asciiOnly
  }

  /// The JSON text of `value`.
  public func string(_ value: JSONValue) -> String {
    String(decoding: bytes(value), as: UTF8.self)
  }

  /// The JSON text of `value` as UTF-8 bytes.
  public func bytes(_ value: JSONValue) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(256)
    write(value, to: &out, depth: 0)
    return out
  }

  /// Appends the JSON text of `value` to `out` as UTF-8.
  public func write(_ value: JSONValue, to out: inout [UInt8], depth: Int = 0) {
    switch value {
    case .null: out += Self.null
    case .bool(let b): out += b ? Self.true : Self.false
    case .number(let text): out += text.utf8
    case .string(let s): writeString(s, to: &out)
    case .array(let items):
      if items.isEmpty {
        out += [UInt8(ascii: "["), UInt8(ascii: "]")]
        return
      }
      out.append(UInt8(ascii: "["))
      for (index, item) in items.enumerated() {
        if index > 0 { appendSeparator(&out) }
        newline(&out, depth: depth + 1)
        write(item, to: &out, depth: depth + 1)
      }
      newline(&out, depth: depth)
      out.append(UInt8(ascii: "]"))
    case .object(let members):
      if members.isEmpty {
        out += [UInt8(ascii: "{"), UInt8(ascii: "}")]
        return
      }
      out.append(UInt8(ascii: "{"))
      for (index, member) in members.enumerated() {
        if index > 0 { appendSeparator(&out) }
        newline(&out, depth: depth + 1)
        writeString(member.key, to: &out)
        out.append(UInt8(ascii: ":"))
        if style != .compact { out.append(UInt8(ascii: " ")) }
        write(member.value, to: &out, depth: depth + 1)
      }
      newline(&out, depth: depth)
      out.append(UInt8(ascii: "}"))
    }
  }

  private static let null = Array("null".utf8)
  private static let `true` = Array("true".utf8)
  private static let `false` = Array("false".utf8)

  private func appendSeparator(_ out: inout [UInt8]) {
    out.append(UInt8(ascii: ","))
    if style == .python { out.append(UInt8(ascii: " ")) }
  }

  private func newline(_ out: inout [UInt8], depth: Int) {
    guard style == .pretty else { return }
    out.append(UInt8(ascii: "\n"))
    out += repeatElement(UInt8(ascii: " "), count: 2 * depth)
  }

  private static let hexDigits = Array("0123456789abcdef".utf8)

  /// Appends `s` as a quoted JSON string with Python's escapes, as UTF-8.
  public func writeString(_ s: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    var s = s
    s.withUTF8 { utf8 in
      var index = 0
      while index < utf8.count {
        // Fast path: a run of printable ASCII other than the quote and the backslash, copied
        // in one append.
        let runStart = index
        while index < utf8.count {
          let b = utf8[index]
          guard b >= 0x20 && b < 0x7F && b != 0x22 && b != 0x5C else { break }
          index += 1
        }
        if index > runStart { out += UnsafeBufferPointer(rebasing: utf8[runStart..<index]) }
        if index == utf8.count { break }
        let byte = utf8[index]
        if byte < 0x80 {
          appendEscapedASCII(byte, to: &out)
          index += 1
          continue
        }
        // A multi-byte sequence (valid UTF-8: it came from a String).
        let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
        if !asciiOnly {
          out += UnsafeBufferPointer(rebasing: utf8[index..<index + length])
        } else {
          var scalar = UInt32(byte) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
          for k in 1..<length { scalar = scalar << 6 | UInt32(utf8[index + k] & 0x3F) }
          if scalar >= 0x10000 {
            let v = scalar - 0x10000
            appendUnicodeEscape(UInt16(0xD800 + (v >> 10)), to: &out)
            appendUnicodeEscape(UInt16(0xDC00 + (v & 0x3FF)), to: &out)
          } else {
            appendUnicodeEscape(UInt16(scalar), to: &out)
          }
        }
        index += length
      }
    }
    out.append(UInt8(ascii: "\""))
  }

  private func appendEscapedASCII(_ byte: UInt8, to out: inout [UInt8]) {
    let backslash = UInt8(ascii: "\\")
    switch byte {
    case 0x22: out += [backslash, UInt8(ascii: "\"")]
    case 0x5C: out += [backslash, backslash]
    case 0x0A: out += [backslash, UInt8(ascii: "n")]
    case 0x0D: out += [backslash, UInt8(ascii: "r")]
    case 0x09: out += [backslash, UInt8(ascii: "t")]
    case 0x08: out += [backslash, UInt8(ascii: "b")]
    case 0x0C: out += [backslash, UInt8(ascii: "f")]
    // DEL is escaped by Python's ensure_ascii, left alone without it.
    case 0x7F where !asciiOnly: out.append(byte)
    default: appendUnicodeEscape(UInt16(byte), to: &out)
    }
  }

  private func appendUnicodeEscape(_ unit: UInt16, to out: inout [UInt8]) {
    out += [
      UInt8(ascii: "\\"), UInt8(ascii: "u"),
      Self.hexDigits[Int(unit >> 12 & 0xF)], Self.hexDigits[Int(unit >> 8 & 0xF)],
      Self.hexDigits[Int(unit >> 4 & 0xF)], Self.hexDigits[Int(unit & 0xF)],
    ]
  }
}
