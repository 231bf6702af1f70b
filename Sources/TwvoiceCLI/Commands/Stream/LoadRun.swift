import ArgumentParser
import Dispatch
import NIOCore
import NIOPosix
import TwvoiceCore
import TwvoiceNet

#if canImport(Glibc)
  import Glibc
#endif

/// `stream replay --calls N`: many calls to one bot at once, each exactly a single replay (its
/// own SIDs, pacing, playout, marks, clears and checks), started over a ramp, summarised as
/// `LoadFigures`. All of them run on SwiftNIO's shared event loops (one per core), none on a
/// thread of its own.
extension StreamReplay {
  /// `--shard K/N`: this process runs calls K, K+N, K+2N… (counting from 1) of `--calls`.
  struct Shard: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var index: Int
    var count: Int

    init(index: Int, count: Int) {
      self.index = index
      self.count = count
    }

    init?(argument: String) {
      let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
      guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(k) else {
        return nil
      }
      index = k
      count = n
    }

    var description: String { "\(index)/\(count)" }
  }

  /// The per-call flags `--calls` cannot take, and what to use instead.
  func validateCalls() throws {
    guard let calls else {
      for (given, name) in [
        (inputsDirectory != nil, "--inputs"), (ramp != nil, "--ramp"), (shard != nil, "--shard"),
        (recordDirectory != nil, "--record-dir"), (logDirectory != nil, "--log-dir"),
      ] where given {
        throw ValidationError("\(name) goes with --calls N.")
      }
      return
    }
    guard (1...100_000).contains(calls) else {
      throw ValidationError("--calls must be between 1 and 100000.")
    }
    for (given, name, instead) in [
      (streamSid != nil, "--stream-sid", "each call draws its own"),
      (callSid != nil, "--call-sid", "each call draws its own"),
      (record != nil, "--record", "use --record-dir DIR: one recording per call"),
      (log != nil, "--log", "use --log-dir DIR: one session log per call"),
      (!scenarios.isEmpty, "--scenario", "a scenario is one call"),
    ] where given {
      throw ValidationError("\(name) takes one call, not --calls: \(instead).")
    }
    if inputsDirectory != nil && (input != nil || silence != nil) {
      throw ValidationError("--inputs DIR gives the calls' inputs: give no INPUT or --silence with it.")
    }
    if inputsDirectory == nil && (input == nil) == (silence == nil) {
      throw ValidationError("Give an INPUT file, --silence DURATION or --inputs DIR for the calls.")
    }
    if let shard, shard.count > calls {
      throw ValidationError("--shard \(shard): more shards than --calls \(calls).")
    }
  }

  func playCalls(
    _ calls: Int, target: StreamReplayClient.Target, resolved: (host: String, port: Int, address: String)?,
    environment: [String: String], random: inout TwvoiceRandom
  ) throws {
    // Every input is read and checked before the first call.
    let files: [String?]
    if let inputsDirectory {
      let names = try SystemIO.directoryEntries(inputsDirectory).filter { !$0.hasPrefix(".") }.sorted()
      guard !names.isEmpty else {
        throw TwvoiceError(.noInput, "\(SystemIO.displayName(inputsDirectory)): no input files")
      }
      files = names.map { SystemIO.path($0, in: inputsDirectory) }
    } else {
      files = [input]
    }
    let callers = try files.map { try CallerInputLoading.load(file: $0, silence: silence, dtmf: dtmf) }
    for directory in [recordDirectory, logDirectory].compactMap(\.self) {
      try SystemIO.makeDirectory(directory)
    }
    let shard = self.shard ?? Shard(index: 1, count: 1)
    let mine = Array(stride(from: shard.index - 1, to: calls, by: shard.count))
    // SIDs: a random run number and the call's number in the whole run, so calls never share
    // one, across shards too.
    let run = UInt32(truncatingIfNeeded: random.next())
    let template = try sessionConfiguration(parameters: [], environment: environment, random: &random)
    let speed = clock.effectiveSpeed
    let rampMs = Double(ramp?.milliseconds ?? 0)
    let keepsRecording = recordDirectory != nil
    let plan = LoadPlan(
      callers: callers.map { (input: $0.input, parameters: $0.customParameters.overridden(by: params)) },
      template: template, run: run, keepsRecording: keepsRecording, logsMessages: logDirectory != nil)

    var options = clientOptions(resolvedAddress: resolved?.address, environment: environment)
    options.pacingGrid = Self.pacingGrid(speed: speed)
    let runner = LoadRunner(
      plan: plan, target: target, options: options,
      speed: speed, recordDirectory: recordDirectory, logDirectory: logDirectory,
      showsFailures: !quiet)
    let baselineKB = ProcessMemory.residentKB()
    for g in mine {
      let delay = TimeAmount.nanoseconds(Int64(rampMs * Double(g) / Double(calls) / speed * 1_000_000))
      runner.schedule(call: g, after: delay)
    }

    let showProgress = !quiet && !json && Terminal.isTerminal(2)
    while runner.finished.wait(timeout: .now() + .milliseconds(250)) == .timedOut {
      guard showProgress else { continue }
      let p = runner.progress.withLock { $0 }
      let failed = runner.figures.withLock { $0.failed }
      Terminal.progress(
        "calls: \(p.finished + p.active)/\(mine.count) started, \(p.active) active, \(p.finished - failed) completed, \(failed) failed"
      )
    }
    if showProgress { Terminal.progress(nil) }

    var result = runner.figures.withLock { $0 }
    let peak = runner.progress.withLock { $0.peakActive }
    if let baselineKB, let peakKB = ProcessMemory.peakResidentKB(), peak > 0 {
      result.memoryPerCallKB = Double(max(0, peakKB - baselineKB)) / Double(peak)
      result.memoryCalls = peak
    }
    if let error = runner.fileError.withLock({ $0 }) { throw error }
    if json {
      Terminal.write(JSONWriter(style: .pretty, asciiOnly: false).string(result.json) + "\n")
    } else if !quiet {
      Terminal.diagnostic(LoadReport.text(result, planned: mine.count, shard: self.shard))
    }
    if let signal = Self.hangUpSignal { throw ExitCode(128 + signal) }
    if result.failed > 0 || result.started < mine.count { throw ExitCode(FailureKind.checkFailed.rawValue) }
    if strict {
      if !result.warnings.isEmpty {
        Terminal.error(
          "the bot broke the protocol (\(LoadReport.codes(result.warnings))) and --strict was given")
        throw ExitCode(FailureKind.checkFailed.rawValue)
      }
      let shown = result.findings.filter { kind, _ in !allowed.contains { $0.rawValue == kind } }
      if !shown.isEmpty {
        Terminal.error("the bot showed \(LoadReport.findings(shown)) (--strict; --allow ID excuses one)")
        throw ExitCode(FailureKind.checkFailed.rawValue)
      }
    }
  }

  /// The grid many calls' frames are sent on: 1 ms of session time (within Twilio's own send
  /// jitter), at least 50 µs of real time.
  static func pacingGrid(speed: Double) -> TimeAmount {
    .nanoseconds(max(50_000, Int64(1_000_000 / max(speed, 1))))
  }

  /// Failed calls named one line each, up to this many; the summary counts them all.
  static let failuresShown = 10

  /// Why a call counts as failed: its Twilio code, or nil when it completed.
  static func failureReason(_ outcome: StreamReplayClient.Outcome) -> String? {
    switch outcome {
    case .completed, .botEnded: nil
    case .serverClosed: "31921"
    case .failed(let error): String(error.code)
    case .cancelled: "cancelled"
    }
  }

  static func failureText(_ outcome: StreamReplayClient.Outcome) -> String {
    switch outcome {
    case .serverClosed(let code, let reason):
      "the server closed the stream before the call ended\(ReplaySummary.closeDetail(code, reason)) (Twilio error 31921)"
    case .failed(let error): error.description.escapingControlCharacters
    case .cancelled: "stopped before the stream opened"
    case .completed, .botEnded: "completed"
    }
  }
}

