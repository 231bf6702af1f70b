import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A signal while a command writes `-o FILE`: the temporary file is removed, no output file
/// appears, and the process ends by the signal (a shell sees 128 + n).
struct SignalTests {
  /// Waits until a temporary file for `name` exists in `dir` (checked every 10 ms, for at most a
  /// minute; a broken build fails instead of hanging).
  static func waitForTemporaryFile(of name: String, in dir: URL) -> Bool {
    for _ in 0..<6000 {
      let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
      if names.contains(where: { $0.hasPrefix(".\(name).twvoice-") }) { return true }
      usleep(10_000)
    }
    return false
  }

  @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
  func decodeInterruptedLeavesNothing(signal: Int32) throws {
    let dir = try TemporaryDirectory.make()
    defer { try? FileManager.default.removeItem(at: dir) }
    let child = try LiveTwvoice(["codec", "decode", "-", "-o", "out.wav", "-q"], in: dir)
    defer { child.stop() }
    child.send(CodecDecodeTests.capture())  // decoded and written; standard input stays open
    try #require(Self.waitForTemporaryFile(of: "out.wav", in: dir))
    child.signal(signal)
    #expect(child.wait() == .signal(signal))
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [])
  }

  @Test func encodeInterruptedLeavesNothing() throws {
    let dir = try TemporaryDirectory.make()
    defer { try? FileManager.default.removeItem(at: dir) }
    // A WAV header that announces more data than has come yet: encode waits on the pipe.
    var header = Array("RIFF".utf8) + le32(36 + 16000) + Array("WAVEfmt ".utf8) + le32(16)
    header += [1, 0, 1, 0] + le32(8000) + le32(16000) + [2, 0, 16, 0]
    header += Array("data".utf8) + le32(16000)
    let child = try LiveTwvoice(["codec", "encode", "-", "--format", "wav", "-o", "out.wav", "-q"], in: dir)
    defer { child.stop() }
    child.send(header)
    try #require(Self.waitForTemporaryFile(of: "out.wav", in: dir))
    child.signal(SIGTERM)
    #expect(child.wait() == .signal(SIGTERM))
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [])
  }

  private func le32(_ value: UInt32) -> [UInt8] {
    (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
  }
}
