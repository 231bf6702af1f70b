import Synchronization
import TwvoiceCore
import TwvoiceNet

/// The summary of a replay: messages, audio, marks, violations by code, latency.
struct ReplaySummary {
  let session: StreamSession
  let outcome: StreamReplayClient.Outcome
  /// Session time per real time: latencies and lateness are in session time when it is not 1.
  let speed: Double
  /// The signal the caller hung up on, if any.
  let signal: Int32?

  static func closeDetail(_ code: Int?, _ reason: String) -> String {
    guard let code else { return " (no close code)" }
    return " (close code \(code)\(reason.isEmpty ? "" : ", reason \"\(reason.escapingControlCharacters)\""))"
  }

  var outcomeText: String {
    if let signal { return "hung up on \(Signals.name(signal))" }
    switch outcome {
    case .completed: return "completed"
    case .botEnded(let code, let reason): return "the bot ended the stream" + Self.closeDetail(code, reason)
    case .serverClosed(let code, let reason): return "server closed early" + Self.closeDetail(code, reason)
    case .failed(let error): return "failed: \(error)".escapingControlCharacters
    case .cancelled: return "cancelled before the stream opened"
    }
  }

  /// What the times are measured in.
  var clock: String { speed == 1 ? "real" : "session" }

  /// The header lines a report page adds: the replay's own response latency and findings.
  var reportFacts: [(name: String, value: String)] {
    let f = figures
    var facts: [(name: String, value: String)] = []
    if let p50 = f.latency.p50 {
      let rounded = { (v: Double?) in Int((v ?? 0).rounded()) }
      facts.append(
        (
          "Response latency",
          "p50 \(rounded(p50)) ms, p95 \(rounded(f.latency.p95)) ms, max \(rounded(f.latency.max)) ms, \(f.latency.unanswered) of \(f.latency.utterances) unanswered"
        ))
    }
    if !session.findings.isEmpty {
      facts.append(("Warnings", session.findings.map { "\($0.code)×\($0.count)" }.joined(separator: " ")))
    }
    if !session.behaviour.findings.isEmpty {
      facts.append(
        (
          "Findings",
          session.behaviour.findings.map { "\($0.kind.rawValue)×\($0.count)" }.joined(separator: " ")
        ))
    }
    return facts
  }

  var figures: SessionFigures { SessionFigures(session) }

  var json: JSONValue {
    let f = figures
    func ms(_ v: Double?) -> JSONValue { v.map { .int(Int($0.rounded())) } ?? .null }
    func seconds(_ v: Double) -> JSONValue { .number(format3(v)) }
    return .object([
      ("outcome", .string(outcomeText)),
      ("stream_sid", .string(session.configuration.streamSid.rawValue)),
      ("clock", .string(clock)), ("speed", .number(format3(speed))),
      ("messages_sent", .int(f.messagesSent)), ("messages_received", .int(f.messagesReceived)),
      ("audio_sent_s", seconds(f.audioSentSeconds)),
      ("audio_played_s", seconds(f.audioPlayedSeconds)),
      ("audio_cleared_s", seconds(f.audioClearedSeconds)),
      ("marks_received", .int(f.marksReceived)), ("marks_echoed", .int(f.marksEchoed)),
      ("clears", .int(f.clears)),
      ("warnings", .object(f.warnings.map { (String($0.code), .int($0.count)) })),
      (
        "violations",
        .array(
          session.findings.map { finding in
            .object([
              ("code", .int(finding.code)), ("count", .int(finding.count)),
              (
                "first",
                .array(
                  finding.first.map {
                    .object([("t", .number(format3($0.atMs / 1000))), ("message", .string($0.message))])
                  })
              ),
            ])
          })
      ),
      (
        "findings",
        .array(
          session.behaviour.findings.map { finding in
            .object(
              [
                ("id", .string(finding.kind.rawValue)), ("t", .number(format3(finding.atMs / 1000))),
                ("count", .int(finding.count)), ("message", .string(finding.message)),
              ] + finding.figures.map { ($0.name, .number(format3($0.value))) })
          })
      ),
      (
        "pacing_lateness_ms",
        .object([
          ("clock", .string(clock)),
          ("frames", .int(f.lateness.frames)),
          ("p50", .number(format3(f.lateness.p50))),
          ("p99", .number(format3(f.lateness.p99))),
          ("max", .number(format3(f.lateness.max))),
        ])
      ),
      (
        "latency_ms",
        .object([
          ("clock", .string(clock)),
          ("utterances", .int(f.latency.utterances)), ("answered", .int(f.latency.answered)),
          ("unanswered", .int(f.latency.unanswered)),
          ("p50", ms(f.latency.p50)), ("p95", ms(f.latency.p95)), ("max", ms(f.latency.max)),
        ])
      ),
    ])
  }

  var text: String {
    let f = figures
    let timeLabel =
      speed == 1
      ? "" : " session time (\(speed == speed.rounded() ? String(Int(speed)) : String(speed))× real time)"
    var parts = [
      "twvoice: stream \(session.configuration.streamSid) \(outcomeText)",
      "\(f.messagesSent) messages sent, \(f.messagesReceived) received",
      "audio \(format3(f.audioSentSeconds)) s sent, \(format3(f.audioPlayedSeconds)) s played, \(format3(f.audioClearedSeconds)) s cleared",
      "marks \(f.marksReceived) received, \(f.marksEchoed) echoed, \(f.clears) clears",
    ]
    if !session.findings.isEmpty {
      parts.append(
        "warnings " + session.findings.map { "\($0.code)×\($0.count)" }.joined(separator: " "))
    }
    if !session.behaviour.findings.isEmpty {
      parts.append(
        "findings "
          + session.behaviour.findings.map { "\($0.kind.rawValue)×\($0.count)" }.joined(separator: " "))
    }
    if let p50 = f.latency.p50 {
      let rounded = { (v: Double?) in Int((v ?? 0).rounded()) }
      parts.append(
        "latency p50 \(rounded(p50)) ms, p95 \(rounded(f.latency.p95)) ms, max \(rounded(f.latency.max)) ms\(timeLabel)"
      )
    }
    let unanswered = f.latency.unanswered
    if unanswered > 0 {
      var note = "\(unanswered) of \(f.latency.utterances) utterance(s) unanswered"
      if speed > 100 { note += " (--fast: a bot that answers in real time cannot keep up)" }
      parts.append(note)
    }
    return parts.joined(separator: "; ")
  }

  /// One line per violation code, as Twilio's debugger logs it once per stream: the count and
  /// the first occurrence.
  var findingLines: [String] {
    session.findings.map { finding in
      let first = finding.first.first
      let times = finding.count == 1 ? "once" : "\(finding.count) times"
      return
        "Twilio \(finding.code), \(times); first at \(format3((first?.atMs ?? 0) / 1000)) s: \(first?.message ?? "")"
    }
      + session.behaviour.findings.map { finding in
        let times = finding.count == 1 ? "once" : "\(finding.count) times"
        return
          "\(finding.kind.rawValue), \(times); first at \(format3(finding.atMs / 1000)) s: \(finding.message)"
      }
  }

  /// Whether `--strict` fails the run: a protocol violation, or a finding not excused with
  /// `--allow`.
  static func strictFailure(_ session: StreamSession, allowed: [BotBehaviour.Kind]) -> String? {
    if session.violationCount > 0 {
      return "the bot broke the Media Streams protocol \(session.violationCount) time(s) (--strict)"
    }
    let found = session.behaviour.findings.map(\.kind).filter { !allowed.contains($0) }
    if !found.isEmpty {
      return
        "the bot showed \(found.map(\.rawValue).joined(separator: ", ")) (--strict; --allow ID excuses one)"
    }
    return nil
  }
}

