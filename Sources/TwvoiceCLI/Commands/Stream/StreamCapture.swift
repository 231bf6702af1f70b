import ArgumentParser
import Synchronization
import TwvoiceCore
import TwvoiceNet

#if canImport(Glibc)
  import Glibc
#endif

/// `twvoice stream capture`: a Media Streams WebSocket server that records every stream it is
/// sent, one session log per stream, for Twilio through a tunnel or any client.
struct StreamCapture: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "capture",
    abstract: "Record the Media Streams sent to a WebSocket server, one session log per stream.",
    discussion: """
      Listens for WebSocket connections (point a <Stream url> at it through a tunnel, or run \
      stream replay against it) and writes each stream to DIR/<streamSid>.jsonl in the session \
      log format (t, from, message: each frame's text byte for byte), which codec decode, codec \
      info and stream replay read. Messages before start are kept and written first; a socket \
      that never sends start goes to DIR/connection-<n>.jsonl. A file is complete, renamed into \
      place, when its socket closes, however it closes. Any number of streams at once.

      With --auth-token (or $TWILIO_AUTH_TOKEN) an upgrade must carry a valid \
      X-Twilio-Signature over wss://HOST/PATH (ws:// when X-Forwarded-Proto says http; HOST from \
      X-Forwarded-Host behind a tunnel, else Host); otherwise it gets HTTP 403 and no file. With \
      --echo each stream is answered by a minimal bot: after 400 ms of quiet following speech it \
      sends back what it heard, then a mark echo-<k> (recorded from: bot), so stream replay \
      against it is a whole loop on one machine.

      Examples:
        twvoice stream capture --listen 127.0.0.1:8080 -o captures
        TWILIO_AUTH_TOKEN=… twvoice stream capture --listen 0.0.0.0:8080 --path /media -o captures
        twvoice stream capture --echo -o /tmp/c & twvoice stream replay hi.wav --url ws://127.0.0.1:8080/

      Runs until SIGINT (Ctrl-C) or SIGTERM: open streams are closed with 1001, every file is \
      finished, a summary is printed, and the exit status is 0. Exit status: 0 stopped by a \
      signal; 1 cannot listen (the port is in use); 64 usage; 74 the folder cannot be written.
      """
  )

  @OptionGroup var server: RecordingServerOptions
  @Flag(help: "Answer each stream as a minimal echo bot.")
  var echo = false

  func run() throws {
    Signals.beginFinalising()
    defer { Signals.endFinalising() }
    let environment = SystemIO.environment()
    let o = server
    let (host, port) = try RecordingServerOptions.hostAndPort(o.listen)
    try SystemIO.makeDirectory(o.outputDir)
    let files = CaptureFiles(folder: o.outputDir, report: RecordingRun.report(o))
    let capture: StreamCaptureServer
    do {
      capture = try StreamCaptureServer(
        host: host, port: port,
        options: .init(
          path: o.path, authToken: o.authToken ?? environment[EnvironmentVariable.authToken], echo: echo),
        sink: files)
    } catch {
      throw TwvoiceError(.checkFailed, "cannot listen on \(host):\(port): \(Self.describe(error))")
    }
    try RecordingRun.serve(
      capture, files: files, options: o,
      doing:
        "capturing on ws://\(RecordingRun.shown(host)):\(capture.port)\(o.path ?? "/") into \(o.outputDir)\(echo ? ", answering as an echo bot" : "")"
    )
  }

  /// An error from binding, in a few words ("Address already in use").
  static func describe(_ error: any Error) -> String { "\(error)".escapingControlCharacters }
}

/// A server that records streams into `CaptureFiles`: `stream capture` and `stream proxy`.
protocol RecordingServer {
  var port: Int { get }
  var openStreams: Int { get }
  func shutdown(closeCode: UInt16, waitSeconds: Double)
}

extension StreamCaptureServer: RecordingServer {}
extension StreamProxyServer: RecordingServer {}

