import Dispatch
import Foundation
import Synchronization
import Testing
import TwvoiceCore
import TwvoiceNet

/// A `twvoice stream capture` (or `stream proxy`) process for a test: started on a free port,
/// stopped by a signal.
final class CaptureProcess {
  let process = Process()
  let folder: URL
  private let stderrPipe = Pipe()
  private let stdoutPipe = Pipe()
  private(set) var port = 0

  init(_ extra: [String] = [], command: String = "capture", environment: [String: String] = [:]) throws {
    folder = try TemporaryDirectory.make()
    process.executableURL = Twvoice.executable
    process.arguments = ["stream", command, "--listen", "127.0.0.1:0", "-o", folder.path] + extra
    process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
    process.standardError = stderrPipe
    process.standardOutput = stdoutPipe
    try process.run()
    // The first line says where it listens.
    var line = Data()
    let handle = stderrPipe.fileHandleForReading
    while !line.contains(0x0A) {
      let byte = handle.readData(ofLength: 1)
      if byte.isEmpty { break }
      line += byte
    }
    let text = String(decoding: line, as: UTF8.self)
    if let match = text.firstMatch(of: /ws:\/\/127\.0\.0\.1:(\d+)/) { port = Int(match.1) ?? 0 }
  }

  var url: String { "ws://127.0.0.1:\(port)/" }

  /// Sends `signal`, waits for the exit, and returns the status and what was printed.
  func stop(_ signal: Int32 = SIGTERM) -> (status: Int32, stdout: String, stderr: String) {
    kill(process.processIdentifier, signal)
    let deadline = Date().addingTimeInterval(15)
    while process.isRunning && Date() < deadline { usleep(10_000) }
    if process.isRunning { process.terminate() }
    process.waitUntilExit()
    let out = String(decoding: stdoutPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let err = String(decoding: stderrPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return (process.terminationStatus, out, err)
  }

  func files() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
  }

  func lines(_ name: String) throws -> [JSONValue] {
    let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    return try text.split(separator: "\n").map { try JSONParser.parse(String($0)) }
  }

  deinit {
    if process.isRunning { process.terminate() }
    TemporaryDirectory.remove(folder)
  }
}

@Suite(.serialized)
struct StreamCaptureTests {
  static let sid = "MZ0123456789abcdef0123456789abcdef"

  @Test func aStreamIsWrittenAsASessionLogThatDecodesBackToTheAudioSent() throws {
    let capture = try CaptureProcess()
    let dir = try ScenarioTests.folder([:])
    defer { TemporaryDirectory.remove(dir) }
    let replay = try Twvoice.run(
      ["stream", "replay", "hello.wav", "--url", capture.url, "--fast", "--stream-sid", Self.sid, "-q"],
      in: dir)
    #expect(replay.status == 0, "\(replay)")
    // The file is complete once the socket closed; the capture is still running.
    let deadline = Date().addingTimeInterval(5)
    while !capture.files().contains(Self.sid + ".jsonl") && Date() < deadline { usleep(10_000) }
    let stopped = capture.stop()
    #expect(stopped.status == 0, "\(stopped)")
    #expect(stopped.stderr.contains("captured 1 stream(s)"), "\(stopped)")
    #expect(capture.files() == [Self.sid + ".jsonl"])
    let lines = try capture.lines(Self.sid + ".jsonl")
    #expect(lines.first?["message"]?["event"]?.stringValue == "connected")
    #expect(lines.allSatisfy { $0["from"]?.stringValue == "twilio" && $0["t"] != nil })
    // The inbound payloads are the WAV's samples (µ-law 8 kHz), then silence.
    var sent: [UInt8] = []
    for line in lines where line["message"]?["event"]?.stringValue == "media" {
      sent += try Base64.decode(line["message"]?["media"]?["payload"]?.stringValue ?? "")
    }
    let wav = [UInt8](try Data(contentsOf: dir.appendingPathComponent("hello.wav")))
    let samples = Array(wav[44...])  // PCM16 WAV written by the tests: header 44 bytes
    let expected = stride(from: 0, to: samples.count - 1, by: 2).map {
      G711.muLawEncode(Int16(bitPattern: UInt16(samples[$0]) | UInt16(samples[$0 + 1]) << 8))
    }
    #expect(Array(sent.prefix(expected.count)) == expected)
    #expect(sent.dropFirst(expected.count).allSatisfy { $0 == G711.muLawSilence })
    // The summary says how late the frames arrived, over every one of them.
    let media = lines.filter { $0["message"]?["event"]?.stringValue == "media" }.count
    #expect(stopped.stderr.contains("media arrival lateness over \(media) frames: p50 "), "\(stopped)")
    // And the tools read it back.
    let info = try Twvoice.run([
      "codec", "info", capture.folder.appendingPathComponent(Self.sid + ".jsonl").path,
    ])
    #expect(info.status == 0 && info.stdout.contains(Self.sid + " (call"), "\(info)")
  }

