import CReadline

#if canImport(Glibc)
  import Glibc
#endif

/// Where the REPL's lines come from.
protocol LineReader {
  /// The next line without its newline, or nil at the end of input (Ctrl-D).
  mutating func readLine(prompt: String) -> String?
  /// Remembers a line for history.
  mutating func addHistory(_ line: String)
  /// Saves history, if the reader keeps any.
  func save()
}

/// Lines from a pipe or file: no prompt, no echo, no history (GNU readline would echo both).
struct PipedLineReader: LineReader {
  mutating func readLine(prompt: String) -> String? { Swift.readLine(strippingNewline: true) }
  mutating func addHistory(_ line: String) {}
  func save() {}
}

/// GNU readline: editing, history across sessions, Ctrl-R, tab completion from the command tree.
struct ReadlineLineReader: LineReader {
  let historyPath: String?
  static let historyLimit: Int32 = 1000

  init(historyPath: String?) {
    self.historyPath = historyPath
    twvoice_rl_set_name("twvoice")
    twvoice_rl_set_catch_signals(0)
    twvoice_rl_set_completer { text, start, _ in
      LineEditor.complete(text: text, start: Int(start))
    }
    using_history()
    if let historyPath { read_history(historyPath) }
  }

  mutating func readLine(prompt: String) -> String? {
    Interrupt.readingLine = true
    defer { Interrupt.readingLine = false }
    guard let pointer = readline(prompt) else { return nil }
    defer { free(pointer) }
    return String(cString: pointer)
  }

  mutating func addHistory(_ line: String) { add_history(line) }

  func save() {
    guard let historyPath else { return }
    let directory = String(historyPath[..<(historyPath.lastIndex(of: "/") ?? historyPath.startIndex)])
    if !directory.isEmpty { makeDirectories(directory) }
    write_history(historyPath)
    history_truncate_file(historyPath, Self.historyLimit)
  }

  private func makeDirectories(_ path: String) {
    var current = ""
    for part in path.split(separator: "/") {
      current += "/" + part
      mkdir(current, 0o700)
    }
  }
}

/// GNU readline, which the REPL edits lines with; and its completion hook.
public enum LineEditor {
  /// The linked readline's version, e.g. "8.2".
  public static var readlineVersion: String { String(cString: twvoice_rl_library_version()) }

  nonisolated(unsafe) static var candidates: [String] = []
  nonisolated(unsafe) static var candidateIndex = 0

  /// readline's attempted-completion hook: candidates from the command tree for the word being
  /// completed; nothing matched means readline falls back to file names.
  static func complete(text: UnsafePointer<CChar>?, start: Int) -> UnsafeMutablePointer<
    UnsafeMutablePointer<CChar>?
  >? {
    let line = twvoice_rl_line_buffer().map { String(cString: $0) } ?? ""
    let word = text.map { String(cString: $0) } ?? ""
    let before = String(decoding: Array(line.utf8.prefix(start)), as: UTF8.self)
    candidates = CompletionModel.shared.candidates(before: before, word: word)
    candidateIndex = 0
    guard !candidates.isEmpty else {
      twvoice_rl_set_attempted_completion_over(0)
      return nil
    }
    twvoice_rl_set_attempted_completion_over(1)
    return rl_completion_matches(text) { _, state in
      if state == 0 { LineEditor.candidateIndex = 0 }
      guard LineEditor.candidateIndex < LineEditor.candidates.count else { return nil }
      defer { LineEditor.candidateIndex += 1 }
      return strdup(LineEditor.candidates[LineEditor.candidateIndex])
    }
  }
}

/// SIGINT: Ctrl-C cancels the line being typed, or asks the running command to stop (a replay
/// hangs up cleanly and keeps what it recorded), without leaving the REPL.
enum Interrupt {
  nonisolated(unsafe) static var requested: sig_atomic_t = 0
  nonisolated(unsafe) static var readingLine = false

  /// Installs the handler, and unblocks SIGINT: a signal mask is inherited across exec, and a
  /// parent that blocks SIGINT (a test runner's worker thread, some supervisors) would otherwise
  /// leave Ctrl-C pending forever.
  static func install() {
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    signal(SIGINT) { _ in
      if Interrupt.readingLine {
        twvoice_rl_reset_line()
      } else {
        Interrupt.requested = 1
      }
    }
  }

  static var isRequested: Bool { requested != 0 }
  static func reset() { requested = 0 }
}
