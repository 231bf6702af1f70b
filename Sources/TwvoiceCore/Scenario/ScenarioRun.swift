/// A scenario being played against a bot: which step is running, what the caller must do now,
/// and each step's verdict. Transport-free: the stream session feeds it what happened (clears,
/// mark echoes, the bot hanging up) and asks it, every 20 ms frame, what the caller does.
///
/// Time limits count from a reference that depends on the step (the end of the caller's turn,
/// its first speech frame, or the step's start); events are looked for from the start of the
/// step before, so that what the bot does while the caller is still speaking counts.
public struct ScenarioRun: Sendable {
  public struct StepResult: Sendable {
    public enum Status: String, Sendable {
      case pending, passed, failed, skipped
    }
    public var status: Status = .pending
    public var startedAtMs: Double?
    public var endedAtMs: Double?
    /// What the step measured (a latency, a length), in ms.
    public var measuredMs: Double?
    /// What happened; for a failure, what was expected and what happened instead.
    public var message = ""
  }

  /// What the caller does now.
  public enum CallerAction: Sendable, Equatable {
    /// Speak this µ-law audio from the next frame on.
    case speak([UInt8])
    /// Press these keys, the first with the next frame, then one every `Scenario.dtmfSpacingMs`.
    case press(String)
  }

  /// Something the session saw that a step may wait for.
  public enum Event: Sendable {
    case clear(atMs: Double)
    /// A mark echoed, because its audio played (`played`) or because of a clear.
    case markEcho(name: String, atMs: Double, played: Bool)
  }

  public let scenario: Scenario
  public private(set) var results: [StepResult]
  /// Whether every step has a verdict; `failedStep` tells whether one failed.
  public private(set) var finished = false
  public private(set) var finishedAtMs: Double?
  public var failedStep: Int? { results.firstIndex { $0.status == .failed } }
  public var passed: Bool { finished && failedStep == nil }

  private var index = 0
  /// Events since the start of the step before the current one.
  private var clears: [Double] = []
  private var echoes: [(name: String, atMs: Double, played: Bool)] = []
  /// The caller's latest turn: when its audio starts and ends, and its speech within it.
  private var turn: (startMs: Double, firstVoicedMs: Double?, lastVoicedEndMs: Double?, endMs: Double)?
  /// Events are kept at most this many per kind (a bot flooding marks costs a bounded list).
  static let keptEvents = 10_000

  public init(_ scenario: Scenario) {
    self.scenario = scenario
    results = Array(repeating: StepResult(), count: scenario.steps.count)
  }

  /// Records something the session saw.
  public mutating func observe(_ event: Event) {
    guard !finished else { return }
    switch event {
    case .clear(let at):
      if clears.count < Self.keptEvents { clears.append(at) }
    case .markEcho(let name, let at, let played):
      if echoes.count < Self.keptEvents { echoes.append((name, at, played)) }
    }
  }

  /// Runs the steps as far as they go at `now` (ms of session time); `nextFrameMs` is when
  /// audio the caller speaks now begins; `bot` is the speech found so far in the bot's played
  /// audio. Returns what the caller does.
  public mutating func advance(nowMs now: Double, nextFrameMs: Double, bot: SpeechActivity) -> [CallerAction]
  {
    var actions: [CallerAction] = []
    while !finished {
      guard index < scenario.steps.count else {
        finished = true
        finishedAtMs = now
        break
      }
      if results[index].startedAtMs == nil { begin(at: now, nextFrameMs: nextFrameMs, into: &actions) }
      switch evaluate(now: now, bot: bot) {
      case .waiting:
        return actions
      case .passed(let measured, let message):
        conclude(.passed, at: now, measured: measured, message: message)
        if let audio = pendingBargeIn {
          pendingBargeIn = nil
          actions.append(.speak(audio))
          turn = Self.turn(of: audio, from: nextFrameMs)
        }
      case .failed(let measured, let message):
        conclude(.failed, at: now, measured: measured, message: message)
        end(at: now, because: nil)
      }
    }
    return actions
  }

