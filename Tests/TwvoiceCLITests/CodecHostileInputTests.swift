import Foundation
import Testing
import TwvoiceCore

@testable import TwvoiceCLI

#if canImport(Glibc)
  import Glibc
#endif

/// Runs the binary with its standard output counted rather than kept, and measures the child's
/// own peak resident size (its `VmHWM`, read while it runs), so neither other tests nor the test
/// process count.
///
/// wait4's `ru_maxrss` does not do: `posix_spawn` runs the child in the test process's memory
/// until `exec`, and Linux keeps that memory's peak as the child's, so a test process that once
/// held 200 MiB made every child measure 200 MiB.
enum MeasuredRun {
  struct Result {
    var status: Int32
    var outputBytes: Int
    var maxRSSBytes: Int
  }

  static func run(_ arguments: [String]) throws -> Result {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { throw POSIXError(.EIO) }
    // Not inherited by processes other tests start meanwhile (they would hold the pipe open).
    _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
    _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let path = Twvoice.executable.path
    var argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, path, &actions, nil, &argv, environ)
    close(fds[1])
    guard rc == 0 else {
      close(fds[0])
      throw POSIXError(.ENOEXEC)
    }
    // posix_spawn returns once the child has called exec: from here its status is its own.
    let watcher = PeakWatcher(pid: pid)
    var count = 0
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { break }
      count += n
    }
    close(fds[0])
    // Exited but not reaped, so the pid cannot be reused while the watcher still reads it.
    var exited = siginfo_t()
    while waitid(P_PID, id_t(pid), &exited, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
    let peak = watcher.stop()
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return Result(status: (status >> 8) & 0xFF, outputBytes: count, maxRSSBytes: peak)
  }

  /// Reads a process's `VmHWM` every half millisecond until stopped; keeps the largest.
  final class PeakWatcher: @unchecked Sendable {
    private let lock = NSLock()
    private var peak = 0
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)

    init(pid: pid_t) {
      peak = Self.highWaterMark(pid) ?? 0
      Thread { self.watch(pid) }.start()
    }

    private func watch(_ pid: pid_t) {
      defer { done.signal() }
      while !lock.withLock({ stopped }) {
        if let bytes = Self.highWaterMark(pid) { lock.withLock { peak = max(peak, bytes) } }
        usleep(500)
      }
    }

    /// Stops watching; the peak seen, in bytes.
    func stop() -> Int {
      lock.withLock { stopped = true }
      done.wait()
      return lock.withLock { peak }
    }

    /// `VmHWM` from `/proc/PID/status` (read with read(2): the file reports no size).
    static func highWaterMark(_ pid: pid_t) -> Int? {
      let fd = open("/proc/\(pid)/status", O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else { return nil }
      defer { close(fd) }
      var bytes = [UInt8](repeating: 0, count: 8192)
      let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      guard n > 0 else { return nil }
      let status = String(decoding: bytes[0..<n], as: UTF8.self)
      guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kB = Int(line.dropFirst(6).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
      else { return nil }
      return kB * 1024
    }
  }
}

/// Issue 9: capture decoding edges, through the binary.
struct CodecHostileInputTests {
  static func frame(_ k: Int, timestamp: Int, track: String = "inbound", code: UInt8 = 1) -> String {
    #"{"event":"media","sequenceNumber":"\#(k + 2)","media":{"track":"\#(track)","chunk":"\#(k + 1)","timestamp":"\#(timestamp)","payload":"\#(Base64.encode([UInt8](repeating: code, count: 160)))"},"streamSid":"MZ0123456789abcdef0123456789abcdef"}"#
  }

  @Test func oneLostFrameKeepsTheDuration() throws {
    let lines = [100, 120, 140, 160, 200].enumerated().map { Self.frame($0.offset, timestamp: $0.element) }
    let r = try Twvoice.run(["codec", "decode", "-", "-o", "-"], stdin: lines.joined(separator: "\n") + "\n")
    #expect(r.status == 0, "\(r)")
    #expect(r.stderr.contains("5 inbound frames, 0.12 s, 1 gap filled (20 ms)"), "\(r.stderr)")
    #expect(r.stdoutBytes.count == 44 + 960 * 2)
  }

