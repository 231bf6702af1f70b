import TwvoiceCore
import TwvoiceNet

/// How a ConversationRelay session is shown: the transcript as it happens, the text summary, the
/// `--json` summary, JUnit for a scenario, and whether the run failed.
struct RelayReport {
  let session: RelaySession
  let url: String
  let signal: Int32?
  /// The scenario file, when the caller followed one.
  var scenarioFile: String?

  /// One transcript line: `   1.234  caller  Holding.`
  static func show(_ line: RelaySession.TranscriptLine, toStdout: Bool) {
    let name = line.speaker.rawValue
    let speaker = name + String(repeating: " ", count: max(0, 6 - name.count))
    let text = "\(format3(line.atMs / 1000).leftPadded(to: 9))  \(speaker)  \(line.text)"
    if toStdout {
      Terminal.write(text + "\n")
      Terminal.flush()
    } else {
      Terminal.diagnostic(text)
    }
  }

  private func ms(_ value: Double?) -> String { value.map { "\(Int($0.rounded())) ms" } ?? "–" }

  /// The session's end as a phrase: `completed`, `ended (handoff data …)`, `failed: … (64105)`.
  var endingText: String {
    switch session.ending {
    case .completed?, nil: "completed"
    case .ended(let data)?:
      "ended" + (data.map { " with handoff data \($0.escapingControlCharacters)" } ?? "")
    case .failed(let code, let message)?:
      "failed: \(message.escapingControlCharacters) (Twilio error \(code))"
    }
  }

  var text: String {
    let s = session
    var lines = [
      "twvoice: relay \(url): session \(s.configuration.setup.sessionId) \(endingText) after "
        + "\(format3(s.endedAtMs / 1000)) s (\(s.sentMessages) frames sent, \(s.receivedMessages) received)"
    ]
    for (k, turn) in s.turns.enumerated() {
      var parts: [String] = []
      if !turn.reported { parts.append("not passed on (the agent was speaking)") }
      if turn.reported {
        parts.append("first token \(ms(turn.firstTokenAtMs.map { $0 - turn.promptAtMs }))")
        parts.append("last token \(ms(turn.lastTokenAtMs.map { $0 - turn.promptAtMs }))")
      }
      if turn.interrupted { parts.append("interrupted") }
      lines.append(
        "  turn \(k + 1) \"\(turn.prompt.escapingControlCharacters)\": \(parts.joined(separator: ", "))")
    }
    if s.firstTokenLatency.count > 0 {
      lines.append(
        "  time to first token p50 \(ms(s.firstTokenLatency.percentile(0.5))), p95 \(ms(s.firstTokenLatency.percentile(0.95))), max \(ms(s.firstTokenLatency.max))"
          + "; to last token p50 \(ms(s.lastTokenLatency.percentile(0.5))), max \(ms(s.lastTokenLatency.max))"
      )
    }
    lines.append(
      "  talk cycles \(s.talkCycles), interrupts \(s.interrupts), preemptions \(s.preemptions), plays \(s.plays), digits sent "
        + (s.digitsSent.isEmpty ? "none" : s.digitsSent))
    if s.queueOverflow > 0 {
      lines.append(
        "  \(s.queueOverflow) message(s) dropped: the play queue held \(RelaySession.queueLimit) already")
    }
    if s.tokensAfterInterrupt > 0 {
      lines.append(
        "  \(s.tokensAfterInterrupt) token(s) of an interrupted reply arrived after the interrupt (dropped)")
    }
    for (code, count) in s.errorsSent.sorted(by: { $0.key < $1.key }) {
      let first = s.refusals.first.map { " (first: \($0.reason))" } ?? ""
      lines.append("  errors sent: \(code) ×\(count)\(first)")
    }
    if let violation = s.violation { lines.append("  protocol: \(violation.escapingControlCharacters)") }
    if !s.script.steps.isEmpty, let scenarioFile {
      lines += ScenarioReport.lines(s, file: scenarioFile)
    }
    return lines.joined(separator: "\n")
  }

