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