  /// 200 streams at once, from four replay processes of 50 calls each (out of this process, so
  /// the bots other suites run here keep their event loops to themselves).
  @Test func twoHundredStreamsAtOnceEachGetTheirOwnFile() throws {
    let capture = try CaptureProcess(["-q"])
    let quiet = "steps:\n  - silence: 500ms\n  - expect_no_bot_speech: 200ms"
    let dir = try CodecEncodeTests.directory(
      Dictionary(uniqueKeysWithValues: (0..<50).map { ("s\($0).yaml", Data(quiet.utf8)) }))
    defer { TemporaryDirectory.remove(dir) }
    let results = Locked<[Twvoice.Result]>([])
    let group = DispatchGroup()
    let url = capture.url
    for k in 0..<4 {
      DispatchQueue(label: "replay-\(k)").async(group: group) {
        let r = try? Twvoice.run(
          [
            "stream", "replay", "--url", url, "--scenario", dir.path, "--jobs", "50", "--speed", "5",
            "--seed", String(k + 1), "--tail", "0s", "--connect-timeout", "60", "-q",
          ])
        if let r { results.withLock { $0.append(r) } }
      }
    }
    group.wait()
    let runs = results.withLock { $0 }
    #expect(runs.count == 4 && runs.allSatisfy { $0.status == 0 }, "\(runs.filter { $0.status != 0 })")
    let deadline = Date().addingTimeInterval(10)
    while capture.files().count < 200 && Date() < deadline { usleep(20_000) }
    let stopped = capture.stop()
    #expect(stopped.status == 0, "\(stopped)")
    let files = capture.files()
    #expect(files.count == 200)
    // Each file is one whole stream: connected, start, its frames, stop.
    for name in files.prefix(20) {
      let events = try capture.lines(name).compactMap { $0["message"]?["event"]?.stringValue }
      #expect(
        events.first == "connected" && events.last == "stop" && events.filter { $0 == "media" }.count >= 25)
    }
  }

  @Test func anUnsignedUpgradeIsRefusedWith403AndLeavesNoFile() throws {
    let token = "0123456789abcdef0123456789abcdef"
    let capture = try CaptureProcess(["--path", "/media"], environment: ["TWILIO_AUTH_TOKEN": token])
    let url = "ws://127.0.0.1:\(capture.port)/media"
    let unsigned = try Twvoice.run(["stream", "replay", "--silence", "200ms", "--url", url, "--fast", "-q"])
    #expect(unsigned.status == 1)
    #expect(unsigned.stderr.contains("403"), "\(unsigned)")
    let wrongPath = try Twvoice.run(
      ["stream", "replay", "--silence", "200ms", "--url", capture.url + "other", "--fast", "-q"],
      environment: ["TWILIO_AUTH_TOKEN": token])
    #expect(wrongPath.stderr.contains("404"), "\(wrongPath)")
    // Signed over wss://HOST/PATH, as Twilio signs it.
    let signed = try Twvoice.run(
      ["stream", "replay", "--silence", "200ms", "--url", url, "--fast", "-q", "--stream-sid", Self.sid],
      environment: ["TWILIO_AUTH_TOKEN": token])
    #expect(signed.status == 0, "\(signed)")
    let stopped = capture.stop()
    #expect(stopped.status == 0)
    #expect(capture.files() == [Self.sid + ".jsonl"])
  }

