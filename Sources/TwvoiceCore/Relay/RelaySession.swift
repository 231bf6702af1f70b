/// Twilio's side of one ConversationRelay session (conversation-relay.md), as a transport-free
/// state machine: it sends `setup`, "speaks" the welcome greeting and the app's talk cycles on a
/// simulated text-to-speech clock, plays the caller's script (prompts, partial prompts, keys,
/// barge-in), answers every frame the app sends as Twilio does (64107 for a bad one, 1007 after
/// ten in a row), and keeps what a summary needs: each turn's timing, talk cycles, interrupts,
/// preemptions, digits, errors and how the session ended. No speech engines: text is spoken at
/// `ttsCharactersPerSecond`, so playback, interruption and `tokensPlayed` have real timing.
public struct RelaySession: DrivenSession {
  /// Which caller input may cut the agent (`interruptible`) or reaches the app while the agent
  /// speaks (`reportInputDuringAgentSpeech`). TwiML's `true`/`false` mean `any`/`none`.
  public enum InputKinds: String, Sendable, CaseIterable {
    case none, dtmf, speech, any

    public init?(twiml text: String) {
      switch text {
      case "true": self = .any
      case "false": self = .none
      default: self.init(rawValue: text)
      }
    }

    var allowsSpeech: Bool { self == .speech || self == .any }
    var allowsDTMF: Bool { self == .dtmf || self == .any }
  }

  public struct Configuration: Sendable {
    public var setup: RelayTwilioMessage.Setup
    public var welcomeGreeting: String?
    public var welcomeGreetingInterruptible: InputKinds = .any
    public var interruptible: InputKinds = .any
    public var preemptible = false
    public var dtmfDetection = false
    public var reportInputDuringAgentSpeech: InputKinds = .none
    /// Cumulative `prompt` frames with `last: false` while the caller speaks.
    public var partialPrompts = false
    /// `info` `agentSpeaking`/`clientSpeaking` (`events="speaker-events"`).
    public var speakerEvents = false
    /// `info` `tokensPlayed` (`events="tokens-played"`).
    public var tokensPlayed = false
    /// `info` `roundTripDelayMs` (`debug="debugging"`).
    public var debugging = false
    /// `lang` of the prompts, until the app sends `language`.
    public var transcriptionLanguage = "en-US"
    public var ttsLanguage = "en-US"
    /// Simulated text-to-speech: characters spoken per second. The default is the rate of the
    /// captured greeting in conversation-relay.md §6 (49 characters in about 2.6 s).
    public var ttsCharactersPerSecond = 19.0
    /// How fast the simulated caller speaks, which sets when partial and final prompts go.
    public var callerCharactersPerSecond = 15.0
    /// From a chunk of text (or a `play`) arriving to its audio starting (§6: 0.26–0.34 s).
    public var ttsStartMs = 300.0
    /// From `setup` to the greeting's audio (§6: 0.70–0.72 s).
    public var greetingDelayMs = 700.0
    /// How long the caller waits after the agent stops before speaking.
    public var callerPauseMs = 500.0
    /// How long the caller waits for the app to start answering a prompt before going on.
    public var replyTimeoutMs = 10_000.0
    /// One play of a `play` source (the media is not fetched).
    public var playMs = 2_000.0
    /// Time between partial prompts (§6: 200–300 ms).
    public var partialIntervalMs = 250.0
    /// The caller hangs up at this time whatever is happening.
    public var hangupAfterMs: Double?
    /// How long the caller stays on after the script and the agent's last reply are over.
    public var tailMs = 500.0
    /// Keep every frame for the session log (`--log`).
    public var logsMessages = true

    public init(setup: RelayTwilioMessage.Setup) {
      self.setup = setup
    }
  }

  /// One caller prompt and the app's answer to it.
  public struct Turn: Sendable {
    public var prompt: String
    /// When the final prompt (`last: true`) was sent, or would have been when not passed on.
    public var promptAtMs: Double
    /// Whether Twilio passed it on (not when the caller spoke over an agent that could not be
    /// interrupted, with `reportInputDuringAgentSpeech` not allowing speech).
    public var reported: Bool
    /// The first `text` frame after the prompt.
    public var firstTokenAtMs: Double?
    /// The `text` frame with `last: true` that closed the first talk cycle after the prompt.
    public var lastTokenAtMs: Double?
    /// The app's first message of any kind that plays (text, play, sendDigits).
    public var repliedAtMs: Double?
    /// The caller spoke over the reply (or pressed a key) and it was cut.
    public var interrupted = false
  }

  /// How the session ended, as the `<Connect action>` callback reports it.
  public enum Ending: Sendable, Equatable {
    /// The caller hung up.
    case completed
    /// The app sent `end`.
    case ended(handoffData: String?)
    /// The socket failed: 64105 when the app closed or dropped it (or after ten bad frames),
    /// 64102 when it could not be opened.
    case failed(code: Int, message: String)

