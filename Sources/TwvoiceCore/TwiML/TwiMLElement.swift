/// A TwiML document node: an element with attributes, text and children, or mixed content.
///
/// Children may interleave text and elements as in XML; text after an element is that element's
/// tail in ElementTree's terms, which is how twilio-python writes it.
public struct TwiMLElement: Equatable, Sendable {
  /// A child: an element, or text.
  public enum Node: Equatable, Sendable {
    case element(TwiMLElement)
    case text(String)
  }

  public var name: String
  /// Attributes by XML name, in the order given (the serializer sorts them).
  public var attributes: [(name: String, value: String)]
  public var children: [Node]

  public init(_ name: String, attributes: [(name: String, value: String)] = [], children: [Node] = []) {
    self.name = name
    self.attributes = attributes
    self.children = children
  }

  /// An element whose only content is `text` (none when empty, as twilio-python drops it).
  public init(_ name: String, attributes: [(name: String, value: String)] = [], text: String?) {
    self.init(name, attributes: attributes, children: text.map { $0.isEmpty ? [] : [.text($0)] } ?? [])
  }

  public static func == (a: TwiMLElement, b: TwiMLElement) -> Bool {
    a.name == b.name && a.children == b.children && a.attributes.count == b.attributes.count
      && zip(a.attributes, b.attributes).allSatisfy { $0.name == $1.name && $0.value == $1.value }
  }

  /// The value of an attribute, the last one when repeated.
  public subscript(attribute name: String) -> String? {
    attributes.last { $0.name == name }?.value
  }

  /// Sets an attribute, replacing an earlier value of the same name.
  public mutating func set(_ name: String, _ value: String?) {
    attributes.removeAll { $0.name == name }
    if let value { attributes.append((name, value)) }
  }

  /// Appends a child element and returns its index.
  @discardableResult
  public mutating func append(_ child: TwiMLElement) -> Int {
    children.append(.element(child))
    return children.count - 1
  }

  /// The child elements, without text.
  public var elements: [TwiMLElement] {
    children.compactMap { if case .element(let e) = $0 { e } else { nil } }
  }
}

/// Writes TwiML byte for byte as twilio-python's `str(VoiceResponse)` does.
///
/// Rules (twilio-formats.md §2.1, all checked against twilio-python 9.13 by the vectors): the XML
/// declaration then the root on one line, no trailing newline; attributes sorted by code point;
/// an element with no text and no children written `<X />`; ElementTree's escaping — text
/// `& < >`, attributes also `"` and CR, LF, TAB as `&#13; &#10; &#09;`, `'` never; UTF-8 raw.
public struct TwiMLSerializer: Sendable {
  public enum Style: Sendable {
    /// twilio-python's single line, `<X />`.
    case python
    /// twilio-java's and twilio-node's `<X/>`, otherwise the same.
    case compact
    /// Indented two spaces per level, one element per line, for people.
    case pretty
  }

  public var style: Style
  public var declaration: Bool

  public init(style: Style = .python, declaration: Bool = true) {
    self.style = style
    self.declaration = declaration
  }

  public static let xmlDeclaration = #"<?xml version="1.0" encoding="UTF-8"?>"#

  /// The document's text, refusing a tree that holds a character XML cannot carry (twilio-python
  /// would write it raw, and Twilio would reject the document with 12100).
  public func wellFormedString(_ root: TwiMLElement) throws(TwiMLElement.UnrepresentableCharacter) -> String {
    try root.checkXMLCharacters()
    return string(root)
  }

  /// The document's text, as twilio-python writes it (characters are not checked).
  public func string(_ root: TwiMLElement) -> String {
    var out = declaration ? Self.xmlDeclaration : ""
    if style == .pretty && declaration { out += "\n" }
    write(root, to: &out, depth: 0)
    if style == .pretty { out += "\n" }
    return out
  }

  private func write(_ element: TwiMLElement, to out: inout String, depth: Int) {
    let indent = style == .pretty ? String(repeating: "  ", count: depth) : ""
    out += indent + "<" + element.name
    for (name, value) in element.attributes.sorted(by: {
      $0.name.unicodeScalars.lexicographicallyPrecedes($1.name.unicodeScalars)
    }) {
      out += " " + name + "=\"" + Self.escapeAttribute(value) + "\""
    }
    if element.children.isEmpty {
      out += style == .compact ? "/>" : " />"
      return
    }
    out += ">"
    let hasElements = element.children.contains { if case .element = $0 { true } else { false } }
    let prettyBlock = style == .pretty && hasElements
    for child in element.children {
      switch child {
      case .text(let text):
        if prettyBlock {
          out += "\n" + String(repeating: "  ", count: depth + 1) + Self.escapeText(text)
        } else {
          out += Self.escapeText(text)
        }
      case .element(let e):
        if prettyBlock { out += "\n" }
        write(e, to: &out, depth: depth + 1)
      }
    }
    if prettyBlock { out += "\n" + indent }
    out += "</" + element.name + ">"
  }

  /// ElementTree's text escaping.
  public static func escapeText(_ text: String) -> String {
    guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E }) else { return text }
    var out = ""
    for c in text.unicodeScalars {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      default: out.unicodeScalars.append(c)
      }
    }
    return out
  }

  /// ElementTree's attribute escaping.
  public static func escapeAttribute(_ text: String) -> String {
    guard text.utf8.contains(where: { [0x26, 0x3C, 0x3E, 0x22, 0x0D, 0x0A, 0x09].contains($0) }) else {
      return text
    }
    var out = ""
    for c in text.unicodeScalars {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "\r": out += "&#13;"
      case "\n": out += "&#10;"
      case "\t": out += "&#09;"
      default: out.unicodeScalars.append(c)
      }
    }
    return out
  }
}