  @Test func behindATunnelTheSignatureIsOverTheForwardedHost() throws {
    let token = "0123456789abcdef0123456789abcdef"
    let capture = try CaptureProcess(["-q", "--auth-token", token])
    let signature = TwilioSignature.compute(url: "wss://bot.tunnel.example/media", authToken: token)
    let forwarded = [("X-Forwarded-Host", "bot.tunnel.example"), ("X-Forwarded-Proto", "https")]
    let accepted = try RawClient(
      port: capture.port, path: "/media", headers: forwarded + [("X-Twilio-Signature", signature)])
    accepted.close()
    #expect(throws: (any Error).self) {
      try RawClient(
        port: capture.port, path: "/other", headers: forwarded + [("X-Twilio-Signature", signature)])
    }
    _ = capture.stop()
  }

  @Test func aClientThatDropsMidFrameKeepsWhatCameBefore() throws {
    let capture = try CaptureProcess(["-q"])
    let socket = try RawClient(port: capture.port)
    try socket.send(#"{"event":"connected","protocol":"Call","version":"1.0.0"}"#)
    try socket.send(
      #"{"event":"start","sequenceNumber":"1","start":{"accountSid":"AC0123456789abcdef0123456789abcdef","streamSid":"\#(Self.sid)","callSid":"CA0123456789abcdef0123456789abcdef","tracks":["inbound"],"customParameters":{}},"streamSid":"\#(Self.sid)"}"#
    )
    // Half a frame: a header that promises 100 bytes, and 10 of them.
    try socket.write([0x81, 0x80 | 100, 1, 2, 3, 4] + [UInt8](repeating: 0x41, count: 10))
    socket.close()
    let deadline = Date().addingTimeInterval(5)
    while !capture.files().contains(Self.sid + ".jsonl") && Date() < deadline { usleep(10_000) }
    let stopped = capture.stop()
    #expect(stopped.status == 0)
    let events = try capture.lines(Self.sid + ".jsonl").compactMap { $0["message"]?["event"]?.stringValue }
    #expect(events == ["connected", "start"])
  }

  @Test func aSocketThatNeverSendsStartIsNamedByItsConnection() throws {
    let capture = try CaptureProcess(["-q"])
    let socket = try RawClient(port: capture.port)
    try socket.send("not even JSON")
    try socket.send(#"{"event":"connected"}"#)
    socket.close()
    let deadline = Date().addingTimeInterval(5)
    while capture.files().isEmpty && Date() < deadline { usleep(10_000) }
    _ = capture.stop()
    #expect(capture.files() == ["connection-1.jsonl"])
    let lines = try capture.lines("connection-1.jsonl")
    #expect(lines.first?["raw"]?.stringValue == "not even JSON")
    #expect(lines.last?["message"]?["event"]?.stringValue == "connected")
  }

  @Test(arguments: [SIGINT, SIGTERM])
  func aSignalClosesOpenStreamsWith1001AndKeepsTheirFiles(signal: Int32) throws {
    let capture = try CaptureProcess()
    let replay = Process()
    replay.executableURL = Twvoice.executable
    replay.arguments = [
      "stream", "replay", "--silence", "30s", "--url", capture.url, "--stream-sid", Self.sid, "--json",
    ]
    let out = Pipe()
    replay.standardOutput = out
    replay.standardError = Pipe()
    try replay.run()
    defer { if replay.isRunning { replay.terminate() } }
    // Once the stream has started, its file is being written (under a temporary name): then
    // half a second more of frames.
    let deadline = Date().addingTimeInterval(20)
    while capture.files().isEmpty && Date() < deadline { usleep(20_000) }
    usleep(500_000)
    let stopped = capture.stop(signal)
    #expect(stopped.status == 0, "\(stopped)")
    #expect(stopped.stderr.contains("(1 open at the end, closed with 1001)"), "\(stopped)")
    replay.waitUntilExit()
    let summary = try JSONParser.parse(
      String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    #expect(summary["outcome"]?.stringValue?.contains("close code 1001") == true, "\(summary)")
    let events = try capture.lines(Self.sid + ".jsonl").compactMap { $0["message"]?["event"]?.stringValue }
    #expect(events.prefix(2) == ["connected", "start"] && events.filter { $0 == "media" }.count > 10)
  }

  @Test func theEchoBotAnswersEachTurnWithWhatItHeard() throws {
    let capture = try CaptureProcess(["--echo", "--json"])
    let dir = try ScenarioTests.folder([:])
    defer { TemporaryDirectory.remove(dir) }
    let replay = try Twvoice.run(
      ["stream", "replay", "hello.wav", "--url", capture.url, "--speed", "5", "--json", "--dtmf", "5@500ms"],
      in: dir)
    #expect(replay.status == 0, "\(replay)")
    let summary = try JSONParser.parse(replay.stdout)
    #expect(summary["latency_ms"]?["answered"]?.intValue == 1, "\(replay)")
    #expect(summary["marks_echoed"]?.intValue == 1)
    // One second of speech came back.
    #expect(
      summary["audio_played_s"]?.stringValue == "1.000" || summary["audio_played_s"] == .number("1.000"))
    let stopped = capture.stop()
    // The summary counts what Twilio's side sent: the mark echo and the key.
    let stream = try JSONParser.parse(stopped.stdout)["streams"]?[0]
    #expect(stream?["marks"]?.intValue == 1 && stream?["dtmf"]?.intValue == 1, "\(stopped)")
    #expect(stream?["messages_out"]?.intValue == 2, "\(stopped)")
    let name = try #require(capture.files().first)
    let bot = try capture.lines(name).filter { $0["from"]?.stringValue == "bot" }
    #expect(bot.last?["message"]?["mark"]?["name"]?.stringValue == "echo-1")
  }

  @Test func aPortInUseIsOneLineAndExit1() throws {
    let holder = try SilentListener()
    defer { holder.close() }
    let dir = try TemporaryDirectory.make()
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(["stream", "capture", "--listen", "127.0.0.1:\(holder.port)", "-o", dir.path])
    #expect(r.status == 1, "\(r)")
    #expect(
      r.stderr == "twvoice: error: cannot listen on 127.0.0.1:\(holder.port): Address already in use\n",
      "\(r)")
  }
}