    public var status: String {
      switch self {
      case .completed: "completed"
      case .ended: "ended"
      case .failed: "failed"
      }
    }
  }

  /// A line of the transcript, as it happens.
  public struct TranscriptLine: Sendable, Equatable {
    public enum Speaker: String, Sendable { case caller, agent, twilio }
    public var atMs: Double
    public var speaker: Speaker
    public var text: String
  }

  /// An `error` frame sent: when, and what was wrong with the app's frame.
  public struct Refusal: Sendable {
    public var atMs: Double
    public var reason: String
  }

  public let configuration: Configuration
  public let script: RelayScript
  public private(set) var results: [ScenarioRun.StepResult]
  public private(set) var turns: [Turn] = []
  public private(set) var ending: Ending?
  /// When the session ended.
  public private(set) var endedAtMs: Double = 0
  public private(set) var stopped = false
  public private(set) var closing: (code: UInt16, reason: String) = (1000, "Closing websocket session")
  public private(set) var nextDueMs: Double = 0
  public private(set) var talkCycles = 0
  public private(set) var interrupts = 0
  public private(set) var preemptions = 0
  public private(set) var plays = 0
  /// Every digit the app asked to send, in order.
  public private(set) var digitsSent = ""
  /// `error` frames sent, by code.
  public private(set) var errorsSent: [Int: Int] = [:]
  /// The first few refusals, for the summary.
  public private(set) var refusals: [Refusal] = []
  /// Tokens of an interrupted talk cycle that arrived after the interrupt (dropped).
  public private(set) var tokensAfterInterrupt = 0
  /// Text chunks, plays or digits dropped because the play queue held `queueLimit` items.
  public private(set) var queueOverflow = 0
  /// Prompts the caller spoke that Twilio did not pass on.
  public private(set) var promptsNotReported = 0
  public private(set) var sentMessages = 0
  public private(set) var receivedMessages = 0
  /// What the app broke that ended the session (a WebSocket protocol violation).
  public private(set) var violation: String?
  /// The times a `text` frame arrived after a prompt, first and last, over all turns.
  public private(set) var firstTokenLatency = LatencyHistogram()
  public private(set) var lastTokenLatency = LatencyHistogram()

  private var pendingLog: [SessionLog.Entry] = []
  /// What happened, line by line, as a person reads it (at most `transcriptLimit` lines).
  public private(set) var transcript: [TranscriptLine] = []
  public static let transcriptLimit = 10_000

  // Playback: one queue of text chunks, plays and digits, in arrival order.
  private struct Item {
    enum Kind {
      case speech(String)
      case play(source: String, loop: Int)
      case digits(String)
    }
    var kind: Kind
    var readyMs: Double
    var interruptible: InputKinds
    var preemptible: Bool
    /// The talk cycle a chunk belongs to (nil: the greeting, a play or digits).
    var cycle: Int?
    var isGreeting = false
  }
  private var queue: [Item] = []
  private var playing: (item: Item, startMs: Double, endMs: Double)?
  /// When the last item stopped playing.
  private var freeSinceMs: Double = 0
  /// Whether `agentSpeaking on` was the last speaker event.
  private var agentSpeaking = false
  /// When the agent started its current stretch of speech.
  private var speakingSinceMs: Double = 0
  /// When the agent last went quiet with nothing left to say.
  private var idleSinceMs: Double = 0

  /// The talk cycle being received (tokens until `last: true`).
  private struct Cycle {
    var id: Int
    var text = ""
    var pending = ""
    var interruptible: InputKinds
    var preemptible: Bool
    /// Interrupted: the rest of its tokens are dropped.
    var dropped = false
    /// The turn it answers.
    var turn: Int?
  }
  private var cycle: Cycle?
  private var lastAppMessageMs: Double = 0

  // The caller.
  private struct Utterance {
    var text: String
    var startMs: Double
    var endMs: Double
    var nextPartialMs: Double?
    /// It cut the agent, so it is reported whatever `reportInputDuringAgentSpeech` says.
    var bargedIn = false
  }
  private var utterance: Utterance?
  private var lastPartial = ""
  /// A prompt has been passed on and the app has not finished answering it.
  private var awaitingReply = false
  private var lastPromptEndMs: Double?
  /// Keys to press: a `press` step's (`scripted`) and `--dtmf D@T`'s.
  private var keys: [(digit: Character, atMs: Double, scripted: Bool)] = []
  private var step = 0
  private var stepStartMs: Double = 0
  private var scriptDoneAtMs: Double?
  private var consecutiveInvalid = 0
  private var opened = false

  public init(configuration: Configuration, script: RelayScript) {
    self.configuration = configuration
    self.script = script
    results = Array(repeating: ScenarioRun.StepResult(), count: script.steps.count)
    transcriptionLanguage = configuration.transcriptionLanguage
  }

  private var transcriptionLanguage: String

  /// Every step has a verdict and none failed.
  public var scriptPassed: Bool { !results.contains { $0.status != .passed } }
  public var failedStep: Int? { results.firstIndex { $0.status == .failed } }

