import Dispatch
import TwvoiceCore

#if canImport(Glibc)
  import Glibc
#endif

/// Where a command's binary result goes.
///
/// A regular file (or a path that does not exist yet) is written to a temporary file beside it
/// and renamed into place only on success, so a failed or interrupted run leaves no partial file.
/// A symbolic link is followed: the temporary file goes beside the link's target and replaces
/// the target, keeping its mode and owner. Anything else (a device such as /dev/null, a FIFO a
/// reader is waiting on) cannot be replaced: it is opened and written directly, like standard
/// output.
final class OutputFile: @unchecked Sendable {
  let path: String
  private var fd: Int32
  private var temporaryPath: String?
  /// The file the temporary file replaces (the symbolic link's target).
  private var targetPath: String
  /// Whether the destination can be rewritten at an offset (a regular file), so a header can be
  /// completed once the length is known.
  let isSeekable: Bool
  private(set) var bytesWritten = 0
  private var done = false

  /// Opens `path` (`-` for standard output). Refuses a terminal for binary output, and refuses
  /// to write over `input` (the descriptor being read; the same file under any name).
  init(path: String, binary: Bool = true, input: FileInput? = nil) throws(TwvoiceError) {
    self.path = path
    targetPath = path
    if path == "-" {
      fd = 1
      if binary && Terminal.isTerminal(1) {
        throw TwvoiceError(
          .usage, "refusing to write audio to a terminal: give -o FILE, or redirect standard output")
      }
      isSeekable = Self.isSeekable(fd: 1)
      return
    }
    let target = try Self.resolvingSymbolicLinks(path)
    var existing = stat()
    let exists = stat(target, &existing) == 0
    if exists, let input {
      var read = stat()
      if fstat(input.fd, &read) == 0, read.st_dev == existing.st_dev, read.st_ino == existing.st_ino {
        throw TwvoiceError(
          .usage, "-o \(path) is the input file \(input.displayName): give another output file")
      }
    }
    if exists && (existing.st_mode & S_IFMT) == S_IFDIR {
      throw TwvoiceError(.ioError, "cannot write \(path): it is a directory")
    }
    if exists && (existing.st_mode & S_IFMT) != S_IFREG {
      // A device, FIFO or socket: written in place, as it arrives.
      fd = open(target, O_WRONLY | O_CLOEXEC | O_NOCTTY)
      guard fd >= 0 else {
        throw TwvoiceError(.ioError, "cannot write \(path): \(String(cString: strerror(errno)))")
      }
      if binary && Terminal.isTerminal(fd) {
        Glibc.close(fd)
        throw TwvoiceError(.usage, "refusing to write audio to a terminal (\(path))")
      }
      isSeekable = false
      return
    }
    targetPath = target
    let slash = target.lastIndex(of: "/")
    let directory = slash.map { String(target[...$0]) } ?? ""
    let name = slash.map { String(target[target.index(after: $0)...]) } ?? target
    var template = Array("\(directory).\(name).twvoice-XXXXXX".utf8CString)
    // Created and registered with the signals blocked: a signal cannot come in between and
    // leave the temporary file behind.
    let opened = Signals.withSignalsBlocked {
      let opened = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
      if opened >= 0 {
        Signals.register(template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
      }
      return opened
    }
    guard opened >= 0 else {
      throw TwvoiceError(.ioError, "cannot write \(path): \(String(cString: strerror(errno)))")
    }
    fd = opened
    temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    isSeekable = true
    if exists {
      // Replacing a file keeps its owner and mode (chown first: it may clear set-id bits).
      _ = fchown(fd, existing.st_uid, existing.st_gid)
      fchmod(fd, existing.st_mode & 0o7777)
    } else {
      // mkstemp creates 0600; give the file the mode a plain create would.
      let mask = umask(0)
      umask(mask)
      fchmod(fd, 0o666 & ~mask)
    }
  }

  /// Whether `fd` is a regular file positioned at its start (a header can be rewritten).
  private static func isSeekable(fd: Int32) -> Bool {
    var info = stat()
    return fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && lseek(fd, 0, SEEK_CUR) == 0
  }

  /// `path` with symbolic links in its last component followed (a dangling link gives the
  /// path it points to, which is then created).
  private static func resolvingSymbolicLinks(_ path: String) throws(TwvoiceError) -> String {
    var current = path
    for _ in 0..<40 {
      var info = stat()
      guard lstat(current, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return current }
      var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
      let n = readlink(current, &buffer, Int(PATH_MAX))
      guard n > 0 else { return current }
      let link = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
      if link.hasPrefix("/") {
        current = link
      } else if let slash = current.lastIndex(of: "/") {
        current = String(current[...slash]) + link
      } else {
        current = link
      }
    }
    throw TwvoiceError(.ioError, "cannot write \(path): \(String(cString: strerror(ELOOP)))")
  }

  deinit {
    if !done { abort() }
    // The writer's tasks hold this object, so none is left to use a block.
    for block in blocks { block.deallocate() }
  }

  /// Appends bytes.
  func write(_ bytes: [UInt8]) throws(TwvoiceError) {
    try bytes.withBytes { (raw) throws(TwvoiceError) in try write(raw) }
  }

  /// Appends bytes.
  func write(_ bytes: UnsafeRawBufferPointer) throws(TwvoiceError) {
    if path == "-" { Terminal.flush() }
    var offset = 0
    while offset < bytes.count {
      let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
      if n < 0 {
        if errno == EINTR { continue }
        throw TwvoiceError(.ioError, "cannot write \(displayName): \(String(cString: strerror(errno)))")
      }
      offset += n
    }
    bytesWritten += bytes.count
  }

  // Background writing: the caller hands over full buffers and goes on while a second thread
  // copies them into the kernel; at most `maximumInFlight` buffers wait, so memory stays
  // bounded. The first error is kept and reported by `finishBackgroundWrites()`.
  private let writerQueue = DispatchQueue(label: "twvoice.output")
  private let inFlight = DispatchSemaphore(value: OutputFile.maximumInFlight)
  private static let maximumInFlight = 4
  private var backgroundError: TwvoiceError?
  /// The ring `takeBlock()` hands out, allocated as first needed and reused: a block comes
  /// round again only after `maximumInFlight` later submissions, so its write has finished.
  private var blocks: [UnsafeMutableRawBufferPointer] = []
  private var nextBlock = 0
  /// The size of the blocks `takeBlock()` returns.
  static let blockSize = 1 << 20

  /// Queues `bytes` to be written by the background thread, in order.
  func writeInBackground(_ bytes: [UInt8]) {
    inFlight.wait()
    writerQueue.async {
      defer { self.inFlight.signal() }
      guard self.backgroundError == nil else { return }
      do { try self.write(bytes) } catch let error as TwvoiceError { self.backgroundError = error } catch {}
    }
  }

  /// A block of `blockSize` bytes to fill and pass to `writeBlockInBackground`, which must come
  /// next: the output is written straight from it, with no copy and no new memory to fault in.
  /// Waits while `maximumInFlight` writes are queued.
  func takeBlock() -> UnsafeMutableRawBufferPointer {
    inFlight.wait()
    if nextBlock == blocks.count { blocks.append(.allocate(byteCount: Self.blockSize, alignment: 64)) }
    return blocks[nextBlock]
  }

  /// Queues the first `count` bytes of the block `takeBlock()` returned.
  func writeBlockInBackground(_ count: Int) {
    let block = FilledBlock(bytes: UnsafeRawBufferPointer(rebasing: blocks[nextBlock][0..<count]))
    nextBlock = (nextBlock + 1) % Self.maximumInFlight
    writerQueue.async {
      defer { self.inFlight.signal() }
      guard self.backgroundError == nil else { return }
      do { try self.write(block.bytes) } catch let error as TwvoiceError {
        self.backgroundError = error
      } catch {}
    }
  }

  /// A filled block on its way to the writer thread, which alone reads it until it is written.
  private struct FilledBlock: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
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

  /// Completes the file: renames the temporary file into place (a device or FIFO is closed).
  func commit() throws(TwvoiceError) {
    done = true
    guard path != "-" else { return }
    guard let temporaryPath else {
      guard close(fd) == 0 else {
        throw TwvoiceError(.ioError, "cannot write \(path): \(String(cString: strerror(errno)))")
      }
      return
    }
    defer { Signals.deregister(temporaryPath) }
    guard close(fd) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporaryPath)
      throw TwvoiceError(.ioError, "cannot write \(path): \(reason)")
    }
    guard rename(temporaryPath, targetPath) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporaryPath)
      throw TwvoiceError(.ioError, "cannot write \(path): \(reason)")
    }
  }

  /// Discards what was written (the temporary file); standard output, a device or a FIFO
  /// cannot be taken back.
  func abort() {
    done = true
    // A queued write must not reach the descriptor once it is closed (and maybe reused).
    writerQueue.sync {}
    guard path != "-" else { return }
    close(fd)
    guard let temporaryPath else { return }
    unlink(temporaryPath)
    Signals.deregister(temporaryPath)
  }

  var displayName: String { path == "-" ? "standard output" : path }
}