  /// The call ended (the bot hung up, the caller hung up, or the connection broke) at `now`.
  /// The steps go on as far as what already happened decides them: a reply that had finished,
  /// a mark that had played, the hang-up itself. The first step that needed more of the call
  /// fails, and the steps after it are skipped.
  public mutating func callEnded(atMs now: Double, botHungUp: Bool, reason: String, bot: SpeechActivity) {
    guard !finished else { return }
    if botHungUp { botHungUpAtMs = now }
    while !finished {
      guard index < scenario.steps.count else {
        finished = true
        finishedAtMs = now
        break
      }
      if results[index].startedAtMs == nil {
        switch scenario.steps[index].action {
        case .say, .silence, .dtmf, .bargeIn:
          // The caller cannot act on a call that is over.
          results[index].startedAtMs = now
          conclude(.failed, at: now, measured: nil, message: "\(reason) at \(seconds(now)), before this step")
          end(at: now, because: reason)
          return
        default:
          var ignored: [CallerAction] = []
          begin(at: now, nextFrameMs: now, into: &ignored)
        }
      }
      switch evaluate(now: now, bot: bot) {
      case .passed(let measured, let message):
        conclude(.passed, at: now, measured: measured, message: message)
      case .failed(let measured, let message):
        conclude(.failed, at: now, measured: measured, message: message)
        end(at: now, because: reason)
      case .waiting:
        conclude(
          .failed, at: now, measured: nil, message: "\(reason) at \(seconds(now)), before this step was done")
        end(at: now, because: reason)
      }
    }
  }

  /// When the bot closed the socket, if it did.
  private var botHungUpAtMs: Double?

  private mutating func end(at now: Double, because reason: String?) {
    for k in results.indices where results[k].status == .pending {
      results[k].status = .skipped
      results[k].message = reason.map { "not run: \($0)" } ?? "not run: an earlier step failed"
    }
    finished = true
    finishedAtMs = now
  }

  private mutating func conclude(
    _ status: StepResult.Status, at now: Double, measured: Double?, message: String
  ) {
    results[index].status = status
    results[index].endedAtMs = now
    results[index].measuredMs = measured
    results[index].message = message
    index += 1
  }

  /// The start of the step before the current one: events from then on count. One frame
  /// earlier, because speech is timed on the 20 ms frame grid and steps start on ticks.
  private var windowStartMs: Double {
    index > 0 ? max(0, (results[index - 1].startedAtMs ?? 0) - SpeechActivity.frameMs) : 0
  }

  private mutating func begin(at now: Double, nextFrameMs: Double, into actions: inout [CallerAction]) {
    results[index].startedAtMs = now
    let window = windowStartMs
    clears.removeAll { $0 < window }
    echoes.removeAll { $0.atMs < window }
    switch scenario.steps[index].action {
    case .say(let speech):
      actions.append(.speak(speech.audio))
      turn = Self.turn(of: speech.audio, from: nextFrameMs)
    case .dtmf(let keys):
      actions.append(.press(keys))
      let last = nextFrameMs + Double((keys.count - 1) * Scenario.dtmfSpacingMs)
      // The turn ends with the last key: a reply may start as soon as it went out.
      turn = (nextFrameMs, nextFrameMs, last, last + 20)
    default:
      break
    }
  }

  /// Where the speech is in audio spoken from `start`.
  static func turn(of audio: [UInt8], from start: Double)
    -> (startMs: Double, firstVoicedMs: Double?, lastVoicedEndMs: Double?, endMs: Double)
  {
    var first: Int?
    var last: Int?
    var frame = 0
    while frame * 160 < audio.count {
      if SpeechActivity.isVoiced(audio[(frame * 160)..<min(frame * 160 + 160, audio.count)]) {
        if first == nil { first = frame }
        last = frame
      }
      frame += 1
    }
    return (
      start, first.map { start + Double($0 * 20) }, last.map { start + Double($0 * 20 + 20) },
      start + Double(frame * 20)
    )
  }

  private enum Verdict {
    case waiting
    case passed(measured: Double?, String)
    case failed(measured: Double?, String)
  }