/// A WebSocket client on a plain socket, for peers that misbehave: the handshake, whole masked
/// text frames, and raw bytes.
final class RawClient {
  let fd: Int32

  init(port: Int, path: String = "/", headers: [(String, String)] = []) throws {
    guard let fd = connectToLoopback(port: port) else { throw POSIXError(.ECONNREFUSED) }
    self.fd = fd
    try write(
      Array(
        ("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
          + headers.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n").utf8))
    // Read the 101 answer's head.
    var head: [UInt8] = []
    var byte: UInt8 = 0
    while !head.suffix(4).elementsEqual([13, 10, 13, 10]) && read(fd, &byte, 1) == 1 { head.append(byte) }
    guard String(decoding: head, as: UTF8.self).hasPrefix("HTTP/1.1 101") else { throw POSIXError(.EPROTO) }
  }

  func write(_ bytes: [UInt8]) throws {
    var sent = 0
    while sent < bytes.count {
      let n = bytes[sent...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
      guard n > 0 else { throw POSIXError(.EPIPE) }
      sent += n
    }
  }

  /// One masked text frame (lengths up to 65535).
  func send(_ text: String) throws {
    let payload = Array(text.utf8)
    let mask: [UInt8] = [1, 2, 3, 4]
    var frame: [UInt8] = [0x81]
    if payload.count < 126 {
      frame.append(0x80 | UInt8(payload.count))
    } else {
      frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
    }
    frame += mask
    frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    try write(frame)
  }

  func close() { Glibc.close(fd) }
}

/// A TCP socket connected to 127.0.0.1:`port`, or nil (closed) when the connection failed.
func connectToLoopback(port: Int) -> Int32? {
  let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_port = in_port_t(UInt16(port).bigEndian)
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  let connected = withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
    }
  }
  guard connected == 0 else {
    Glibc.close(fd)
    return nil
  }
  return fd
}