/// How `stream capture` and `stream proxy` run once listening: the line saying where, a live
/// line on a terminal, and on SIGINT or SIGTERM every open stream closed with 1001, every file
/// finished and the summary printed.
enum RecordingRun {
  static func shown(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

  /// The line per finished stream, unless `-q` or `--json`.
  static func report(_ options: RecordingServerOptions) -> (@Sendable (String) -> Void)? {
    if options.quiet || options.json { return nil }
    return { line in Terminal.diagnostic(line) }
  }

  static func serve(
    _ server: some RecordingServer, files: CaptureFiles, options: RecordingServerOptions, doing: String
  ) throws {
    let (json, quiet, outputDir) = (options.json, options.quiet, options.outputDir)
    // Always said, -q included: with port 0 it is the only way to learn the port.
    Terminal.diagnostic("twvoice: \(doing) (Ctrl-C to stop)")
    let live = !quiet && !json && Terminal.isTerminal(2)
    while StreamReplay.hangUpSignal == nil {
      usleep(100_000)
      if live { Terminal.progress(files.liveLine()) }
    }
    if live { Terminal.progress(nil) }
    let open = server.openStreams
    server.shutdown(closeCode: 1001, waitSeconds: 5)
    let captured = files.finished()
    if json {
      Terminal.write(JSONWriter(style: .pretty, asciiOnly: false).string(files.json()) + "\n")
    } else if !quiet {
      Terminal.diagnostic(
        "twvoice: captured \(captured) stream(s) into \(outputDir)\(open > 0 ? " (\(open) open at the end, closed with 1001)" : "")"
      )
      let arrival = files.arrivalLateness()
      if let p50 = arrival.percentile(0.5), let p99 = arrival.percentile(0.99) {
        Terminal.diagnostic(
          "twvoice: media arrival lateness over \(arrival.count) frames: p50 \(format3(p50)) ms, p99 \(format3(p99)) ms, max \(format3(arrival.max)) ms"
        )
      }
    }
    if let error = files.firstError { throw error }
  }
}

/// The session-log files of a capture, one per connection, written as frames arrive.
final class CaptureFiles: CaptureSink, Sendable {
  let folder: String
  let report: (@Sendable (String) -> Void)?
  private let streams = Locked<[Int: CaptureFile]>([:])
  private let done = Locked<(files: [CaptureFile.Summary], names: Set<String>, error: TwvoiceError?)>(
    ([], [], nil))

  init(folder: String, report: (@Sendable (String) -> Void)?) {
    self.folder = folder
    self.report = report
  }

  func opened(_ connection: Int, request: WebSocketServer.Request) -> any CaptureStream {
    let file = CaptureFile(connection: connection, files: self)
    streams.withLock { $0[connection] = file }
    return file
  }

  /// A connection's file is finished: its summary is kept and reported.
  func closed(_ file: CaptureFile, arrival: ArrivalTiming) {
    let connection = file.connection
    guard streams.withLock({ $0.removeValue(forKey: connection) }) != nil else { return }
    var summary = file.finish()
    summary?.arrivalLateness = arrival.lateness
    done.withLock { state in
      if let summary { state.files.append(summary) }
    }
    if let summary, let report {
      report(
        "twvoice: \(summary.streamSid ?? "connection \(connection)") ended after \(format3(summary.durationMs / 1000)) s: \(summary.messagesIn) message(s) in, \(summary.messagesOut) out, \(summary.marks) mark(s), \(summary.dtmf) dtmf → \(summary.path)"
      )
    }
  }

  /// A path for `name` in the folder that no other stream of this run has taken, nor an
  /// existing file: `name.jsonl`, else `name-2.jsonl`, …
  func claimPath(_ name: String) -> String {
    done.withLock { state in
      var candidate = name
      var k = 1
      while state.names.contains(candidate)
        || SystemIO.exists(SystemIO.path(candidate + ".jsonl", in: folder))
      {
        k += 1
        candidate = "\(name)-\(k)"
      }
      state.names.insert(candidate)
      return SystemIO.path(candidate + ".jsonl", in: folder)
    }
  }

  func failed(_ error: TwvoiceError) {
    done.withLock { if $0.error == nil { $0.error = error } }
    report?("twvoice: warning: \(error.message)")
  }

  var firstError: TwvoiceError? { done.withLock { $0.error } }

  /// Streams finished so far.
  func finished() -> Int { done.withLock { $0.files.count } }

  /// How late media frames arrived, over every stream finished (`ArrivalTiming`).
  func arrivalLateness() -> LatencyHistogram {
    done.withLock { state in
      var all = LatencyHistogram()
      for file in state.files { all.merge(file.arrivalLateness) }
      return all
    }
  }

  static func latenessJSON(_ h: LatencyHistogram) -> JSONValue {
    func ms(_ v: Double?) -> JSONValue { v.map { .number(format3($0)) } ?? .null }
    return .object([
      ("frames", .int(h.count)), ("p50", ms(h.percentile(0.5))), ("p99", ms(h.percentile(0.99))),
      ("max", ms(h.count > 0 ? h.max : nil)),
    ])
  }

  func liveLine() -> String {
    let open = streams.withLock { Array($0.values) }
    let shown = open.prefix(3).map(\.liveText).joined(separator: "; ")
    return "\(open.count) stream(s) open\(shown.isEmpty ? "" : ": " + shown)\(open.count > 3 ? "; …" : "")"
  }

