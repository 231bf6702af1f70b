/// XML 1.0's Char production (§2.2): `#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
/// [#x10000-#x10FFFF]`. Anything else — NUL and the other C0 controls, U+FFFE, U+FFFF — cannot
/// appear in a well-formed document at all, not even as a character reference.
///
/// twilio-python writes such characters raw (ElementTree does not check), producing a document
/// Twilio rejects with 12100; twvoice refuses them instead, naming the argument that held them.
public enum XMLCharacters {
  /// Whether `value` is an XML 1.0 character.
  public static func isAllowed(_ value: UInt32) -> Bool {
    switch value {
    case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
    default: false
    }
  }

  /// The first scalar of `text` that XML cannot carry, if any.
  public static func firstForbidden(in text: String) -> Unicode.Scalar? {
    // Fast path: every byte ≥ 0x20 other than the U+FFFE/U+FFFF lead (0xEF) is fine.
    guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0xEF }) else { return nil }
    return text.unicodeScalars.first { !isAllowed($0.value) }
  }

  /// `U+0001`.
  public static func name(_ scalar: Unicode.Scalar) -> String {
    let hex = String(scalar.value, radix: 16, uppercase: true)
    return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
  }

  /// What is wrong with `text` for XML, or nil.
  public static func problem(in text: String) -> String? {
    firstForbidden(in: text).map { "contains \(name($0)), which XML 1.0 cannot carry" }
  }
}

extension TwiMLElement {
  /// A character in the tree that XML cannot carry, and where: `Response/Say` and `text`, or
  /// the attribute's name.
  public struct UnrepresentableCharacter: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    /// `text`, or the attribute's name.
    public var field: String
    public var scalar: Unicode.Scalar
    public var description: String {
      "\(path): \(field == "text" ? "text" : "attribute \(field)") contains \(XMLCharacters.name(scalar)), which XML 1.0 cannot carry"
    }
  }

  /// Throws for the first name, attribute or text (in document order) holding a character XML
  /// cannot carry: the serializer's output is then well-formed.
  public func checkXMLCharacters(path: String = "") throws(UnrepresentableCharacter) {
    let here = path.isEmpty ? name : path + "/" + name
    if let c = XMLCharacters.firstForbidden(in: name) {
      throw UnrepresentableCharacter(path: here, field: "name", scalar: c)
    }
    for (attribute, value) in attributes {
      if let c = XMLCharacters.firstForbidden(in: attribute) ?? XMLCharacters.firstForbidden(in: value) {
        throw UnrepresentableCharacter(path: here, field: attribute, scalar: c)
      }
    }
    for child in children {
      switch child {
      case .text(let text):
        if let c = XMLCharacters.firstForbidden(in: text) {
          throw UnrepresentableCharacter(path: here, field: "text", scalar: c)
        }
      case .element(let element): try element.checkXMLCharacters(path: here)
      }
    }
  }
}
