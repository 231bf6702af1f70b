#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The process's standard streams, without Foundation: results go to stdout, diagnostics to
/// stderr, each written in large blocks.
public enum Terminal {
  nonisolated(unsafe) private static var stdoutBuffer: [UInt8] = []
  /// The first error writing standard output (`/dev/full`, a closed descriptor), if any: the
  /// command then fails with exit status 74 instead of claiming success.
  nonisolated(unsafe) public private(set) static var outputError: String?
  private static let flushThreshold = 1 << 16

  /// Forgets an earlier output error (the REPL runs many commands in one process).
  public static func resetOutputError() { outputError = nil }

  /// Appends `text` to standard output (flushed in 64 KiB blocks and at exit).
  public static func write(_ text: String) {
    stdoutBuffer.append(contentsOf: text.utf8)
    if stdoutBuffer.count >= flushThreshold { flush() }
  }

  /// Appends raw bytes to standard output.
  public static func write(bytes: some Sequence<UInt8>) {
    stdoutBuffer.append(contentsOf: bytes)
    if stdoutBuffer.count >= flushThreshold { flush() }
  }

  /// Writes everything buffered for standard output.
  public static func flush() {
    guard !stdoutBuffer.isEmpty else { return }
    if let failure = writeAll(fd: 1, stdoutBuffer), outputError == nil { outputError = failure }
    stdoutBuffer.removeAll(keepingCapacity: true)
  }

  /// Writes one line to standard error at once (unbuffered, so it interleaves correctly).
  public static func diagnostic(_ line: String) {
    _ = writeAll(fd: 2, Array((line + "\n").utf8))
  }

  /// A status line on standard error, redrawn in place (`nil` erases it). For terminals only.
  public static func progress(_ line: String?) {
    _ = writeAll(fd: 2, Array(("\r\u{1B}[K" + (line.map { "twvoice: \($0)" } ?? "")).utf8))
  }

  /// `twvoice: warning: …` on standard error.
  public static func warning(_ message: String) { diagnostic("twvoice: warning: \(message)") }

  /// `twvoice: error: …` on standard error.
  public static func error(_ message: String) { diagnostic("twvoice: error: \(message)") }

  /// Flushes standard output and ends the process.
  public static func flushAndExit(_ status: Int32) -> Never {
    flush()
    exit(status)
  }

  /// Whether the file descriptor is a terminal.
  public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) != 0 }

  /// Writes everything; returns the error text when the descriptor refuses.
  private static func writeAll(fd: Int32, _ bytes: [UInt8]) -> String? {
    bytes.withUnsafeBytes { buffer -> String? in
      var offset = 0
      while offset < buffer.count {
        let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
        if n < 0 {
          if errno == EINTR { continue }
          return String(cString: strerror(errno))
        }
        offset += n
      }
      return nil
    }
  }
}
