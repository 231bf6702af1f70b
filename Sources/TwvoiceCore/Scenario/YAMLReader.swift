/// YAML (1.2) as scenario files are written, read into a `ScenarioNode` tree with each node's line.
///
/// Block mappings and sequences (a sequence may sit at its key's indentation), flow `[…]` and
/// `{…}` over several lines, plain scalars (folded over lines), single- and double-quoted scalars
/// with every escape, literal `|` and folded `>` block scalars with chomping and indentation
/// indicators, comments, `---`/`...` around one document, directives, anchors and aliases. Tags
/// are read and ignored: every scalar is its text, as written, and the scenario decides what it
/// means. Complex keys (`? …`) and a document stream of more than one document are refused.
///
/// Hostile files are bounded: `maximumNodes` counts every value an alias expands to (a file of
/// nested aliases cannot grow into a billion nodes) and collections nest at most `maximumDepth`.
public enum YAMLReader {
  public struct Problem: Error, Equatable, Sendable {
    public enum Kind: Sendable, Equatable {
      /// Not YAML (the line and column are where reading stopped).
      case syntax
      /// Valid YAML that a scenario tree cannot hold: a key given twice, a key that is not text,
      /// an alias to no anchor, too many values or too deep.
      case content
    }
    public var kind: Kind
    public var line: Int
    public var column: Int
    public var message: String

    /// One line naming the file: `s.yaml:2:1: not valid YAML: …` or `s.yaml:3: steps: given twice`.
    public func describe(file: String) -> String {
      switch kind {
      case .syntax: "\(file):\(line):\(column): not valid YAML: \(message)"
      case .content: "\(file):\(line): \(message)"
      }
    }
  }

  public static let defaultMaximumNodes = 100_000
  /// Scenario files nest five or six levels; each level of a hostile file costs a few stack frames.
  public static let defaultMaximumDepth = 64

  /// The document in `text`, or nil when it has none (empty, or only comments).
  public static func read(
    _ text: String, maximumNodes: Int = defaultMaximumNodes, maximumDepth: Int = defaultMaximumDepth
  ) throws(Problem) -> ScenarioNode? {
    var reader = Reader(text: text, maximumNodes: maximumNodes, maximumDepth: maximumDepth)
    return try reader.document()
  }
}

private let space: UInt8 = 0x20
private let tab: UInt8 = 0x09
private let newline: UInt8 = 0x0A

private struct Reader {
  var bytes: [UInt8]
  var position = 0
  /// 1-based line of `position`, and the index where that line starts.
  var line = 1
  var lineStart = 0
  var anchors: [String: (node: ScenarioNode, size: Int)] = [:]
  var nodes = 0
  let maximumNodes: Int
  var depth = 0
  let maximumDepth: Int

  init(text: String, maximumNodes: Int, maximumDepth: Int) {
    // Line breaks as "\n" (CR LF and a lone CR are breaks too), without a byte order mark.
    var utf8 = Array(text.utf8)
    if utf8.starts(with: [0xEF, 0xBB, 0xBF]) { utf8.removeFirst(3) }
    if utf8.contains(0x0D) {
      var normalized: [UInt8] = []
      normalized.reserveCapacity(utf8.count)
      var index = 0
      while index < utf8.count {
        if utf8[index] == 0x0D {
          normalized.append(newline)
          if index + 1 < utf8.count, utf8[index + 1] == newline { index += 1 }
        } else {
          normalized.append(utf8[index])
        }
        index += 1
      }
      utf8 = normalized
    }
    bytes = utf8
    self.maximumNodes = maximumNodes
    self.maximumDepth = maximumDepth
  }

  // MARK: Position

  var column: Int { position - lineStart }
  var atEnd: Bool { position >= bytes.count }

  func byte(_ offset: Int = 0) -> UInt8? {
    let index = position + offset
    return index < bytes.count ? bytes[index] : nil
  }

  /// Whether the byte at `offset` is a space, tab, line break or the end.
  func blank(_ offset: Int = 0) -> Bool {
    guard let value = byte(offset) else { return true }
    return value == space || value == tab || value == newline
  }

