import Dispatch
import Synchronization
import TwvoiceCore
import TwvoiceNet

#if canImport(Glibc)
  import Glibc
#endif

/// Runs a `CallFlow` for real: its requests through `WebhookClient`, its streams through
/// `StreamReplayClient`, its waits on the clock (scaled by the speed), and keeps what happened
/// for the summary. Call time is milliseconds since the Voice URL was requested, in session
/// time (real time × speed).
struct CallRun {
  private(set) var flow: CallFlow
  let caller: StreamSession.CallerInput
  let speed: Double
  let timeline: ((String) -> Void)?
  let webhook: WebhookClient
  let streamOptions: StreamReplayClient.Options
  let tailMs: Int
  let hangupAfterMs: Int?
  /// The call's own status callback and the events it asked for.
  let statusCallback: CallVerb.Action?
  let statusEvents: Set<String>
  let callbacks: CallbackSender
  /// The session log of the whole call, when asked for.
  let log: ReplayLogWriter?
  /// The call's REST API, when served (`--api-listen`).
  let api: CallAPIServer?
  /// Where `<Record>` keeps its recordings (nil: not written; RecordingUrl is Twilio's shape).
  let recordingsDirectory: String?
  /// A `<Record>` file that could not be written, reported after the call.
  private(set) var recordingError: (any Error)?
  /// The scenario the caller follows on the first `<Connect><Stream>` (`--scenario`), and how
  /// it went once that stream is over.
  let scenario: Scenario?
  private(set) var scenarioRun: ScenarioRun?
  private var callbackSequence = 0
  private var random: TwvoiceRandom

  struct RequestRecord {
    var purpose: String
    var method: String
    var url: String
    var status: Int?
    var latencyMs: Double?
    var atMs: Double
  }

  struct StreamRecord {
    var verb: String
    var name: String?
    var url: String
    var startMs: Double
    var summary: ReplaySummary
  }

  private(set) var requests: [RequestRecord] = []
  /// The callbacks sent, once the call is over.
  private(set) var callbacksSent: [CallbackSender.Sent] = []
  private(set) var streams: [StreamRecord] = []
  /// The ConversationRelay sessions, with when each started.
  private(set) var relays: [(startMs: Double, report: RelayReport)] = []
  /// The caller's turns for the first ConversationRelay session (`--prompt`).
  let prompts: [String]
  private(set) var end: CallFlow.CallEnd?
  private(set) var durationMs: Double = 0
  private var startInstant = 0.0
  private var firstStreamAtMs: Double?
  private var background: [BackgroundStream] = []

  init(
    settings: CallFlow.Settings, caller: StreamSession.CallerInput, speed: Double, seed: UInt64,
    timeline: ((String) -> Void)?, webhook: WebhookClient, streamOptions: StreamReplayClient.Options,
    tailMs: Int, hangupAfterMs: Int?, statusCallback: CallVerb.Action? = nil, statusEvents: Set<String> = [],
    log: ReplayLogWriter? = nil, api: CallAPIServer? = nil, recordingsDirectory: String? = nil,
    scenario: Scenario? = nil, prompts: [String] = []
  ) {
    self.scenario = scenario
    self.prompts = prompts
    self.recordingsDirectory = recordingsDirectory
    self.log = log
    self.api = api
    flow = CallFlow(settings: settings, seed: seed)
    self.statusCallback = statusCallback
    self.statusEvents = statusEvents
    callbacks = CallbackSender(webhook: webhook, signer: settings.signer, seed: seed &+ 1, log: log)
    var sorted = caller
    sorted.dtmf.sort { $0.atMs < $1.atMs }
    self.caller = sorted
    self.speed = speed
    self.timeline = timeline
    self.webhook = webhook
    self.streamOptions = streamOptions
    self.tailMs = tailMs
    self.hangupAfterMs = hangupAfterMs
    random = TwvoiceRandom(seed: seed)
  }

