import TwvoiceCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Files, standard input, the environment and the clock, as the commands need them.
enum SystemIO {
  /// The process environment.
  static func environment() -> [String: String] {
    var result: [String: String] = [:]
    var pointer = environ
    while let entry = pointer.pointee {
      let text = String(cString: entry)
      if let (name, value) = text.splitOnce(at: "=") { result[name] = value }
      pointer += 1
    }
    return result
  }

  /// The wall clock in Unix seconds.
  static func now() -> Int { Int(time(nil)) }

  /// Whether a regular file (or anything) exists at `path`.
  static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

  /// How much a command reads whole, by what it reads: a caller names one, so no input can make
  /// twvoice read without end (/dev/zero, a wrong file).
  enum Limit: Int {
    /// A secret, a token or a `.env` file: a few hundred bytes in practice.
    case small = 1_048_576
    /// A TwiML or JSON document (Twilio itself refuses TwiML over 64 KB).
    case document = 16_777_216
    /// A session log or capture drawn whole (`report`): an hour of a call is about 100 MiB.
    case log = 536_870_912

    var description: String { "\(rawValue >> 20) MiB" }
  }

  /// The whole contents of `path`, or of standard input when `path` is `-`; more than `limit`
  /// bytes is malformed input (65), and no more than `limit` + 1 bytes are ever read.
  static func read(_ path: String, limit: Limit) throws(TwvoiceError) -> [UInt8] {
    let file = try FileInput(path: path)
    defer { file.close() }
    guard let bytes = try readAll(fd: file.fd, limit: limit.rawValue, name: displayName(path)) else {
      throw TwvoiceError(
        .dataError, "\(displayName(path)): larger than \(limit.description), the most read here")
    }
    return bytes
  }

  /// A file's contents as UTF-8 text; invalid UTF-8 is malformed input.
  static func readText(_ path: String, limit: Limit) throws(TwvoiceError) -> String {
    let bytes = try read(path, limit: limit)
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw TwvoiceError(.dataError, "\(displayName(path)): not UTF-8 text")
    }
    return text
  }

  /// `path`, or "standard input" for `-`.
  /// `path` made absolute against the working directory (not resolved further).
  static func absolutePath(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    guard getcwd(&buffer, buffer.count) != nil else { return path }
    let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return (cwd.hasSuffix("/") ? cwd : cwd + "/") + (path.hasPrefix("./") ? String(path.dropFirst(2)) : path)
  }

  static func displayName(_ path: String) -> String { path == "-" ? "standard input" : path }

  /// Whether `path` is a directory (following symbolic links).
  static func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
  }

  /// The names in a directory, without `.` and `..`, in no particular order.
  static func directoryEntries(_ path: String) throws(TwvoiceError) -> [String] {
    guard let directory = opendir(path) else {
      throw TwvoiceError(.noInput, "\(path): \(String(cString: strerror(errno)))")
    }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
      let name = withUnsafePointer(to: entry.pointee.d_name) {
        $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }

  /// Makes the folder `path` (and its parents) unless it exists; an output error (74) otherwise.
  static func makeDirectory(_ path: String) throws(TwvoiceError) {
    if isDirectory(path) { return }
    let parent = parentDirectory(path)
    if parent != path && parent != "." && parent != "/" && !isDirectory(parent) { try makeDirectory(parent) }
    if mkdir(path, 0o755) != 0 && !isDirectory(path) {
      throw TwvoiceError(.ioError, "\(path): cannot make the folder: \(String(cString: strerror(errno)))")
    }
  }

  /// `name` inside the folder `directory`, with one slash between them.
  static func path(_ name: String, in directory: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
  }

  /// The folder holding `path` (`.` for a bare name).
  static func parentDirectory(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  /// Reads a descriptor to its end, or nil once more than `limit` bytes came (reading at most
  /// `limit` + 1). A read error is an unreadable input (66) naming `name`.
  static func readAll(fd: Int32, limit: Int, name: String) throws(TwvoiceError) -> [UInt8]? {
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while result.count <= limit {
      let wanted = min(chunk.count, limit + 1 - result.count)
      let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, wanted) }
      if n < 0 {
        if errno == EINTR { continue }
        throw TwvoiceError(.noInput, "cannot read \(name): \(String(cString: strerror(errno)))")
      }
      if n == 0 { return result }
      result.append(contentsOf: chunk[0..<n])
    }
    return nil
  }
}
