/// A strict XML 1.0 reader for TwiML documents, keeping each element's line and column.
///
/// Why not Foundation's XMLParser: linking FoundationXML grows the binary from 27 MB to 78 MB,
/// adds libxml2 and ICU as run-time libraries, and slowed every command's start-up (`token mint`
/// 5.3 ms → 7.3 ms, Benchmarks/README.md). TwiML needs the well-formedness part of XML only:
/// elements, attributes, character and entity references, comments, CDATA, processing
/// instructions and the XML declaration. A DOCTYPE is refused (Twilio's parser does not need
/// one, and entity declarations are how XML bombs work).
public enum TwiMLParser {
  /// A parsed element with where it starts (1-based line and column of its `<`).
  public struct Located: Sendable {
    public var element: TwiMLElement
    public var line: Int
    public var column: Int
    /// Located child elements, in order (text children are in `element`).
    public var children: [Located]
  }

  /// A document that is not well-formed XML.
  public struct SyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String
    public var description: String { "\(line):\(column): \(message)" }
  }

  /// Deepest element nesting accepted.
  public static let maximumDepth = 256

  /// Parses UTF-8 `bytes` into a located tree.
  /// Columns count characters (Unicode scalars), not bytes. The first error in document order
  /// wins: a syntax error, or a byte sequence that is not UTF-8, or a character outside XML's
  /// Char production (NUL and the other C0 controls but tab, newline and return; U+FFFE, U+FFFF).
  public static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> Located {
    let badCharacter = firstBadCharacter(bytes)
    var reader = Reader(bytes)
    let root: Located
    do { root = try reader.document() } catch {
      if let badCharacter, badCharacter.offset < reader.errorOffset {
        throw locate(badCharacter, in: bytes)
      }
      throw error
    }
    if let badCharacter { throw locate(badCharacter, in: bytes) }
    return root
  }

  /// Where the text stops being UTF-8 or XML characters, and why.
  private static func firstBadCharacter(_ b: [UInt8]) -> (offset: Int, message: String)? {
    var i = 0
    let n = b.count
    while i < n {
      let c = b[i]
      if c < 0x80 {
        if c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D {
          return (i, "control character \(XMLCharacters.name(Unicode.Scalar(c))) is not allowed in XML")
        }
        i += 1
        continue
      }
      // RFC 3629's table of well-formed sequences.
      let length: Int
      var low: UInt8 = 0x80
      var high: UInt8 = 0xBF
      switch c {
      case 0xC2...0xDF: length = 2
      case 0xE0:
        length = 3
        low = 0xA0
      case 0xE1...0xEC, 0xEE...0xEF: length = 3
      case 0xED:
        length = 3
        high = 0x9F
      case 0xF0:
        length = 4
        low = 0x90
      case 0xF1...0xF3: length = 4
      case 0xF4:
        length = 4
        high = 0x8F
      default:
        return (i, "invalid UTF-8 (byte 0x\(String(c, radix: 16, uppercase: true)))")
      }
      for k in 1..<length {
        guard i + k < n, b[i + k] >= (k == 1 ? low : 0x80), b[i + k] <= (k == 1 ? high : 0xBF) else {
          return (
            i,
            "invalid UTF-8 (byte 0x\(String(c, radix: 16, uppercase: true)) starts a truncated or malformed sequence)"
          )
        }
      }
      if c == 0xEF && b[i + 1] == 0xBF && (b[i + 2] == 0xBE || b[i + 2] == 0xBF) {
        return (i, "U+FFF\(b[i + 2] == 0xBE ? "E" : "F") is not a character XML allows")
      }
      i += length
    }
    return nil
  }

  /// Whether a line ends at `b[i]`: an LF, or a CR without an LF after it (XML 1.0 §2.11 reads
  /// CRLF and a lone CR as one line end each).
  static func isLineEnd(_ b: [UInt8], _ i: Int) -> Bool {
    b[i] == 0x0A || (b[i] == 0x0D && (i + 1 >= b.count || b[i + 1] != 0x0A))
  }

  private static func locate(_ bad: (offset: Int, message: String), in b: [UInt8]) -> SyntaxError {
    var line = 1
    var column = 1
    var i = b.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    while i < bad.offset {
      if isLineEnd(b, i) {
        line += 1
        column = 1
      } else if b[i] & 0xC0 != 0x80 {
        column += 1
      }
      i += 1
    }
    return SyntaxError(line: line, column: column, message: bad.message)
  }

  private struct Reader {
    let b: [UInt8]
    var i = 0
    var line = 1
    var lineStart = 0
    /// UTF-8 continuation bytes since `lineStart`, so that columns count characters.
    var continuations = 0
    /// Where the error thrown last was found (the end of the document when none was).
    var errorOffset: Int { i }

    init(_ bytes: [UInt8]) {
      b = bytes
      // A UTF-8 byte-order mark.
      if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
        i = 3
        lineStart = 3
      }
    }

    var column: Int { i - lineStart - continuations + 1 }

    func error(_ message: String) -> SyntaxError { SyntaxError(line: line, column: column, message: message) }

    var atEnd: Bool { i >= b.count }
    func peek(_ offset: Int = 0) -> UInt8? { i + offset < b.count ? b[i + offset] : nil }
    func starts(_ text: StaticString) -> Bool {
      text.withUTF8Buffer { t in i + t.count <= b.count && (0..<t.count).allSatisfy { b[i + $0] == t[$0] } }
    }

    mutating func advance(_ n: Int = 1) {
      for _ in 0..<n where i < b.count {
        if TwiMLParser.isLineEnd(b, i) {
          line += 1
          lineStart = i + 1
          continuations = 0
        } else if b[i] & 0xC0 == 0x80 {
          continuations += 1
        }
        i += 1
      }
    }

    mutating func skipSpace() {
      while let c = peek(), c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { advance() }
    }

    mutating func expect(_ text: StaticString, _ what: String) throws(SyntaxError) {
      guard starts(text) else { throw error("expected \(what)") }
      advance(text.utf8CodeUnitCount)
    }

    static func isNameStart(_ c: UInt8) -> Bool {
      (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x3A || c >= 0x80
    }
    static func isName(_ c: UInt8) -> Bool {
      isNameStart(c) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2E
    }

    mutating func name() throws(SyntaxError) -> String {
      guard let c = peek(), Self.isNameStart(c) else {
        throw error(
          peek().map { "unexpected '\(printable($0))' where a name should start" }
            ?? "unexpected end of document")
      }
      let start = i
      while let c = peek(), Self.isName(c) { advance() }
      return String(decoding: b[start..<i], as: UTF8.self)
    }

    func printable(_ c: UInt8) -> String {
      c >= 0x21 && c < 0x7F ? String(UnicodeScalar(c)) : "\\x" + String(c, radix: 16)
    }

    /// Everything around the root: declaration, comments, processing instructions, whitespace.
    mutating func misc(allowDeclaration: Bool) throws(SyntaxError) {
      var first = allowDeclaration
      while true {
        if first && starts("<?xml")
          && (peek(5).map { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D } ?? false)
        {
          try processingInstruction()
        } else {
          skipSpace()
          if starts("<!--") {
            try comment()
          } else if starts("<?") {
            if starts("<?xml") && (peek(5).map { !Self.isName($0) } ?? true) {
              throw error("the XML declaration must come first in the document")
            }
            try processingInstruction()
          } else if starts("<!DOCTYPE") {
            throw error("a DOCTYPE is not allowed in TwiML")
          } else {
            return
          }
        }
        first = false
      }
    }

    mutating func document() throws(SyntaxError) -> Located {
      try misc(allowDeclaration: true)
      guard !atEnd else { throw error("no root element: the document is empty") }
      guard peek() == UInt8(ascii: "<") else { throw error("text before the root element") }
      let root = try element(depth: 0)
      try misc(allowDeclaration: false)
      if !atEnd {
        throw error(
          peek() == UInt8(ascii: "<")
            ? "a second root element: a document has exactly one" : "text after the root element")
      }
      return root
    }

    mutating func comment() throws(SyntaxError) {
      advance(4)
      while !atEnd {
        if starts("--") {
          guard starts("-->") else { throw error("'--' is not allowed inside a comment") }
          advance(3)
          return
        }
        advance()
      }
      throw error("unterminated comment")
    }

    mutating func processingInstruction() throws(SyntaxError) {
      advance(2)
      _ = try name()
      while !atEnd {
        if starts("?>") {
          advance(2)
          return
        }
        advance()
      }
      throw error("unterminated processing instruction")
    }

    mutating func reference(into out: inout [UInt8]) throws(SyntaxError) {
      let startLine = line
      let startColumn = column
      advance()  // &
      let start = i
      while let c = peek(), c != UInt8(ascii: ";") {
        guard i - start < 12, c != UInt8(ascii: "<"), c != UInt8(ascii: "&"), c > 0x20 else {
          throw SyntaxError(
            line: startLine, column: startColumn, message: "'&' must start a reference such as &amp;")
        }
        advance()
      }
      guard !atEnd else {
        throw SyntaxError(line: startLine, column: startColumn, message: "unterminated reference")
      }
      let body = String(decoding: b[start..<i], as: UTF8.self)
      advance()  // ;
      switch body {
      case "amp": out.append(0x26)
      case "lt": out.append(0x3C)
      case "gt": out.append(0x3E)
      case "quot": out.append(0x22)
      case "apos": out.append(0x27)
      default:
        var value: UInt32?
        if body.hasPrefix("#x") {
          value = UInt32(body.dropFirst(2), radix: 16)
        } else if body.hasPrefix("#") {
          value = UInt32(body.dropFirst(), radix: 10)
        } else {
          throw SyntaxError(line: startLine, column: startColumn, message: "unknown entity &\(body);")
        }
        guard let value, let scalar = UnicodeScalar(value) else {
          throw SyntaxError(
            line: startLine, column: startColumn, message: "invalid character reference &\(body);")
        }
        guard XMLCharacters.isAllowed(value) else {
          throw SyntaxError(
            line: startLine, column: startColumn,
            message:
              "character reference &\(body); is \(XMLCharacters.name(scalar)), which XML does not allow")
        }
        out += Array(String(scalar).utf8)
      }
    }

    mutating func element(depth: Int) throws(SyntaxError) -> Located {
      guard depth < TwiMLParser.maximumDepth else {
        throw error("elements nested deeper than \(TwiMLParser.maximumDepth)")
      }
      let startLine = line
      let startColumn = column
      advance()  // <
      let tag = try name()
      var element = TwiMLElement(tag)
      var seen: Set<String> = []
      while true {
        let hadSpace = peek().map { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D } ?? false
        skipSpace()
        guard let c = peek() else { throw error("unterminated start tag <\(tag)>") }
        if c == UInt8(ascii: "/") {
          try expect("/>", "'/>'")
          return Located(element: element, line: startLine, column: startColumn, children: [])
        }
        if c == UInt8(ascii: ">") {
          advance()
          break
        }
        guard hadSpace else { throw error("expected whitespace between attributes") }
        let attributeLine = line
        let attributeColumn = column
        let attribute = try name()
        skipSpace()
        try expect("=", "'=' after attribute \(attribute)")
        skipSpace()
        guard let quote = peek(), quote == 0x22 || quote == 0x27 else {
          throw error("the value of \(attribute) must be in quotes")
        }
        advance()
        var value: [UInt8] = []
        while true {
          guard let v = peek() else { throw error("unterminated value of attribute \(attribute)") }
          if v == quote {
            advance()
            break
          }
          if v == UInt8(ascii: "<") { throw error("'<' is not allowed in an attribute value (write &lt;)") }
          if v == UInt8(ascii: "&") {
            try reference(into: &value)
            continue
          }
          // Attribute-value normalisation: whitespace characters become spaces.
          value.append(v == 0x09 || v == 0x0A || v == 0x0D ? 0x20 : v)
          advance()
        }
        guard seen.insert(attribute).inserted else {
          throw SyntaxError(
            line: attributeLine, column: attributeColumn,
            message: "attribute \(attribute) appears twice in <\(tag)>")
        }
        guard let text = String(validating: value, as: UTF8.self) else {
          throw error("attribute \(attribute) is not valid UTF-8")
        }
        element.attributes.append((attribute, text))
      }
      var located: [Located] = []
      var text: [UInt8] = []
      func flush(_ element: inout TwiMLElement, _ text: inout [UInt8]) {
        if !text.isEmpty {
          element.children.append(.text(String(decoding: text, as: UTF8.self)))
          text = []
        }
      }
      while true {
        guard let c = peek() else { throw error("<\(tag)> (line \(startLine)) is never closed") }
        if c == UInt8(ascii: "<") {
          if starts("</") {
            flush(&element, &text)
            let closeLine = line
            let closeColumn = column
            advance(2)
            let closing = try name()
            guard closing == tag else {
              throw SyntaxError(
                line: closeLine, column: closeColumn,
                message: "</\(closing)> closes <\(tag)> opened at line \(startLine), column \(startColumn)")
            }
            skipSpace()
            try expect(">", "'>'")
            return Located(element: element, line: startLine, column: startColumn, children: located)
          } else if starts("<!--") {
            try comment()
          } else if starts("<![CDATA[") {
            advance(9)
            while !starts("]]>") {
              guard let d = peek() else { throw error("unterminated CDATA section") }
              text.append(d)
              advance()
            }
            advance(3)
          } else if starts("<?") {
            try processingInstruction()
          } else {
            flush(&element, &text)
            let child = try self.element(depth: depth + 1)
            element.children.append(.element(child.element))
            located.append(child)
          }
        } else if c == UInt8(ascii: "&") {
          try reference(into: &text)
        } else {
          if starts("]]>") { throw error("']]>' is not allowed in text") }
          text.append(c)
          advance()
        }
      }
    }
  }
}