  /// Whether the byte at the cursor is this ASCII character.
  func at(_ character: Unicode.Scalar) -> Bool { byte() == UInt8(truncatingIfNeeded: character.value) }

  mutating func advance(_ count: Int = 1) {
    for _ in 0..<count where position < bytes.count {
      if bytes[position] == newline {
        line += 1
        lineStart = position + 1
      }
      position += 1
    }
  }

  mutating func skipSpaces() {
    while let value = byte(), value == space || value == tab { position += 1 }
  }

  /// At a line break, the end, or a comment (which needs a space before it unless the line starts
  /// with it).
  var atLineEnd: Bool {
    guard let value = byte() else { return true }
    if value == newline { return true }
    return value == UInt8(ascii: "#") && (position == lineStart || isBlankByte(bytes[position - 1]))
  }

  mutating func skipToLineEnd() {
    while let value = byte(), value != newline { position += 1 }
  }

  /// Skips spaces, comments and line breaks to the next content; false at the end. A tab in the
  /// indentation of a line with content is an error (YAML indents with spaces only).
  mutating func skipToContent() throws(YAMLReader.Problem) -> Bool {
    while true {
      skipSpaces()
      if atLineEnd {
        skipToLineEnd()
        if atEnd { return false }
        advance()
        var index = position
        while index < bytes.count, bytes[index] == space { index += 1 }
        if index < bytes.count, bytes[index] == tab {
          var rest = index
          while rest < bytes.count, bytes[rest] == space || bytes[rest] == tab { rest += 1 }
          if rest < bytes.count, bytes[rest] != newline, bytes[rest] != UInt8(ascii: "#") {
            position = index
            throw syntax("a tab character where indentation must be spaces")
          }
        }
        continue
      }
      return true
    }
  }

  /// `---` or `...` at the start of a line, followed by a blank.
  var atDocumentMarker: Bool {
    guard column == 0, position + 3 <= bytes.count else { return false }
    let three = bytes[position..<position + 3]
    return (three.elementsEqual("---".utf8) || three.elementsEqual("...".utf8)) && blank(3)
  }

  var atDocumentStart: Bool { atDocumentMarker && bytes[position] == UInt8(ascii: "-") }

  /// `-` followed by a blank: a block sequence entry.
  var atSequenceEntry: Bool { at("-") && blank(1) }

  /// A syntax problem at the cursor. The end of a file is at the start of the line after its
  /// last, whether or not that line ends with a break (as libyaml reports it).
  func syntax(_ message: String) -> YAMLReader.Problem {
    if atEnd, column > 0 {
      return YAMLReader.Problem(kind: .syntax, line: line + 1, column: 1, message: message)
    }
    return YAMLReader.Problem(kind: .syntax, line: line, column: column + 1, message: message)
  }

  func content(_ line: Int, _ message: String) -> YAMLReader.Problem {
    YAMLReader.Problem(kind: .content, line: line, column: 0, message: message)
  }

  func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

  // MARK: Document

  mutating func document() throws(YAMLReader.Problem) -> ScenarioNode? {
    guard try skipToContent() else { return nil }
    // Directives (`%YAML 1.2`, `%TAG …`) before an explicit start.
    var sawDirective = false
    while column == 0, at("%") {
      sawDirective = true
      skipToLineEnd()
      guard try skipToContent() else { throw syntax("did not find expected <document start>") }
    }
    let explicitStart = atDocumentStart
    if explicitStart {
      advance(3)
    } else if sawDirective {
      throw syntax("did not find expected <document start>")
    }
    var root: ScenarioNode?
    skipSpaces()
    if atLineEnd {
      if try skipToContent(), !atDocumentMarker {
        root = try blockNode(parent: -1)
      } else if explicitStart {
        root = try scalar("", line: line)
      }
    } else {
      root = try node(parent: -1, blockCollections: true, indentlessSequence: false)
    }
    if try skipToContent(), atDocumentMarker, !atDocumentStart {
      advance(3)
      guard try skipToContent() else { return root }
    }
    guard !atEnd else { return root }
    if atDocumentStart { throw syntax("expected a single document, found another '---'") }
    throw syntax("did not find expected <document end> (is this line indented as it should be?)")
  }

