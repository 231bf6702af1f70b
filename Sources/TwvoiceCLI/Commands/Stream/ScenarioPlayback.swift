import ArgumentParser
import Dispatch
import Synchronization
import TwvoiceCore
import TwvoiceNet

#if canImport(Glibc)
  import Glibc
#endif

/// `stream replay --scenario`: each scenario is one call to the bot, its caller following the
/// steps; several run one after another, or `--jobs` at once.
extension StreamReplay {
  /// One scenario's call as it ended.
  struct ScenarioOutcome: Sendable {
    var file: String
    var session: StreamSession
    var outcome: StreamReplayClient.Outcome
    var run: ScenarioRun
  }

  /// Why a scenario's steps stopped when its stream did not run to a verdict.
  static func unfinishedReason(_ outcome: StreamReplayClient.Outcome) -> String {
    switch outcome {
    case .failed(let error): "the stream failed (\(error.description.escapingControlCharacters))"
    case .cancelled: "the caller hung up before the stream opened"
    default: "the stream ended"
    }
  }

  func playScenarios(
    target: StreamReplayClient.Target, resolved: (host: String, port: Int, address: String)?,
    environment: [String: String], random: inout TwvoiceRandom
  ) throws {
    // Every file is read and checked before the first call: a typo in the fifth file fails now.
    let loaded = try ScenarioLoading.files(scenarios).map { try ScenarioLoading.load($0) }
    if loaded.count > 1 && (record != nil || log != nil) {
      throw TwvoiceError(.usage, "--record and --log take one scenario; \(loaded.count) were given")
    }
    var sessions: [StreamSession] = []
    for item in loaded {
      let configuration = try sessionConfiguration(
        parameters: item.scenario.parameters.overridden(by: params), environment: environment, random: &random
      )
      sessions.append(
        StreamSession(configuration: configuration, input: .init(audio: []), scenario: item.scenario))
    }
    // Output files are opened first: a path that cannot be written fails before any call.
    let recordFile = try record.map { try OutputFile(path: $0) }
    let logWriter = try log.map { ReplayLogWriter(file: try OutputFile(path: $0, binary: false)) }
    let junitFile = try junit.map { try OutputFile(path: $0, binary: false) }
    var onLog: (@Sendable ([StreamSession.LogEntry]) -> Void)?
    if let logWriter { onLog = { entries in logWriter.append(entries) } }
    let client = client(
      target: target, resolvedAddress: resolved?.address, environment: environment, onLog: onLog)

    let results = Locked<[ScenarioOutcome?]>(Array(repeating: nil, count: loaded.count))
    let next = Locked(0)
    let showSteps = !quiet && !json
    let files = loaded.map(\.file)
    let scenarioList = loaded.map(\.scenario)
    let sessionsToRun = sessions
    let worker: @Sendable () -> Void = {
      while Self.hangUpSignal == nil {
        let k = next.withLock { n in
          defer { n += 1 }
          return n
        }
        guard k < sessionsToRun.count else { return }
        var (session, outcome) = client.run(sessionsToRun[k])
        session.concludeScript(reason: Self.unfinishedReason(outcome))
        let result = ScenarioOutcome(
          file: files[k], session: session, outcome: outcome,
          run: session.script ?? ScenarioRun(scenarioList[k]))
        if showSteps { Terminal.diagnostic(ScenarioReport.text(result)) }
        results.withLock { $0[k] = result }
      }
    }
    if jobs == 1 || loaded.count == 1 {
      worker()
    } else {
      // Serial queues get a thread each: every call blocks its worker for its whole length.
      let group = DispatchGroup()
      for k in 0..<min(jobs, loaded.count) {
        DispatchQueue(label: "twvoice.scenario.\(k)").async(group: group, execute: worker)
      }
      group.wait()
    }
    let outcomes = results.withLock { $0.compactMap { $0 } }
    let signal = Self.hangUpSignal

    if case .cancelled = outcomes.first?.outcome, outcomes.count == 1 {
      recordFile?.abort()
      logWriter?.abort()
      junitFile?.abort()
      throw ExitCode(128 + (signal ?? SIGINT))
    }
    if let recordFile, let only = outcomes.first {
      try recordFile.commitRecording(muLaw: only.session.stereoRecording())
    }
    if let logWriter { try logWriter.finish() }
    if let junitFile {
      try junitFile.write(
        Array(JUnitReport.xml(outcomes.map { ScenarioReport.junitSuite($0.run, file: $0.file) }).utf8))
      try junitFile.commit()
    }
    if json {
      let summary = ScenarioReport.json(outcomes, speed: clock.effectiveSpeed, signal: signal)
      Terminal.write(JSONWriter(style: .pretty, asciiOnly: false).string(summary) + "\n")
    } else if !quiet && outcomes.count > 1 {
      let passed = outcomes.filter(\.run.passed).count
      Terminal.diagnostic("twvoice: \(passed) of \(outcomes.count) scenarios passed")
    }
    if let signal { throw ExitCode(128 + signal) }
    if outcomes.count < loaded.count || outcomes.contains(where: { !$0.run.passed }) {
      throw ExitCode(FailureKind.checkFailed.rawValue)
    }
    if strict,
      let failure = outcomes.lazy.compactMap({ ReplaySummary.strictFailure($0.session, allowed: allowed) })
        .first
    {
      Terminal.error(failure)
      throw ExitCode(FailureKind.checkFailed.rawValue)
    }
  }
}

