import Dispatch
import Synchronization
import TwvoiceCore

#if canImport(Glibc)
  import Glibc
#endif

/// A file or standard input as a `ByteSource`.
struct FileInput: ByteSource {
  let path: String
  let fd: Int32

  init(path: String) throws(TwvoiceError) {
    self.path = path
    if path == "-" {
      fd = 0
      return
    }
    fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw TwvoiceError(.noInput, "cannot read \(path): \(String(cString: strerror(errno)))")
    }
    var info = stat()
    if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
      Glibc.close(fd)
      throw TwvoiceError(.noInput, "cannot read \(path): it is a directory")
    }
  }

  var displayName: String { SystemIO.displayName(path) }

  func close() { if fd > 2 { Glibc.close(fd) } }

  /// Whether the input is a regular file (read as fast as it goes) rather than a pipe or a
  /// terminal (whose data is handled as it arrives).
  var isRegularFile: Bool {
    var info = stat()
    return fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
  }

  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    while true {
      let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
      if n >= 0 { return n }
      if errno == EINTR { continue }
      throw TwvoiceError(.noInput, "cannot read \(displayName): \(String(cString: strerror(errno)))")
    }
  }
}

extension FileInput {
  /// Reads the input to its end in blocks of up to `size` bytes, handing each to `body`. A
  /// regular file is read by a second thread up to `BlockReader.slots` blocks ahead, so copying
  /// it out of the page cache overlaps with `body`'s work (a tenth of `codec decode`'s time was
  /// that copy); a pipe or a terminal is read on this thread as its data arrives.
  mutating func forEachBlockReadingAhead(size: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
    guard isRegularFile else {
      _ = try forEachBlock(size: size, body)
      return
    }
    let reader = BlockReader(fd: fd, size: size, name: displayName)
    defer { reader.stop() }
    while let block = try reader.next() {
      try body(block)
      reader.release()
    }
  }
}

/// The second thread of `forEachBlockReadingAhead`: fills a ring of blocks from a regular file
/// (whose reads never block for long), the caller empties them in order. The semaphores order
/// every access to a slot and its length, so nothing else is shared but the stop flag.
private final class BlockReader: @unchecked Sendable {
  static let slots = 3
  private let fd: Int32
  private let size: Int
  private let name: String
  private let storage: UnsafeMutableRawPointer
  /// Bytes read into each slot, or `-errno`.
  private let lengths: UnsafeMutablePointer<Int>
  /// Slots the reader may fill; blocks it has filled; signalled once when it has returned.
  private let free = DispatchSemaphore(value: 0)
  private let filled = DispatchSemaphore(value: 0)
  private let finished = DispatchSemaphore(value: 0)
  private let stopping = Atomic<Bool>(false)
  /// The caller's next slot.
  private var slot = 0

  init(fd: Int32, size: Int, name: String) {
    self.fd = fd
    self.size = size
    self.name = name
    storage = .allocate(byteCount: Self.slots * size, alignment: 64)
    lengths = .allocate(capacity: Self.slots)
    // Created at 0 and raised, not created at `slots`: libdispatch refuses to free a semaphore
    // below the value it was created with.
    for _ in 0..<Self.slots { free.signal() }
    DispatchQueue.global().async { self.run() }
  }

  private func run() {
    defer { finished.signal() }
    var slot = 0
    while true {
      free.wait()
      if stopping.load(ordering: .acquiring) { return }
      var n: Int
      repeat { n = Glibc.read(fd, storage + slot * size, size) } while n < 0 && errno == EINTR
      lengths[slot] = n < 0 ? -Int(errno) : n
      filled.signal()
      if n <= 0 { return }
      slot = (slot + 1) % Self.slots
    }
  }

  /// The next block, or nil at the end of the file; valid until `release()`.
  func next() throws(TwvoiceError) -> UnsafeRawBufferPointer? {
    filled.wait()
    let n = lengths[slot]
    if n < 0 {
      throw TwvoiceError(.noInput, "cannot read \(name): \(String(cString: strerror(Int32(-n))))")
    }
    return n == 0 ? nil : UnsafeRawBufferPointer(start: storage + slot * size, count: n)
  }

  /// Hands the block `next()` returned back to the reader.
  func release() {
    slot = (slot + 1) % Self.slots
    free.signal()
  }

  /// Stops the reader (at the end, or when the caller gave up early) and frees the blocks.
  func stop() {
    stopping.store(true, ordering: .releasing)
    free.signal()
    finished.wait()
    storage.deallocate()
    lengths.deallocate()
  }
}
