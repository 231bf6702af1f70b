import Foundation
import Testing

/// Runs the built `twvoice` binary as a user would: arguments, standard input, environment and
/// working directory in; exit status, standard output and standard error out.
struct Twvoice {
  struct Result: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String
    var stdoutBytes: Data
    var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
  }

  /// The binary SwiftPM built beside the test bundle.
  static let executable: URL = {
    var url = Bundle.main.bundleURL
    for _ in 0..<4 {
      let candidate = url.appendingPathComponent("twvoice")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
      url.deleteLastPathComponent()
    }
    fatalError("twvoice binary not found near \(Bundle.main.bundleURL.path); run `swift build` first")
  }()

  /// Credentials that are clearly fake but well formed.
  static let fakeEnvironment: [String: String] = [
    "TWILIO_ACCOUNT_SID": "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "TWILIO_API_KEY": "SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    "TWILIO_API_SECRET": "secret",
  ]

  /// Runs `twvoice arguments…` in `directory` (a fresh empty one by default) with only the given
  /// environment (plus PATH), so the developer's own TWILIO_* settings never leak in.
  @discardableResult
  static func run(
    _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
    in directory: URL? = nil
  ) throws -> Result {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var env = environment
    env["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    env["COLUMNS"] = "100"
    process.environment = env
    // A run without a directory gets a fresh empty one, removed when the run ends.
    let scratch = directory == nil ? try TemporaryDirectory.make() : nil
    defer { if let scratch { TemporaryDirectory.remove(scratch) } }
    process.currentDirectoryURL = directory ?? scratch
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    // Standard input is written by its own thread, so a child that writes much output before
    // it has read all its input does not wait on a parent that is still writing.
    let inDone = DispatchSemaphore(value: 0)
    let inWriter = Thread {
      if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
      try? input.fileHandleForWriting.close()
      inDone.signal()
    }
    inWriter.start()
    // Read both pipes before waiting, so a large output cannot block the child.
    // The reader thread hands its result over through the semaphore, which orders the write
    // before the read (ThreadSanitizer saw the earlier isFinished poll as a race).
    nonisolated(unsafe) var errData = Data()
    let errDone = DispatchSemaphore(value: 0)
    let errReader = Thread {
      errData = err.fileHandleForReading.readDataToEndOfFile()
      errDone.signal()
    }
    errReader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    errDone.wait()
    inDone.wait()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self), stdoutBytes: outData)
  }
}

/// Runs `body` in a fresh directory under the system temporary directory, holding `files`
/// (name → contents), and removes the directory and everything in it when `body` returns or
/// throws. Every test that needs files uses this, so a test run leaves nothing behind.
func withTemporaryDirectory<T>(
  _ files: [String: String] = [:], _ body: (URL) throws -> T
) throws -> T {
  let url = try TemporaryDirectory.with(files)
  defer { TemporaryDirectory.remove(url) }
  return try body(url)
}

/// Fresh directories under the system temporary directory. Prefer `withTemporaryDirectory`;
/// a directory made here is removed by `remove(_:)` (call it in a `defer`), and at the latest
/// when the test process exits.
enum TemporaryDirectory {
  static func make() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "twvoice-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    Leftovers.shared.add(url)
    return url
  }

  /// A new directory holding `files` (name → contents).
  static func with(_ files: [String: String]) throws -> URL {
    let url = try make()
    for (name, contents) in files {
      try Data(contents.utf8).write(to: url.appendingPathComponent(name))
    }
    return url
  }

  /// Removes a directory made by `make()` or `with(_:)`, and everything in it.
  static func remove(_ url: URL) {
    try? FileManager.default.removeItem(at: url)
    Leftovers.shared.remove(url)
  }

  /// Directories not yet removed, removed at process exit: a backstop for a test that forgot.
  private final class Leftovers: @unchecked Sendable {
    static let shared: Leftovers = {
      let leftovers = Leftovers()
      atexit { Leftovers.shared.removeAll() }
      return leftovers
    }()
    private let lock = NSLock()
    private var paths: Set<String> = []

    func add(_ url: URL) { lock.withLock { _ = paths.insert(url.path) } }
    func remove(_ url: URL) { lock.withLock { _ = paths.remove(url.path) } }
    func removeAll() {
      let all = lock.withLock { paths }
      for path in all { try? FileManager.default.removeItem(atPath: path) }
    }
  }
}

/// Decodes the parts of a JWT for assertions.
enum JWTParts {
  static func json(_ token: String, part: Int) -> String {
    var text = String(token.split(separator: ".")[part])
    text = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while text.count % 4 != 0 { text += "=" }
    return String(decoding: Data(base64Encoded: text) ?? Data(), as: UTF8.self)
  }
}

/// Whether this test process (and so the binary built with it) runs under AddressSanitizer or
/// ThreadSanitizer: their shadow memory makes resident-size limits meaningless, so memory
/// bounds are checked only in a plain build (CI runs both).
enum Sanitizer {
  static let isActive: Bool = {
    let runtimes: [String] = ["__asan_init", "__tsan_init"]
    return runtimes.contains { name in dlsym(nil, name) != nil }
  }()
}
