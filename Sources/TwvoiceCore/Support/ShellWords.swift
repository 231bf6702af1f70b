/// Splits a command line into words as a POSIX shell does, for the REPL: whitespace separates
/// words; single quotes keep everything literally; double quotes keep everything but `\"`, `\\`,
/// `\$` and `` \` ``; a backslash outside quotes escapes the next character; `#` at the start of
/// a word begins a comment. No expansion happens.
public enum ShellWords {
  /// Why a line could not be split.
  public struct Error: Swift.Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
  }

  public static func split(_ line: String) throws(Error) -> [String] {
    var words: [String] = []
    var current = ""
    var inWord = false
    var iterator = Array(line.unicodeScalars).makeIterator()
    while let c = iterator.next() {
      switch c {
      case " ", "\t", "\n", "\r":
        if inWord {
          words.append(current)
          current = ""
          inWord = false
        }
      case "#" where !inWord:
        return words
      case "'":
        inWord = true
        var closed = false
        while let d = iterator.next() {
          if d == "'" {
            closed = true
            break
          }
          current.unicodeScalars.append(d)
        }
        if !closed { throw Error(message: "unterminated single quote") }
      case "\"":
        inWord = true
        var closed = false
        while let d = iterator.next() {
          if d == "\"" {
            closed = true
            break
          }
          if d == "\\" {
            guard let e = iterator.next() else { break }
            if !["\"", "\\", "$", "`"].contains(e) { current.unicodeScalars.append("\\") }
            current.unicodeScalars.append(e)
            continue
          }
          current.unicodeScalars.append(d)
        }
        if !closed { throw Error(message: "unterminated double quote") }
      case "\\":
        inWord = true
        if let d = iterator.next() { current.unicodeScalars.append(d) }
      default:
        inWord = true
        current.unicodeScalars.append(c)
      }
    }
    if inWord { words.append(current) }
    return words
  }
}