  static func monotonicMs() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
  }

  /// Call time now, in milliseconds.
  func now() -> Double { (Self.monotonicMs() - startInstant) * speed }

  private func say(_ text: String, at t: Double? = nil) {
    guard let timeline else { return }
    let time = (t ?? now()) / 1000
    let stamp = String(format3(time))
    timeline("  " + String(repeating: " ", count: max(0, 9 - stamp.count)) + stamp + "  " + text)
  }

  mutating func run() {
    startInstant = Self.monotonicMs()
    let s = flow.settings
    timeline?(
      "twvoice: call \(s.callSid) from \(s.from.escapingControlCharacters) to \"\(s.to.escapingControlCharacters)\""
    )
    var step = flow.start()
    callProgress("ringing", status: "ringing")
    var answered = false
    while true {
      if StreamReplay.hangUpSignal != nil {
        end = CallFlow.CallEnd(status: "completed", reason: "the caller hung up")
        break
      }
      let event: CallFlow.Event
      switch step {
      case .request(let request): event = perform(request)
      case .connectStream(let stream): event = connect(stream)
      case .connectRelay(let relay): event = connectRelay(relay)
      case .startStream(let stream):
        startAlongside(stream)
        event = .done
      case .stopStream(let name):
        say("Stop/Stream \(name.map { "\"\($0.escapingControlCharacters)\"" } ?? "(every stream)")")
        stopAlongside(named: name)
        event = .done
      case .wait(let ms): event = wait(ms)
      case .record(let maxMs, let timeoutMs): event = record(maxMs: maxMs, timeoutMs: timeoutMs)
      case .end(let callEnd):
        end = callEnd
        event = .done
      }
      if end != nil { break }
      if !answered, case .response(let response) = event, (200...299).contains(response.status) {
        answered = true
        api?.setStatus("in-progress")
        callProgress("answered", status: "in-progress")
      }
      let verbsBefore = flow.verbRecords.count
      let issuesBefore = flow.issues.count
      if let update = api?.take() {
        // The application changed the call through the REST API: the step under way was cut
        // short for it (a stream hung up, a wait ended).
        say("REST API: \(Self.describe(update))")
        step = flow.apply(update, at: now())
      } else {
        step = flow.next(event, at: now())
      }
      for record in flow.verbRecords.dropFirst(verbsBefore) {
        say("\(record.verb)\(record.detail.isEmpty ? "" : " " + record.detail)", at: record.startMs)
      }
      for issue in flow.issues.dropFirst(issuesBefore) { timeline?(Self.line(issue)) }
    }
    stopAlongside(named: nil)
    api?.setStatus(end?.status ?? "completed")
    durationMs = now()
    if let end { say("call \(end.status): \(end.reason)") }
    callProgress(
      "completed", status: end?.status ?? "completed",
      extra: [NamedValue(name: "CallDuration", value: String(Int((durationMs / 1000).rounded(.up))))])
    callbacksSent = callbacks.drain()
  }

  /// The call's status callback for `event`, when it asked for that event.
  private mutating func callProgress(_ event: String, status: String, extra: [NamedValue] = []) {
    guard let statusCallback, statusEvents.contains(event) else { return }
    callbackSequence += 1
    let parameters =
      flow.callParameters(status: status) + extra + [
        NamedValue(name: "CallbackSource", value: "call-progress-events"),
        NamedValue(name: "SequenceNumber", value: String(callbackSequence - 1)),
        NamedValue(name: "Timestamp", value: UTCTime.rfc2822(SystemIO.now())),
      ]
    callbacks.send(statusCallback, parameters: parameters, purpose: "call-status", event: event, atMs: now())
  }

  /// A stream's statusCallback parameters for `event`.
  private func streamEvent(
    _ event: String, stream: CallVerb.StreamVerb, streamSid: StreamSid, error: String? = nil
  ) -> [NamedValue] {
    let s = flow.settings
    var fields = [
      NamedValue(name: "AccountSid", value: s.accountSid.rawValue),
      NamedValue(name: "CallSid", value: s.callSid.rawValue),
      NamedValue(name: "StreamSid", value: streamSid.rawValue),
      NamedValue(name: "StreamName", value: stream.name ?? streamSid.rawValue),
      NamedValue(name: "StreamEvent", value: event),
    ]
    if let error { fields.append(NamedValue(name: "StreamError", value: error)) }
    fields.append(NamedValue(name: "Timestamp", value: UTCTime.rfc2822(SystemIO.now())))
    return fields
  }

  /// Sends a stream's statusCallback, if it has one.
  private func streamCallback(
    _ event: String, stream: CallVerb.StreamVerb, streamSid: StreamSid, error: String? = nil, at: Double
  ) {
    guard let callback = stream.statusCallback else { return }
    callbacks.send(
      callback, parameters: streamEvent(event, stream: stream, streamSid: streamSid, error: error),
      purpose: "stream-status", event: event, atMs: at)
  }

  private mutating func perform(_ request: WebhookRequest) -> CallFlow.Event {
    let at = now()
    log?.appendExchange(atMs: at, isRequest: true, CallLogging.request(request))
    let settings = flow.settings
    var seed = random
    let result = webhook.send(
      request,
      resign: { url, method in
        WebhookRequest(
          method: method, url: url, parameters: method == .post ? request.parameters : [],
          purpose: request.purpose, signer: settings.signer,
          idempotencyToken: WebhookRequest.idempotencyToken(using: &seed))
      },
      redirected: { hop, status in
        requests.append(
          RequestRecord(
            purpose: hop.purpose, method: hop.method.rawValue, url: hop.url.displayText, status: status,
            latencyMs: nil, atMs: at))
      })
    random = seed
    log?.appendExchange(atMs: now(), isRequest: false, CallLogging.response(result))
    switch result {
    case .success(let response):
      requests.append(
        RequestRecord(
          purpose: request.purpose, method: request.method.rawValue, url: response.url.displayText,
          status: response.status, latencyMs: response.latencyMs, atMs: at))
      say(
        "\(request.method.rawValue) \(response.url.displayText) → \(response.status)\(response.contentType.map { " " + $0.escapingControlCharacters } ?? "") (\(Int(response.latencyMs.rounded())) ms)",
        at: at)
      return .response(response)
    case .failure(let failure):
      requests.append(
        RequestRecord(
          purpose: request.purpose, method: request.method.rawValue, url: request.url.displayText,
          status: nil,
          latencyMs: nil, atMs: at))
      say("\(request.method.rawValue) \(request.url.displayText) → no answer", at: at)
      return .requestFailed(code: failure.code, message: failure.message)
    }
  }

  /// The caller's input from call time `now` on: audio from the first stream's start.
  private mutating func callerInput(at now: Double) -> StreamSession.CallerInput {
    let origin = firstStreamAtMs ?? now
    firstStreamAtMs = origin
    let offsetMs = Int(now - origin)
    let audio = Array(caller.audio.dropFirst(min(caller.audio.count, offsetMs * 8)))
    let dtmf = caller.dtmf.filter { $0.atMs >= offsetMs }.map {
      DTMFPress(digit: $0.digit, atMs: $0.atMs - offsetMs)
    }
    return StreamSession.CallerInput(audio: audio, dtmf: dtmf)
  }

  private mutating func configuration(
    _ stream: CallVerb.StreamVerb, bidirectional: Bool, at now: Double
  ) -> StreamSession.Configuration {
    let s = flow.settings
    let tracks: [String] =
      switch stream.track {
      case "outbound_track": ["outbound"]
      case "both_tracks": ["inbound", "outbound"]
      default: ["inbound"]
      }
    return StreamSession.Configuration(
      accountSid: s.accountSid, callSid: s.callSid, streamSid: StreamSid.random(using: &random),
      customParameters: stream.parameters, bidirectional: bidirectional,
      tracks: bidirectional ? ["inbound"] : tracks,
      // A <Start> stream lasts until <Stop> or the end of the call.
      tailMs: bidirectional ? tailMs : 1_000_000_000,
      hangupAfterMs: hangupAfterMs.map { max(0, $0 - Int(now)) })
  }

  private mutating func connect(_ stream: CallVerb.StreamVerb) -> CallFlow.Event {
    guard let url = stream.url else { return .streamFailed(code: 31920, message: "no stream URL") }
    let at = now()
    let target: StreamReplayClient.Target
    do { target = try .init(url: url.description) } catch {
      return .streamFailed(code: error.code, message: error.message)
    }
    // The scenario, if any, drives the caller on the first <Connect><Stream> only.
    let script = scenarioRun == nil ? scenario : nil
    let session = StreamSession(
      configuration: configuration(stream, bidirectional: true, at: at),
      input: script == nil ? callerInput(at: at) : .init(audio: []), scenario: script)
    let streamSid = session.configuration.streamSid
    // stream-started goes out once the WebSocket is up (the session's first step).
    let opened = OnceFlag()
    let startedParameters = streamEvent("stream-started", stream: stream, streamSid: streamSid)
    let callbacks = self.callbacks
    var onProgress: (@Sendable (StreamSession) -> Void)?
    if let callback = stream.statusCallback {
      onProgress = { _ in
        guard opened.first() else { return }
        callbacks.send(
          callback, parameters: startedParameters, purpose: "stream-status", event: "stream-started", atMs: at
        )
      }
    }
    let log = self.log
    let api = self.api
    let client = StreamReplayClient(
      target: target, options: streamOptions, onProgress: onProgress,
      onLog: log?.sink(offsetMs: at),
      stopRequested: { StreamReplay.hangUpSignal != nil || api?.hasPending == true })
    var (ended, outcome) = client.run(session)
    if script != nil {
      ended.concludeScript(reason: StreamReplay.unfinishedReason(outcome))
      scenarioRun = ended.script
    }
    let summary = ReplaySummary(
      session: ended, outcome: outcome, speed: speed, signal: StreamReplay.hangUpSignal)
    streams.append(
      StreamRecord(verb: "Connect", name: stream.name, url: url.displayText, startMs: at, summary: summary))
    switch outcome {
    case .failed(let error):
      streamCallback(
        "stream-error", stream: stream, streamSid: streamSid, error: error.description, at: now())
    case .cancelled: break
    default: streamCallback("stream-stopped", stream: stream, streamSid: streamSid, at: now())
    }
    say("stream \(ended.configuration.streamSid): \(summary.outcomeText)")
    switch outcome {
    case .completed, .cancelled: return .streamEnded(callerHungUp: true)
    case .botEnded: return .streamEnded(callerHungUp: false)
    case .serverClosed(let code, let reason):
      return .streamFailed(
        code: 31921,
        message: "\(url.displayText): the server closed the stream\(ReplaySummary.closeDetail(code, reason))")
    case .failed(let error): return .streamFailed(code: error.code, message: error.message)
    }
  }

  /// Runs a `<Connect><ConversationRelay>` session: the first one speaks the `--prompt`s, later
  /// ones (the action's TwiML connecting again) have the same call, a new session, and
  /// `callStatus` IN_PROGRESS.
  private mutating func connectRelay(_ relay: CallVerb.RelayVerb) -> CallFlow.Event {
    let at = now()
    let s = flow.settings
    let sessionId = RelaySessionSid.random(using: &random).rawValue
    var configuration = RelaySession.Configuration(
      setup: .init(
        sessionId: sessionId, callSid: s.callSid.rawValue, from: s.from, to: s.to,
        callStatus: relays.isEmpty ? "RINGING" : "IN_PROGRESS", accountSid: s.accountSid.rawValue,
        customParameters: relay.parameters))
    for problem in configuration.apply(attributes: relay.attributes) {
      say("warning: <ConversationRelay \(problem)>")
    }
    configuration.tailMs = Double(tailMs)
    configuration.hangupAfterMs = hangupAfterMs.map { Double(max(0, $0 - Int(at))) }
    configuration.logsMessages = log != nil
    let script = RelayScript.prompts(relays.isEmpty ? prompts : [], turnGapMs: nil, interruptAfterMs: nil)
    var ended = RelaySession(configuration: configuration, script: script)
    var outcome = StreamReplayClient.Outcome.completed
    if let url = relay.url, let target = try? StreamReplayClient.Target(url: url.description) {
      var options = streamOptions
      options.handshake = .conversationRelay(queryAsParameters: false)
      let api = self.api
      let client = StreamReplayClient(
        target: target, options: options, onLog: log?.sink(offsetMs: at),
        stopRequested: { StreamReplay.hangUpSignal != nil || api?.hasPending == true })
      (ended, outcome) = client.run(ended, onProgress: nil)
    }
    ended.conclude(after: outcome, url: relay.url?.displayText ?? "(no URL)", at: now() - at)
    let report = RelayReport(
      session: ended, url: relay.url?.displayText ?? "(no URL)", signal: StreamReplay.hangUpSignal)
    relays.append((at, report))
    for line in ended.transcript {
      say("  \(line.speaker.rawValue)  \(line.text)", at: at + line.atMs)
    }
    say("relay session \(sessionId): \(report.endingText)")
    var end = CallFlow.RelayEnd(
      sessionId: sessionId, status: ended.ending?.status ?? "completed",
      durationSeconds: Int((ended.endedAtMs / 1000).rounded()))
    switch ended.ending {
    case .ended(let data)?: end.handoffData = data
    case .failed(let code, let message)?:
      end.errorCode = code
      end.errorMessage = message
    default: break
    }
    return .relayEnded(end)
  }

  private mutating func startAlongside(_ stream: CallVerb.StreamVerb) {
    guard let url = stream.url, let target = try? StreamReplayClient.Target(url: url.description) else {
      return
    }
    let at = now()
    let session = StreamSession(
      configuration: configuration(stream, bidirectional: false, at: at), input: callerInput(at: at))
    background.append(
      BackgroundStream(
        name: stream.name, url: url.displayText, startMs: at, session: session, target: target,
        options: streamOptions, verb: stream, log: log))
    streamCallback("stream-started", stream: stream, streamSid: session.configuration.streamSid, at: at)
  }

  private mutating func stopAlongside(named name: String?) {
    var kept: [BackgroundStream] = []
    for stream in background {
      guard name == nil || stream.name == name else {
        kept.append(stream)
        continue
      }
      let (session, outcome) = stream.stop()
      let summary = ReplaySummary(
        session: session, outcome: outcome, speed: speed, signal: StreamReplay.hangUpSignal)
      streams.append(
        StreamRecord(
          verb: "Start", name: stream.name, url: stream.url, startMs: stream.startMs, summary: summary))
      say("stream \(session.configuration.streamSid): \(summary.outcomeText)")
      if case .failed(let error) = outcome {
        say("  \(error.description.escapingControlCharacters)")
        streamCallback(
          "stream-error", stream: stream.verb, streamSid: session.configuration.streamSid,
          error: error.description, at: now())
      } else {
        streamCallback(
          "stream-stopped", stream: stream.verb, streamSid: session.configuration.streamSid, at: now())
      }
    }
    background = kept
  }

  /// A `<Record>`: the caller's audio from now on, up to `maxMs` (nothing, when all of it is
  /// silence), then `timeoutMs` of silence, as the call's time passes.
  private mutating func record(maxMs: Int, timeoutMs: Int) -> CallFlow.Event {
    let input = callerInput(at: now())
    let audio = Array(input.audio.prefix(maxMs * 8))
    let spoken = audio.contains { $0 != G711.muLawSilence && $0 != 0x7F }
    let ms = spoken ? audio.count / 8 : 0
    if case .callerHungUp = wait(ms + timeoutMs) { return .callerHungUp }
    let sid = RecordingSid.random(using: &random)
    var url = "https://api.twilio.com/2010-04-01/Accounts/\(flow.settings.accountSid)/Recordings/\(sid)"
    if ms > 0, let recordingsDirectory {
      let path = SystemIO.path("\(sid).wav", in: recordingsDirectory)
      do {
        try OutputFile(path: path).commitRecording(muLaw: audio, channels: 1)
        url = "file://" + SystemIO.absolutePath(path)
      } catch {
        recordingError = recordingError ?? error
      }
    }
    say("  recorded \(format3(Double(ms) / 1000)) s as \(sid)")
    return .recorded(milliseconds: ms, url: url, sid: sid.rawValue)
  }

  /// Lets `ms` of call time pass, polling for a signal; the caller's hang-up time cuts it short.
  private func wait(_ ms: Int) -> CallFlow.Event {
    let target = now() + Double(ms)
    while true {
      let t = now()
      if let hangupAfterMs, t >= Double(hangupAfterMs) { return .callerHungUp }
      if t >= target || StreamReplay.hangUpSignal != nil || api?.hasPending == true { return .done }
      var limit = target
      if let hangupAfterMs { limit = min(limit, Double(hangupAfterMs)) }
      let realMs = min(50, max(0.05, (limit - t) / speed))
      var ts = timespec(tv_sec: 0, tv_nsec: Int(realMs * 1_000_000))
      nanosleep(&ts, nil)
    }
  }

  /// The whole call as the caller had it, µ-law interleaved left/right at 8 kHz from the
  /// Voice URL request to the hang-up: left what the caller said into the streams, right what
  /// the caller heard of the bots; silence where no stream ran (a `<Say>` is not synthesised).
  /// Each stream is placed at the call time it started; a `<Start>` stream's caller audio only
  /// where a `<Connect>` stream left silence.
  func stereoRecording() -> [UInt8] {
    var length = Int(durationMs) * 8
    let placed = streams.map { stream in
      (
        start: Int(stream.startMs) * 8, audio: stream.summary.session.stereoRecording(),
        connect: stream.verb == "Connect"
      )
    }
    for p in placed { length = max(length, p.start + p.audio.count / 2) }
    var out = [UInt8](repeating: G711.muLawSilence, count: 2 * length)
    for p in placed.sorted(by: { $0.connect && !$1.connect }) {
      for i in 0..<(p.audio.count / 2) {
        let at = 2 * (p.start + i)
        if p.connect {
          out[at] = p.audio[2 * i]
          out[at + 1] = p.audio[2 * i + 1]
        } else if out[at] == G711.muLawSilence {
          out[at] = p.audio[2 * i]
        }
      }
    }
    return out
  }

  // MARK: - Summary

  /// Every request of the call in the order made: webhooks, then callbacks by their time.
  var allRequests: [RequestRecord] {
    let sent = callbacksSent.map {
      RequestRecord(
        purpose: $0.purpose + ":" + $0.event, method: $0.method, url: $0.url, status: $0.status,
        latencyMs: $0.latencyMs, atMs: $0.atMs)
    }
    return (requests + sent).enumerated().sorted {
      ($0.element.atMs, $0.offset) < ($1.element.atMs, $1.offset)
    }
    .map(\.element)
  }

  func summaryJSON(signal: Int32?) -> JSONValue {
    let errors = flow.issues.map { issue in
      JSONValue.object([
        ("code", issue.code.map { .int($0) } ?? .null),
        ("level", .string(issue.isError ? "error" : "warning")),
        ("message", .string(issue.message)),
      ])
    }
    return .object([
      ("call_sid", .string(flow.settings.callSid.rawValue)),
      ("status", .string(end?.status ?? "completed")),
      ("end", .string(signal.map { "hung up on \(Signals.name($0))" } ?? end?.reason ?? "")),
      ("duration_s", .number(format3(durationMs / 1000))),
      ("clock", .string(speed == 1 ? "real" : "session")),
      (
        "requests",
        .array(
          allRequests.map { r in
            .object([
              ("purpose", .string(r.purpose)), ("method", .string(r.method)), ("url", .string(r.url)),
              ("status", r.status.map { .int($0) } ?? .null),
              ("latency_ms", r.latencyMs.map { .number(format3($0)) } ?? .null),
              ("t", .number(format3(r.atMs / 1000))),
            ])
          })
      ),
      (
        "verbs",
        .array(
          flow.verbRecords.map { v in
            .object([
              ("verb", .string(v.verb)), ("detail", .string(v.detail)),
              ("t", .number(format3(v.startMs / 1000))),
              ("duration_s", .number(format3(((v.endMs ?? durationMs) - v.startMs) / 1000))),
            ])
          })
      ),
      (
        "streams",
        .array(
          streams.map { s in
            var fields: [(String, JSONValue)] = [
              ("verb", .string(s.verb)), ("name", s.name.map { .string($0) } ?? .null),
              ("url", .string(s.url)),
              ("t", .number(format3(s.startMs / 1000))),
            ]
            if case .object(let summary) = s.summary.json { fields += summary }
            return .object(fields)
          })
      ),
      (
        "relay_sessions",
        .array(
          relays.map { r in
            guard case .object(let fields) = r.report.json else { return r.report.json }
            return .object([("t", .number(format3(r.startMs / 1000)))] + fields)
          })
      ),
      ("errors", .array(errors)),
    ])
  }

  func summaryLines(signal: Int32?) -> [String] {
    var lines: [String] = []
    let status = end?.status ?? "completed"
    lines.append(
      "call \(flow.settings.callSid): \(status), \(format3(durationMs / 1000)) s, \(requests.count) request(s), \(flow.verbRecords.count) verb(s), \(streams.count) stream(s)"
    )
    return lines
  }

  static func describe(_ update: CallFlow.Update) -> String {
    switch update {
    case .hangUp: "Status=completed"
    case .twiml(let bytes): "Twiml (\(bytes.count) bytes)"
    case .redirect(let action): "Url=\(action.url.displayText) (\(action.method.rawValue))"
    }
  }

  /// An issue as one line of standard error.
  static func line(_ issue: CallFlow.Issue) -> String {
    let code = issue.code.map { " (Twilio error \($0))" } ?? ""
    return "twvoice: \(issue.isError ? "error" : "warning"): \(issue.message)\(code)"
  }
}