/// A scripted caller's steps and their verdicts, whatever ran them: a stream scenario
/// (`ScenarioRun`) or a ConversationRelay script (`RelaySession`).
protocol ScriptVerdicts {
  var scriptName: String { get }
  var results: [ScenarioRun.StepResult] { get }
  /// Each step's title and line in its file.
  var stepLabels: [(title: String, line: Int)] { get }
  var passed: Bool { get }
}

extension ScenarioRun: ScriptVerdicts {
  var scriptName: String { scenario.name }
  var stepLabels: [(title: String, line: Int)] { scenario.steps.map { ($0.title, $0.line) } }
}

extension RelaySession: ScriptVerdicts {
  var scriptName: String { script.name }
  var stepLabels: [(title: String, line: Int)] { script.steps.map { ($0.title, $0.line) } }
  var passed: Bool { scriptPassed }
}

/// How a scenario's call is shown: step verdicts on standard error, JSON, JUnit. Shared by
/// `stream replay --scenario`, `call --scenario` and `relay --scenario`.
enum ScenarioReport {
  static func name(_ run: some ScriptVerdicts, file: String) -> String {
    run.scriptName.isEmpty ? file : run.scriptName
  }

  /// The verdict and one line per step.
  static func lines(_ run: some ScriptVerdicts, file: String) -> [String] {
    let verdict = run.passed ? "passed" : "FAILED"
    var lines = ["twvoice: scenario \(name(run, file: file).escapingControlCharacters) (\(file)): \(verdict)"]
    let labels = run.stepLabels
    for (k, step) in run.results.enumerated() {
      let mark =
        switch step.status {
        case .passed: "ok  "
        case .failed: "FAIL"
        case .skipped, .pending: "skip"
        }
      let at = step.endedAtMs.map { " at \(format3($0 / 1000)) s" } ?? ""
      let title = "\(k + 1) \(labels[k].title)".escapingControlCharacters
      lines.append("  \(mark) \(title) (line \(labels[k].line))\(at): \(step.message)")
    }
    return lines
  }

  static func text(_ result: StreamReplay.ScenarioOutcome) -> String {
    var lines = lines(result.run, file: result.file)
    if case .failed(let error) = result.outcome {
      lines.append("  stream: \(error.description.escapingControlCharacters)")
    }
    for finding in result.session.behaviour.findings {
      lines.append(
        "  finding \(finding.kind.rawValue) at \(format3(finding.atMs / 1000)) s: \(finding.message)")
    }
    return lines.joined(separator: "\n")
  }

  /// `{file, name, passed, steps: […]}`.
  static func members(_ run: some ScriptVerdicts, file: String) -> [(String, JSONValue)] {
    let seconds = { (ms: Double?) in ms.map { JSONValue.number(format3($0 / 1000)) } ?? .null }
    let labels = run.stepLabels
    return [
      ("file", .string(file)),
      ("name", .string(run.scriptName)),
      ("passed", .bool(run.passed)),
      (
        "steps",
        .array(
          run.results.enumerated().map { k, step in
            .object([
              ("step", .string(labels[k].title)),
              ("line", .int(labels[k].line)),
              ("status", .string(step.status.rawValue)),
              ("started_s", seconds(step.startedAtMs)),
              ("ended_s", seconds(step.endedAtMs)),
              ("measured_ms", step.measuredMs.map { .int(Int($0.rounded())) } ?? .null),
              ("message", .string(step.message)),
            ])
          })
      ),
    ]
  }

  static func json(_ outcomes: [StreamReplay.ScenarioOutcome], speed: Double, signal: Int32?) -> JSONValue {
    .object([
      ("passed", .bool(!outcomes.isEmpty && outcomes.allSatisfy(\.run.passed))),
      (
        "scenarios",
        .array(
          outcomes.map { result in
            .object(
              members(result.run, file: result.file) + [
                (
                  "stream",
                  ReplaySummary(
                    session: result.session, outcome: result.outcome, speed: speed, signal: signal
                  )
                  .json
                )
              ])
          })
      ),
    ])
  }

  static func junitSuite(_ run: some ScriptVerdicts, file: String) -> JUnitReport.Suite {
    let labels = run.stepLabels
    return JUnitReport.Suite(
      name: name(run, file: file), file: file,
      cases: run.results.enumerated().map { k, step in
        let seconds = ((step.endedAtMs ?? 0) - (step.startedAtMs ?? step.endedAtMs ?? 0)) / 1000
        return JUnitReport.Case(
          name: "\(k + 1) \(labels[k].title)", seconds: max(0, seconds), status: step.status,
          message: step.message)
      })
  }
}