  @Test func hugeTimestampsAreRefusedWithTheLine() throws {
    for value in ["1152921504606846976", "4611686018427387904", "9223372036854775807"] {
      for command in ["decode", "info"] {
        let text =
          Self.frame(0, timestamp: 0) + "\n"
          + Self.frame(1, timestamp: 20).replacingOccurrences(
            of: #""timestamp":"20""#, with: #""timestamp":"\#(value)""#) + "\n"
        let dir = try TemporaryDirectory.with(["c.jsonl": text])
        defer { try? FileManager.default.removeItem(at: dir) }
        let args =
          command == "decode"
          ? ["codec", "decode", "c.jsonl", "-o", "out.wav"] : ["codec", "info", "c.jsonl"]
        let r = try Twvoice.run(args, in: dir)
        #expect(r.status == 65, "\(command) \(value): \(r)")
        #expect(
          r.stderr.hasPrefix(
            "twvoice: error: c.jsonl:2: timestamp \(value) is out of range (media.timestamp)"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["c.jsonl"])
      }
    }
  }

  @Test func hoursOfGapDecodeInFlatMemory() throws {
    // Two frames 4 h apart: 115 MB of µ-law out, streamed; the decoder holds the gap as a count.
    let gapMs = 4 * 3600 * 1000
    let dir = try TemporaryDirectory.with([
      "gap.jsonl": Self.frame(0, timestamp: 100) + "\n" + Self.frame(1, timestamp: 100 + gapMs, code: 2)
        + "\n"
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("gap.jsonl").path
    let r = try MeasuredRun.run(["codec", "decode", file, "--raw", "--encoding", "mulaw", "-q"])
    #expect(r.status == 0)
    #expect(r.outputBytes == gapMs * 8 + 160)
    #expect(r.maxRSSBytes > 0, "the child's peak was never read")
    #expect(Sanitizer.isActive || r.maxRSSBytes < 200 << 20, "max RSS \(r.maxRSSBytes >> 20) MiB")
    // 23.9 h: `codec info` measures the silence without writing it out.
    let day = try TemporaryDirectory.with([
      "day.jsonl": Self.frame(0, timestamp: 100) + "\n" + Self.frame(1, timestamp: 100 + 86_040_000, code: 2)
        + "\n"
    ])
    defer { try? FileManager.default.removeItem(at: day) }
    let info = try MeasuredRun.run(["codec", "info", day.appendingPathComponent("day.jsonl").path, "--json"])
    #expect(info.status == 0)
    #expect(info.maxRSSBytes > 0, "the child's peak was never read")
    #expect(Sanitizer.isActive || info.maxRSSBytes < 200 << 20, "max RSS \(info.maxRSSBytes >> 20) MiB")
    let text = try Twvoice.run(["codec", "info", day.appendingPathComponent("day.jsonl").path, "--json"])
    #expect(try JSONParser.parse(text.stdout)["duration_s"] == .number("86040.020"))
  }

  @Test func byteOrderMarkAndCarriageReturns() throws {
    let frames = (0..<50).map { Self.frame($0, timestamp: 20 * $0) }
    for text in ["\u{FEFF}" + frames.joined(separator: "\n"), frames.joined(separator: "\r") + "\r"] {
      let r = try Twvoice.run(["codec", "decode", "-", "--raw", "--encoding", "mulaw"], stdin: text)
      #expect(r.status == 0, "\(r)")
      #expect(r.stdoutBytes.count == 50 * 160)
      #expect(r.stderr.contains("50 inbound frames, 1.00 s"))
    }
  }

  @Test func noLineBreakIsCapped() throws {
    // From a file: the binary stops reading at 16 MiB, and a pipe would be closed under the writer.
    let dir = try TemporaryDirectory.with(["big.txt": String(repeating: "A", count: 17 << 20)])
    defer { try? FileManager.default.removeItem(at: dir) }
    for command in ["decode", "info"] {
      let r = try Twvoice.run(["codec", command, "big.txt"], in: dir)
      #expect(r.status == 65)
      #expect(
        r.stderr
          == "twvoice: error: big.txt:1: line is over 16 MiB with no line break: a capture holds one message per line\n"
      )
    }
  }

  @Test func clearIsKnownAndAsHeardCutsTheBot() throws {
    var lines: [String] = []
    for k in 0..<50 {
      lines.append(
        String(Self.frame(k, timestamp: 100 + 20 * k).dropLast())
          + #","twvoice":{"t":\#(Double(k) * 0.02),"dir":"sent"}}"#)
    }
    let bot = Base64.encode([UInt8](repeating: 0x55, count: 8000))
    lines.insert(
      #"{"event":"media","streamSid":"MZ1","media":{"track":"outbound","timestamp":"200","payload":"\#(bot)"},"twvoice":{"t":0.1,"dir":"received"}}"#,
      at: 6)
    lines.insert(#"{"event":"clear","streamSid":"MZ1","twvoice":{"t":0.5,"dir":"received"}}"#, at: 26)
    let log = lines.joined(separator: "\n") + "\n"
    let sent = try Twvoice.run(
      ["codec", "decode", "-", "--track", "outbound", "--raw", "--encoding", "mulaw"], stdin: log)
    #expect(sent.status == 0, "\(sent)")
    #expect(!sent.stderr.contains("unknown"))
    #expect(sent.stdoutBytes.count == 8800)
    let heard = try Twvoice.run(
      ["codec", "decode", "-", "--track", "outbound", "--as-heard", "--raw", "--encoding", "mulaw"],
      stdin: log)
    #expect(heard.status == 0, "\(heard)")
    #expect(heard.stdoutBytes.count == 4000)
    #expect(heard.stderr.contains("0.60 s of bot audio cleared"), "\(heard.stderr)")
  }

  @Test func infiniteFloatSamplesAreClamped() throws {
    func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    let samples: [Float] = [.infinity, -.infinity, .nan, 1e38, 0.5, -0.25]
    let data = samples.flatMap { le32($0.bitPattern) }
    let fmt = [3, 0, 1, 0] + le32(8000) + le32(32000) + [4, 0, 32, 0]
    let wav =
      Array("RIFF".utf8) + le32(UInt32(4 + 24 + 8 + data.count)) + Array("WAVEfmt ".utf8) + le32(16) + fmt
      + Array("data".utf8) + le32(UInt32(data.count)) + data
    let dir = try TemporaryDirectory.make()
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data(wav).write(to: dir.appendingPathComponent("inf.wav"))
    let r = try Twvoice.run(["codec", "info", "inf.wav"], in: dir)
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout.contains("peak 0.0 dBFS"), "\(r.stdout)")
    let json = try Twvoice.run(["codec", "info", "inf.wav", "--json"], in: dir)
    #expect(try JSONParser.parse(json.stdout)["level"]?["peak_dbfs"] == .number("0.0"))
    let encoded = try Twvoice.run(["codec", "encode", "inf.wav", "--format", "raw"], in: dir)
    #expect(encoded.status == 0)
    #expect(encoded.stdoutBytes.count == 6)
    #expect(Array(encoded.stdoutBytes.prefix(4)) == [0x80, 0x00, 0xFF, 0x80])
  }

  @Test func absurdWAVRatesAreRefused() throws {
    func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    for rate: UInt32 in [1, 1_500_000] {
      let fmt = [1, 0, 1, 0] + le32(rate) + le32(rate * 2) + [2, 0, 16, 0]
      let wav =
        Array("RIFF".utf8) + le32(UInt32(4 + 24 + 8 + 4)) + Array("WAVEfmt ".utf8) + le32(16) + fmt
        + Array("data".utf8) + le32(4) + [0, 0, 1, 0]
      let dir = try TemporaryDirectory.make()
      defer { try? FileManager.default.removeItem(at: dir) }
      try Data(wav).write(to: dir.appendingPathComponent("r.wav"))
      for command in [["codec", "encode", "r.wav"], ["codec", "info", "r.wav"]] {
        let r = try Twvoice.run(command, in: dir)
        #expect(r.status == 65, "\(rate) \(command): \(r)")
        #expect(r.stderr.contains("sample rate of \(rate) Hz; 1000 to 768000 Hz are supported"))
      }
    }
  }

  @Test func frameNeedsAUnit() throws {
    let r = try Twvoice.run(["codec", "encode", "-", "--frame", "20"], stdin: "")
    #expect(r.status == 64)
    #expect(r.stderr.contains("--frame needs a unit: e.g. --frame 20ms"), "\(r.stderr)")
  }

  @Test func trackValuesAreDescribedInHelp() throws {
    let r = try Twvoice.run(["codec", "decode", "--help"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("What the caller said"), "\(r.stdout)")
    #expect(r.stdout.contains("Stereo: inbound left, outbound right"))
    #expect(r.stdout.contains("--as-heard"))
  }

  /// logrotate's copytruncate shrinks a capture while it is read: with read(2) (no mmap) the
  /// input just ends early, where a mapping died with SIGBUS and left a temporary file.
  @Test func aCaptureTruncatedWhileReadEndsEarly() throws {
    let frames = (0..<12_000).map { Self.frame($0, timestamp: 20 * $0) }.joined(separator: "\n") + "\n"
    let dir = try TemporaryDirectory.with(["c.jsonl": frames])
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("c.jsonl").path
    #expect(frames.utf8.count > 3 << 20)
    // Truncated between open and the first read.
    var early = try FileInput(path: path)
    #expect(truncate(path, 1 << 20) == 0)
    var total = try early.forEachBlock(size: 1 << 20) { _ in }
    early.close()
    #expect(total == 1 << 20)
    // Truncated after the first block was read.
    try Data(frames.utf8).write(to: URL(fileURLWithPath: path))
    var input = try FileInput(path: path)
    defer { input.close() }
    var decoder = CaptureDecoder(input: "c.jsonl", selection: .automatic, encoding: .mulaw)
    var blocks = 0
    total = try input.forEachBlock(size: 1 << 20) { block in
      blocks += 1
      if blocks == 1 { #expect(truncate(path, (3 << 20) / 2) == 0) }
      try decoder.feed(block)
    }
    #expect(total == (3 << 20) / 2)
    // The cut line is reported as malformed, as any incomplete line is.
    #expect(throws: CaptureError.self) { try decoder.finish() }
  }
}