  var json: JSONValue {
    let s = session
    let msValue = { (value: Double?) in value.map { JSONValue.number(format3($0)) } ?? .null }
    func percentiles(_ h: LatencyHistogram) -> JSONValue {
      .object([
        ("count", .int(h.count)), ("p50", msValue(h.percentile(0.5))), ("p95", msValue(h.percentile(0.95))),
        ("max", h.count > 0 ? msValue(h.max) : .null),
      ])
    }
    var members: [(key: String, value: JSONValue)] = [
      ("url", .string(url)),
      ("session_id", .string(s.configuration.setup.sessionId)),
      ("call_sid", .string(s.configuration.setup.callSid)),
      ("status", .string(s.ending?.status ?? "completed")),
    ]
    switch s.ending {
    case .ended(let data)?: members.append(("handoff_data", data.map(JSONValue.string) ?? .null))
    case .failed(let code, let message)?:
      members.append(("error", .object([("code", .int(code)), ("message", .string(message))])))
    default: break
    }
    members += [
      ("duration_s", .number(format3(s.endedAtMs / 1000))),
      (
        "turns",
        .array(
          s.turns.map { turn in
            .object([
              ("prompt", .string(turn.prompt)),
              ("prompt_s", .number(format3(turn.promptAtMs / 1000))),
              ("passed_on", .bool(turn.reported)),
              ("first_token_ms", msValue(turn.firstTokenAtMs.map { $0 - turn.promptAtMs })),
              ("last_token_ms", msValue(turn.lastTokenAtMs.map { $0 - turn.promptAtMs })),
              ("interrupted", .bool(turn.interrupted)),
            ])
          })
      ),
      ("time_to_first_token_ms", percentiles(s.firstTokenLatency)),
      ("time_to_last_token_ms", percentiles(s.lastTokenLatency)),
      ("talk_cycles", .int(s.talkCycles)),
      ("interrupts", .int(s.interrupts)),
      ("preemptions", .int(s.preemptions)),
      ("plays", .int(s.plays)),
      ("digits_sent", .string(s.digitsSent)),
      ("tokens_after_interrupt", .int(s.tokensAfterInterrupt)),
      ("queue_overflow", .int(s.queueOverflow)),
      ("prompts_not_passed_on", .int(s.promptsNotReported)),
      (
        "errors_sent",
        .object(s.errorsSent.sorted { $0.key < $1.key }.map { (String($0.key), JSONValue.int($0.value)) })
      ),
      (
        "refusals",
        .array(
          s.refusals.map {
            .object([("t", .number(format3($0.atMs / 1000))), ("reason", .string($0.reason))])
          })
      ),
      ("messages", .object([("sent", .int(s.sentMessages)), ("received", .int(s.receivedMessages))])),
    ]
    if let violation = s.violation { members.append(("protocol_error", .string(violation))) }
    if let scenarioFile {
      members.append(("scenario", .object(ScenarioReport.members(s, file: scenarioFile))))
    }
    if let signal { members.append(("signal", .string(Signals.name(signal)))) }
    return .object(members)
  }

  func junit(file: String) -> String {
    JUnitReport.xml([ScenarioReport.junitSuite(session, file: file)])
  }

  /// Why the run fails, or nil: the session failed, a step failed, or with `strict` the app sent
  /// frames Twilio refuses.
  func failure(strict: Bool) -> String? {
    if case .failed(let code, let message)? = session.ending {
      return "the session failed: \(message.escapingControlCharacters) (Twilio error \(code))"
    }
    if let step = session.failedStep {
      return "step \(step + 1) failed: \(session.results[step].message)"
    }
    let refused = session.errorsSent.values.reduce(0, +)
    if strict && refused > 0 {
      return "the app sent \(refused) frame(s) Twilio refuses (64107) (--strict)"
    }
    return nil
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: " ", count: width - count) + self
  }
}

extension RelaySession {
  /// Settles how a session the driver handed back ended, when it did not end itself: a socket
  /// that never opened is Twilio's 64102 (the caller hears busy); one that broke after `setup`
  /// went out is 64105, like any other end the app did not choose.
  mutating func conclude(after outcome: StreamReplayClient.Outcome, url: String, at now: Double) {
    guard ending == nil else { return }
    if case .failed(let error) = outcome, sentMessages == 0 {
      failedToConnect("\(url): \(error.message)", at: 0)
    } else {
      callEnded(at: now, botHungUp: false, reason: StreamReplay.failureText(outcome))
    }
  }
}