  // MARK: Block context

  /// A node at a line's content, at `column` (more indented than `parent`).
  mutating func blockNode(parent: Int) throws(YAMLReader.Problem) -> ScenarioNode {
    try node(parent: parent, blockCollections: true, indentlessSequence: false)
  }

  /// The node at the cursor, in block context: after `key:`, after `- `, or at a line's start.
  /// `blockCollections`: a block mapping or sequence may start on this line (after `- ` or at a
  /// line's start, not after `key:`). `indentlessSequence`: a value on the following lines may
  /// be a sequence at the key's own indentation.
  mutating func node(
    parent: Int, blockCollections: Bool, indentlessSequence: Bool
  ) throws(YAMLReader.Problem) -> ScenarioNode {
    skipSpaces()
    let startLine = line
    let count = nodes
    let propertiesStart = position
    let anchor = try properties()
    var result: ScenarioNode
    if atLineEnd {
      // The value starts on a following line, or is empty.
      if try skipToContent(), !atDocumentMarker,
        column > parent || (indentlessSequence && column == parent && atSequenceEntry)
      {
        if column == parent {
          result = try nested { (reader: inout Reader) throws(YAMLReader.Problem) in
            try reader.blockSequence()
          }
        } else {
          result = try nested { (reader: inout Reader) throws(YAMLReader.Problem) in
            try reader.node(parent: parent, blockCollections: true, indentlessSequence: false)
          }
        }
      } else {
        result = try scalar("", line: startLine)
      }
    } else if blockCollections, atSequenceEntry {
      result = try nested { (reader: inout Reader) throws(YAMLReader.Problem) in try reader.blockSequence() }
    } else if blockCollections, try implicitKeyAhead() {
      result = try nested { (reader: inout Reader) throws(YAMLReader.Problem) in try reader.blockMapping() }
    } else {
      result = try inlineValue(parent: parent)
    }
    // A node with an anchor or tag starts where they do.
    if position > propertiesStart,
      bytes[propertiesStart] == UInt8(ascii: "&") || bytes[propertiesStart] == UInt8(ascii: "!")
    {
      result = result.at(line: startLine)
    }
    if let anchor { anchors[anchor] = (result, nodes - count) }
    return result
  }

  /// Runs `body` one level deeper, refusing to go past `maximumDepth`.
  mutating func nested(
    _ body: (inout Reader) throws(YAMLReader.Problem) -> ScenarioNode
  ) throws(YAMLReader.Problem) -> ScenarioNode {
    depth += 1
    defer { depth -= 1 }
    guard depth <= maximumDepth else {
      throw content(line, "scenario: nested more than \(maximumDepth) deep")
    }
    return try body(&self)
  }

  mutating func counted() throws(YAMLReader.Problem) {
    nodes += 1
    guard nodes <= maximumNodes else {
      throw content(line, "scenario: more than \(maximumNodes) values (aliases expanding without end?)")
    }
  }

  mutating func scalar(_ text: String, line: Int) throws(YAMLReader.Problem) -> ScenarioNode {
    try counted()
    return .scalar(text, line: line)
  }

  /// An anchor (`&name`) and tags (`!tag`, ignored) before a node; the anchor's name.
  mutating func properties() throws(YAMLReader.Problem) -> String? {
    var anchor: String?
    while true {
      if at("&") {
        advance()
        let name = readName()
        guard !name.isEmpty else { throw syntax("an anchor needs a name after '&'") }
        anchor = name
      } else if at("!") {
        if byte(1) == UInt8(ascii: "<") {
          while let value = byte(), value != UInt8(ascii: ">"), value != newline { advance() }
          guard at(">") else { throw syntax("a verbatim tag '!<…>' is not closed") }
          advance()
        } else {
          while !blank(), !atFlowIndicator { advance() }
        }
      } else {
        return anchor
      }
      guard blank() || atFlowIndicator else { throw syntax("expected a space after an anchor or tag") }
      skipSpaces()
    }
  }

