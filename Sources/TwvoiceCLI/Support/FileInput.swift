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

  /// The whole input mapped into memory when it is a regular file (no copy through read(2));
  /// nil for pipes and terminals, which must be read as they arrive.
  func mapped() -> MappedFile? {
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0 else { return nil }
    let length = Int(info.st_size)
    guard let address = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED else {
      return nil
    }
    madvise(address, length, MADV_SEQUENTIAL)
    return MappedFile(address: UnsafeRawPointer(address), length: length)
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

/// A read-only memory mapping, unmapped when released.
final class MappedFile {
  let bytes: UnsafeRawBufferPointer

  init(address: UnsafeRawPointer, length: Int) {
    bytes = UnsafeRawBufferPointer(start: address, count: length)
  }

  deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }

  /// Tells the kernel the first `length` bytes will not be read again, so the resident size
  /// stays flat however long the file is (the pages stay in the page cache).
  func release(upTo length: Int) {
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let aligned = length / page * page
    guard aligned > 0, let base = bytes.baseAddress else { return }
    madvise(UnsafeMutableRawPointer(mutating: base), aligned, MADV_DONTNEED)
  }
}