  // MARK: driving

  public mutating func open(at now: Double) -> [String] {
    var out: [String] = []
    opened = true
    send(.setup(configuration.setup), at: now, into: &out)
    if let greeting = configuration.welcomeGreeting, !greeting.isEmpty {
      queue.append(
        Item(
          kind: .speech(greeting), readyMs: now + configuration.greetingDelayMs,
          interruptible: configuration.welcomeGreetingInterruptible, preemptible: false, cycle: nil,
          isGreeting: true))
    }
    beginStep(at: now)
    advance(to: now, into: &out)
    return out
  }

  public mutating func tick(now: Double) -> [String] {
    var out: [String] = []
    guard opened, !stopped else { return out }
    advance(to: now, into: &out)
    return out
  }

  public mutating func hangUp(at now: Double) -> [String] {
    guard !stopped else { return [] }
    finish(.completed, at: now, reason: "the caller hung up")
    return []
  }

  public mutating func callEnded(at now: Double, botHungUp: Bool, reason: String) {
    guard !stopped else { return }
    finish(.failed(code: 64105, message: "Websocket ended"), at: now, reason: reason)
  }

  public mutating func report(_ violation: ProtocolViolation, at now: Double) {
    guard !stopped else { return }
    self.violation = violation.message
    finish(.failed(code: 64105, message: "Websocket ended"), at: now, reason: violation.message)
  }

  /// The app closing the socket, however, fails the session (64105).
  public func peerCloseIsNormalEnd(code: Int?) -> Bool { false }

  /// The session could not start: the socket did not open (64102, the caller hears busy).
  public mutating func failedToConnect(_ message: String, at now: Double) {
    guard !stopped else { return }
    finish(.failed(code: 64102, message: message), at: now, reason: message)
  }

  public mutating func takeLog() -> [SessionLog.Entry] {
    defer { pendingLog = [] }
    return pendingLog
  }

  public mutating func receive(binary bytes: [UInt8], at now: Double) -> [String] {
    receivedMessages += 1
    if configuration.logsMessages { pendingLog.append(.init(atMs: now, from: .bot, frame: .binary(bytes))) }
    var out: [String] = []
    guard !stopped else { return out }
    advance(to: now, into: &out)
    refuse(
      "<binary frame of \(bytes.count) bytes>", reason: "a binary frame (messages are JSON text)", at: now,
      into: &out)
    return out
  }

  public mutating func receive(text: String, at now: Double) -> [String] {
    receivedMessages += 1
    let message: RelayAppMessage
    var refusal: MessageShapeError?
    do { message = try RelayAppMessage.decode(text) } catch {
      refusal = error
      message = .end(handoffData: nil)
    }
    if configuration.logsMessages {
      pendingLog.append(
        .init(atMs: now, from: .bot, frame: .text(text, isJSON: refusal?.reason != "not JSON")))
    }
    var out: [String] = []
    guard !stopped else { return out }
    advance(to: now, into: &out)
    if let refusal {
      refuse(text, reason: refusal.description, at: now, into: &out)
      return out
    }
    consecutiveInvalid = 0
    lastAppMessageMs = now
    switch message {
    case .text(let token, let last, let lang, let interruptible, let preemptible):
      _ = lang
      replyStarted(at: now, token: true)
      if cycle == nil {
        preempt(at: now, into: &out)
        talkCycles += 1
        cycle = Cycle(
          id: talkCycles,
          interruptible: interruptible.map { $0 ? .any : .none } ?? configuration.interruptible,
          preemptible: preemptible ?? configuration.preemptible,
          turn: awaitingReply ? turns.count - 1 : nil)
      } else {
        if let interruptible { cycle?.interruptible = interruptible ? .any : .none }
        if let preemptible { cycle?.preemptible = preemptible }
      }
      receiveToken(token, last: last, at: now, into: &out)
    case .play(let source, let loop, let preemptible, let interruptible):
      replyStarted(at: now, token: false)
      flushPendingText(at: now)
      preempt(at: now, into: &out)
      plays += 1
      guard queue.count < Self.queueLimit else {
        queueOverflow += 1
        break
      }
      queue.append(
        Item(
          kind: .play(source: source, loop: loop), readyMs: now + configuration.ttsStartMs,
          interruptible: interruptible.map { $0 ? .any : .none } ?? configuration.interruptible,
          preemptible: preemptible, cycle: nil))
      note(.agent, "plays \(source)" + (loop == 1 ? "" : " ×\(loop == 0 ? 1000 : loop)"), at: now)
    case .sendDigits(let digits):
      replyStarted(at: now, token: false)
      flushPendingText(at: now)
      digitsSent += digits
      guard queue.count < Self.queueLimit else {
        queueOverflow += 1
        break
      }
      queue.append(
        Item(
          kind: .digits(digits), readyMs: now, interruptible: configuration.interruptible, preemptible: false,
          cycle: nil))
      note(.agent, "sends digits \(digits)", at: now)
    case .language(let tts, let transcription):
      if let transcription { transcriptionLanguage = transcription }
      _ = tts
      note(
        .agent,
        "switches language ("
          + [tts.map { "speech \($0)" }, transcription.map { "transcription \($0)" }]
          .compactMap { $0 }.joined(separator: ", ") + ")", at: now)
    case .end(let handoffData):
      note(.agent, "ends the session" + (handoffData.map { ", handoff data \($0)" } ?? ""), at: now)
      finish(.ended(handoffData: handoffData), at: now, reason: "the app ended the session")
      return out
    }
    advance(to: now, into: &out)
    return out
  }