/// Starts the calls of a run at their times and gathers how each ended; shared by the event
/// loops the calls run on and the thread that waits for them.
final class LoadRunner: Sendable {
  let plan: LoadPlan
  let target: StreamReplayClient.Target
  let options: StreamReplayClient.Options
  let recordDirectory: String?
  let logDirectory: String?
  let showsFailures: Bool
  let figures: Locked<LoadFigures>
  let progress = Locked((active: 0, peakActive: 0, finished: 0, reported: 0))
  /// The first error writing a recording or a log.
  let fileError = Locked<TwvoiceError?>(nil)
  /// Left by each call once its files are written (or it was never started).
  let finished = DispatchGroup()
  /// Recordings and logs are written here, off the event loops.
  private let fileWork = DispatchQueue(label: "twvoice.calls.files")

  init(
    plan: LoadPlan, target: StreamReplayClient.Target, options: StreamReplayClient.Options, speed: Double,
    recordDirectory: String?, logDirectory: String?, showsFailures: Bool
  ) {
    self.plan = plan
    self.target = target
    self.options = options
    self.recordDirectory = recordDirectory
    self.logDirectory = logDirectory
    self.showsFailures = showsFailures
    figures = Locked(LoadFigures(speed: speed))
  }

  /// Starts call `g` after `delay`, unless the run was stopped by then.
  func schedule(call g: Int, after delay: TimeAmount) {
    finished.enter()
    MultiThreadedEventLoopGroup.singleton.next().scheduleTask(in: delay) {
      guard StreamReplay.hangUpSignal == nil else {
        self.finished.leave()
        return
      }
      self.start(call: g)
    }
  }

