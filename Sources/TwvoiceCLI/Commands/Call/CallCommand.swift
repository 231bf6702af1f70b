import ArgumentParser
import Synchronization
import TwvoiceCore
import TwvoiceNet

#if canImport(Glibc)
  import Glibc
#endif

/// `twvoice call`: Twilio's part of a whole call, offline — the Voice URL requested and signed,
/// its TwiML run verb by verb, every `<Stream>` played by the replay engine.
struct CallCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "call",
    abstract: "Place a call to your voice backend as Twilio does: webhook, TwiML, streams.",
    discussion: """
      Requests --voice-url as Twilio requests a TwiML App's Voice URL for a Voice SDK client \
      call (AccountSid, ApiVersion, ApplicationSid, CallSid, CallStatus, Called, Caller, \
      Direction, From, To and the client's --param values; POST form or GET query), signed with \
      X-Twilio-Signature when an auth token is given, then runs the TwiML it answers: \
      <Connect><Stream> dials the bot with the replay engine (the caller says --audio from the \
      moment the first stream connects) and TwiML goes on after </Connect> when the bot closes \
      the socket; <Start><Stream> runs one-way alongside until <Stop><Stream> or the end; \
      <Pause>, <Say> and <Play> take their (estimated) time; <Gather> takes the next --digits or \
      --speech and requests its action; <Redirect> and <Dial action> request their URLs; \
      <Hangup>, <Reject> and the end of the document end the call. \
      <Connect><ConversationRelay> runs a session with the engine of `twvoice relay` (its \
      attributes and <Parameter>s read; the first session speaks the --prompt turns), then \
      requests the <Connect action> with SessionId, SessionStatus, SessionDuration and \
      HandoffData or ErrorCode and ErrorMessage, and runs what it answers.

      Examples:
        twvoice call --voice-url http://localhost:3000/voice --identity alice --audio hello.wav
        twvoice call --voice-url http://localhost:3000/voice --param lang=en --fast --json

      A document that cannot run ends the call with the code Twilio logs: 11200 (HTTP error), \
      11205 (no answer: refused, unreachable, TLS, --webhook-timeout), 11750 (over 64 kB), \
      12300 (Content-Type not text/xml or application/xml), 12100 (not XML), 12102 (root not \
      <Response>). A stream that cannot connect is reported with its code and TwiML goes on.

      Exit status: 0 the call ran to its end with no error Twilio would log; 1 an error Twilio \
      would log happened; 64 usage; 65/66 unreadable or missing --audio; 130, 143, 129 on \
      SIGINT, SIGTERM, SIGHUP (the caller hangs up; the summary is still printed).
      """
  )

  @Option(name: .customLong("voice-url"), help: "The TwiML App's Voice URL: http:// or https://.")
  var voiceURL: String

  @Option(help: "GET or POST (as the TwiML App's Voice Method).")
  var method: WebhookRequest.Method = .post

  @Option(help: "The caller's client identity: From and Caller are client:IDENTITY.")
  var identity: String = "twvoice"

  @Option(help: "The To parameter the client passes (a number, a client, or anything the app reads).")
  var to: String = ""

  @Option(
    name: .customLong("param"),
    help: ArgumentHelp("A parameter the client passes with the call (repeatable).", valueName: "name=value"),
    transform: NamedValue.init(parsing:))
  var params: [NamedValue] = []

  @Option(help: "What the caller says: a WAV or a Media Streams capture.", completion: .file())
  var audio: String?
  @Option(
    help: "The caller says nothing for this long instead of --audio, e.g. 10s.",
    transform: WrittenDuration.init(parsing:))
  var silence: WrittenDuration?
  @Option(
    name: .customLong("dtmf"),
    help: ArgumentHelp(
      "A key press during the streams, e.g. 5@2.5s from the first stream's start (repeatable).",
      valueName: "digit@time"),
    transform: DTMFPress.init(parsing:))
  var dtmf: [DTMFPress] = []
  @Option(
    help: ArgumentHelp(
      "The keys the caller presses at the next <Gather> (repeatable, one per Gather).", valueName: "keys"))
  var digits: [String] = []
  @Option(
    help: ArgumentHelp(
      "What the caller says at the next <Gather input=\"speech\"> (repeatable).", valueName: "text"))
  var speech: [String] = []
  @Option(
    name: .customLong("prompt"),
    help: ArgumentHelp(
      "A caller turn in the first <Connect><ConversationRelay> session, sent as a prompt (repeatable).",
      valueName: "text"))
  var prompts: [String] = []
  @Option(
    name: .customLong("dial-status"),
    help: "DialCallStatus sent to a <Dial action>: completed, answered, busy, no-answer, failed or canceled.")
  var dialStatus: String = "completed"

  @Option(
    name: .customLong("status-callback"),
    help:
      "The call's status callback URL (as the TwiML App's Status Callback): requested, signed, at the events asked for."
  )
  var statusCallback: String?
  @Option(
    name: .customLong("status-callback-method"), help: "GET or POST for --status-callback. Default: POST.")
  var statusCallbackMethod: WebhookRequest.Method = .post
  @Option(
    name: .customLong("status-callback-event"),
    help: ArgumentHelp(
      "ringing, answered or completed (repeatable, or space-separated as in Twilio's API). Default: completed.",
      valueName: "event"))
  var statusCallbackEvents: [String] = []

  @Option(
    name: .customLong("account-sid"), help: "AccountSid (AC…). Default: $TWILIO_ACCOUNT_SID, else random.")
  var accountSid: String?
  @Option(name: .customLong("call-sid"), help: "CallSid (CA…). Default: random.")
  var callSid: String?
  @Option(
    name: .customLong("application-sid"),
    help: "ApplicationSid (AP…). Default: $TWILIO_APPLICATION_SID, else random.")
  var applicationSid: String?
  @Option(help: "Seed for the random SIDs.")
  var seed: UInt64?

  @OptionGroup var signing: SigningOptions
  @Option(
    name: .customLong("webhook-timeout"),
    help: "How long each webhook may take, connecting included. Default: 15s (Twilio's).",
    transform: WrittenDuration.init(parsing:))
  var webhookTimeout = WrittenDuration.seconds(15)
  @OptionGroup var clock: CallerClockOptions

  @Option(
    help:
      "Write the whole call as the caller had it: stereo WAV, left what the caller said, right what they heard.",
    completion: .file(extensions: ["wav"]))
  var record: String?
  @Option(
    help: "Write every request, answer and stream message with its call time, as a session log (JSON lines).",
    completion: .file(extensions: ["jsonl"]))
  var log: String?
  @Option(
    help:
      "Write the call as one self-contained HTML page: requests, streams' audio and every event on a time axis.",
    completion: .file(extensions: ["html"]))
  var report: String?
  @Option(
    name: .customLong("api-listen"),
    help: ArgumentHelp(
      "Serve the call's REST resource here while it runs (POST …/Calls/{CallSid}.json with Status=completed, Twiml= or Url=; Basic auth: AccountSid and the auth token).",
      valueName: "host:port"))
  var apiListen: String?
  @Option(
    name: .customLong("recordings-dir"),
    help:
      "Write what each <Record> recorded here as RE….wav (its RecordingUrl a file:// URL). Default: not written.",
    completion: .directory)
  var recordingsDir: String?
  @Option(
    help: ArgumentHelp(
      "Instead of --audio: the caller follows a scenario on the first <Connect><Stream> (steps and expectations, see twvoice-scenario(5)).",
      valueName: "file.yaml"),
    completion: .file(extensions: ["yaml", "yml"]))
  var scenario: String?
  @Option(
    help: "With --scenario: write JUnit XML, one testcase per step.", completion: .file(extensions: ["xml"]))
  var junit: String?
  @Flag(help: "Print the summary as JSON on standard output.")
  var json = false
  @Flag(name: .shortAndLong, help: "No timeline and no text summary.")
  var quiet = false

  func validate() throws {
    if audio != nil && silence != nil { throw ValidationError("Give --audio or --silence, not both.") }
    if scenario != nil && (audio != nil || silence != nil || !dtmf.isEmpty) {
      throw ValidationError(
        "--scenario says what the caller does: give no --audio, --silence or --dtmf with it.")
    }
    if junit != nil && scenario == nil { throw ValidationError("--junit goes with --scenario.") }
    guard webhookTimeout.milliseconds > 0 else {
      throw ValidationError("--webhook-timeout must be more than 0.")
    }
    for event in statusCallbackEvents.flatMap({ $0.split(separator: " ") })
    where !Self.callEvents.contains(String(event)) {
      throw ValidationError(
        "--status-callback-event: '\(event)' is not one of \(Self.callEvents.joined(separator: ", ")).")
    }
    let statuses = ["completed", "answered", "busy", "no-answer", "failed", "canceled"]
    guard statuses.contains(dialStatus) else {
      throw ValidationError("--dial-status must be one of \(statuses.joined(separator: ", ")).")
    }
    for (name, sid, check) in [
      ("--call-sid", callSid, CallSid.check), ("--account-sid", accountSid, AccountSid.check),
      ("--application-sid", applicationSid, ApplicationSid.check),
    ] as [(String, String?, (String) throws(SidError) -> Void)] {
      if let sid { do { try check(sid) } catch { throw ValidationError("\(name): \(error)") } }
    }
  }

  static let callEvents = ["ringing", "answered", "completed"]

  func run() throws {
    Signals.beginFinalising()
    defer { Signals.endFinalising() }
    let environment = SystemIO.environment()
    let url: WebURL
    do { url = try WebURL(parsing: voiceURL) } catch { throw ValidationError("--voice-url: \(error)") }
    guard url.scheme == "http" || url.scheme == "https" else {
      throw ValidationError("--voice-url: \(url.displayText): the Voice URL must be http:// or https://")
    }
    var callback: CallVerb.Action?
    if let statusCallback {
      do { callback = .init(url: try WebURL(parsing: statusCallback), method: statusCallbackMethod) } catch {
        throw ValidationError("--status-callback: \(error)")
      }
    }
    let events =
      statusCallbackEvents.isEmpty
      ? ["completed"] : statusCallbackEvents.flatMap { $0.split(separator: " ").map(String.init) }
    var random = seed.map { TwvoiceRandom(seed: $0) } ?? TwvoiceRandom()
    let token = signing.token(environment)
    let signer = try signing.signer(environment)
    if signer == nil && !quiet && !json {
      Terminal.warning(
        "no auth token (--auth-token or \(EnvironmentVariable.authToken)): requests go unsigned")
    }
    let caller = try CallerInputLoading.load(file: audio, silence: silence, dtmf: dtmf)
    let script = try scenario.map { try ScenarioLoading.load($0) }
    let settings = CallFlow.Settings(
      accountSid: try accountSid.map { try AccountSid($0) }
        ?? environment[EnvironmentVariable.accountSid].flatMap { try? AccountSid($0) }
        ?? AccountSid.random(using: &random),
      callSid: try callSid.map { try CallSid($0) } ?? CallSid.random(using: &random),
      applicationSid: try applicationSid.map { try ApplicationSid($0) }
        ?? environment[EnvironmentVariable.applicationSid].flatMap { try? ApplicationSid($0) }
        ?? ApplicationSid.random(using: &random),
      from: "client:" + identity, to: to, customParameters: params, voiceURL: url, method: method,
      signer: signer, digits: digits, speech: speech, dialStatus: dialStatus)
    // Output files are opened first: a path that cannot be written fails before the call.
    let recordFile = try record.map { try OutputFile(path: $0) }
    let logWriter: ReplayLogWriter?
    let junitFile: OutputFile?
    do {
      logWriter = try ReplayLogWriter.make(log: log, report: report)
      junitFile = try junit.map { try OutputFile(path: $0, binary: false) }
    } catch {
      recordFile?.abort()
      throw error
    }
    var apiServer: CallAPIServer?
    if let apiListen {
      guard let colon = apiListen.lastIndex(of: ":"),
        let port = Int(apiListen[apiListen.index(after: colon)...]),
        (0...65535).contains(port)
      else {
        recordFile?.abort()
        logWriter?.abort()
        throw ValidationError("--api-listen '\(apiListen)': expected HOST:PORT, e.g. 127.0.0.1:8099")
      }
      var host = String(apiListen[..<colon])
      if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
      var credentials: [(user: String, password: String)] = []
      if let token { credentials.append((settings.accountSid.rawValue, token)) }
      if let key = environment[EnvironmentVariable.apiKey],
        let secret = environment[EnvironmentVariable.apiSecret]
      {
        credentials.append((key, secret))
      }
      let api = CallAPI(
        accountSid: settings.accountSid, callSid: settings.callSid, from: settings.from, to: settings.to,
        credentials: credentials)
      do {
        apiServer = try CallAPIServer(
          host: host.isEmpty ? "127.0.0.1" : host, port: port, api: api, baseURL: url)
      } catch {
        recordFile?.abort()
        logWriter?.abort()
        throw TwvoiceError(.ioError, "--api-listen \(apiListen): cannot listen: \(error)")
      }
      if !quiet && !json, let apiServer {
        Terminal.diagnostic(
          "twvoice: REST API at http://\(host.isEmpty ? "127.0.0.1" : host):\(apiServer.port)/2010-04-01/Accounts/\(settings.accountSid)/Calls/\(settings.callSid).json"
        )
      }
    }
    defer { apiServer?.stop() }
    let effectiveSpeed = clock.effectiveSpeed
    var call = CallRun(
      settings: settings, caller: caller.input, speed: effectiveSpeed, seed: random.next(),
      timeline: quiet || json ? nil : { Terminal.diagnostic($0) },
      webhook: WebhookClient(
        timeoutSeconds: Double(webhookTimeout.milliseconds) / 1000, insecure: clock.insecure),
      streamOptions: .init(
        authToken: token, insecure: clock.insecure, speed: effectiveSpeed,
        connectTimeoutSeconds: clock.connectTimeout),
      tailMs: clock.tail.milliseconds, hangupAfterMs: clock.hangupAfter?.milliseconds,
      statusCallback: callback,
      statusEvents: Set(events), log: logWriter, api: apiServer, recordingsDirectory: recordingsDir,
      scenario: script?.scenario, prompts: prompts)
    call.run()
    let signal = StreamReplay.hangUpSignal
    do { try recordFile?.commitRecording(muLaw: call.stereoRecording()) } catch {
      logWriter?.abort()
      throw error
    }
    try logWriter?.finish()
    if let failure = call.recordingError { throw failure }
    let run = script.map { call.scenarioOutcome($0.scenario) }
    if let junitFile, let run, let script {
      try junitFile.write(Array(JUnitReport.xml([ScenarioReport.junitSuite(run, file: script.file)]).utf8))
      try junitFile.commit()
    }
    if let report, let logWriter {
      let failed = call.flow.issues.contains(where: \.isError) || run?.passed == false
      let errors = call.flow.issues.filter(\.isError).map { CallRun.line($0) }
      let status = signal.map { "\(128 + $0) (\(Signals.name($0)))" } ?? (failed ? "1" : "0")
      try ReportWriter.write(
        lines: logWriter.lines(), to: report,
        facts: [("Exit status", status)] + call.summaryLines(signal: signal).map { ("Call", $0) }
          + errors.map { ("Error", $0) })
    }
    if json {
      var summary = call.summaryJSON(signal: signal)
      if let run, let script, case .object(let members) = summary {
        summary = .object(members + [("scenario", .object(ScenarioReport.members(run, file: script.file)))])
      }
      Terminal.write(JSONWriter(style: .pretty, asciiOnly: false).string(summary) + "\n")
    } else if !quiet {
      for line in call.summaryLines(signal: signal) { Terminal.diagnostic(line) }
      if let run, let script {
        for line in ScenarioReport.lines(run, file: script.file) { Terminal.diagnostic(line) }
      }
    } else {
      // Quiet: no timeline, but an error Twilio would log is still one line each.
      for issue in call.flow.issues where issue.isError { Terminal.diagnostic(CallRun.line(issue)) }
    }
    if let signal { throw ExitCode(128 + signal) }
    if call.flow.issues.contains(where: \.isError) || run?.passed == false {
      throw ExitCode(FailureKind.checkFailed.rawValue)
    }
  }
}

extension WebhookRequest.Method: ExpressibleByArgument {
  /// `GET` or `POST`, in any case.
  public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}