  // MARK: frames

  private mutating func send(_ message: RelayTwilioMessage, at now: Double, into out: inout [String]) {
    let text = message.encoded()
    out.append(text)
    sentMessages += 1
    if configuration.logsMessages {
      pendingLog.append(.init(atMs: now, from: .twilio, frame: .text(text, isJSON: true)))
    }
  }

  private mutating func info(_ name: String, _ value: String, at now: Double, into out: inout [String]) {
    send(.info(name: name, value: value), at: now, into: &out)
  }

  private mutating func note(_ speaker: TranscriptLine.Speaker, _ text: String, at now: Double) {
    guard transcript.count < Self.transcriptLimit else { return }
    transcript.append(TranscriptLine(atMs: now, speaker: speaker, text: text.escapingControlCharacters))
  }

  /// An invalid frame: Twilio's `error` (64107) echoing it; the tenth in a row closes with 1007.
  private mutating func refuse(_ text: String, reason: String, at now: Double, into out: inout [String]) {
    consecutiveInvalid += 1
    errorsSent[64107, default: 0] += 1
    if refusals.count < 5 { refusals.append(Refusal(atMs: now, reason: reason.escapingControlCharacters)) }
    send(RelayTwilioMessage.invalidMessage(text), at: now, into: &out)
    note(.twilio, "error 64107: \(reason)", at: now)
    if consecutiveInvalid >= Self.malformedLimit {
      closing = (1007, "Too many consecutive malformed messages.")
      finish(
        .failed(code: 64105, message: "Websocket ended"), at: now,
        reason: "\(Self.malformedLimit) malformed messages in a row")
    }
  }

  /// Malformed messages in a row that end the session.
  public static let malformedLimit = 10

  // MARK: the app's speech

  private mutating func replyStarted(at now: Double, token: Bool) {
    if let index = turns.indices.last, awaitingReply {
      if turns[index].repliedAtMs == nil { turns[index].repliedAtMs = now }
      if token && turns[index].firstTokenAtMs == nil {
        turns[index].firstTokenAtMs = now
        firstTokenLatency.record(now - turns[index].promptAtMs)
        if configuration.debugging {
          var out: [String] = []
          info("roundTripDelayMs", String(Int(now - turns[index].promptAtMs)), at: now, into: &out)
          deferred.append(contentsOf: out)
        }
      }
    }
    if step < script.steps.count, case .expectNoReply = script.steps[step].action {
      failStep(at: now, "the app answered after \(ms(now - stepStartMs))")
    }
  }

  /// Frames produced where no output list was at hand; sent with the next batch.
  private var deferred: [String] = []

  private mutating func receiveToken(_ token: String, last: Bool, at now: Double, into out: inout [String]) {
    guard var current = cycle else { return }
    if current.dropped {
      tokensAfterInterrupt += 1
    } else {
      // What a reply said is kept up to a bound; a flooding app costs a bounded string.
      if current.text.utf8.count < Self.keptReplyBytes { current.text += token }
      current.pending += token
      while let cut = Self.chunkEnd(in: current.pending) {
        let chunk = String(current.pending[..<cut])
        current.pending = String(current.pending[cut...])
        enqueue(chunk, cycle: current, at: now)
      }
      // A clause that never ends is spoken as it stands (and the next search stays short).
      if current.pending.utf8.count > Self.longestClauseBytes {
        enqueue(current.pending, cycle: current, at: now)
        current.pending = ""
      }
      if last, !current.pending.isEmpty {
        enqueue(current.pending, cycle: current, at: now)
        current.pending = ""
      }
    }
    cycle = current
    guard last else { return }
    cycle = nil
    if !current.dropped { note(.agent, current.text, at: now) }
    if let turn = current.turn, turns[turn].lastTokenAtMs == nil {
      turns[turn].lastTokenAtMs = now
      lastTokenLatency.record(now - turns[turn].promptAtMs)
    }
    settleReply(at: now)
    if step < script.steps.count, case .expectReply(let text, _) = script.steps[step].action,
      text.map({ current.text.lowercased().contains($0.lowercased()) }) ?? true
    {
      passStep(at: now, measured: now - (lastPromptEndMs ?? stepStartMs))
    }
  }

