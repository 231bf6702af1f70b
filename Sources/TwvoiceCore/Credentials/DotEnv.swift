/// A `.env` file: `KEY=VALUE` lines as python-dotenv and the seed's server read them.
///
/// Accepted: blank lines, `# comments`, an optional `export ` prefix, values bare (an inline
/// ` #` starts a comment), in single quotes (literal) or in double quotes (`\n`, `\t`, `\"`,
/// `\\` escapes). A line that is none of these is an error naming the file and line, so a typo
/// in a credentials file is never silently ignored.
public struct DotEnv: Equatable, Sendable {
  /// One assignment and the line it came from (1-based).
  public struct Entry: Equatable, Sendable {
    public var key: String
    public var value: String
    public var line: Int
  }

  /// Where and why a `.env` file could not be read.
  public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var reason: String
    public var description: String { "\(path):\(line): \(reason)" }
    public init(path: String, line: Int, reason: String) {
      self.path = path
      self.line = line
      self.reason = reason
    }
  }

  /// The file the entries came from, for messages.
  public var path: String
  /// Assignments in file order; a later one for the same key wins in `value(for:)`.
  public var entries: [Entry]

  public init(path: String, entries: [Entry]) {
    self.path = path
    self.entries = entries
  }

  /// The last assignment to `key`.
  public func entry(for key: String) -> Entry? { entries.last { $0.key == key } }

  /// Parses the text of a `.env` file.
  public static func parse(_ text: String, path: String) throws(ParseError) -> DotEnv {
    var entries: [Entry] = []
    var lineNumber = 0
    // "\r\n" is one Character in Swift, so it must be named as a separator of its own.
    for rawLine in text.split(
      omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    {
      lineNumber += 1
      var line = Substring(rawLine)
      if line.hasSuffix("\r") { line = line.dropLast() }
      line = line.drop { $0 == " " || $0 == "\t" }
      if line.isEmpty || line.hasPrefix("#") { continue }
      if line.hasPrefix("export ") { line = line.dropFirst(7).drop { $0 == " " } }
      guard let equals = line.firstIndex(of: "=") else {
        throw ParseError(path: path, line: lineNumber, reason: "expected KEY=VALUE")
      }
      let key = String(line[..<equals]).trimmingASCIIWhitespace()
      guard isValidKey(key) else {
        throw ParseError(
          path: path, line: lineNumber,
          reason: "invalid variable name '\(key)' (letters, digits and underscore only)")
      }
      let rawValue = line[line.index(after: equals)...].drop { $0 == " " || $0 == "\t" }
      let value: String
      do { value = try parseValue(rawValue) } catch {
        throw ParseError(path: path, line: lineNumber, reason: "\(error.reason) in the value of \(key)")
      }
      entries.append(Entry(key: key, value: value, line: lineNumber))
    }
    return DotEnv(path: path, entries: entries)
  }

  private struct ValueError: Error { var reason: String }

  private static func isValidKey(_ key: String) -> Bool {
    guard let first = key.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
    return key.unicodeScalars.allSatisfy {
      ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        || $0 == "."
    }
  }

  private static func parseValue(_ raw: Substring) throws(ValueError) -> String {
    guard let quote = raw.first, quote == "'" || quote == "\"" else {
      // Bare value: an inline comment starts at " #".
      var value = raw
      var previous: Character = "x"
      for index in raw.indices {
        if raw[index] == "#" && (previous == " " || previous == "\t") {
          value = raw[..<index]
          break
        }
        previous = raw[index]
      }
      return String(value).trimmingASCIIWhitespace()
    }
    var out = ""
    var index = raw.index(after: raw.startIndex)
    while index < raw.endIndex {
      let c = raw[index]
      if c == quote {
        let rest = String(raw[raw.index(after: index)...]).trimmingASCIIWhitespace()
        guard rest.isEmpty || rest.hasPrefix("#") else {
          throw ValueError(reason: "unexpected text after the closing quote")
        }
        return out
      }
      if quote == "\"" && c == "\\" {
        let next = raw.index(after: index)
        guard next < raw.endIndex else { break }
        switch raw[next] {
        case "n": out.append("\n")
        case "t": out.append("\t")
        case "r": out.append("\r")
        case "\"": out.append("\"")
        case "\\": out.append("\\")
        default:
          out.append("\\")
          out.append(raw[next])
        }
        index = raw.index(after: next)
        continue
      }
      out.append(c)
      index = raw.index(after: index)
    }
    throw ValueError(reason: "missing closing \(quote)")
  }
}