  /// An anchor's or alias's name: up to a blank or a flow indicator.
  mutating func readName() -> String {
    let start = position
    while !blank(), !atFlowIndicator { position += 1 }
    return text(start..<position)
  }

  var atFlowIndicator: Bool {
    guard let value = byte() else { return false }
    return value == UInt8(ascii: ",") || value == UInt8(ascii: "[") || value == UInt8(ascii: "]")
      || value == UInt8(ascii: "{") || value == UInt8(ascii: "}")
  }

  /// Whether the cursor's line holds `key:` here (a plain or quoted key, then `:` and a blank).
  mutating func implicitKeyAhead() throws(YAMLReader.Problem) -> Bool {
    let saved = (position, line, lineStart)
    defer { (position, line, lineStart) = saved }
    if at("?"), blank(1) { throw syntax("complex keys ('? ') are not supported in scenario files") }
    if at("\"") || at("'") {
      let startLine = line
      _ = try quoted()
      guard line == startLine else { return false }
      skipSpaces()
      return at(":") && blank(1)
    }
    if at("[") || at("{") || at("*") || at("|") || at(">") { return false }
    while !atLineEnd {
      if at(":"), blank(1) { return true }
      advance()
    }
    return false
  }

  mutating func blockMapping() throws(YAMLReader.Problem) -> ScenarioNode {
    let indent = column
    let mappingLine = line
    try counted()
    var entries: [(key: String, line: Int, value: ScenarioNode)] = []
    while true {
      let keyLine = line
      let key = try blockKey()
      if entries.contains(where: { $0.key == key }) { throw content(keyLine, "\(key): given twice") }
      let value = try node(parent: indent, blockCollections: false, indentlessSequence: true)
      entries.append((key, keyLine, value))
      guard try skipToContent(), !atDocumentMarker, column >= indent else { break }
      if column > indent { throw syntax("this line is indented more than the mapping's keys above it") }
      if atSequenceEntry { throw syntax("a '- ' entry where the mapping expects a key") }
      if at("?"), blank(1) { throw syntax("complex keys ('? ') are not supported in scenario files") }
    }
    return .mapping(entries, line: mappingLine)
  }

  /// A block mapping's key and its `:`.
  mutating func blockKey() throws(YAMLReader.Problem) -> String {
    _ = try properties()
    let key: String
    if at("\"") || at("'") {
      key = try quoted()
    } else if at("*") {
      let keyLine = line
      guard case .scalar(let text, _) = try alias() else {
        throw content(keyLine, "scenario: a key must be text")
      }
      key = text
    } else if at("[") || at("{") {
      throw content(line, "scenario: a key must be text")
    } else {
      if let value = byte(), Self.cannotStartPlain(value) {
        throw syntax("'\(Character(Unicode.Scalar(value)))' cannot start a key")
      }
      let start = position
      while !(at(":") && blank(1)) {
        guard !atLineEnd else { throw syntax("could not find expected ':' after a key") }
        advance()
      }
      key = trimmedText(start..<position)
    }
    skipSpaces()
    guard at(":"), blank(1) else { throw syntax("could not find expected ':' after a key") }
    advance()
    return key
  }

  mutating func blockSequence() throws(YAMLReader.Problem) -> ScenarioNode {
    let indent = column
    let sequenceLine = line
    try counted()
    var items: [ScenarioNode] = []
    while true {
      advance()  // the '-'
      items.append(try node(parent: indent, blockCollections: true, indentlessSequence: false))
      guard try skipToContent(), !atDocumentMarker, column >= indent else { break }
      if column > indent { throw syntax("this line is indented more than the '- ' entries above it") }
      guard atSequenceEntry else { break }
    }
    return .sequence(items, line: sequenceLine)
  }