  // The detector confirms speech 60 ms after it starts, and looks at a frame once it has played.
  private static let confirmationMs = Double(SpeechActivity.onsetFrames) * SpeechActivity.frameMs

  private mutating func evaluate(now: Double, bot: SpeechActivity) -> Verdict {
    let started = results[index].startedAtMs ?? now
    switch scenario.steps[index].action {
    case .say(let speech):
      let end = turn?.endMs ?? started
      return now >= end
        ? .passed(measured: end - started, "said \(speech.file) (\(ms(end - started)))") : .waiting

    case .silence(let length):
      return now >= started + Double(length)
        ? .passed(measured: Double(length), "quiet for \(ms(Double(length)))") : .waiting

    case .dtmf(let keys):
      let end = turn?.endMs ?? started
      return now >= end ? .passed(measured: nil, "pressed \(keys)") : .waiting

    case .expectBotSpeech(let within):
      let reference = turn?.lastVoicedEndMs ?? started
      let limit = reference + Double(within)
      let what = turn == nil ? "the step began" : "the caller's turn ended"
      // Speech is timed on the 20 ms frame grid: a reply that arrived within the frame the turn
      // ended in starts with that frame.
      if let segment = bot.firstSegment(startingAtOrAfter: reference - SpeechActivity.frameMs) {
        let latency = max(0, segment.startMs - reference)
        return segment.startMs <= limit
          ? .passed(
            measured: latency, "bot speech at \(seconds(segment.startMs)), \(ms(latency)) after \(what)")
          : .failed(
            measured: latency,
            "expected bot speech within \(ms(Double(within))) after \(what) at \(seconds(reference)); it began at \(seconds(segment.startMs)) (\(ms(latency)))"
          )
      }
      if bot.evaluatedMs >= limit + Self.confirmationMs {
        return .failed(
          measured: nil,
          "expected bot speech within \(ms(Double(within))) after \(what) at \(seconds(reference)); none by \(seconds(limit))"
        )
      }
      return .waiting

    case .waitBotSilence(let length, let timeout):
      let quietSince = bot.lastVoicedEndMs ?? 0
      if bot.evaluatedMs - quietSince >= Double(length) {
        return .passed(
          measured: max(0, quietSince + Double(length) - started),
          "the bot was quiet from \(seconds(quietSince))")
      }
      if now >= started + Double(timeout) {
        return .failed(
          measured: nil,
          "expected \(ms(Double(length))) of bot silence within \(ms(Double(timeout))); the bot was still speaking at \(seconds(now))"
        )
      }
      return .waiting

    case .bargeIn(let after, let speech, let timeout):
      if bot.isSpeaking, let segment = bot.segments.last,
        segment.endMs - segment.startMs >= Double(after),
        bot.evaluatedMs - (bot.lastVoicedEndMs ?? 0) <= 100
      {
        // Speak now: the audio starts with the next frame and goes on during the next steps.
        pendingBargeIn = speech.audio
        return .passed(
          measured: bot.evaluatedMs - segment.startMs,
          "the caller spoke over the bot \(ms(bot.evaluatedMs - segment.startMs)) into its speech that began at \(seconds(segment.startMs))"
        )
      }
      if now >= started + Double(timeout) {
        return .failed(
          measured: nil,
          "expected the bot to speak for \(ms(Double(after))) to talk over it, within \(ms(Double(timeout))); it did not"
        )
      }
      return .waiting

    case .expectClear(let within):
      let reference = turn?.firstVoicedMs ?? started
      let limit = reference + Double(within)
      if let clear = clears.first(where: { $0 >= reference }) {
        return clear <= limit
          ? .passed(
            measured: clear - reference,
            "clear at \(seconds(clear)), \(ms(clear - reference)) after the caller began speaking")
          : .failed(
            measured: clear - reference,
            "expected clear within \(ms(Double(within))) of the caller's speech at \(seconds(reference)); it came at \(seconds(clear))"
          )
      }
      if now > limit {
        return .failed(
          measured: nil,
          "expected clear within \(ms(Double(within))) of the caller's speech at \(seconds(reference)); none came (the bot's audio kept playing)"
        )
      }
      return .waiting

    case .expectMark(let name, let within):
      let limit = started + Double(within)
      if let echo = echoes.first(where: { $0.name == name && $0.played }) {
        return echo.atMs <= limit
          ? .passed(
            measured: max(0, echo.atMs - started), "mark \"\(name)\" played out at \(seconds(echo.atMs))")
          : .failed(
            measured: echo.atMs - started,
            "expected mark \"\(name)\" within \(ms(Double(within))); it played out at \(seconds(echo.atMs))")
      }
      if now > limit {
        var message = "expected mark \"\(name)\" to play out within \(ms(Double(within))); "
        if let cleared = echoes.first(where: { $0.name == name }) {
          message += "it was echoed by a clear at \(seconds(cleared.atMs)) (its audio never played)"
        } else {
          let seen = Set(echoes.map(\.name)).sorted().prefix(5)
          message += seen.isEmpty ? "no mark played out" : "marks echoed: \(seen.joined(separator: ", "))"
        }
        return .failed(measured: nil, message.escapingControlCharacters)
      }
      return .waiting

    case .expectHangup(let within):
      if let closed = botHungUpAtMs, closed >= windowStartMs {
        let after = max(0, closed - started)
        return closed <= started + Double(within)
          ? .passed(measured: after, "the bot hung up at \(seconds(closed))")
          : .failed(
            measured: after,
            "expected the bot to hang up within \(ms(Double(within))); it hung up at \(seconds(closed))")
      }
      return now > started + Double(within)
        ? .failed(measured: nil, "expected the bot to hang up within \(ms(Double(within))); it did not")
        : .waiting

    case .expectNoBotSpeech(let length):
      let end = started + Double(length)
      if let segment = bot.segments.last(where: { $0.endMs > started }), segment.startMs < end {
        return .failed(
          measured: max(0, segment.startMs - started),
          "expected no bot speech for \(ms(Double(length))); the bot spoke at \(seconds(max(segment.startMs, started)))"
        )
      }
      if bot.evaluatedMs >= end + Self.confirmationMs {
        return .passed(measured: Double(length), "no bot speech from \(seconds(started)) to \(seconds(end))")
      }
      return .waiting

    case .expectBotSpeechLength(let minMs, let maxMs, let timeout):
      let range = "\(minMs.map { ms(Double($0)) } ?? "0") to \(maxMs.map { ms(Double($0)) } ?? "any length")"
      // The reply to the caller's last turn, or else the first speech in the window.
      let from = turn?.lastVoicedEndMs ?? windowStartMs
      guard let segment = bot.firstSegment(startingAtOrAfter: min(from, started)) else {
        if now >= started + Double(timeout) {
          return .failed(
            measured: nil,
            "expected a bot reply of \(range) within \(ms(Double(timeout))); the bot did not speak")
        }
        return .waiting
      }
      let ongoing = bot.isSpeaking && bot.segments.last == segment
      if let maxMs, segment.durationMs > Double(maxMs) {
        return .failed(
          measured: segment.durationMs,
          "expected a bot reply of \(range); the reply from \(seconds(segment.startMs)) \(ongoing ? "was still going at" : "lasted") \(ms(segment.durationMs))"
        )
      }
      if ongoing { return .waiting }
      if let minMs, segment.durationMs < Double(minMs) {
        return .failed(
          measured: segment.durationMs,
          "expected a bot reply of \(range); the reply from \(seconds(segment.startMs)) lasted \(ms(segment.durationMs))"
        )
      }
      return .passed(
        measured: segment.durationMs,
        "the reply from \(seconds(segment.startMs)) lasted \(ms(segment.durationMs))")
    }
  }

  /// Barge-in audio decided by `evaluate`, spoken by `advance`.
  private var pendingBargeIn: [UInt8]?
}

private func ms(_ value: Double) -> String {
  value >= 1000 ? "\(format3(value / 1000)) s" : "\(Int(value.rounded())) ms"
}

private func seconds(_ value: Double) -> String { "\(format3(value / 1000)) s" }
