/// The Twilio side of one Media Stream, as a transport-free state machine: what to send and
/// when, what the bot's messages do to the phone's playback, and what to record and report.
///
/// Time is in milliseconds of session time from the first media frame; the driver (a WebSocket
/// in TwvoiceNet, a test directly) says what time it is. Frame n of the caller's audio is due at
/// exactly n × 20 ms, so pacing has no drift however long the call. Messages follow Twilio's
/// shapes (media-streams.md §1.3): `connected`, `start` with `sequenceNumber` "1", `media` with
/// string `sequenceNumber`/`chunk`/`timestamp` (timestamps from a non-zero start, +20 per
/// frame), `dtmf` on "inbound_track", `mark` echoes, and `stop`.
public struct StreamSession: Sendable {
  /// How the call is set up.
  public struct Configuration: Sendable {
    public var accountSid: AccountSid
    public var callSid: CallSid
    public var streamSid: StreamSid
    public var customParameters: [NamedValue]
    /// `<Connect><Stream>` (true) or `<Start><Stream>`.
    public var bidirectional: Bool
    /// `start.tracks`; a bidirectional stream always declares `["inbound"]`.
    public var tracks: [String]
    /// `media.timestamp` of the first frame: Twilio's stream clock starts before the first frame
    /// (102–155 ms in captures).
    public var firstTimestampMs: Int
    /// After the caller's audio ends, stay on the line this long once the bot's audio has played.
    public var tailMs: Int
    /// Hang up at this session time whatever happens.
    public var hangupAfterMs: Int?
    /// Keep the bot's audio for `stereoRecording()`. Without it, audio that has played and been
    /// listened to is let go, so a call costs the same memory at minute 60 as at minute 1 (many
    /// calls at once record only when asked).
    public var keepsRecording = true
    /// Hand every message to the driver's log (`takeLog()`). Without it only twvoice's own notes
    /// (findings, scenario steps) are logged: many calls at once log only when asked.
    public var logsMessages = true

    public init(
      accountSid: AccountSid, callSid: CallSid, streamSid: StreamSid,
      customParameters: [NamedValue] = [],
      bidirectional: Bool = true, tracks: [String] = ["inbound"], firstTimestampMs: Int = 100,
      tailMs: Int = 2000,
      hangupAfterMs: Int? = nil
    ) {
      self.accountSid = accountSid
      self.callSid = callSid
      self.streamSid = streamSid
      self.customParameters = customParameters
      self.bidirectional = bidirectional
      self.tracks = tracks
      self.firstTimestampMs = firstTimestampMs
      self.tailMs = tailMs
      self.hangupAfterMs = hangupAfterMs
    }
  }

  /// What the caller says: µ-law audio from the start of the call, and DTMF keys at times.
  public struct CallerInput: Sendable {
    public var audio: [UInt8]
    public var dtmf: [DTMFPress]
    public init(audio: [UInt8], dtmf: [DTMFPress] = []) {
      self.audio = audio
      self.dtmf = dtmf.sorted { $0.atMs < $1.atMs }
    }
  }

  /// One frame in either direction, for the session log (`SessionLog`).
  public typealias LogEntry = SessionLog.Entry

  /// One protocol violation code as Twilio's debugger shows it: once per stream, with how many
  /// times it happened and the first few occurrences.
  public struct Finding: Sendable {
    public var code: Int
    public var count: Int
    /// The first `Finding.keptOccurrences` messages, with their session time (ms).
    public var first: [(atMs: Double, message: String)]
    /// Occurrences kept per code: enough to see the pattern, bounded whatever the bot sends.
    public static let keptOccurrences = 3
  }

  /// One utterance of the caller and the bot's answer to it.
  public struct Utterance: Sendable {
    /// When the caller's turn ended: its last speech frame has been heard, i.e. sent + 20 ms.
    public var endMs: Double
    /// When the bot's first audio after it arrived, if before the caller's next turn ended.
    public var answeredAtMs: Double?
  }

