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
    var out = ""
    write(value, to: &out, depth: 0)
    return out
  }

  /// Appends the JSON text of `value` to `out`.
  public func write(_ value: JSONValue, to out: inout String, depth: Int = 0) {
    switch value {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .number(let text): out += text
    case .string(let s): writeString(s, to: &out)
    case .array(let items):
      if items.isEmpty {
        out += "[]"
        return
      }
      out += "["
      for (index, item) in items.enumerated() {
        if index > 0 { out += separator }
        newline(&out, depth: depth + 1)
        write(item, to: &out, depth: depth + 1)
      }
      newline(&out, depth: depth)
      out += "]"
    case .object(let members):
      if members.isEmpty {
        out += "{}"
        return
      }
      out += "{"
      for (index, member) in members.enumerated() {
        if index > 0 { out += separator }
        newline(&out, depth: depth + 1)
        writeString(member.key, to: &out)
        out += style == .compact ? ":" : ": "
        write(member.value, to: &out, depth: depth + 1)
      }
      newline(&out, depth: depth)
      out += "}"
    }
  }

  private var separator: String { style == .python ? ", " : "," }

  private func newline(_ out: inout String, depth: Int) {
    guard style == .pretty else { return }
    out += "\n"
    out += String(repeating: "  ", count: depth)
  }

  private static let hexDigits = Array("0123456789abcdef".utf8)

  /// Appends `s` as a quoted JSON string with Python's escapes.
  public func writeString(_ s: String, to out: inout String) {
    var bytes = [UInt8]()
    bytes.reserveCapacity(s.utf8.count + 2)
    bytes.append(UInt8(ascii: "\""))
    func unicodeEscape(_ unit: UInt16) {
      bytes.append(UInt8(ascii: "\\"))
      bytes.append(UInt8(ascii: "u"))
      for shift in stride(from: 12, through: 0, by: -4) {
        bytes.append(Self.hexDigits[Int(unit >> UInt16(shift) & 0xF)])
      }
    }
    for scalar in s.unicodeScalars {
      switch scalar.value {
      case 0x22: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
      case 0x5C: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
      case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
      case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
      case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
      case 0x08: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
      case 0x0C: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
      case 0..<0x20: unicodeEscape(UInt16(scalar.value))
      case 0x20..<0x7F: bytes.append(UInt8(scalar.value))
      case 0x7F where asciiOnly: unicodeEscape(0x7F)  // Python's ensure_ascii escapes DEL too
      default:
        if asciiOnly {
          for unit in String(scalar).utf16 { unicodeEscape(unit) }
        } else {
          bytes += Array(String(scalar).utf8)
        }
      }
    }
    bytes.append(UInt8(ascii: "\""))
    out += String(decoding: bytes, as: UTF8.self)
  }
}