/// A `<Start><Stream>` running on its own thread until stopped.
final class BackgroundStream: Sendable {
  let name: String?
  let url: String
  let startMs: Double
  let verb: CallVerb.StreamVerb
  private let stopFlag = Atomic<Bool>(false)
  private let result = Locked<(StreamSession, StreamReplayClient.Outcome)?>(nil)
  private let finished = DispatchSemaphore(value: 0)

  init(
    name: String?, url: String, startMs: Double, session: StreamSession, target: StreamReplayClient.Target,
    options: StreamReplayClient.Options, verb: CallVerb.StreamVerb, log: ReplayLogWriter?
  ) {
    self.verb = verb
    self.name = name
    self.url = url
    self.startMs = startMs
    let client = StreamReplayClient(
      target: target, options: options,
      onLog: log?.sink(offsetMs: startMs),
      stopRequested: { [self] in self.stopFlag.load(ordering: .relaxed) || StreamReplay.hangUpSignal != nil })
    DispatchQueue.global().async { [self] in
      let outcome = client.run(session)
      self.result.withLock { $0 = outcome }
      self.finished.signal()
    }
  }

  /// Hangs the stream up (if it still runs) and returns how it went.
  func stop() -> (StreamSession, StreamReplayClient.Outcome) {
    stopFlag.store(true, ordering: .relaxed)
    finished.wait()
    finished.signal()
    return result.withLock { $0! }
  }
}

/// True the first time only.
final class OnceFlag: Sendable {
  private let done = Atomic<Bool>(false)
  func first() -> Bool { !done.exchange(true, ordering: .relaxed) }
}

extension CallRun {
  /// How the scenario went: its run on the first `<Connect><Stream>`, or, when the call never
  /// reached one, every step failed or skipped for that reason.
  func scenarioOutcome(_ scenario: Scenario) -> ScenarioRun {
    if let scenarioRun { return scenarioRun }
    var run = ScenarioRun(scenario)
    run.callEnded(
      atMs: 0, botHungUp: false, reason: "the call reached no <Connect><Stream>", bot: SpeechActivity())
    return run
  }
}