  private func noteFileError(_ error: any Error) {
    fileError.withLock { $0 = $0 ?? (error as? TwvoiceError) ?? TwvoiceError(.ioError, "\(error)") }
  }

  private func start(call g: Int) {
    let session = plan.session(call: g)
    var logWriter: ReplayLogWriter?
    if let logDirectory {
      do {
        logWriter = ReplayLogWriter(
          file: try OutputFile(
            path: SystemIO.path("\(session.configuration.streamSid).jsonl", in: logDirectory), binary: false))
      } catch {
        noteFileError(error)
      }
    }
    let writer = logWriter
    var onLog: (@Sendable ([StreamSession.LogEntry]) -> Void)?
    if let writer { onLog = { writer.append($0) } }
    let client = StreamReplayClient(
      target: target, options: options, onLog: onLog, stopRequested: { StreamReplay.hangUpSignal != nil })
    progress.withLock {
      $0.active += 1
      $0.peakActive = max($0.peakActive, $0.active)
    }
    client.start(session).whenComplete { result in
      switch result {
      case .success(let (ended, outcome)): self.ended(call: g, ended, outcome, logWriter: writer)
      case .failure(let error):
        self.ended(call: g, session, .failed(.init(code: 31900, message: "\(error)")), logWriter: writer)
      }
    }
  }

  private func ended(
    call g: Int, _ session: StreamSession, _ outcome: StreamReplayClient.Outcome, logWriter: ReplayLogWriter?
  ) {
    let failure = StreamReplay.failureReason(outcome)
    figures.withLock { $0.add(session, failure: failure) }
    let shown = progress.withLock { p -> Bool in
      p.active -= 1
      p.finished += 1
      guard failure != nil, p.reported < StreamReplay.failuresShown else { return false }
      p.reported += 1
      return true
    }
    if shown && showsFailures {
      Terminal.error(
        "call \(g + 1) (\(session.configuration.streamSid)): \(StreamReplay.failureText(outcome))")
    }
    let recordDirectory = self.recordDirectory
    fileWork.async {
      defer { self.finished.leave() }
      guard session.started else {
        // Never connected: no call, so no recording or log for it.
        logWriter?.abort()
        return
      }
      do {
        if let recordDirectory {
          let file = try OutputFile(
            path: SystemIO.path("\(session.configuration.streamSid).wav", in: recordDirectory))
          try file.commitRecording(muLaw: session.stereoRecording())
        }
        try logWriter?.finish()
      } catch {
        self.noteFileError(error)
      }
    }
  }
}

