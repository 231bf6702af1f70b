import Dispatch
import TwvoiceCore

#if canImport(Glibc)
  import Glibc
#endif

/// Where a command's binary result goes: a file, written to a temporary file beside it and
/// renamed into place only on success (a failed run leaves no partial file), or standard output.
final class OutputFile: @unchecked Sendable {
  let path: String
  private var fd: Int32
  private var temporaryPath: String?
  /// Whether the destination can be rewritten at an offset (a regular file), so a header can be
  /// completed once the length is known.
  let isSeekable: Bool
  private(set) var bytesWritten = 0
  private var done = false

  /// Opens `path` (`-` for standard output). Refuses a terminal for binary output.
  init(path: String, binary: Bool = true) throws(TwvoiceError) {
    self.path = path
    if path == "-" {
      fd = 1
      if binary && Terminal.isTerminal(1) {
        throw TwvoiceError(
          .usage, "refusing to write audio to a terminal: give -o FILE, or redirect standard output")
      }
      var info = stat()
      isSeekable = fstat(1, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && lseek(1, 0, SEEK_CUR) == 0
      return
    }
    let directory = path.lastIndex(of: "/").map { String(path[...$0]) } ?? ""
    let name = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    var template = Array("\(directory).\(name).twvoice-XXXXXX".utf8CString)
    let opened = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard opened >= 0 else {
      throw TwvoiceError(.ioError, "cannot write \(path): \(String(cString: strerror(errno)))")
    }
    fd = opened
    temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    isSeekable = true
    // mkstemp creates 0600; give the file the mode a plain create would.
    let mask = umask(0)
    umask(mask)
    fchmod(fd, 0o666 & ~mask)
  }

  deinit { if !done { abort() } }

  /// Appends bytes.
  func write(_ bytes: [UInt8]) throws(TwvoiceError) {
    if path == "-" { Terminal.flush() }
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
      if n < 0 {
        if errno == EINTR { continue }
        throw TwvoiceError(.ioError, "cannot write \(displayName): \(String(cString: strerror(errno)))")
      }
      offset += n
    }
    bytesWritten += bytes.count
  }

  // Background writing: the caller hands over full buffers and goes on decoding while a second
  // thread copies them into the kernel; at most `maximumInFlight` buffers wait, so memory stays
  // bounded. The first error is kept and reported by `finishBackgroundWrites()`.
  private let writerQueue = DispatchQueue(label: "twvoice.output")
  private let inFlight = DispatchSemaphore(value: OutputFile.maximumInFlight)
  private static let maximumInFlight = 4
  private var backgroundError: TwvoiceError?

  /// Queues `bytes` to be written by the background thread, in order.
  func writeInBackground(_ bytes: [UInt8]) {
    inFlight.wait()
    writerQueue.async {
      defer { self.inFlight.signal() }
      guard self.backgroundError == nil else { return }
      do { try self.write(bytes) } catch let error as TwvoiceError { self.backgroundError = error } catch {}
    }
  }

  /// Waits for queued writes; throws the first error any of them met.
  func finishBackgroundWrites() throws(TwvoiceError) {
    writerQueue.sync {}
    if let backgroundError { throw backgroundError }
  }

  /// Rewrites bytes at `offset` (a header whose sizes are now known). Only when seekable.
  func overwrite(_ bytes: [UInt8], at offset: Int) throws(TwvoiceError) {
    let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, bytes.count, off_t(offset)) }
    guard n == bytes.count else {
      throw TwvoiceError(.ioError, "cannot write \(displayName): \(String(cString: strerror(errno)))")
    }
  }

  /// Completes the file: renames the temporary file into place.
  func commit() throws(TwvoiceError) {
    done = true
    guard let temporaryPath else { return }
    guard close(fd) == 0 else {
      unlink(temporaryPath)
      throw TwvoiceError(.ioError, "cannot write \(path): \(String(cString: strerror(errno)))")
    }
    guard rename(temporaryPath, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporaryPath)
      throw TwvoiceError(.ioError, "cannot write \(path): \(reason)")
    }
  }

  /// Discards what was written (the temporary file); standard output cannot be taken back.
  func abort() {
    done = true
    guard let temporaryPath else { return }
    close(fd)
    unlink(temporaryPath)
  }

  var displayName: String { path == "-" ? "standard output" : path }
}