  public let configuration: Configuration
  /// What the caller says; a scenario adds to it as the call goes.
  public private(set) var input: CallerInput
  public private(set) var playout = PlayoutBuffer()
  /// Speech in the bot's audio as the caller heard it (played out, cleared audio excluded),
  /// found frame by frame as it plays.
  public private(set) var botSpeech = SpeechActivity()
  /// The bugs the bot showed, by name (talk-over, underrun, burst, …).
  public private(set) var behaviour = BotBehaviour()
  /// The scenario the caller follows, if any (`--scenario`): it decides what the caller says
  /// and when it hangs up.
  public private(set) var script: ScenarioRun?
  /// Messages both ways not yet taken by the driver (`takeLog()`). The session keeps no history
  /// of its own: a long call or a bot flooding tiny frames costs counters, not memory.
  public private(set) var pendingLog: [LogEntry] = []
  /// Violations by code, in order of first occurrence.
  public private(set) var findings: [Finding] = []
  public private(set) var sentMessages = 0
  public private(set) var receivedMessages = 0
  public private(set) var marksEchoed = 0
  public private(set) var marksReceived = 0
  /// Media frames sent (20 ms each).
  public private(set) var framesSent = 0
  /// Session time (ms) of the latest message either way.
  public private(set) var lastMessageMs: Double = 0
  /// The caller's utterances as they were sent, each with the bot's answer.
  public private(set) var utterances: [Utterance] = []
  public private(set) var stopped = false
  /// How late media frames left (ms of session time after their scheduled n × 20 ms).
  public private(set) var frameLateness = LatencyHistogram()

  private var sequence = 0
  private var dtmfSent = 0
  /// Whether `open` ran: the WebSocket came up and `connected` went out.
  public private(set) var started = false
  private var frameCount: Int
  /// Index of the last voiced frame of each utterance in the input.
  private var speechEndFrames: [Int]
  private var nextSpeechEnd = 0

  /// Bytes of caller audio per media frame (20 ms).
  public static let frameBytes = 160

  public init(configuration: Configuration, input: CallerInput, scenario: Scenario? = nil) {
    self.configuration = configuration
    self.input = input
    frameCount = (input.audio.count + Self.frameBytes - 1) / Self.frameBytes
    speechEndFrames = Self.findUtteranceEnds(input.audio)
    script = scenario.map(ScenarioRun.init)
  }

  /// Whether `takeLog()` has anything to give.
  public var hasPendingLog: Bool {
    !pendingLog.isEmpty || !behaviour.occurrences.isEmpty
      || (script.map { stepsLogged < $0.results.count && $0.results[stepsLogged].status != .pending } ?? false)
  }

  /// Moves what `behaviour` found since the last call into the log.
  private mutating func logBehaviour() {
    guard !behaviour.occurrences.isEmpty else { return }
    for occurrence in behaviour.takeOccurrences() {
      pendingLog.append(
        LogEntry(
          atMs: occurrence.atMs, from: .twvoice,
          frame: .note(
            key: "finding",
            .object([("id", .string(occurrence.kind.rawValue)), ("message", .string(occurrence.message))]))))
    }
  }

  /// Scenario steps that got their verdict and are not yet logged.
  private var stepsLogged = 0

  /// Logs the verdicts given since the last call, where each step ended.
  private mutating func logSteps() {
    guard let run = script else { return }
    while stepsLogged < run.results.count, run.results[stepsLogged].status != .pending {
      let result = run.results[stepsLogged]
      let step = run.scenario.steps[stepsLogged]
      stepsLogged += 1
      pendingLog.append(
        LogEntry(
          atMs: result.endedAtMs ?? lastMessageMs, from: .twvoice,
          frame: .note(
            key: "step",
            .object([
              ("n", .int(stepsLogged)), ("line", .int(step.line)), ("step", .string(step.title)),
              ("status", .string(result.status.rawValue)), ("message", .string(result.message)),
            ]))))
    }
  }

  /// Takes the messages logged since the last call, oldest first.
  public mutating func takeLog() -> [LogEntry] {
    logBehaviour()
    logSteps()
    guard !pendingLog.isEmpty else { return [] }
    var taken: [LogEntry] = []
    swap(&taken, &pendingLog)
    return taken
  }

  /// Every violation, counted.
  public var violationCount: Int { findings.reduce(0) { $0 + $1.count } }
  /// How many times each code occurred.
  public var warningCodes: [Int: Int] {
    Dictionary(findings.map { ($0.code, $0.count) }, uniquingKeysWith: +)
  }
  /// The first occurrences of each code, in order of first occurrence.
  public var violations: [BotMessageCheck.Violation] {
    findings.flatMap { finding in finding.first.map { .init(code: finding.code, message: $0.message) } }
  }