  func json() -> JSONValue {
    let files = done.withLock { $0.files }
    return .object([
      (
        "streams",
        .array(
          files.map { f in
            .object([
              ("file", .string(f.path)), ("stream_sid", f.streamSid.map(JSONValue.string) ?? .null),
              ("duration_s", .number(format3(f.durationMs / 1000))), ("messages_in", .int(f.messagesIn)),
              ("messages_out", .int(f.messagesOut)), ("marks", .int(f.marks)), ("dtmf", .int(f.dtmf)),
              ("arrival_lateness_ms", Self.latenessJSON(f.arrivalLateness)),
            ])
          })
      ),
      ("arrival_lateness_ms", Self.latenessJSON(arrivalLateness())),
    ])
  }
}

/// One connection's session log: kept in memory until `start` names the stream (at most
/// `CaptureFile.maximumPending` bytes; past that the connection's own name is used), then
/// written in blocks and renamed into place when the socket closes.
final class CaptureFile: CaptureStream, @unchecked Sendable {
  struct Summary: Sendable {
    var path: String
    var streamSid: String?
    var durationMs: Double
    var messagesIn: Int
    var messagesOut: Int
    var marks: Int
    var dtmf: Int
    /// How late its media frames arrived (`ArrivalTiming`).
    var arrivalLateness = LatencyHistogram()
  }

  static let maximumPending = 1 << 20
  let connection: Int
  unowned let files: CaptureFiles
  private let lock = Locked(())
  // Guarded by `lock`.
  private var buffer: [UInt8] = []
  private var output: OutputFile?
  private var path: String?
  private var streamSid: String?
  private var failed = false
  private var lastMs = 0.0
  private var messagesIn = 0
  private var messagesOut = 0
  private var marks = 0
  private var dtmf = 0

  init(connection: Int, files: CaptureFiles) {
    self.connection = connection
    self.files = files
  }

  var liveText: String {
    lock.withLock { _ in
      "\(streamSid.map { String($0.prefix(8)) + "…" } ?? "#\(connection)") \(Int(lastMs / 1000)) s \(messagesIn) in, \(marks) marks, \(dtmf) dtmf"
    }
  }

  func received(_ entries: [SessionLog.Entry], message: TwilioMessage?) {
    append(entries, message: message)
  }

  func closed(arrival: ArrivalTiming) { files.closed(self, arrival: arrival) }

  /// `message` is the first entry's frame read as Twilio's, when it is one; other JSON frames
  /// from Twilio's side are looked into for an event name (a capture keeps what any client sends).
  func append(_ entries: [SessionLog.Entry], message: TwilioMessage?) {
    lock.withLock { _ in
      for (k, entry) in entries.enumerated() {
        SessionLog.append(entry, to: &buffer)
        lastMs = max(lastMs, entry.atMs)
        if entry.from == .bot { messagesOut += 1 } else { messagesIn += 1 }
        guard entry.from == .twilio, case .text(let text, true) = entry.frame else { continue }
        var startSid: String?
        switch k == 0 ? message : nil {
        case .mark?: marks += 1
        case .dtmf?: dtmf += 1
        case .start(_, let start)?: startSid = (try? StreamSid(start.streamSid))?.rawValue
        case .connected?, .media?, .stop?: break
        case nil:
          if text.contains(#""event":"mark""#) { marks += 1 }
          if text.contains(#""event":"dtmf""#) { dtmf += 1 }
          startSid = Self.startStreamSid(text)
        }
        if output == nil, let sid = startSid {
          streamSid = sid
          open(named: sid)
        }
      }
      if output == nil && buffer.count > Self.maximumPending { open(named: "connection-\(connection)") }
      if output != nil && buffer.count >= 1 << 16 { flush() }
    }
  }

  /// Writes what is left and renames the file into place.
  func finish() -> Summary? {
    lock.withLock { _ -> Summary? in
      if output == nil { open(named: "connection-\(connection)") }
      flush()
      guard let output, let path, !failed else {
        output?.abort()
        return nil
      }
      do { try output.commit() } catch {
        files.failed(error as? TwvoiceError ?? TwvoiceError(.ioError, "\(path): \(error)"))
        return nil
      }
      return Summary(
        path: path, streamSid: streamSid, durationMs: lastMs, messagesIn: messagesIn,
        messagesOut: messagesOut,
        marks: marks, dtmf: dtmf)
    }
  }

  private func open(named name: String) {
    let path = files.claimPath(name)
    self.path = path
    do { output = try OutputFile(path: path, binary: false) } catch {
      failed = true
      files.failed(error)
    }
  }

  private func flush() {
    guard let output, !failed, !buffer.isEmpty else { return }
    do { try output.write(buffer) } catch {
      failed = true
      files.failed(error)
    }
    buffer.removeAll(keepingCapacity: true)
  }

  /// The stream SID of a `start` message, when it is one of Twilio's shape (it names a file).
  static func startStreamSid(_ text: String) -> String? {
    guard text.contains("\"start\""), let value = try? JSONParser.parse(text),
      value["event"]?.stringValue == "start",
      let sid = value["start"]?["streamSid"]?.stringValue ?? value["streamSid"]?.stringValue,
      (try? StreamSid(sid)) != nil
    else { return nil }
    return sid
  }
}
