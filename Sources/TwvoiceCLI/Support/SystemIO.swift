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

  /// The whole contents of `path`, or of standard input when `path` is `-`.
  static func read(_ path: String) throws(TwvoiceError) -> [UInt8] {
    let file = try FileInput(path: path)
    defer { file.close() }
    return readAll(fd: file.fd)
  }

  /// A file's contents as UTF-8 text; invalid UTF-8 is malformed input.
  static func readText(_ path: String) throws(TwvoiceError) -> String {
    let bytes = try read(path)
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw TwvoiceError(.dataError, "\(displayName(path)): not UTF-8 text")
    }
    return text
  }

  /// `path`, or "standard input" for `-`.
  static func displayName(_ path: String) -> String { path == "-" ? "standard input" : path }

  /// Reads a descriptor to its end.
  static func readAll(fd: Int32) -> [UInt8] {
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
      let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        break
      }
      if n == 0 { break }
      result.append(contentsOf: chunk[0..<n])
    }
    return result
  }
}
