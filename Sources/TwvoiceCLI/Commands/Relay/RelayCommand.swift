import ArgumentParser
import TwvoiceCore
import TwvoiceNet

#if canImport(Glibc)
  import Glibc
#endif

/// `twvoice relay`: be Twilio's ConversationRelay toward a voice-AI app, offline: dial it as
/// Twilio does, send `setup`, play the caller's turns as prompts, "speak" the app's replies on a
/// simulated text-to-speech clock, and report how the app answered.
struct RelayCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "relay",
    abstract:
      "Be Twilio's ConversationRelay toward an app: setup, prompts, barge-in, and the app's replies timed.",
    discussion: """
      Dials the app's WebSocket as Twilio does (User-Agent Jetty, no Origin, X-Twilio-Signature \
      over the URL as written when an auth token is given), sends setup, then plays the \
      conversation: the welcome greeting, each --prompt as a caller turn once the agent's reply \
      has played (or every --turn-gap), keys, and talking over the agent \
      (--interrupt-after). No speech engines: the agent's text is spoken at --tts-rate \
      characters per second in clause-sized chunks, so playback, interrupts, preemption and \
      tokensPlayed have real timing.

      Everything the app sends is checked as Twilio checks it: a bad frame gets an error frame \
      (64107, the frame echoed) and the session goes on; ten in a row close the socket with \
      1007. text, play and sendDigits share one queue; preemptible playback is cut by the next \
      message; language changes later prompts' lang; end closes with 1000 "Closing websocket \
      session" and reports the handoff data exactly. The app closing the socket fails the \
      session (64105, as Twilio reports it).

      Examples:
        twvoice relay --url ws://localhost:8080/relay --prompt "What are your hours?" --prompt "Thanks, bye."
        twvoice relay --url ws://localhost:8080/relay --welcome-greeting "Hi! How can I help?" \\
            --prompt "Tell me a long story" --prompt "Stop" --interrupt-after 1.5s --events speaker-events,tokens-played
        twvoice relay --url ws://localhost:8080/relay --scenario handoff.yaml --junit relay.xml

      Exit status: 0 the session ended cleanly (the caller hung up, or the app sent end); 1 the \
      session failed (64102 could not connect, 64105 the socket ended), a scenario step failed, \
      or --strict and the app sent a frame Twilio refuses; 64 usage; 65 unreadable scenario; 74 \
      output error; 130 SIGINT, 143 SIGTERM, 129 SIGHUP: the caller hangs up, the summary and \
      the log are kept.
      """
  )

  @Option(help: "The app's WebSocket URL: wss://… (as Twilio dials) or ws://… for a local test.")
  var url: String
  @OptionGroup var dial: DialOptions
  @Flag(
    name: .customLong("sign-query-as-params"),
    help:
      "Sign a query string as parameters over the URL without it (as Twilio's Agent Connect SDK checks it), not as part of the URL (unconfirmed which Twilio does)."
  )
  var signQueryAsParameters = false

  @Option(
    name: .customLong("prompt"),
    help: ArgumentHelp("A caller turn, sent as a prompt (repeatable, in order).", valueName: "text"))
  var prompts: [String] = []
  @Option(
    name: .customLong("welcome-greeting"), help: "Spoken first, as <ConversationRelay welcomeGreeting>.")
  var welcomeGreeting: String?
  @Option(
    name: .customLong("welcome-greeting-interruptible"),
    help: ArgumentHelp(
      "What may cut the greeting: none, dtmf, speech or any (default any).", valueName: "kinds"))
  var welcomeGreetingInterruptible: RelaySession.InputKinds = .any
  @Option(
    help: ArgumentHelp(
      "What may cut the agent: none, dtmf, speech or any (default any; true/false as in TwiML).",
      valueName: "kinds"))
  var interruptible: RelaySession.InputKinds = .any
  @Flag(help: "The agent's playback may be cut by the app's next message (preemptible=\"true\").")
  var preemptible = false
  @Flag(name: .customLong("dtmf-detection"), help: "Pass key presses on as dtmf frames.")
  var dtmfDetection = false
  @Option(
    name: .customLong("report-input-during-agent-speech"),
    help: ArgumentHelp(
      "Which input reaches the app while the agent speaks: none (the default), dtmf, speech or any.",
      valueName: "kinds"))
  var reportInputDuringAgentSpeech: RelaySession.InputKinds = .none
  @Flag(
    name: .customLong("partial-prompts"),
    help: "Send cumulative prompts with last: false while the caller speaks.")
  var partialPrompts = false
  @Option(
    help: ArgumentHelp(
      "info events to send: speaker-events, tokens-played (comma- or space-separated).", valueName: "list"))
  var events: String?
  @Option(
    help: ArgumentHelp(
      "As <ConversationRelay debug>: debugging (roundTripDelayMs), speaker-events, tokens-played.",
      valueName: "list"))
  var debug: String?
  @Option(help: "Language of prompts and speech (default en-US).")
  var language: String = "en-US"
  @Option(name: .customLong("tts-language"), help: "Speech language, over --language.")
  var ttsLanguage: String?
  @Option(name: .customLong("transcription-language"), help: "The prompts' lang, over --language.")
  var transcriptionLanguage: String?

  @Option(
    name: .customLong("tts-rate"),
    help:
      "Characters the simulated text-to-speech speaks per second (default 19, Twilio's captured greeting).")
  var ttsRate: Double = 19
  @Option(
    name: .customLong("turn-gap"),
    help:
      "Send each prompt this long after the previous one, whatever the agent is doing, instead of after its reply.",
    transform: WrittenDuration.init(parsing:))
  var turnGap: WrittenDuration?
  @Option(
    name: .customLong("interrupt-after"),
    help: "Speak each prompt after the first over the agent's reply, once it has talked this long.",
    transform: WrittenDuration.init(parsing:))
  var interruptAfter: WrittenDuration?
  @Option(
    name: .customLong("reply-timeout"),
    help: "How long the caller waits for the app to start answering before going on (default 10s).",
    transform: WrittenDuration.init(parsing:))
  var replyTimeout = WrittenDuration.seconds(10)
  @Option(
    name: .customLong("dtmf"),
    help: ArgumentHelp(
      "A key press at a time, e.g. 5@2.5s (repeatable; with --dtmf-detection).", valueName: "digit@time"),
    transform: DTMFPress.init(parsing:))
  var dtmf: [DTMFPress] = []

  @Option(name: .customLong("session-sid"), help: "setup.sessionId (VX…). Default: random.")
  var sessionSid: String?
  @Option(name: .customLong("call-sid"), help: "setup.callSid (CA…). Default: random.")
  var callSid: String?
  @Option(
    name: .customLong("account-sid"),
    help: "setup.accountSid (AC…). Default: $TWILIO_ACCOUNT_SID, else random.")
  var accountSid: String?
  @Option(help: "Seed for the random SIDs.")
  var seed: UInt64?
  @Option(help: "setup.from.")
  var from = "+15550100001"
  @Option(help: "setup.to.")
  var to = "+15550100002"
  @Option(help: "setup.direction: inbound, outbound-api, …")
  var direction = "inbound"
  @Option(name: .customLong("call-type"), help: "setup.callType: PSTN, SIP, CLIENT.")
  var callType = "PSTN"
  @Option(
    name: .customLong("param"),
    help: ArgumentHelp(
      "setup.customParameters entry, as a <Parameter> (repeatable).", valueName: "name=value"),
    transform: NamedValue.init(parsing:))
  var params: [NamedValue] = []

  @OptionGroup var clock: CallerClockOptions

  @Option(
    name: .customLong("scenario"),
    help: ArgumentHelp(
      "Play a scripted caller with expectations instead of --prompt: a YAML file or a folder of them, each its own session (repeatable). See twvoice-scenario(5).",
      valueName: "file.yaml"),
    completion: .file(extensions: ["yaml", "yml"]))
  var scenarios: [String] = []
  @Option(
    help: "With --scenario: write JUnit XML, one testcase per step.", completion: .file(extensions: ["xml"]))
  var junit: String?
  @Option(
    help: "Write every frame both ways with its time, as a session log (JSON lines: t, from, message).",
    completion: .file(extensions: ["jsonl"]))
  var log: String?
  @Option(
    help: "Write the session as one self-contained HTML page: the transcript and every frame on a time axis.",
    completion: .file(extensions: ["html"]))
  var report: String?
  @Flag(help: "Print the summary as JSON.")
  var json = false
  @Flag(
    help:
      "Print the transcript to standard output as it happens (it goes to a terminal's standard error anyway)."
  )
  var transcript = false
  @Flag(help: "Exit 1 when the app sent a frame Twilio refuses (64107).")
  var strict = false
  @Flag(name: .shortAndLong, help: "No transcript and no text summary.")
  var quiet = false
  @Option(
    help: ArgumentHelp(
      "Run this many sessions at once against the app, each its own call, and summarise them all.",
      valueName: "n"))
  var calls: Int?
  @Option(
    help: "With --calls: start the sessions evenly over this long (default 0: all at once), e.g. 10s.",
    transform: WrittenDuration.init(parsing:))
  var ramp: WrittenDuration?

  func validate() throws {
    if let calls {
      guard (1...100_000).contains(calls) else {
        throw ValidationError("--calls must be between 1 and 100000.")
      }
      for (given, name) in [
        (log != nil, "--log"), (report != nil, "--report"), (junit != nil, "--junit"),
        (sessionSid != nil, "--session-sid"),
        (callSid != nil, "--call-sid"), (transcript, "--transcript"),
      ] where given {
        throw ValidationError("\(name) takes one session, not --calls: each session draws its own.")
      }
    } else if ramp != nil {
      throw ValidationError("--ramp goes with --calls N.")
    }
    if scenarios.isEmpty && junit != nil { throw ValidationError("--junit goes with --scenario.") }
    if !scenarios.isEmpty && (!prompts.isEmpty || interruptAfter != nil || turnGap != nil) {
      throw ValidationError(
        "--scenario says what the caller does: give no --prompt, --interrupt-after or --turn-gap with it.")
    }
    if turnGap != nil && interruptAfter != nil {
      throw ValidationError("--turn-gap and --interrupt-after each say when prompts go: give one.")
    }
    guard ttsRate >= 1, ttsRate <= 1000 else {
      throw ValidationError("--tts-rate must be between 1 and 1000 characters per second.")
    }
    if !dtmf.isEmpty && !dtmfDetection {
      throw ValidationError("--dtmf needs --dtmf-detection: without it Twilio passes no keys on.")
    }
    _ = try subscriptions()
    for (name, sid, check) in [
      ("--session-sid", sessionSid, RelaySessionSid.check), ("--call-sid", callSid, CallSid.check),
      ("--account-sid", accountSid, AccountSid.check),
    ] as [(String, String?, (String) throws(SidError) -> Void)] {
      if let sid { do { try check(sid) } catch { throw ValidationError("\(name): \(error)") } }
    }
  }

  /// `--events` and `--debug` read together: (speaker events, tokens played, debugging).
  func subscriptions() throws -> (speaker: Bool, tokens: Bool, debugging: Bool) {
    var result = (speaker: false, tokens: false, debugging: false)
    for (flag, list, allowed) in [
      ("--events", events, ["speaker-events", "tokens-played"]),
      ("--debug", debug, ["debugging", "speaker-events", "tokens-played"]),
    ] {
      for item in (list ?? "").split(whereSeparator: { $0 == "," || $0 == " " }) {
        guard allowed.contains(String(item)) else {
          throw ValidationError(
            "\(flag): unknown value '\(String(item).escapingControlCharacters)' (expected \(allowed.joined(separator: ", ")))"
          )
        }
        switch item {
        case "speaker-events": result.speaker = true
        case "tokens-played": result.tokens = true
        default: result.debugging = true
        }
      }
    }
    return result
  }

  func run() throws {
    Signals.beginFinalising()
    defer { Signals.endFinalising() }
    let environment = SystemIO.environment()
    var random = seed.map { TwvoiceRandom(seed: $0) } ?? TwvoiceRandom()
    let target: StreamReplayClient.Target
    do { target = try .init(url: url) } catch { throw TwvoiceError(.usage, error.description) }
    let resolved = try dial.resolved(for: target)
    // What the caller does: the --prompt turns, or each scenario file in turn.
    var plans: [(file: String?, script: RelayScript, parameters: [NamedValue])] = []
    if scenarios.isEmpty {
      let script = RelayScript.prompts(
        prompts, turnGapMs: turnGap.map { Double($0.milliseconds) },
        interruptAfterMs: interruptAfter.map { Double($0.milliseconds) })
      plans = [(nil, script, params)]
    } else {
      for file in try ScenarioLoading.files(scenarios) {
        let loaded = try ScenarioLoading.loadRelay(file)
        plans.append((loaded.file, loaded.script, loaded.parameters.overridden(by: params)))
      }
      if plans.count > 1 && (log != nil || report != nil || calls != nil) {
        throw ValidationError(
          "--log, --report and --calls take one scenario file; \(plans.count) were given.")
      }
    }
    let options = clientOptions(resolved: resolved, environment: environment)
    if let calls {
      var session = RelaySession(
        configuration: try sessionConfiguration(
          parameters: plans[0].parameters, environment: environment, random: &random),
        script: plans[0].script)
      session.schedule(keys: dtmf.map { (Character($0.digit), Double($0.atMs)) })
      try playCalls(calls, target: target, options: options, session: session)
      return
    }
    let junitFile = try junit.map { try OutputFile(path: $0, binary: false) }
    let logWriter = try ReplayLogWriter.make(log: log, report: report)
    var reports: [RelayReport] = []
    for plan in plans where StreamReplay.hangUpSignal == nil {
      var session = RelaySession(
        configuration: try sessionConfiguration(
          parameters: plan.parameters, environment: environment, random: &random),
        script: plan.script)
      session.schedule(keys: dtmf.map { (Character($0.digit), Double($0.atMs)) })
      guard
        let report = runSession(
          session, file: plan.file, target: target, options: options, logWriter: logWriter)
      else {
        junitFile?.abort()
        logWriter?.abort()
        let signal = StreamReplay.hangUpSignal ?? SIGINT
        if !quiet {
          Terminal.diagnostic("twvoice: stopped before the session opened (\(Signals.name(signal)))")
        }
        throw ExitCode(128 + signal)
      }
      reports.append(report)
      if !json && !quiet { Terminal.diagnostic(report.text) }
    }
    let signal = StreamReplay.hangUpSignal
    if let logWriter { try logWriter.finish() }
    if let report, let logWriter, let only = reports.first {
      let failure = only.failure(strict: strict)
      let status = signal.map { "\(128 + $0) (\(Signals.name($0)))" } ?? (failure.map { "1: \($0)" } ?? "0")
      try ReportWriter.write(
        lines: logWriter.lines(), to: report,
        facts: [("Exit status", status), ("Session", only.endingText), ("URL", target.displayURL)])
    }
    if let junitFile {
      try junitFile.write(
        Array(
          JUnitReport.xml(reports.map { ScenarioReport.junitSuite($0.session, file: $0.scenarioFile ?? "") })
            .utf8))
      try junitFile.commit()
    }
    if json {
      let summary: JSONValue =
        scenarios.isEmpty
        ? reports[0].json
        : .object([
          (
            "passed",
            .bool(reports.count == plans.count && reports.allSatisfy { $0.failure(strict: strict) == nil })
          ),
          ("scenarios", .array(reports.map(\.json))),
        ])
      Terminal.write(JSONWriter(style: .pretty, asciiOnly: false).string(summary) + "\n")
    }
    if let signal { throw ExitCode(128 + signal) }
    let failures = reports.compactMap { report in
      report.failure(strict: strict).map { (report.scenarioFile.map { "\($0): " } ?? "") + $0 }
    }
    for failure in failures { Terminal.error(failure) }
    if !failures.isEmpty { throw ExitCode(FailureKind.checkFailed.rawValue) }
  }

  /// One session, its transcript shown as it happens when asked; nil when a signal stopped it
  /// before the socket opened.
  func runSession(
    _ session: RelaySession, file: String?, target: StreamReplayClient.Target,
    options: StreamReplayClient.Options,
    logWriter: ReplayLogWriter?
  ) -> RelayReport? {
    let live = !quiet && !json && (transcript || Terminal.isTerminal(2))
    let printed = Locked(0)
    let toStdout = transcript
    var onProgress: (@Sendable (RelaySession) -> Void)?
    if live {
      onProgress = { session in
        let lines = session.transcript
        let from = printed.withLock { count -> Int in
          defer { count = lines.count }
          return count
        }
        for line in lines.dropFirst(from) { RelayReport.show(line, toStdout: toStdout) }
      }
    }
    var onLog: (@Sendable ([SessionLog.Entry]) -> Void)?
    if let logWriter { onLog = { entries in logWriter.append(entries) } }
    let client = StreamReplayClient(
      target: target, options: options, onLog: onLog, stopRequested: { StreamReplay.hangUpSignal != nil })
    var (ended, outcome) = client.run(session, onProgress: onProgress)
    if case .cancelled = outcome { return nil }
    ended.conclude(after: outcome, url: target.displayURL, at: 0)
    if live {
      for line in ended.transcript.dropFirst(printed.withLock { $0 }) {
        RelayReport.show(line, toStdout: toStdout)
      }
    }
    return RelayReport(
      session: ended, url: target.displayURL, signal: StreamReplay.hangUpSignal,
      scenarioFile: file)
  }

  /// How the client dials, from the flags.
  func clientOptions(resolved: (host: String, port: Int, address: String)?, environment: [String: String])
    -> StreamReplayClient.Options
  {
    var options = dial.clientOptions(
      resolvedAddress: resolved?.address, clock: clock, environment: environment)
    options.handshake = .conversationRelay(queryAsParameters: signQueryAsParameters)
    return options
  }

  /// `--calls N`: the sessions at once, summarised; exit 1 when one failed.
  func playCalls(
    _ calls: Int, target: StreamReplayClient.Target, options: StreamReplayClient.Options,
    session: RelaySession
  ) throws {
    var configuration = session.configuration
    configuration.logsMessages = false
    let client = StreamReplayClient(
      target: target, options: options, stopRequested: { StreamReplay.hangUpSignal != nil })
    let load = RelayLoad(
      calls: calls, rampMs: Double(ramp?.milliseconds ?? 0), client: client, url: target.displayURL,
      configuration: configuration,
      script: session.script, keys: dtmf.map { (Character($0.digit), Double($0.atMs)) })
    let totals = load.run()
    if json {
      Terminal.write(
        JSONWriter(style: .pretty, asciiOnly: false).string(RelayLoad.json(totals, planned: calls)) + "\n")
    } else if !quiet {
      Terminal.diagnostic(RelayLoad.text(totals, planned: calls))
    }
    if let signal = StreamReplay.hangUpSignal { throw ExitCode(128 + signal) }
    for line in totals.failedSessions { Terminal.error(line) }
    let refused = totals.errorsSent.values.reduce(0, +)
    if totals.failed > 0 || totals.scriptsFailed > 0 || (strict && refused > 0) {
      if totals.failed == 0 && totals.scriptsFailed == 0 {
        Terminal.error("the app sent \(refused) frame(s) Twilio refuses (64107) (--strict)")
      }
      throw ExitCode(FailureKind.checkFailed.rawValue)
    }
  }

  /// The session's settings from the flags; SIDs not given are drawn from `random`.
  func sessionConfiguration(
    parameters: [NamedValue], environment: [String: String], random: inout TwvoiceRandom
  ) throws
    -> RelaySession.Configuration
  {
    let setup = RelayTwilioMessage.Setup(
      sessionId: try sessionSid.map { try RelaySessionSid($0) }?.rawValue
        ?? RelaySessionSid.random(using: &random).rawValue,
      callSid: try callSid.map { try CallSid($0) }?.rawValue ?? CallSid.random(using: &random).rawValue,
      from: from, to: to, direction: direction, callType: callType,
      accountSid: try accountSid.map { try AccountSid($0) }?.rawValue
        ?? environment[EnvironmentVariable.accountSid].flatMap { try? AccountSid($0) }?.rawValue
        ?? AccountSid.random(using: &random).rawValue,
      customParameters: parameters)
    var c = RelaySession.Configuration(setup: setup)
    let subscribed = try subscriptions()
    c.welcomeGreeting = welcomeGreeting
    c.welcomeGreetingInterruptible = welcomeGreetingInterruptible
    c.interruptible = interruptible
    c.preemptible = preemptible
    c.dtmfDetection = dtmfDetection
    c.reportInputDuringAgentSpeech = reportInputDuringAgentSpeech
    c.partialPrompts = partialPrompts
    c.speakerEvents = subscribed.speaker
    c.tokensPlayed = subscribed.tokens
    c.debugging = subscribed.debugging
    c.transcriptionLanguage = transcriptionLanguage ?? language
    c.ttsLanguage = ttsLanguage ?? language
    c.ttsCharactersPerSecond = ttsRate
    c.replyTimeoutMs = Double(replyTimeout.milliseconds)
    c.tailMs = Double(clock.tail.milliseconds)
    c.hangupAfterMs = clock.hangupAfter.map { Double($0.milliseconds) }
    c.logsMessages = log != nil
    return c
  }
}

extension RelaySession.InputKinds: ExpressibleByArgument {
  public init?(argument: String) { self.init(twiml: argument) }
}