  /// Text of the open talk cycle not yet a whole clause goes to the queue before a `play` or
  /// `sendDigits`, which keep their place after it (one queue, in arrival order).
  private mutating func flushPendingText(at now: Double) {
    guard let current = cycle, !current.dropped, !current.pending.isEmpty else { return }
    enqueue(current.pending, cycle: current, at: now)
    cycle?.pending = ""
  }

  /// Where the first clause of `text` ends: after `.`, `:`, `!`, `?` or `;` that ends the text
  /// or is followed by white space (which starts the next chunk, as Twilio's `tokensPlayed`
  /// show: `"I heard:"`, `" Holding."`).
  static func chunkEnd(in text: String) -> String.Index? {
    var index = text.startIndex
    while index < text.endIndex {
      let next = text.index(after: index)
      if ".:!?;".contains(text[index]), next == text.endIndex || text[next].isWhitespace { return next }
      index = next
    }
    return nil
  }

  /// The text of one reply kept for the transcript and `expect_reply`.
  static let keptReplyBytes = 1 << 20
  /// Text without a clause end spoken as one chunk once it is this long.
  static let longestClauseBytes = 2_000
  /// Items the play queue holds; what comes beyond is dropped and counted.
  public static let queueLimit = 100_000

  private mutating func enqueue(_ chunk: String, cycle: Cycle, at now: Double) {
    guard queue.count < Self.queueLimit else {
      queueOverflow += 1
      return
    }
    queue.append(
      Item(
        kind: .speech(chunk), readyMs: now + configuration.ttsStartMs, interruptible: cycle.interruptible,
        preemptible: cycle.preemptible, cycle: cycle.id))
  }

  /// A new message arrives: a preemptible playback stops where it is (no `interrupt`), with
  /// whatever else of it is queued.
  private mutating func preempt(at now: Double, into out: inout [String]) {
    var cut = false
    if let current = playing, current.item.preemptible {
      cut = true
      played(current.item, heard: heardFraction(of: current, at: now), at: now, into: &out)
      playing = nil
      freeSinceMs = now
    }
    let before = queue.count
    queue.removeAll { $0.preemptible }
    if cut || queue.count < before {
      preemptions += 1
      note(.twilio, "preempted the agent's playback", at: now)
      if playing == nil && queue.isEmpty { agentStopped(at: now, into: &out) }
    }
  }

  private func duration(of item: Item) -> Double {
    switch item.kind {
    case .speech(let text): return Double(max(text.count, 1)) * 1000 / configuration.ttsCharactersPerSecond
    case .play(_, let loop): return configuration.playMs * Double(loop == 0 ? 1000 : loop)
    case .digits(let digits): return digits.reduce(0) { $0 + ($1 == "w" ? 500 : 200) }
    }
  }

  /// How much of the chunk playing had been heard at `now`: its text up to the last whole word.
  private func heardFraction(of current: (item: Item, startMs: Double, endMs: Double), at now: Double)
    -> String
  {
    guard case .speech(let text) = current.item.kind else { return "" }
    let fraction = min(1, max(0, (now - current.startMs) / max(current.endMs - current.startMs, 1)))
    let characters = Array(text)
    var count = Int(Double(characters.count) * fraction)
    if count < characters.count {
      while count > 0 && !characters[count].isWhitespace && !characters[count - 1].isWhitespace { count -= 1 }
    }
    var heard = String(characters[..<count])
    while heard.last?.isWhitespace == true { heard.removeLast() }
    return heard
  }

  /// A chunk (or part of one) finished playing: `tokensPlayed`.
  private mutating func played(_ item: Item, heard: String, at now: Double, into out: inout [String]) {
    guard configuration.tokensPlayed else { return }
    switch item.kind {
    case .speech: if !heard.isEmpty { info("tokensPlayed", heard, at: now, into: &out) }
    case .digits(let digits): info("tokensPlayed", digits, at: now, into: &out)
    case .play: break
    }
  }

  private mutating func agentStopped(at now: Double, into out: inout [String]) {
    if agentSpeaking {
      agentSpeaking = false
      if configuration.speakerEvents { info("agentSpeaking", "off", at: now, into: &out) }
    }
    if cycle == nil || cycle?.dropped == true { idleSinceMs = now }
  }

  /// The caller's input cut the agent: `tokensPlayed` for what was heard, `interrupt`, and the
  /// whole queue (and the rest of the talk cycle) dropped.
  private mutating func interrupt(at now: Double, into out: inout [String]) {
    guard let current = playing else { return }
    let heard = heardFraction(of: current, at: now)
    played(current.item, heard: heard, at: now, into: &out)
    let trimmed = String(heard.drop { $0.isWhitespace })
    send(
      .interrupt(utteranceUntilInterrupt: trimmed, durationUntilInterruptMs: Int(now - current.startMs)),
      at: now,
      into: &out)
    interrupts += 1
    note(.twilio, "interrupt after \(ms(now - current.startMs)) of \"\(trimmed)\"", at: now)
    playing = nil
    freeSinceMs = now
    queue.removeAll()
    cycle?.dropped = true
    if let index = turns.indices.last, awaitingReply { turns[index].interrupted = true }
    awaitingReply = false
    agentStopped(at: now, into: &out)
    idleSinceMs = now
  }

