import ArgumentParser
import TwvoiceCore
import TwvoiceNet

#if canImport(Glibc)
  import Glibc
#endif

/// `twvoice stream replay`: connect to a bot as Twilio does, speak into it in real time, play
/// back what it sends as a phone would, and record and measure the conversation.
struct StreamReplay: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "replay",
    abstract: "Connect to a Media Streams server as Twilio does and replay a WAV, a capture or silence.",
    discussion: """
      Sends connected, start, media every 20 ms on an absolute schedule, dtmf, mark echoes and \
      stop, exactly as Twilio does; plays the bot's media at 8,000 bytes per second, echoes \
      marks when their audio has played (at once when nothing is buffered), and on clear drops \
      the buffered audio and echoes every pending mark. Everything the bot sends is checked and \
      reported with the code Twilio would log (31950, 31951, 31924, 31931).

      Examples:
        twvoice stream replay hello.wav --url ws://localhost:8080/ws --record call.wav
        TWILIO_AUTH_TOKEN=… twvoice stream replay capture.jsonl --url wss://bot.example.com/ws
        twvoice stream replay --silence 5s --url ws://localhost:8080/ws --dtmf 1@2s --fast --json

      The bot may end a <Connect><Stream> by closing the socket with 1000 or 1001 (Twilio then \
      goes on after </Connect>): that is a normal end. The whole opening (DNS, TCP, TLS, \
      upgrade) is bounded by --connect-timeout. Messages are reassembled from fragments up to \
      16 MiB; a larger one is refused with close 1009 (31924). Each violation code is reported \
      once per stream with its count, as Twilio's debugger does.

      Every replay also names the bugs voice bots ship, with when they first happened: \
      talk-over, underrun, burst, container-bytes, mark-after-clear, cut-off (--strict fails on \
      them, --allow ID excuses one). With --scenario FILE.yaml (or a folder of them) the caller \
      follows a script instead of an input: it speaks, waits for the bot, talks over it, presses \
      keys, and checks what the bot does; each step is reported with its line, and --junit \
      writes JUnit XML. The steps are documented in twvoice-scenario(5).

      With --calls N, N such calls run at once (each its own stream), started over --ramp, \
      from INPUT or the files of --inputs in turn, and are summarised together: calls by \
      outcome, failures by Twilio code, response latency and send lateness percentiles, \
      warnings, the calls that showed each finding, memory per call; --json adds the latency histograms, so the summaries of \
      --shard K/N runs merge exactly with `twvoice stream summary merge`. Exit 0 only when \
      every call completed.

      Exit status: 0 the call ran to its end or the bot ended it normally; 1 a scenario step \
      failed, or the stream failed \
      (timed out 31901, refused 31902, unreachable 31904, TLS 31910, upgrade refused 31920, \
      closed with another code 31921, broken 31903, protocol error 31924), or --strict and the \
      bot broke the protocol or showed a finding; 64 usage; 65 unreadable input or scenario; 66 \
      input missing; 74 output error; \
      130 SIGINT (Ctrl-C), 143 SIGTERM, 129 SIGHUP: the caller hangs up, and the recording and \
      the log are finished and kept (before the WebSocket is up, nothing is written). Whatever \
      was recorded is kept in every other case too.
      """
  )

  @Argument(
    help: "A WAV file or a Media Streams capture (its inbound audio and DTMF are re-sent with their timing).",
    completion: .file())
  var input: String?

  @Option(
    help:
      "The bot's WebSocket URL: wss://… (as Twilio dials) or ws://… for a local test. No query string: Twilio does not allow one; use --param."
  )
  var url: String

  @OptionGroup var dial: DialOptions

  @Option(
    help: "Send this much silence instead of an input, e.g. 10s.", transform: WrittenDuration.init(parsing:))
  var silence: WrittenDuration?

  @Option(
    name: .customLong("param"),
    help: ArgumentHelp(
      "start.customParameters entry (repeatable); overrides the capture's value for the same name.",
      valueName: "name=value"),
    transform: NamedValue.init(parsing:))
  var params: [NamedValue] = []

  @Option(
    name: .customLong("dtmf"),
    help: ArgumentHelp("A key press at a time, e.g. 5@2.5s (repeatable).", valueName: "digit@time"),
    transform: DTMFPress.init(parsing:))
  var dtmf: [DTMFPress] = []

  @Option(name: .customLong("stream-sid"), help: "streamSid (MZ…). Default: random.")
  var streamSid: String?
  @Option(name: .customLong("call-sid"), help: "callSid (CA…). Default: random.")
  var callSid: String?
  @Option(
    name: .customLong("account-sid"), help: "accountSid (AC…). Default: $TWILIO_ACCOUNT_SID, else random.")
  var accountSid: String?
  @Option(help: "Seed for the random SIDs.")
  var seed: UInt64?

  @Flag(help: "Act as a <Start><Stream> (one way): the bot must send nothing.")
  var unidirectional = false
  @Option(
    help: ArgumentHelp(
      "With --unidirectional: inbound_track, outbound_track or both_tracks.",
      discussion:
        "outbound_track sends the input as the outbound track (what the caller hears); both_tracks sends it as the inbound track with a silent outbound track in step."
    ))
  var track: String?

  @OptionGroup var clock: CallerClockOptions

  @Option(
    help: "Write the conversation as the caller heard it: stereo WAV, left caller, right bot.",
    completion: .file(extensions: ["wav"]))
  var record: String?
  @Option(
    help: "Write every frame both ways with its time, as a session log (JSON lines: t, from, message).",
    completion: .file(extensions: ["jsonl"]))
  var log: String?
  @Option(
    help: "Write the call as one self-contained HTML page: both sides' audio and every event on a time axis.",
    completion: .file(extensions: ["html"]))
  var report: String?
  @Flag(help: "Print the summary as JSON.")
  var json = false
  @Flag(
    help:
      "Exit 1 when the bot broke the protocol or showed a finding (talk-over, underrun, burst, container-bytes, mark-after-clear, cut-off)."
  )
  var strict = false
  @Option(
    name: .customLong("allow"),
    help: ArgumentHelp("With --strict: do not fail on this finding (repeatable).", valueName: "id"))
  var allowed: [BotBehaviour.Kind] = []

  @Option(
    name: .customLong("scenario"),
    help: ArgumentHelp(
      "Play a scenario instead of an input: a caller that reacts to the bot, with expectations (a YAML file, or a folder of them; repeatable). See twvoice-scenario(5).",
      valueName: "file.yaml"),
    completion: .file(extensions: ["yaml", "yml"]))
  var scenarios: [String] = []
  @Option(
    help: "With --scenario: write JUnit XML, one testcase per step.", completion: .file(extensions: ["xml"]))
  var junit: String?
  @Option(help: "With --scenario: run this many scenarios at once.")
  var jobs: Int = 1
  @Option(
    help: ArgumentHelp(
      "Run this many calls at once against the URL, each its own stream, and summarise them all.",
      valueName: "n"))
  var calls: Int?
  @Option(
    name: .customLong("inputs"),
    help: ArgumentHelp(
      "With --calls: the calls' inputs, taken in turn from the files of DIR.", valueName: "dir"),
    completion: .directory)
  var inputsDirectory: String?
  @Option(
    help: "With --calls: start the calls evenly over this long (default 0: all at once), e.g. 10s.",
    transform: WrittenDuration.init(parsing:))
  var ramp: WrittenDuration?
  @Option(
    help: ArgumentHelp(
      "With --calls: run only calls K, K+N, K+2N… of them (shard K of N, from 1); merge the summaries with `stream summary merge`.",
      valueName: "k/n"))
  var shard: Shard?
  @Option(
    name: .customLong("record-dir"),
    help: ArgumentHelp("With --calls: record each call to DIR/<streamSid>.wav.", valueName: "dir"),
    completion: .directory)
  var recordDirectory: String?
  @Option(
    name: .customLong("log-dir"),
    help: ArgumentHelp(
      "With --calls: write each call's session log to DIR/<streamSid>.jsonl.", valueName: "dir"),
    completion: .directory)
  var logDirectory: String?

  @Flag(name: .shortAndLong, help: "No progress line and no text summary.")
  var quiet = false

  func validate() throws {
    try validateCalls()
    if report != nil && (calls != nil || !scenarios.isEmpty) {
      throw ValidationError(
        "--report draws one call: not with --calls or --scenario (use --log, then twvoice report).")
    }
    if calls != nil {
      if junit != nil || jobs != 1 {
        throw ValidationError("--junit and --jobs go with --scenario, not --calls.")
      }
    } else if !scenarios.isEmpty {
      if input != nil || silence != nil || !dtmf.isEmpty {
        throw ValidationError(
          "--scenario says what the caller does: give no INPUT, --silence or --dtmf with it.")
      }
      if unidirectional {
        throw ValidationError("--scenario needs a bidirectional stream (no --unidirectional).")
      }
      guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 64.") }
    } else {
      if (input == nil) == (silence == nil) {
        throw ValidationError("Give an INPUT file, --silence DURATION or --scenario FILE (one of them).")
      }
      if junit != nil { throw ValidationError("--junit goes with --scenario.") }
      if jobs != 1 { throw ValidationError("--jobs goes with --scenario.") }
    }
    if track != nil && !unidirectional {
      throw ValidationError(
        "--track goes with --unidirectional (<Connect> streams carry the inbound track only).")
    }
    if let track, !["inbound_track", "outbound_track", "both_tracks"].contains(track) {
      throw ValidationError(
        "--track must be inbound_track, outbound_track or both_tracks (Twilio error 31941).")
    }
    for (name, sid, check) in [
      ("--stream-sid", streamSid, StreamSid.check), ("--call-sid", callSid, CallSid.check),
      ("--account-sid", accountSid, AccountSid.check),
    ] as [(String, String?, (String) throws(SidError) -> Void)] {
      if let sid { do { try check(sid) } catch { throw ValidationError("\(name): \(error)") } }
    }
  }

  func run() throws {
    // First of all, so that a signal at any point (reading a long input, opening the files,
    // dialing) hangs up cleanly instead of leaving temporary files behind.
    Signals.beginFinalising()
    defer { Signals.endFinalising() }
    let environment = SystemIO.environment()
    var random = seed.map { TwvoiceRandom(seed: $0) } ?? TwvoiceRandom()
    let target: StreamReplayClient.Target
    do { target = try .init(url: url) } catch { throw TwvoiceError(.usage, error.description) }
    let resolved = try dial.resolved(for: target)
    if target.hasQuery {
      Terminal.warning(
        "\(target.displayURL): Twilio does not allow a query string on <Stream url> (it is dropped on the upgrade); pass values with --param NAME=VALUE, which arrive in start.customParameters"
      )
    }
    if let calls {
      try playCalls(calls, target: target, resolved: resolved, environment: environment, random: &random)
      return
    }
    if !scenarios.isEmpty {
      try playScenarios(target: target, resolved: resolved, environment: environment, random: &random)
      return
    }
    let caller = try CallerInputLoading.load(file: input, silence: silence, dtmf: dtmf)
    if unidirectional && !caller.input.dtmf.isEmpty {
      Terminal.warning("--dtmf: Twilio sends no dtmf messages on a <Start> (--unidirectional) stream")
    }
    let hangupMs = clock.hangupAfter?.milliseconds
    if let hangupMs, let late = caller.input.dtmf.first(where: { $0.atMs >= hangupMs }) {
      Terminal.warning("--dtmf \(late.digit)@\(late.atMs)ms comes after --hangup-after: it is never sent")
    }
    // The capture's <Parameter> values go out again; --param overrides them name by name.
    let parameters = caller.customParameters.overridden(by: params)
    let configuration = try sessionConfiguration(
      parameters: parameters, environment: environment, random: &random)
    // Output files are opened first: a path that cannot be written fails before the call.
    let recordFile = try record.map { try OutputFile(path: $0) }
    let logWriter = try ReplayLogWriter.make(log: log, report: report)
    let effectiveSpeed = clock.effectiveSpeed

    let showProgress = !quiet && !json && Terminal.isTerminal(2)
    var onProgress: (@Sendable (StreamSession) -> Void)?
    if showProgress { onProgress = { session in ReplayProgress.show(session) } }
    var onLog: (@Sendable ([StreamSession.LogEntry]) -> Void)?
    if let logWriter { onLog = { entries in logWriter.append(entries) } }
    let client = client(
      target: target, resolvedAddress: resolved?.address, environment: environment, onProgress: onProgress,
      onLog: onLog)
    let (session, outcome) = client.run(StreamSession(configuration: configuration, input: caller.input))
    if showProgress { ReplayProgress.clear() }
    let signal = Self.hangUpSignal

    if case .cancelled = outcome {
      // Stopped before the WebSocket was up: no call, nothing to keep.
      recordFile?.abort()
      logWriter?.abort()
      if !quiet {
        Terminal.diagnostic("twvoice: stopped before the stream opened (\(Signals.name(signal ?? SIGINT)))")
      }
      throw ExitCode(128 + (signal ?? SIGINT))
    }
    if !session.started {
      // The connection failed before the WebSocket was up: no call, so no recording or log.
      recordFile?.abort()
      logWriter?.abort()
    } else if let recordFile {
      do { try recordFile.commitRecording(muLaw: session.stereoRecording()) } catch {
        logWriter?.abort()
        throw error
      }
    }
    if let logWriter, session.started { try logWriter.finish() }
    let summary = ReplaySummary(session: session, outcome: outcome, speed: effectiveSpeed, signal: signal)
    // What the run exits with, and why: decided before the page is drawn, which shows it.
    var failure: String?
    switch outcome {
    case .completed, .botEnded, .cancelled:
      if strict { failure = ReplaySummary.strictFailure(session, allowed: allowed) }
    case .serverClosed: failure = "\(target.displayURL): \(Self.failureText(outcome))"
    case .failed: failure = Self.failureText(outcome)
    }
    if let report, let logWriter {
      let status =
        signal.map { "\(128 + $0) (\(Signals.name($0)))" } ?? (failure == nil ? "0" : "1: \(failure!)")
      try ReportWriter.write(
        lines: logWriter.lines(), to: report,
        facts: [("Exit status", status), ("Outcome", summary.outcomeText), ("URL", target.displayURL)]
          + summary.reportFacts)
    }
    if json {
      Terminal.write(JSONWriter(style: .pretty, asciiOnly: false).string(summary.json) + "\n")
    } else if !quiet {
      Terminal.diagnostic(summary.text)
      for line in summary.findingLines { Terminal.warning(line) }
    }
    if let signal {
      // The caller hung up on a signal: everything is kept, and the status says why.
      throw ExitCode(128 + signal)
    }
    if let failure {
      Terminal.error(failure)
      throw ExitCode(FailureKind.checkFailed.rawValue)
    }
  }

  /// The stream's settings from the flags; SIDs not given are drawn from `random`.
  func sessionConfiguration(
    parameters: [NamedValue], environment: [String: String], random: inout TwvoiceRandom
  ) throws -> StreamSession.Configuration {
    StreamSession.Configuration(
      // The flags were checked by validate(); an account SID in the environment that is not
      // one is passed over for a random one, as before any call.
      accountSid: try accountSid.map { try AccountSid($0) }
        ?? environment[EnvironmentVariable.accountSid].flatMap { try? AccountSid($0) }
        ?? AccountSid.random(using: &random),
      callSid: try callSid.map { try CallSid($0) } ?? CallSid.random(using: &random),
      streamSid: try streamSid.map { try StreamSid($0) } ?? StreamSid.random(using: &random),
      customParameters: parameters,
      bidirectional: !unidirectional,
      tracks: unidirectional ? Self.declaredTracks(track) : ["inbound"],
      tailMs: clock.tail.milliseconds,
      hangupAfterMs: clock.hangupAfter?.milliseconds)
  }

  /// The client that dials the bot with the flags' options.
  func client(
    target: StreamReplayClient.Target, resolvedAddress: String?, environment: [String: String],
    onProgress: (@Sendable (StreamSession) -> Void)? = nil,
    onLog: (@Sendable ([StreamSession.LogEntry]) -> Void)? = nil
  ) -> StreamReplayClient {
    StreamReplayClient(
      target: target, options: clientOptions(resolvedAddress: resolvedAddress, environment: environment),
      onProgress: onProgress, onLog: onLog, stopRequested: { Self.hangUpSignal != nil })
  }

  /// How the client dials, from the flags.
  func clientOptions(resolvedAddress: String?, environment: [String: String]) -> StreamReplayClient.Options {
    dial.clientOptions(resolvedAddress: resolvedAddress, clock: clock, environment: environment)
  }

  /// The signal the caller hangs up on, if one came: SIGINT, SIGTERM or SIGHUP (Signals, in
  /// finalise mode for the whole run), or a Ctrl-C the REPL's own handler caught.
  static var hangUpSignal: Int32? { Signals.pending ?? (Interrupt.isRequested ? SIGINT : nil) }

  static func declaredTracks(_ track: String?) -> [String] {
    switch track {
    case "outbound_track": ["outbound"]
    case "both_tracks": ["inbound", "outbound"]
    default: ["inbound"]
    }
  }
}

/// Findings are named on the command line by their ids (`--allow talk-over`).
extension BotBehaviour.Kind: ExpressibleByArgument {}