  private mutating func nextSequence() -> Int {
    sequence += 1
    return sequence
  }

  private mutating func send(_ message: TwilioMessage, at now: Double, into out: inout [String]) {
    let text = message.encoded()
    out.append(text)
    if configuration.logsMessages {
      pendingLog.append(LogEntry(atMs: now, from: .twilio, frame: .text(text, isJSON: true)))
    }
    lastMessageMs = now
    sentMessages += 1
  }

  /// `connected` and `start`, the first two messages.
  public mutating func open(at now: Double = 0) -> [String] {
    var out: [String] = []
    started = true
    send(.connected, at: now, into: &out)
    let c = configuration
    let start = TwilioMessage.Start(
      accountSid: c.accountSid.rawValue, streamSid: c.streamSid.rawValue, callSid: c.callSid.rawValue,
      tracks: c.tracks,
      customParameters: c.customParameters)
    send(.start(sequenceNumber: nextSequence(), start), at: now, into: &out)
    return out
  }

  /// Whether the caller's input has all been sent.
  public var inputFinished: Bool { framesSent >= frameCount && dtmfSent >= input.dtmf.count }

  /// When the session ends if nothing else happens: the input, then the bot's audio, then the
  /// tail. Without an explicit hang-up time, the caller gives up at the latest 60 s (or the tail,
  /// if longer) after its input ends, so a bot that talks forever cannot keep a test running.
  /// With a scenario, the call lasts until its steps are done (or `--hangup-after`); then as
  /// above, from the end of the last step; `tail` after a step failed.
  public func endTime() -> Double {
    var inputEnd = Double(inputEndMs)
    if let script {
      guard let finishedAt = script.finishedAtMs else {
        return configuration.hangupAfterMs.map(Double.init) ?? .infinity
      }
      // A failed step: the caller stays `tail` longer, so what the bot does next (talking on
      // over the caller, say) is still seen and recorded, then hangs up.
      if script.failedStep != nil {
        return min(
          finishedAt + Double(configuration.tailMs), configuration.hangupAfterMs.map(Double.init) ?? .infinity
        )
      }
      inputEnd = max(inputEnd, finishedAt)
    }
    var end = max(inputEnd, playout.playoutEnd) + Double(configuration.tailMs)
    let hangup =
      configuration.hangupAfterMs.map(Double.init) ?? inputEnd
      + Double(max(configuration.tailMs, Self.patienceMs))
    end = min(end, hangup)
    return end
  }

  /// When the caller's input is over: its audio, and every key press, which goes out just
  /// before the first frame at or after its time (so the line stays open until then).
  public var inputEndMs: Int {
    let audioEnd = frameCount * 20
    guard let last = input.dtmf.last?.atMs else { return audioEnd }
    let pressFrame = (max(last, 0) + 19) / 20
    return max(audioEnd, (pressFrame + 1) * 20)
  }

  /// How long the caller waits after its input for the bot to finish, without --hangup-after.
  public static let patienceMs = 60_000

  /// Everything due by `now`: media frames (silence once the input is over), DTMF, mark echoes,
  /// and `stop` when the call is over. Call it at `nextDeadline()`.
  public mutating func tick(now: Double) -> [String] {
    var out: [String] = []
    guard started, !stopped else { return out }
    for name in playout.dueMarks(at: now) { echo(name, at: now, into: &out) }
    listenToBot(until: now)
    if script != nil { followScript(at: now) }
    let end = endTime()
    while true {
      let t = framesSent * 20
      if Double(t) > now { break }
      // After the caller's input, the line stays open (silence) until the end of the call.
      if t >= inputEndMs && Double(t) >= end { break }
      if let hangup = configuration.hangupAfterMs, t >= hangup { break }
      while dtmfSent < input.dtmf.count, input.dtmf[dtmfSent].atMs <= t {
        sendDTMF(input.dtmf[dtmfSent].digit, at: now, into: &out)
        dtmfSent += 1
      }
      sendFrame(at: now, into: &out)
    }
    if now >= end {
      if script?.finished == false {
        callEnded(at: now, botHungUp: false, reason: "the caller hung up (--hangup-after)")
      }
      sendStop(at: now, into: &out)
    }
    nextDueMs = nextDeadline()
    return out
  }

