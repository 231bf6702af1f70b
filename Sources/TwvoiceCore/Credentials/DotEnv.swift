/// A `.env` file: `KEY=VALUE` lines, read as python-dotenv (the seed server's loader) reads them.
///
/// Accepted: a UTF-8 byte-order mark, blank lines, `# comments`, an optional `export ` prefix,
/// any key without spaces, `=` or `#`, values bare (an inline ` #` starts a comment), in single
/// quotes (literal) or in double quotes (`\n`, `\t`, `\"`, `\\` escapes), quoted values over several
/// lines, and a bare `KEY` with no value (ignored, as python-dotenv ignores it). A line that is
/// none of these is reported in `problems` with its line number and skipped, as python-dotenv
/// warns and goes on: a stray line must not stop a command whose settings come from elsewhere.
public struct DotEnv: Equatable, Sendable {
  /// One assignment and the line it came from (1-based).
  public struct Entry: Equatable, Sendable {
    public var key: String
    public var value: String
    public var line: Int
  }

  /// A line that could not be read.
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

  public init(path: String, entries: [Entry], problems: [ParseError] = []) {
    self.path = path
    self.entries = entries
    self.problems = problems
  }

  /// The last assignment to `key`.
  public func entry(for key: String) -> Entry? { entries.last { $0.key == key } }

  /// Lines that could not be read and were skipped.
  public var problems: [ParseError] = []

  /// Parses the text of a `.env` file.
  public static func parse(_ text: String, path: String) -> DotEnv {
    var env = DotEnv(path: path, entries: [])
    var text = Substring(text)
    if text.unicodeScalars.first == "\u{FEFF}" { text = Substring(text.unicodeScalars.dropFirst()) }
    // "\r\n" is one Character in Swift, so it must be named as a separator of its own.
    let lines = text.split(
      omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    var index = 0
    while index < lines.count {
      let lineNumber = index + 1
      var line = lines[index]
      index += 1
      line = line.drop { $0 == " " || $0 == "\t" }
      if line.isEmpty || line.hasPrefix("#") { continue }
      if line.hasPrefix("export ") { line = line.dropFirst(7).drop { $0 == " " } }
      guard let (rawKey, rest) = line.splitOnce(at: "=") else {
        let key = String(line).trimmingASCIIWhitespace()
        if isValidKey(key) { continue }  // a bare KEY: python-dotenv reads it as unset
        env.problems.append(ParseError(path: path, line: lineNumber, reason: "expected KEY=VALUE"))
        continue
      }
      let key = rawKey.trimmingASCIIWhitespace()
      guard isValidKey(key) else {
        env.problems.append(
          ParseError(
            path: path, line: lineNumber, reason: "invalid variable name (\(SidError.shape(of: String(key))))"
          ))
        continue
      }
      var value = Substring(rest).drop { $0 == " " || $0 == "\t" }
      // A quoted value may go on over the next lines.
      if let quote = value.first, quote == "'" || quote == "\"" {
        var joined = String(value)
        while !hasClosingQuote(Substring(joined), quote), index < lines.count {
          joined += "\n" + lines[index]
          index += 1
        }
        value = Substring(joined)
      }
      do {
        env.entries.append(Entry(key: key, value: try parseValue(value), line: lineNumber))
      } catch {
        env.problems.append(
          ParseError(path: path, line: lineNumber, reason: "\(error.reason) in the value of \(key)"))
      }
    }
    return env
  }

  private static func hasClosingQuote(_ value: Substring, _ quote: Character) -> Bool {
    var escaped = false
    for c in value.dropFirst() {
      if escaped {
        escaped = false
      } else if c == "\\" && quote == "\"" {
        escaped = true
      } else if c == quote {
        return true
      }
    }
    return false
  }

  private struct ValueError: Error { var reason: String }

  private static func isValidKey(_ key: String) -> Bool {
    !key.isEmpty
      && !key.unicodeScalars.contains {
        $0 == " " || $0 == "\t" || $0 == "=" || $0 == "#" || $0 == "'" || $0 == "\"" || $0.value < 0x20
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
