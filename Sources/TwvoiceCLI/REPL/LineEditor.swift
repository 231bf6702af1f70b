import CReadline
import Synchronization

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
    twvoice_rl_set_event_hooks(Interrupt.readlineHook)
    twvoice_rl_set_completer { text, start, _ in
      LineEditor.complete(text: text, start: Int(start))
    }
    using_history()
    if let historyPath { read_history(historyPath) }
  }

  mutating func readLine(prompt: String) -> String? {
    Interrupt.reset()  // a Ctrl-C that stopped the last command must not cancel this line
    guard let pointer = readline(prompt) else { return nil }
    defer { free(pointer) }
    return String(cString: pointer)
  }

  mutating func addHistory(_ line: String) { add_history(line) }

  /// Writes the history file without any line that sets or passes a secret: those stay in
  /// memory for Up-arrow in this session only (removed here, just before exit).
  func save() {
    guard let historyPath else { return }
    let directory = String(historyPath[..<(historyPath.lastIndex(of: "/") ?? historyPath.startIndex)])
    if !directory.isEmpty { makeDirectories(directory) }
    var secret: [Int32] = []
    if let list = history_list() {
      var index = 0
      while let entry = list[index] {
        if let text = entry.pointee.line, SecretLine.holdsSecret(String(cString: text)) {
          secret.append(Int32(index))
        }
        index += 1
      }
    }
    for index in secret.reversed() {
      if let removed = remove_history(index) { free_history_entry(removed) }
    }
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
    // A folder offered for a file option: the user goes on typing inside it.
    twvoice_rl_set_append_character(candidates.count == 1 && candidates[0].hasSuffix("/") ? 0 : 32)
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
///
/// The handler only sets an atomic flag (async-signal-safe); readline's event hooks clear the
/// line when the flag is set while a line is being read, and a running command polls it.
enum Interrupt {
  private static let flag = Atomic<Int32>(0)

  /// Installs the handler, and unblocks SIGINT: a signal mask is inherited across exec, and a
  /// parent that blocks SIGINT (a test runner's worker thread, some supervisors) would otherwise
  /// leave Ctrl-C pending forever.
  static func install() {
    reset()  // initializes `flag` here, never first in the handler
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in Interrupt.flag.store(1, ordering: .relaxed) }
    sigemptyset(&action.sa_mask)
    // SA_RESTART keeps a command's reads and writes going; readline waits in select(), which a
    // signal always interrupts (signal(7)), so its hook still runs at once.
    action.sa_flags = SA_RESTART
    sigaction(SIGINT, &action, nil)
  }

  static var isRequested: Bool { flag.load(ordering: .relaxed) != 0 }
  static func reset() { flag.store(0, ordering: .relaxed) }

  /// Whether a Ctrl-C arrived since the last call (and forgets it).
  static func consume() -> Bool { flag.exchange(0, ordering: .relaxed) != 0 }

  /// readline's event hook: Ctrl-C while typing drops the line and shows a fresh prompt.
  static let readlineHook: @convention(c) () -> Int32 = {
    if Interrupt.consume() { twvoice_rl_reset_line() }
    return 0
  }
}