  /// `nextDeadline()` as of the last `tick`: a stored value a driver reads without copying the
  /// session (a method call on a session held in a class copies it whole).
  public private(set) var nextDueMs: Double = 0

  /// The caller hangs up now (Ctrl-C): `stop`, and the session is over.
  public mutating func hangUp(at now: Double) -> [String] {
    guard started, !stopped else { return [] }
    var out: [String] = []
    callEnded(at: now, botHungUp: false, reason: "the caller hung up")
    sendStop(at: now, into: &out)
    return out
  }

  /// The call is over at `now`: the bot hung up, the connection broke or the caller hung up.
  /// A scenario's running step gets its verdict.
  public mutating func callEnded(at now: Double, botHungUp: Bool, reason: String) {
    listenToBot(until: now)
    if botHungUp { behaviour.botClosed(at: now, bufferedMs: max(0, playout.playoutEnd - now)) }
    guard script?.finished == false else { return }
    var heard = botSpeech
    heard.finish()
    script?.callEnded(atMs: now, botHungUp: botHungUp, reason: reason, bot: heard)
  }

  /// A session whose scenario never got going (the stream did not open, or broke): the steps
  /// not yet decided fail or are skipped for `reason`.
  public mutating func concludeScript(reason: String) {
    guard script?.finished == false else { return }
    callEnded(at: lastMessageMs, botHungUp: false, reason: reason)
  }

  /// Looks at the bot's audio that has played by `now`, a 20 ms frame at a time.
  private mutating func listenToBot(until now: Double) {
    while botSpeech.evaluatedMs + SpeechActivity.frameMs <= now {
      let start = botSpeech.framesPushed * Self.frameBytes
      let voiced = playout.isVoiced(from: start, count: Self.frameBytes)
      behaviour.botFrame(voiced: voiced, atMs: botSpeech.evaluatedMs)
      botSpeech.push(voiced: voiced)
    }
    if !configuration.keepsRecording {
      playout.forget(before: botSpeech.framesPushed * Self.frameBytes)
    }
  }

  /// Runs the scenario's steps as far as they go and does what they say.
  private mutating func followScript(at now: Double) {
    guard var run = script else { return }
    let nextFrame = framesSent
    let actions = run.advance(nowMs: now, nextFrameMs: Double(nextFrame * 20), bot: botSpeech)
    script = run
    for action in actions {
      switch action {
      case .speak(let audio):
        // The caller's new words start with the next frame; anything it was still saying stops.
        let at = nextFrame * Self.frameBytes
        if input.audio.count > at { input.audio.removeSubrange(at...) }
        input.audio += [UInt8](repeating: G711.muLawSilence, count: at - input.audio.count)
        input.audio += audio
        frameCount = (input.audio.count + Self.frameBytes - 1) / Self.frameBytes
        speechEndFrames.removeAll { $0 >= nextFrame }
        nextSpeechEnd = min(nextSpeechEnd, speechEndFrames.count)
        speechEndFrames += Self.findUtteranceEnds(audio).map { $0 + nextFrame }
      case .press(let keys):
        for (k, key) in keys.enumerated() {
          input.dtmf.append(DTMFPress(digit: String(key), atMs: nextFrame * 20 + k * Scenario.dtmfSpacingMs))
        }
      }
    }
  }

  /// `stop`, the last message: the session is over.
  private mutating func sendStop(at now: Double, into out: inout [String]) {
    let c = configuration
    send(
      .stop(
        sequenceNumber: nextSequence(), streamSid: c.streamSid.rawValue, accountSid: c.accountSid.rawValue,
        callSid: c.callSid.rawValue),
      at: now, into: &out)
    stopped = true
  }

  /// The next time `tick` has something to do.
  public func nextDeadline() -> Double {
    var next = Double(framesSent * 20)
    if let mark = playout.pendingMarks.first { next = min(next, mark.due) }
    return min(next, endTime())
  }