/// Writes the `--log` file (the session log, `SessionLog`) as the call goes, so memory stays flat
/// however many messages pass. Streams running at once (a call's `<Start>` and `<Connect>`) may
/// append from their event loops together: a lock keeps their lines whole.
final class ReplayLogWriter: Sendable {
  /// The `--log` file, if one was asked for.
  let file: OutputFile?
  /// Whether every line is also kept in memory (`--report` builds its page from them).
  let keepsCopy: Bool
  private let state = Locked<(buffer: [UInt8], copy: [UInt8], error: TwvoiceError?)>(([], [], nil))

  init(file: OutputFile?, keepsCopy: Bool = false) {
    self.file = file
    self.keepsCopy = keepsCopy
  }

  /// A writer for `--log` and `--report`, or nil when neither was asked for.
  static func make(log: String?, report: String?) throws -> ReplayLogWriter? {
    guard log != nil || report != nil else { return nil }
    return ReplayLogWriter(
      file: try log.map { try OutputFile(path: $0, binary: false) }, keepsCopy: report != nil)
  }

  /// Appends entries, their times moved by `offsetMs` (a stream's start in its call); written
  /// in blocks of 64 KiB.
  func append(_ entries: [SessionLog.Entry], offsetMs: Double = 0) {
    state.withLock { state in
      for var entry in entries {
        entry.atMs += offsetMs
        SessionLog.append(entry, to: &state.buffer)
      }
      if state.buffer.count >= 1 << 16 { write(&state) }
    }
  }

  /// A stream client's `onLog` that appends here with `offsetMs`.
  func sink(offsetMs: Double) -> @Sendable ([SessionLog.Entry]) -> Void {
    { entries in self.append(entries, offsetMs: offsetMs) }
  }

  /// Appends an HTTP request or answer (`SessionLog.appendExchange`).
  func appendExchange(atMs: Double, isRequest: Bool, _ value: JSONValue) {
    state.withLock { state in
      SessionLog.appendExchange(atMs: atMs, isRequest: isRequest, value, to: &state.buffer)
      if state.buffer.count >= 1 << 16 { write(&state) }
    }
  }

  private func write(_ state: inout (buffer: [UInt8], copy: [UInt8], error: TwvoiceError?)) {
    if keepsCopy { state.copy += state.buffer }
    defer { state.buffer.removeAll(keepingCapacity: true) }
    guard state.error == nil, let file else { return }
    do { try file.write(state.buffer) } catch { state.error = error }
  }

  /// Every line so far (with `keepsCopy`).
  func lines() -> [Substring] {
    let text = state.withLock { state in
      write(&state)
      return String(decoding: state.copy, as: UTF8.self)
    }
    return text.split(separator: "\n")
  }

  /// Writes what is left and renames the file into place; the first write error, if any.
  func finish() throws(TwvoiceError) {
    let error = state.withLock { state in
      write(&state)
      return state.error
    }
    if let error {
      file?.abort()
      throw error
    }
    try file?.commit()
  }

  /// Removes the file being written (the run was stopped before it began).
  func abort() { file?.abort() }
}

/// A progress line on standard error, rewritten in place.
enum ReplayProgress {
  nonisolated(unsafe) static var lastShown = -1

  static func show(_ session: StreamSession) {
    let seconds = Int(session.lastMessageMs / 1000)
    guard seconds != lastShown else { return }
    lastShown = seconds
    Terminal.progress(
      "\(seconds) s: \(session.sentMessages) sent, \(session.receivedMessages) received, bot audio \(format2(Double(session.playout.bytesQueued) / 8000)) s, marks \(session.marksEchoed)/\(session.marksReceived)"
    )
  }

  static func clear() { Terminal.progress(nil) }
}