  /// A value that starts on this line and is not a block collection: an alias, a flow
  /// collection, a quoted, block or plain scalar.
  mutating func inlineValue(parent: Int) throws(YAMLReader.Problem) -> ScenarioNode {
    let startLine = line
    let value: ScenarioNode
    if at("*") {
      value = try alias()
    } else if at("[") || at("{") {
      value = try nested { (reader: inout Reader) throws(YAMLReader.Problem) in try reader.flowCollection() }
    } else if at("\"") || at("'") {
      value = try scalar(try quoted(), line: startLine)
    } else if at("|") || at(">") {
      return try scalar(try blockScalar(parent: parent), line: startLine)
    } else if atSequenceEntry {
      throw syntax("a '- ' sequence cannot start on the line of its key (put it on the next line)")
    } else if at("?"), blank(1) {
      throw syntax("complex keys ('? ') are not supported in scenario files")
    } else {
      return try scalar(try plainScalar(parent: parent), line: startLine)
    }
    skipSpaces()
    if at(":"), blank(1) { throw syntax("a key must be plain or quoted text on one line") }
    guard atLineEnd else { throw syntax("unexpected text after the value") }
    return value
  }

  mutating func alias() throws(YAMLReader.Problem) -> ScenarioNode {
    advance()
    let aliasLine = line
    let name = readName()
    guard !name.isEmpty else { throw syntax("an alias needs a name after '*'") }
    guard let anchored = anchors[name] else {
      throw content(aliasLine, "scenario: the alias '*\(name)' names no anchor before it")
    }
    nodes += anchored.size
    guard nodes <= maximumNodes else {
      throw content(aliasLine, "scenario: more than \(maximumNodes) values (aliases expanding without end?)")
    }
    return anchored.node
  }

  /// Indicators that cannot begin a plain scalar in block context (the others have their own
  /// meaning where a value starts).
  static func cannotStartPlain(_ value: UInt8) -> Bool {
    "@`,]}".utf8.contains(value)
  }

  /// A plain scalar in block context: to a comment or the line's end, then over following lines
  /// more indented than `parent` (each line break a space, each empty line a "\n").
  mutating func plainScalar(parent: Int) throws(YAMLReader.Problem) -> String {
    if let value = byte(), Self.cannotStartPlain(value) {
      throw syntax("'\(Character(Unicode.Scalar(value)))' cannot start a value (quote it)")
    }
    var result = try plainLine()
    while true {
      // A following line continues the scalar when it is more indented and not a comment.
      let saved = (position, line, lineStart)
      guard !atEnd, at("\n") else { break }
      var breaks = 0
      while at("\n") {
        advance()
        breaks += 1
        skipSpaces()
      }
      skipSpaces()
      if atEnd || atLineEnd || column <= parent || atDocumentMarker {
        (position, line, lineStart) = saved
        break
      }
      result += breaks > 1 ? String(repeating: "\n", count: breaks - 1) : " "
      result += try plainLine()
    }
    return result
  }

  /// One line of a plain scalar: to ` #`, the line's end, or an error at `: `.
  mutating func plainLine() throws(YAMLReader.Problem) -> String {
    let start = position
    while !atLineEnd {
      if at(":"), blank(1) {
        throw syntax("a ': ' inside a value (quote the value, or put the mapping on its own line)")
      }
      advance()
    }
    return trimmedText(start..<position)
  }

  func trimmedText(_ range: Range<Int>) -> String {
    var end = range.upperBound
    while end > range.lowerBound, isBlankByte(bytes[end - 1]) { end -= 1 }
    return text(range.lowerBound..<end)
  }

  // MARK: Quoted scalars