  private mutating func sendFrame(at now: Double, into out: inout [String]) {
    let start = framesSent * Self.frameBytes
    var frame = [UInt8](repeating: G711.muLawSilence, count: Self.frameBytes)
    if start < input.audio.count {
      let end = min(start + Self.frameBytes, input.audio.count)
      frame.replaceSubrange(0..<(end - start), with: input.audio[start..<end])
    }
    let chunk = framesSent + 1
    let timestamp = configuration.firstTimestampMs + 20 * framesSent
    frameLateness.record(max(0, now - Double(framesSent * 20)))
    behaviour.callerFrame(voiced: SpeechActivity.isVoiced(frame), atMs: Double(framesSent * 20))
    if nextSpeechEnd < speechEndFrames.count, speechEndFrames[nextSpeechEnd] == framesSent {
      // The turn ends when this frame's 20 ms have been heard, counted from when it actually
      // left (a late frame moves the end with it).
      utterances.append(Utterance(endMs: now + 20))
      nextSpeechEnd += 1
    }
    framesSent += 1
    // The input is the track the stream carries: the caller's (inbound), or on an
    // `outbound_track` fork what the caller hears. A `both_tracks` fork carries the caller's
    // input and, in step with it, the outbound track: silence, as nothing is played to the
    // caller in a replay.
    let tracks = configuration.tracks
    send(
      .media(
        sequenceNumber: nextSequence(), streamSid: configuration.streamSid.rawValue,
        .init(
          track: tracks == ["outbound"] ? "outbound" : "inbound", chunk: chunk, timestamp: timestamp,
          payload: frame)),
      at: now, into: &out)
    if tracks.count > 1 && tracks.contains("outbound") {
      send(
        .media(
          sequenceNumber: nextSequence(), streamSid: configuration.streamSid.rawValue,
          .init(track: "outbound", chunk: chunk, timestamp: timestamp, payload: Self.silentFrame)),
        at: now, into: &out)
    }
  }

  private static let silentFrame = [UInt8](repeating: G711.muLawSilence, count: frameBytes)

  private mutating func sendDTMF(_ digit: String, at now: Double, into out: inout [String]) {
    guard configuration.bidirectional else { return }  // DTMF is not sent on <Start> streams
    send(
      .dtmf(sequenceNumber: nextSequence(), streamSid: configuration.streamSid.rawValue, digit: digit),
      at: now,
      into: &out)
  }

  private mutating func echo(_ name: String, at now: Double, played: Bool = true, into out: inout [String]) {
    marksEchoed += 1
    script?.observe(.markEcho(name: name, atMs: now, played: played))
    send(
      .mark(sequenceNumber: nextSequence(), streamSid: configuration.streamSid.rawValue, name: name), at: now,
      into: &out)
  }

  /// Counts a violation under its code; keeps its text (escaped: it may quote what the bot
  /// sent) only for the first few of each code.
  public mutating func report(_ violation: BotMessageCheck.Violation, at now: Double) {
    if let index = findings.firstIndex(where: { $0.code == violation.code }) {
      findings[index].count += 1
      if findings[index].first.count < Finding.keptOccurrences {
        findings[index].first.append((now, violation.message.escapingControlCharacters))
      }
    } else {
      findings.append(
        Finding(code: violation.code, count: 1, first: [(now, violation.message.escapingControlCharacters)]))
    }
  }

  /// A text frame from the bot at `now`; returns what to send at once (mark echoes).
  public mutating func receive(text: String, at now: Double) -> [String] {
    receivedMessages += 1
    let outcome = BotMessageCheck.check(
      text: text, streamSid: configuration.streamSid.rawValue, bidirectional: configuration.bidirectional)
    if configuration.logsMessages {
      pendingLog.append(LogEntry(atMs: now, from: .bot, frame: .text(text, isJSON: outcome.isJSON)))
    }
    lastMessageMs = now
    var out: [String] = []
    guard !stopped else { return out }
    // Marks whose audio has played by now go out before anything this message causes: a bot
    // that answers late (or a replay that runs behind) must still see its marks in order.
    for name in playout.dueMarks(at: now) { echo(name, at: now, into: &out) }
    if let violation = outcome.violation { report(violation, at: now) }
    switch outcome.message {
    case .media(_, let bytes):
      // The answer to the latest turn that has ended, if it has none yet.
      if let last = utterances.indices.last(where: { utterances[$0].endMs <= now }),
        utterances[last].answeredAtMs == nil
      {
        utterances[last].answeredAtMs = now
      }
      let playoutEnd = playout.playoutEnd
      let lastQueued =
        playoutEnd <= now && playoutEnd > 0
        ? playout.samples(from: Int((playoutEnd * 8).rounded()) - Self.frameBytes, count: Self.frameBytes)
        : []
      behaviour.media(bytes, at: now, playoutEnd: playoutEnd, lastQueued: lastQueued)
      if !playout.enqueue(bytes, at: now) {
        report(.init(code: 31931, message: "more than 10 minutes of audio queued: media discarded"), at: now)
      }
    case .mark(_, let name):
      marksReceived += 1
      if playout.mark(name, at: now) { echo(name, at: now, into: &out) }
    case .clear:
      script?.observe(.clear(atMs: now))
      behaviour.clear(at: now, echoedMarks: playout.pendingMarks.count)
      for name in playout.clear(at: now) { echo(name, at: now, played: false, into: &out) }
    case nil:
      break
    }
    return out
  }