  // MARK: time

  /// Runs every event due by `now`, each at its own time, in order.
  private mutating func advance(to now: Double, into out: inout [String]) {
    var guardCount = 0
    while !stopped, let (at, event) = nextEvent(), at <= now, guardCount < 100_000 {
      guardCount += 1
      fire(event, at: at, now: now, into: &out)
    }
    out.append(contentsOf: deferred)
    deferred = []
    nextDueMs = stopped ? .infinity : (nextEvent()?.at ?? .infinity)
  }

  private enum Event {
    case finishPlaying, startPlaying, partialPrompt, finalPrompt, key, replyTimeout, step, hangUp
  }

  private func nextEvent() -> (at: Double, event: Event)? {
    var best: (at: Double, event: Event)?
    func consider(_ time: Double?, _ event: Event) {
      guard let time else { return }
      if best == nil || time < best!.at { best = (time, event) }
    }
    if let current = playing {
      consider(current.endMs, .finishPlaying)
    } else if let first = queue.first {
      consider(max(first.readyMs, freeSinceMs), .startPlaying)
    }
    if let utterance {
      consider(utterance.nextPartialMs, .partialPrompt)
      consider(utterance.endMs, .finalPrompt)
    }
    consider(keys.first?.atMs, .key)
    if awaitingReply, let index = turns.indices.last, turns[index].repliedAtMs == nil {
      consider(turns[index].promptAtMs + configuration.replyTimeoutMs, .replyTimeout)
    } else if awaitingReply, cycle != nil, playing == nil, queue.isEmpty {
      // A talk cycle the app never closes: the caller goes on after the same patience.
      consider(lastAppMessageMs + configuration.replyTimeoutMs, .replyTimeout)
    }
    consider(stepDue(), .step)
    consider(configuration.hangupAfterMs, .hangUp)
    return best
  }

  private mutating func fire(_ event: Event, at t: Double, now: Double, into out: inout [String]) {
    switch event {
    case .finishPlaying:
      guard let current = playing else { return }
      playing = nil
      freeSinceMs = current.endMs
      if case .speech(let text) = current.item.kind {
        played(current.item, heard: text, at: now, into: &out)
      } else {
        played(current.item, heard: "", at: now, into: &out)
      }
      if queue.isEmpty { agentStopped(at: t, into: &out) }
      settleReply(at: t)
    case .startPlaying:
      let item = queue.removeFirst()
      playing = (item, t, t + duration(of: item))
      // The greeting is in the transcript when it is heard (the app's replies when they arrive).
      if item.isGreeting, case .speech(let text) = item.kind { note(.agent, text, at: t) }
      if !agentSpeaking {
        agentSpeaking = true
        speakingSinceMs = t
        if configuration.speakerEvents { info("agentSpeaking", "on", at: now, into: &out) }
      }
    case .partialPrompt:
      guard var current = utterance, let at = current.nextPartialMs else { return }
      let next = at + configuration.partialIntervalMs
      current.nextPartialMs = next < current.endMs ? next : nil
      utterance = current
      let words = current.text.split(separator: " ", omittingEmptySubsequences: true)
      let fraction = (at - current.startMs) / max(current.endMs - current.startMs, 1)
      let count = Int(Double(words.count) * fraction)
      let partial = words.prefix(count).joined(separator: " ")
      if !partial.isEmpty, partial != lastPartial, reportable(current) {
        lastPartial = partial
        send(.prompt(text: partial, lang: transcriptionLanguage, last: false), at: now, into: &out)
      }
    case .finalPrompt:
      guard let current = utterance else { return }
      utterance = nil
      lastPartial = ""
      if configuration.speakerEvents { info("clientSpeaking", "off", at: now, into: &out) }
      let reported = reportable(current)
      turns.append(Turn(prompt: current.text, promptAtMs: t, reported: reported))
      lastPromptEndMs = t
      if reported {
        send(.prompt(text: current.text, lang: transcriptionLanguage, last: true), at: now, into: &out)
        awaitingReply = true
        note(.caller, current.text, at: t)
      } else {
        promptsNotReported += 1
        note(.caller, current.text + " (not passed on: the agent was speaking)", at: t)
      }
      stepDone(at: t, into: &out)
    case .key:
      let key = keys.removeFirst()
      press(key.digit, at: t, now: now, into: &out)
      if key.scripted, !keys.contains(where: \.scripted), step < script.steps.count,
        case .press = script.steps[step].action
      {
        stepDone(at: t, into: &out)
      }
    case .replyTimeout:
      awaitingReply = false
      if let index = turns.indices.last, turns[index].repliedAtMs == nil {
        note(.twilio, "no answer to \"\(turns[index].prompt)\" in \(ms(configuration.replyTimeoutMs))", at: t)
      }
      idleSinceMs = t - configuration.callerPauseMs
      if cycle != nil { cycle?.dropped = true }
    case .step:
      runStep(at: t, now: now, into: &out)
    case .hangUp:
      finish(.completed, at: t, reason: "the caller hung up (--hangup-after)")
    }
  }