  /// A single- or double-quoted scalar, over lines if need be (folded as YAML folds them).
  mutating func quoted() throws(YAMLReader.Problem) -> String {
    let double = at("\"")
    let startLine = line
    let startColumn = column
    advance()
    var result: [UInt8] = []
    while true {
      guard let value = byte() else {
        throw YAMLReader.Problem(
          kind: .syntax, line: startLine, column: startColumn + 1,
          message: "a quoted value is not closed (found the end of the file)")
      }
      if double, value == UInt8(ascii: "\"") {
        advance()
        break
      }
      if !double, value == UInt8(ascii: "'") {
        if byte(1) == UInt8(ascii: "'") {
          result.append(value)
          advance(2)
          continue
        }
        advance()
        break
      }
      if value == newline {
        // Folding: trailing blanks dropped, one break a space, each further empty line a "\n".
        while let last = result.last, last == space || last == tab { result.removeLast() }
        try foldQuotedBreaks(into: &result)
        continue
      }
      if double, value == UInt8(ascii: "\\") {
        if byte(1) == newline {
          // An escaped line break: the lines join with nothing between them.
          advance()
          var breaks: [UInt8] = []
          try foldQuotedBreaks(into: &breaks)
          if breaks.first == space { breaks.removeFirst() }
          result += breaks
          continue
        }
        try escape(into: &result)
        continue
      }
      result.append(value)
      advance()
    }
    return String(decoding: result, as: UTF8.self)
  }

  /// At a line break inside a quoted scalar: consumes the break, empty lines and the next line's
  /// indentation, appending a space (one break) or a "\n" per empty line.
  mutating func foldQuotedBreaks(into result: inout [UInt8]) throws(YAMLReader.Problem) {
    var breaks = 0
    while at("\n") {
      advance()
      breaks += 1
      if atDocumentMarker { throw syntax("a document marker inside a quoted value") }
      skipSpaces()
    }
    if breaks == 1 {
      result.append(space)
    } else {
      result += [UInt8](repeating: newline, count: breaks - 1)
    }
  }

  mutating func escape(into result: inout [UInt8]) throws(YAMLReader.Problem) {
    advance()  // the backslash
    guard let code = byte() else { throw syntax("a '\\' at the end of the file") }
    advance()
    func append(_ scalar: UInt32) {
      result += Array(String(Character(Unicode.Scalar(scalar)!)).utf8)
    }
    switch code {
    case UInt8(ascii: "0"): result.append(0)
    case UInt8(ascii: "a"): result.append(0x07)
    case UInt8(ascii: "b"): result.append(0x08)
    case UInt8(ascii: "t"), tab: result.append(tab)
    case UInt8(ascii: "n"): result.append(newline)
    case UInt8(ascii: "v"): result.append(0x0B)
    case UInt8(ascii: "f"): result.append(0x0C)
    case UInt8(ascii: "r"): result.append(0x0D)
    case UInt8(ascii: "e"): result.append(0x1B)
    case space, UInt8(ascii: "\""), UInt8(ascii: "/"), UInt8(ascii: "\\"): result.append(code)
    case UInt8(ascii: "N"): append(0x85)
    case UInt8(ascii: "_"): append(0xA0)
    case UInt8(ascii: "L"): append(0x2028)
    case UInt8(ascii: "P"): append(0x2029)
    case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
      let digits = code == UInt8(ascii: "x") ? 2 : code == UInt8(ascii: "u") ? 4 : 8
      var scalar: UInt32 = 0
      for _ in 0..<digits {
        guard let value = byte(), let digit = Self.hexDigit(value) else {
          throw syntax("'\\\(Character(Unicode.Scalar(code)))' needs \(digits) hexadecimal digits")
        }
        scalar = scalar << 4 | UInt32(digit)
        advance()
      }
      guard Unicode.Scalar(scalar) != nil else { throw syntax("an escape that is not a Unicode character") }
      append(scalar)
    default:
      position -= 1
      throw syntax("unknown escape '\\\(Character(Unicode.Scalar(code)))' in a double-quoted value")
    }
  }

