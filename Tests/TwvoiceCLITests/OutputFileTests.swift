import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `-o PATH` through the binary: what kind of file PATH is decides how it is written.
struct OutputFileTests {
  static let expectedWAVLength = 44 + 1600  // CodecDecodeTests.capture(): 5 frames of 160 samples

  /// The type bits of `path` itself (not following a symbolic link).
  static func fileType(_ path: URL) -> mode_t {
    var info = stat()
    guard lstat(path.path, &info) == 0 else { return 0 }
    return info.st_mode & S_IFMT
  }

  static func mode(_ path: URL) -> mode_t {
    var info = stat()
    guard stat(path.path, &info) == 0 else { return 0 }
    return info.st_mode & 0o7777
  }

  static func contents(_ dir: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
  }

  /// Copies of /dev/null and /dev/full made with mknod in a temporary directory, so a broken
  /// build cannot replace the real ones (mknod needs root; CI runs as root).
  @Test(
    .enabled(if: getuid() == 0, "mknod needs root"),
    arguments: [("null", UInt(0x103), Int32(0)), ("full", UInt(0x107), Int32(74))])
  func characterDeviceIsWrittenNotReplaced(name: String, device: UInt, status: Int32) throws {
    let dir = try TemporaryDirectory.with(["capture.jsonl": CodecDecodeTests.capture()])
    defer { try? FileManager.default.removeItem(at: dir) }
    let node = dir.appendingPathComponent(name)
    try #require(mknod(node.path, S_IFCHR | 0o666, dev_t(device)) == 0)
    let r = try Twvoice.run(["codec", "decode", "capture.jsonl", "-o", name, "-q"], in: dir)
    #expect(r.status == status, "\(r)")
    #expect(Self.fileType(node) == S_IFCHR)
    if status == 74 {
      #expect(r.stderr == "twvoice: error: cannot write \(name): No space left on device\n")
    }
    #expect(try Self.contents(dir) == ["capture.jsonl", name])
  }

  @Test func fifoIsWrittenLiveNotReplaced() throws {
    let dir = try TemporaryDirectory.make()
    defer { try? FileManager.default.removeItem(at: dir) }
    let fifo = dir.appendingPathComponent("live.wav")
    try #require(mkfifo(fifo.path, 0o644) == 0)
    // O_RDWR: opening does not wait for the writer, and reads wait for data rather than end.
    let reader = open(fifo.path, O_RDWR | O_CLOEXEC)
    try #require(reader >= 0)
    defer { close(reader) }
    let child = try LiveTwvoice(["codec", "decode", "-", "-o", "live.wav", "-q"], in: dir)
    defer { child.stop() }
    // The frames arrive while standard input is still open: the reader gets them at once.
    child.send(CodecDecodeTests.capture())
    let received = readBytes(reader, count: Self.expectedWAVLength)
    #expect(received.count == Self.expectedWAVLength)
    #expect(received.prefix(4) == Array("RIFF".utf8)[...])
    child.closeInput()
    #expect(child.wait() == .exit(0))
    #expect(Self.fileType(fifo) == S_IFIFO)
    #expect(try Self.contents(dir) == ["live.wav"])
  }

  @Test func symbolicLinkWritesItsTarget() throws {
    let dir = try TemporaryDirectory.with(["capture.jsonl": CodecDecodeTests.capture()])
    defer { try? FileManager.default.removeItem(at: dir) }
    let sub = dir.appendingPathComponent("audio")
    try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
    try Data("old".utf8).write(to: sub.appendingPathComponent("call.wav"))
    try #require(symlink("audio/call.wav", dir.appendingPathComponent("link.wav").path) == 0)
    let r = try Twvoice.run(["codec", "decode", "capture.jsonl", "-o", "link.wav", "-q"], in: dir)
    #expect(r.status == 0, "\(r)")
    #expect(Self.fileType(dir.appendingPathComponent("link.wav")) == S_IFLNK)
    let wav = try Data(contentsOf: sub.appendingPathComponent("call.wav"))
    #expect(wav.count == Self.expectedWAVLength)
    #expect(try Self.contents(dir) == ["audio", "capture.jsonl", "link.wav"])
    #expect(try Self.contents(sub) == ["call.wav"])
  }