  /// Whether the app has finished answering: the reply started, and everything of it played.
  private mutating func settleReply(at t: Double) {
    if playing == nil, queue.isEmpty, cycle == nil || cycle?.dropped == true {
      idleSinceMs = max(idleSinceMs, t)
      if awaitingReply, let index = turns.indices.last, turns[index].repliedAtMs != nil {
        awaitingReply = false
      }
    }
  }

  /// Whether the agent has nothing more to say for now.
  private var agentDone: Bool {
    playing == nil && queue.isEmpty && (cycle == nil || cycle?.dropped == true) && !awaitingReply
  }

  private func reportable(_ current: Utterance) -> Bool {
    playing == nil || current.bargedIn || configuration.reportInputDuringAgentSpeech.allowsSpeech
  }

  // MARK: the caller

  private mutating func speak(_ text: String, at t: Double, now: Double, into out: inout [String]) {
    let length = max(Double(text.count) * 1000 / configuration.callerCharactersPerSecond, 400)
    utterance = Utterance(
      text: text, startMs: t, endMs: t + length,
      nextPartialMs: configuration.partialPrompts ? t + configuration.partialIntervalMs : nil)
    if configuration.speakerEvents { info("clientSpeaking", "on", at: now, into: &out) }
    if let current = playing, current.item.interruptible.allowsSpeech {
      utterance?.bargedIn = true
      interrupt(at: t, into: &out)
    }
  }

  private mutating func press(_ digit: Character, at t: Double, now: Double, into out: inout [String]) {
    guard configuration.dtmfDetection else {
      note(.caller, "presses \(digit) (not passed on: dtmfDetection is off)", at: t)
      return
    }
    if let current = playing {
      if current.item.interruptible.allowsDTMF {
        interrupt(at: t, into: &out)
      } else if !configuration.reportInputDuringAgentSpeech.allowsDTMF {
        note(.caller, "presses \(digit) (not passed on: the agent was speaking)", at: t)
        return
      }
    }
    send(.dtmf(digit: String(digit)), at: now, into: &out)
    note(.caller, "presses \(digit)", at: t)
  }

  /// Keys pressed at set times (`--dtmf D@T`), outside the script.
  public mutating func schedule(keys presses: [(digit: Character, atMs: Double)]) {
    keys.append(contentsOf: presses.map { ($0.digit, $0.atMs, false) })
    keys.sort { $0.atMs < $1.atMs }
  }

  /// When the current step has something to do, or nil while it waits for an event.
  private func stepDue() -> Double? {
    guard step < script.steps.count else {
      // The script is over: hang up once the agent has finished, or at once after a failure.
      guard let done = scriptDoneAtMs else { return nil }
      if failedStep != nil { return done + configuration.tailMs }
      guard agentDone, utterance == nil, keys.isEmpty else { return nil }
      return max(done, idleSinceMs) + configuration.tailMs
    }
    switch script.steps[step].action {
    case .say:
      guard utterance == nil, agentDone else { return nil }
      return max(stepStartMs, idleSinceMs + configuration.callerPauseMs)
    case .sayAfterGap(_, let gap):
      guard utterance == nil else { return nil }
      return max(stepStartMs, (lastPromptEndMs ?? 0) + gap)
    case .bargeIn(_, let after):
      guard utterance == nil else { return nil }
      if playing != nil { return max(stepStartMs, speakingSinceMs + after) }
      if agentDone { return max(stepStartMs, idleSinceMs + configuration.callerPauseMs) }
      return nil
    case .press: return nil
    case .pause(let ms): return stepStartMs + ms
    case .expectReply(_, let within): return (lastPromptEndMs ?? stepStartMs) + within
    case .expectEnd(_, let within): return stepStartMs + within
    case .expectNoReply(let ms): return stepStartMs + ms
    case .hangUp: return stepStartMs
    }
  }

  private mutating func runStep(at t: Double, now: Double, into out: inout [String]) {
    guard step < script.steps.count else {
      finish(.completed, at: t, reason: "the caller hung up")
      return
    }
    switch script.steps[step].action {
    case .say(let text), .sayAfterGap(let text, _), .bargeIn(let text, _):
      // Done when the prompt is final.
      speak(text, at: t, now: now, into: &out)
    case .press: break
    case .pause: stepDone(at: t, into: &out)
    case .expectReply(let text, let within):
      failStep(
        at: t,
        text.map { "no reply containing \"\($0)\" within \(ms(within))" } ?? "no reply within \(ms(within))")
    case .expectEnd(_, let within): failStep(at: t, "no end within \(ms(within))")
    case .expectNoReply: passStep(at: t, measured: nil)
    case .hangUp:
      passStep(at: t, measured: nil)
      finish(.completed, at: t, reason: "the caller hung up")
    }
  }