  static func hexDigit(_ value: UInt8) -> UInt8? {
    switch value {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): value - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): value - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): value - UInt8(ascii: "A") + 10
    default: nil
    }
  }

  // MARK: Block scalars

  /// A literal (`|`) or folded (`>`) scalar: its header, then the lines more indented than
  /// `parent`. Leaves the cursor at the start of the first line after it.
  mutating func blockScalar(parent: Int) throws(YAMLReader.Problem) -> String {
    let literal = at("|")
    advance()
    var chomping = 0  // -1 strip, 0 clip, +1 keep
    var explicitIndent: Int?
    for _ in 0..<2 {
      if at("-") || at("+") {
        guard chomping == 0 else { throw syntax("a block scalar's header gives its chomping twice") }
        chomping = at("-") ? -1 : 1
        advance()
      } else if let value = byte(), value >= UInt8(ascii: "1"), value <= UInt8(ascii: "9") {
        guard explicitIndent == nil else {
          throw syntax("a block scalar's header gives its indentation twice")
        }
        explicitIndent = Int(value - UInt8(ascii: "0"))
        advance()
      }
    }
    skipSpaces()
    guard atLineEnd else { throw syntax("a block scalar's header is '|' or '>' with '-', '+' or a digit") }
    skipToLineEnd()
    let base = max(parent, 0)
    var indent = explicitIndent.map { base + $0 }
    var lines: [String] = []
    while !atEnd {
      // `position` is at a line break: look at the next line.
      let lineBegin = position + 1
      guard lineBegin < bytes.count else { break }
      var index = lineBegin
      while index < bytes.count, bytes[index] == space { index += 1 }
      let spaces = index - lineBegin
      let empty = index >= bytes.count || bytes[index] == newline
      if empty {
        if let indent, spaces > indent {
          // Spaces past the indentation on an otherwise empty line are content.
          lines.append(text(lineBegin + indent..<index))
        } else {
          lines.append("")
        }
        advance()
        skipToLineEnd()
        continue
      }
      if indent == nil {
        guard spaces > parent else { break }
        indent = spaces
      }
      guard let indent, spaces >= indent else { break }
      if spaces == 0, index + 3 <= bytes.count,
        bytes[index..<index + 3].elementsEqual("---".utf8)
          || bytes[index..<index + 3].elementsEqual("...".utf8)
      {
        break
      }
      advance()
      let start = position + indent
      skipToLineEnd()
      lines.append(text(start..<position))
    }
    // The cursor is at the break that ends the scalar's last line (or the end).
    var trailing = 0
    while let last = lines.last, last.isEmpty {
      lines.removeLast()
      trailing += 1
    }
    var body: String
    if literal {
      body = lines.joined(separator: "\n")
    } else {
      body = ""
      var pendingEmpty = 0
      var previousNormal = false
      var first = true
      for text in lines {
        if text.isEmpty {
          pendingEmpty += 1
          continue
        }
        let moreIndented = text.hasPrefix(" ") || text.hasPrefix("\t")
        if first {
          body += String(repeating: "\n", count: pendingEmpty)
        } else if previousNormal && !moreIndented {
          body += pendingEmpty == 0 ? " " : String(repeating: "\n", count: pendingEmpty)
        } else {
          body += String(repeating: "\n", count: pendingEmpty + 1)
        }
        body += text
        pendingEmpty = 0
        first = false
        previousNormal = !moreIndented
      }
    }
    if lines.isEmpty {
      return chomping == 1 ? String(repeating: "\n", count: trailing) : ""
    }
    switch chomping {
    case -1: break
    case 1: body += String(repeating: "\n", count: trailing + 1)
    default: body += "\n"
    }
    return body
  }

  // MARK: Flow context

  /// Spaces, line breaks and comments inside `[…]` or `{…}`.
  mutating func skipFlowSpace() throws(YAMLReader.Problem) {
    while !atEnd {
      skipSpaces()
      if atLineEnd, !atEnd {
        skipToLineEnd()
        guard !atEnd else { return }
        advance()
        if atDocumentMarker { throw syntax("a document marker inside '[…]' or '{…}'") }
        continue
      }
      return
    }
  }

  mutating func flowCollection() throws(YAMLReader.Problem) -> ScenarioNode {
    let isSequence = at("[")
    let close: Unicode.Scalar = isSequence ? "]" : "}"
    let startLine = line
    try counted()
    advance()
    var items: [ScenarioNode] = []
    var entries: [(key: String, line: Int, value: ScenarioNode)] = []
    while true {
      try skipFlowSpace()
      if at(close) {
        advance()
        break
      }
      guard !atEnd else { throw syntax("did not find expected ',' or '\(close)'") }
      if at(",") { throw syntax("an empty entry (two commas) inside '[…]' or '{…}'") }
      let entryLine = line
      let first = try flowNode()
      try skipFlowSpace()
      var value: ScenarioNode?
      if at(":") {
        advance()
        try skipFlowSpace()
        value = at(",") || at(close) ? try scalar("", line: line) : try flowNode()
        try skipFlowSpace()
      }
      if isSequence, value == nil {
        items.append(first)
      } else {
        guard case .scalar(let key, _) = first else {
          throw content(entryLine, "scenario: a key must be text")
        }
        let pairValue: ScenarioNode
        if let value { pairValue = value } else { pairValue = try scalar("", line: entryLine) }
        if isSequence {
          // `[a: 1]`: a one-entry mapping inside the sequence.
          try counted()
          items.append(.mapping([(key, entryLine, pairValue)], line: entryLine))
        } else {
          if entries.contains(where: { $0.key == key }) { throw content(entryLine, "\(key): given twice") }
          entries.append((key, entryLine, pairValue))
        }
      }
      if at(",") {
        advance()
        continue
      }
      if at(close) {
        advance()
        break
      }
      throw syntax("did not find expected ',' or '\(close)'")
    }
    return isSequence ? .sequence(items, line: startLine) : .mapping(entries, line: startLine)
  }

  /// One node inside `[…]` or `{…}`.
  mutating func flowNode() throws(YAMLReader.Problem) -> ScenarioNode {
    try skipFlowSpace()
    let count = nodes
    let anchor = try properties()
    try skipFlowSpace()
    let startLine = line
    let result: ScenarioNode
    if at("[") || at("{") {
      result = try nested { (reader: inout Reader) throws(YAMLReader.Problem) in try reader.flowCollection() }
    } else if at("\"") || at("'") {
      result = try scalar(try quoted(), line: startLine)
    } else if at("*") {
      result = try alias()
    } else if at(",") || at("]") || at("}") || at(":") {
      result = try scalar("", line: startLine)
    } else {
      if let value = byte(), Self.cannotStartPlain(value) {
        throw syntax("'\(Character(Unicode.Scalar(value)))' cannot start a value (quote it)")
      }
      result = try scalar(try flowPlainScalar(), line: startLine)
    }
    if let anchor { anchors[anchor] = (result, nodes - count) }
    return result
  }

  /// A plain scalar inside `[…]` or `{…}`: to `,`, a bracket, `: `, a comment, folded over lines.
  mutating func flowPlainScalar() throws(YAMLReader.Problem) -> String {
    var result = ""
    while true {
      let start = position
      while !atLineEnd, !atFlowIndicator, !(at(":") && (blank(1) || Self.isFlowIndicator(byte(1)))) {
        advance()
      }
      let part = trimmedText(start..<position)
      if !part.isEmpty { result += result.isEmpty ? part : " " + part }
      guard at("\n") else { return result }
      // A plain scalar may go on over lines until an indicator.
      let saved = (position, line, lineStart)
      try skipFlowSpace()
      if atEnd || atFlowIndicator || at(":") || at("#") {
        (position, line, lineStart) = saved
        return result
      }
    }
  }

  static func isFlowIndicator(_ value: UInt8?) -> Bool {
    guard let value else { return false }
    return value == UInt8(ascii: ",") || value == UInt8(ascii: "[") || value == UInt8(ascii: "]")
      || value == UInt8(ascii: "{") || value == UInt8(ascii: "}")
  }
}

extension ScenarioNode {
  fileprivate func at(line: Int) -> ScenarioNode {
    switch self {
    case .scalar(let text, _): .scalar(text, line: line)
    case .mapping(let entries, _): .mapping(entries, line: line)
    case .sequence(let items, _): .sequence(items, line: line)
    }
  }
}

private func isBlankByte(_ value: UInt8) -> Bool { value == space || value == tab || value == newline }