  /// A binary frame from the bot (Twilio's warning 31950); nothing is sent in answer.
  @discardableResult
  public mutating func receive(binary bytes: [UInt8], at now: Double) -> [String] {
    receivedMessages += 1
    if configuration.logsMessages {
      pendingLog.append(LogEntry(atMs: now, from: .bot, frame: .binary(bytes)))
    }
    lastMessageMs = now
    report(
      .init(
        code: 31950, message: "binary frame of \(bytes.count) bytes: Media Streams messages are JSON text"),
      at: now)
    return []
  }

  // MARK: latency

  /// Ends of the caller's utterances sent so far (ms of session time).
  public var utteranceEnds: [Double] { utterances.map(\.endMs) }

  /// Utterances in the input, sent or not.
  public var plannedUtterances: Int { speechEndFrames.count }

  /// Indices of the last voiced frame of each utterance in `audio`: a voiced 20 ms frame
  /// followed by at least 400 ms of frames below −40 dBFS (or by the end of the input).
  static func findUtteranceEnds(_ audio: [UInt8]) -> [Int] {
    let frameCount = (audio.count + 159) / 160
    var ends: [Int] = []
    var lastVoiced: Int?
    var quiet = 0
    for frame in 0..<frameCount {
      if SpeechActivity.isVoiced(audio[(frame * 160)..<min(frame * 160 + 160, audio.count)]) {
        lastVoiced = frame
        quiet = 0
      } else if let voiced = lastVoiced {
        quiet += 1
        if quiet == 20 {
          ends.append(voiced)
          lastVoiced = nil
        }
      }
    }
    if let voiced = lastVoiced { ends.append(voiced) }
    return ends
  }

  /// Response latency per answered utterance: from the end of the caller's turn to the bot's
  /// first audio after it (ms of session time).
  public func latencies() -> [Double] {
    utterances.compactMap { u in u.answeredAtMs.map { $0 - u.endMs } }
  }

  /// Utterances sent that the bot never answered before the caller's next turn or the end.
  public var unansweredUtterances: Int { utterances.filter { $0.answeredAtMs == nil }.count }

  // MARK: recording

  /// The conversation as the caller heard it: interleaved stereo µ-law, left the caller's audio
  /// as sent, right the bot's audio as played (cleared audio is not in it), on one timeline.
  /// Complete only when the configuration `keepsRecording`.
  public func stereoRecording() -> [UInt8] {
    let callerSamples = framesSent * Self.frameBytes
    let botEnd = playout.segments.map { $0.start + $0.bytes.count }.max() ?? 0
    let length = max(callerSamples, botEnd)
    var left = [UInt8](repeating: G711.muLawSilence, count: length)
    var right = left
    for i in 0..<min(callerSamples, input.audio.count) { left[i] = input.audio[i] }
    for segment in playout.segments where segment.start >= 0 {
      for (k, byte) in segment.bytes.enumerated() where segment.start + k < length {
        right[segment.start + k] = byte
      }
    }
    var out = [UInt8](repeating: 0, count: 2 * length)
    for i in 0..<length {
      out[2 * i] = left[i]
      out[2 * i + 1] = right[i]
    }
    return out
  }
}

extension StreamSession: DrivenSession {
  /// Twilio closes a stream with a bare 1000.
  public var closing: (code: UInt16, reason: String) { (1000, "") }

  /// A `<Connect><Stream>` ends when the bot closes it normally (1000, 1001 or no code): TwiML
  /// goes on after `</Connect>`. Any other code, or closing a `<Start>` stream, is Twilio's 31921.
  public func peerCloseIsNormalEnd(code: Int?) -> Bool {
    configuration.bidirectional && (code == nil || code == 1000 || code == 1001)
  }
}