  private mutating func beginStep(at t: Double) {
    stepStartMs = t
    guard step < script.steps.count else {
      if scriptDoneAtMs == nil { scriptDoneAtMs = t }
      return
    }
    results[step].status = .pending
    results[step].startedAtMs = t
    if case .press(let digits) = script.steps[step].action {
      for (index, digit) in digits.enumerated() {
        keys.append((digit, t + Double(index) * RelayScript.keySpacingMs, true))
      }
      keys.sort { $0.atMs < $1.atMs }
    }
  }

  private mutating func stepDone(at t: Double, into out: inout [String]) {
    guard step < script.steps.count, script.steps[step].action.isCallerAction,
      results[step].status == .pending
    else { return }
    passStep(at: t, measured: nil)
  }

  private mutating func passStep(at t: Double, measured: Double?) {
    guard step < script.steps.count else { return }
    results[step].status = .passed
    results[step].endedAtMs = t
    results[step].measuredMs = measured
    if let measured { results[step].message = "after \(ms(measured))" }
    step += 1
    beginStep(at: t)
  }

  private mutating func failStep(at t: Double, _ message: String) {
    guard step < script.steps.count else { return }
    results[step].status = .failed
    results[step].endedAtMs = t
    results[step].message = message.escapingControlCharacters
    note(.twilio, "step \(step + 1) failed: \(message)", at: t)
    for later in (step + 1)..<script.steps.count {
      results[later].status = .skipped
      results[later].message = "an earlier step failed"
    }
    step = script.steps.count
    scriptDoneAtMs = t
  }

  private mutating func finish(_ ending: Ending, at now: Double, reason: String) {
    guard !stopped else { return }
    self.ending = ending
    endedAtMs = now
    stopped = true
    nextDueMs = .infinity
    // The steps still waiting get their verdict.
    if step < script.steps.count {
      if case .expectEnd(let match, _) = script.steps[step].action, case .ended(let data) = ending {
        if match?.matches(data) ?? true {
          passStep(at: now, measured: now - stepStartMs)
        } else {
          failStep(
            at: now, "the app ended with handoff data \(data.map { "\"\($0)\"" } ?? "none"), not as expected")
        }
      } else if case .expectNoReply = script.steps[step].action, case .ended = ending {
        failStep(at: now, "the app ended the session")
      }
      if step < script.steps.count {
        failStep(at: now, "the session ended before this step: \(reason)")
      }
    }
    if case .failed(let code, let message) = ending {
      note(.twilio, "session failed: \(message) (\(code)): \(reason)", at: now)
    }
  }

  private func ms(_ value: Double) -> String { DurationText.brief(ms: value.rounded()) }
}

extension RelaySession.Configuration {
  /// `<ConversationRelay>`'s attributes applied as Twilio reads them (conversation-relay.md
  /// §1.2); a value it does not take is reported and the default kept.
  public mutating func apply(attributes: [NamedValue]) -> [String] {
    var problems: [String] = []
    func kinds(_ a: NamedValue) -> RelaySession.InputKinds? {
      if let kinds = RelaySession.InputKinds(twiml: a.value) { return kinds }
      problems.append(
        "\(a.name)=\"\(a.value.escapingControlCharacters)\": expected none, dtmf, speech or any")
      return nil
    }
    func flag(_ a: NamedValue) -> Bool? {
      switch a.value.lowercased() {
      case "true": return true
      case "false": return false
      default:
        problems.append("\(a.name)=\"\(a.value.escapingControlCharacters)\": expected true or false")
        return nil
      }
    }
    var language: String?
    var tts: String?
    var transcription: String?
    for a in attributes {
      switch a.name {
      case "welcomeGreeting": welcomeGreeting = a.value
      case "welcomeGreetingInterruptible":
        welcomeGreetingInterruptible = kinds(a) ?? welcomeGreetingInterruptible
      case "interruptible": interruptible = kinds(a) ?? interruptible
      case "reportInputDuringAgentSpeech":
        reportInputDuringAgentSpeech = kinds(a) ?? reportInputDuringAgentSpeech
      case "preemptible": preemptible = flag(a) ?? preemptible
      case "dtmfDetection": dtmfDetection = flag(a) ?? dtmfDetection
      case "partialPrompts": partialPrompts = flag(a) ?? partialPrompts
      case "language": language = a.value
      case "ttsLanguage": tts = a.value
      case "transcriptionLanguage": transcription = a.value
      case "debug", "events":
        for item in a.value.split(separator: " ") {
          switch item {
          case "speaker-events": speakerEvents = true
          case "tokens-played": tokensPlayed = true
          case "debugging" where a.name == "debug": debugging = true
          default: problems.append("\(a.name): unknown value \"\(String(item).escapingControlCharacters)\"")
          }
        }
      default: break
      }
    }
    ttsLanguage = tts ?? language ?? ttsLanguage
    transcriptionLanguage = transcription ?? language ?? transcriptionLanguage
    return problems
  }
}