/// What every call of a run shares, and what makes each its own.
struct LoadPlan: Sendable {
  var callers: [(input: StreamSession.CallerInput, parameters: [NamedValue])]
  var template: StreamSession.Configuration
  /// Random for each run; a call's SIDs carry it and the call's number (`Sid.numbered`).
  var run: UInt32
  var keepsRecording: Bool
  var logsMessages: Bool

  /// Call `g` (0-based, over all shards): input `g` modulo the inputs, its own SIDs.
  func session(call g: Int) -> StreamSession {
    let caller = callers[g % callers.count]
    var configuration = template
    configuration.callSid = .numbered(g, run: run)
    configuration.streamSid = .numbered(g, run: run)
    configuration.customParameters = caller.parameters
    configuration.keepsRecording = keepsRecording
    configuration.logsMessages = logsMessages
    return StreamSession(configuration: configuration, input: caller.input)
  }
}

/// This process's memory, from /proc (Linux); nil where it cannot be read.
enum ProcessMemory {
  /// Resident set size now, kB.
  static func residentKB() -> Int? { field("VmRSS:") }
  /// The most resident memory the process has had, kB.
  static func peakResidentKB() -> Int? { field("VmHWM:") }

  private static func field(_ name: String) -> Int? {
    guard let text = try? SystemIO.readText("/proc/self/status", limit: .small) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(name) {
      return Int(String(line.dropFirst(name.count).filter(\.isNumber)))
    }
    return nil
  }
}

/// The text summary of many calls.
enum LoadReport {
  static func text(_ f: LoadFigures, planned: Int, shard: StreamReplay.Shard?) -> String {
    func ms(_ v: Double?) -> String { v.map { format1($0) + " ms" } ?? "–" }
    let clock = f.speed == 1 ? "" : " (session time, --speed \(format3(f.speed)))"
    var lines = [
      "calls: \(f.started) started of \(planned)\(shard.map { " (shard \($0))" } ?? ""), \(f.completed) completed, \(f.failed) failed"
        + (f.failures.isEmpty
          ? ""
          : " ("
            + f.failures.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
            + ")")
    ]
    let r = f.responseLatency
    lines.append(
      "response latency\(clock): \(r.count) answers, p50 \(ms(r.percentile(0.5))), p95 \(ms(r.percentile(0.95))), p99 \(ms(r.percentile(0.99))), max \(ms(r.count > 0 ? r.max : nil))"
    )
    let s = f.sendLateness
    lines.append(
      "send lateness\(clock): \(s.count) frames, p50 \(ms(s.percentile(0.5))), p99 \(ms(s.percentile(0.99))), max \(ms(s.count > 0 ? s.max : nil))"
    )
    lines.append("warnings: \(f.warnings.isEmpty ? "none" : codes(f.warnings))")
    if !f.findings.isEmpty { lines.append("findings: \(findings(f.findings))") }
    if let kb = f.memoryPerCallKB {
      lines.append("memory: \(format1(kb)) kB per call (\(f.memoryCalls) at once)")
    }
    return lines.joined(separator: "\n")
  }

  /// `talk-over in 3 calls, underrun in 1 call`.
  static func findings(_ counts: [String: Int]) -> String {
    counts.sorted { $0.key < $1.key }.map { "\($0.key) in \($0.value) call\($0.value == 1 ? "" : "s")" }
      .joined(separator: ", ")
  }

  static func codes(_ counts: [Int: Int]) -> String {
    counts.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
  }
}