  @Test func danglingSymbolicLinkCreatesItsTarget() throws {
    let dir = try TemporaryDirectory.with(["capture.jsonl": CodecDecodeTests.capture()])
    defer { try? FileManager.default.removeItem(at: dir) }
    try #require(symlink("new.wav", dir.appendingPathComponent("link.wav").path) == 0)
    let r = try Twvoice.run(["codec", "decode", "capture.jsonl", "-o", "link.wav", "-q"], in: dir)
    #expect(r.status == 0, "\(r)")
    #expect(Self.fileType(dir.appendingPathComponent("link.wav")) == S_IFLNK)
    #expect(try Data(contentsOf: dir.appendingPathComponent("new.wav")).count == Self.expectedWAVLength)
  }

  @Test func replacedFileKeepsItsMode() throws {
    let dir = try TemporaryDirectory.with(["capture.jsonl": CodecDecodeTests.capture(), "call.wav": "old"])
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("call.wav")
    try #require(chmod(out.path, 0o640) == 0)
    let r = try Twvoice.run(["codec", "decode", "capture.jsonl", "-o", "call.wav", "-q"], in: dir)
    #expect(r.status == 0, "\(r)")
    #expect(Self.mode(out) == 0o640)
    #expect(try Data(contentsOf: out).count == Self.expectedWAVLength)
  }

  @Test(arguments: ["capture.jsonl", "./capture.jsonl", "link.jsonl", "sub/../capture.jsonl"])
  func outputNamingTheInputIsRefused(output: String) throws {
    let capture = CodecDecodeTests.capture()
    let dir = try TemporaryDirectory.with(["capture.jsonl": capture])
    defer { try? FileManager.default.removeItem(at: dir) }
    try FileManager.default.createDirectory(
      at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
    try #require(symlink("capture.jsonl", dir.appendingPathComponent("link.jsonl").path) == 0)
    let r = try Twvoice.run(["codec", "decode", "capture.jsonl", "-o", output], in: dir)
    #expect(r.status == 64, "\(r)")
    #expect(
      r.stderr == "twvoice: error: -o \(output) is the input file capture.jsonl: give another output file\n")
    #expect(try String(contentsOf: dir.appendingPathComponent("capture.jsonl"), encoding: .utf8) == capture)
    #expect(try Self.contents(dir) == ["capture.jsonl", "link.jsonl", "sub"])
  }

  @Test func encodeOutputNamingTheInputIsRefused() throws {
    let dir = try TemporaryDirectory.with(["capture.jsonl": CodecDecodeTests.capture()])
    defer { try? FileManager.default.removeItem(at: dir) }
    try #require(
      try Twvoice.run(["codec", "decode", "capture.jsonl", "-o", "in.wav", "-q"], in: dir).status == 0)
    let before = try Data(contentsOf: dir.appendingPathComponent("in.wav"))
    let r = try Twvoice.run(["codec", "encode", "in.wav", "--format", "wav", "-o", "./in.wav"], in: dir)
    #expect(r.status == 64, "\(r)")
    #expect(try Data(contentsOf: dir.appendingPathComponent("in.wav")) == before)
  }
}

/// Reads until `count` bytes came or the writer went away; gives up after a minute without
/// data (so a broken build fails instead of hanging; not a timing assertion).
func readBytes(_ fd: Int32, count: Int) -> [UInt8] {
  var result: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 65_536)
  while result.count < count {
    var request = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    guard poll(&request, 1, 60_000) == 1 else { break }
    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, count - result.count)) }
    if n <= 0 { break }
    result += buffer[0..<n]
  }
  return result
}

/// The binary running in the background, with a standard input the test writes to and keeps
/// open as long as it likes (a live capture on a pipe).
final class LiveTwvoice {
  enum Ending: Equatable {
    case exit(Int32)
    case signal(Int32)
  }

  let process = Process()
  private let input = Pipe()

  init(_ arguments: [String], in directory: URL) throws {
    process.executableURL = Twvoice.executable
    process.arguments = arguments
    process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
    process.currentDirectoryURL = directory
    process.standardInput = input
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
  }

  func send(_ text: String) { input.fileHandleForWriting.write(Data(text.utf8)) }

  func send(_ bytes: [UInt8]) { input.fileHandleForWriting.write(Data(bytes)) }

  func closeInput() { try? input.fileHandleForWriting.close() }

  func signal(_ number: Int32) { kill(process.processIdentifier, number) }

  func wait() -> Ending {
    process.waitUntilExit()
    return process.terminationReason == .uncaughtSignal
      ? .signal(process.terminationStatus) : .exit(process.terminationStatus)
  }

  /// Ends the child if a test stopped early, so nothing is left running.
  func stop() {
    closeInput()
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
  }
}
