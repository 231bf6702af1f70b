/// What a report page shows, on one time axis: the caller's and the bot's audio levels (the bot's
/// as heard: where it played, not where it arrived, and not what a `clear` dropped), speech
/// turns and each reply's latency, marks sent and echoed, clears with the audio they dropped,
/// keys, webhook requests, findings and scenario steps, ConversationRelay's prompts, replies and
/// interrupts. Built from a session log (`SessionLog`) line by line, so a live run and a log
/// read afterwards give the same page.
public struct CallTimeline: Sendable {
  public struct Event: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
      case start, stop, media
      case markSent = "mark-sent"
      case markEcho = "mark-echo"
      case clear, dtmf, request, reply, finding, step, prompt, agent, interrupt, error, end, digits, play
      /// A stretch of speech: the caller's, or the bot's as heard.
      case callerSpeech = "caller-speech"
      case botSpeech = "bot-speech"
    }
    public var kind: Kind
    public var atMs: Double
    /// The end of what the event spans: a mark's echo, the audio a clear dropped, a request's
    /// answer, a reply's latency, a talk cycle.
    public var endMs: Double?
    /// A few words on the marker.
    public var label: String
    /// The whole message, shown on hover and in the event list.
    public var detail: String
  }

  /// A line of the header: `Stream SID`, `MZ…`.
  public var facts: [(name: String, value: String)] = []
  public var title = "twvoice call"
  public var durationMs: Double = 0
  /// Peak level per 20 ms, 0–255, of what the caller said and of the bot as heard.
  public var callerLevels: [UInt8] = []
  public var botLevels: [UInt8] = []
  public var events: [Event] = []
  /// Events not kept once a kind has `keptPerKind` (a flood of marks costs a count, not a page).
  public var dropped: [Event.Kind: Int] = [:]
  /// Reply latencies found on the audio, ms.
  public var replyLatencies: [Double] = []

  public static let binMs = 20.0
  public static let keptPerKind = 5_000

  public init() {}

  /// Builds a timeline from the lines of a session log (or a plain capture); lines that are not
  /// JSON objects are passed over.
  public static func build(lines: some Sequence<some StringProtocol>) -> CallTimeline {
    var builder = Builder()
    for line in lines {
      let trimmed = String(line).trimmingASCIIWhitespace()
      guard !trimmed.isEmpty, let value = try? JSONParser.parse(String(trimmed)) else { continue }
      builder.add(value)
    }
    return builder.finish()
  }

  /// Builds a timeline from log entries as a session hands them over.
  public static func build(entries: [SessionLog.Entry]) -> CallTimeline {
    build(lines: entries.map { SessionLog.line($0) })
  }

  /// Reads the lines one by one.
  public struct Builder {
    var timeline = CallTimeline()
    var lastMs = 0.0
    /// The bot's audio in play order: each 20 ms frame's scheduled time and level.
    var botFrames: [(atMs: Double, level: UInt8, voiced: Bool)] = []
    var playoutEndMs = 0.0
    var callerFrames: [(atMs: Double, level: UInt8, voiced: Bool)] = []
    var marksSent: [String: [Int]] = [:]
    var openRequest: Int?
    /// ConversationRelay's talk cycle being received.
    var talkCycle: Int?
    /// Events kept so far, by kind.
    var kept: [Event.Kind: Int] = [:]

    public init() {}

    mutating func event(
      _ kind: Event.Kind, _ at: Double, end: Double? = nil, _ label: String, _ detail: String
    )
      -> Int?
    {
      guard kept[kind, default: 0] < CallTimeline.keptPerKind else {
        timeline.dropped[kind, default: 0] += 1
        return nil
      }
      kept[kind, default: 0] += 1
      timeline.events.append(Event(kind: kind, atMs: at, endMs: end, label: label, detail: detail))
      return timeline.events.count - 1
    }

    mutating func fact(_ name: String, _ value: String?) {
      guard let value, !value.isEmpty, !timeline.facts.contains(where: { $0.name == name }) else { return }
      timeline.facts.append((name, value))
    }

    public mutating func add(_ line: JSONValue) {
      let at = line["t"]?.doubleValue.map { $0 * 1000 } ?? lastMs
      lastMs = max(lastMs, at)
      let from = line["from"]?.stringValue
      if let request = line["request"] {
        let purpose = request["purpose"]?.stringValue ?? "request"
        let method = request["method"]?.stringValue ?? ""
        let url = request["url"]?.stringValue ?? ""
        openRequest = event(.request, at, "\(purpose)", "\(method) \(url)")
        return
      }
      if let response = line["response"] {
        if let index = openRequest {
          let status = response["status"]?.intValue.map(String.init) ?? "no answer"
          timeline.events[index].endMs = at
          timeline.events[index].label += " \(status)"
          let latency = response["latency_ms"]?.doubleValue.map { ", \(Int($0.rounded())) ms" } ?? ""
          timeline.events[index].detail += " → \(status)\(latency)"
        }
        openRequest = nil
        return
      }
      if let finding = line["finding"] {
        _ = event(
          .finding, at, finding["id"]?.stringValue ?? "finding", finding["message"]?.stringValue ?? "")
        return
      }
      if let step = line["step"] {
        let status = step["status"]?.stringValue ?? ""
        _ = event(
          .step, at, "step \(step["n"]?.intValue.map(String.init) ?? "") \(status)",
          "\(step["step"]?.stringValue ?? ""): \(step["message"]?.stringValue ?? "")")
        return
      }
      if let raw = line["raw"]?.stringValue {
        _ = event(.error, at, "not JSON", "\(from ?? "?") sent a text frame that is not JSON: \(raw)")
        return
      }
      if line["binary"] != nil {
        _ = event(.error, at, "binary frame", "\(from ?? "?") sent a binary frame")
        return
      }
      // A session log line carries the frame under "message"; a plain capture is the frame.
      let message = line["message"] ?? line
      if let type = message["type"]?.stringValue {
        relay(type, message, at: at, fromApp: from == "bot")
      } else if let name = message["event"]?.stringValue {
        media(name, message, at: at, from: from)
      }
    }

    mutating func media(_ name: String, _ m: JSONValue, at: Double, from: String?) {
      // Plain captures have no sender: Twilio's events, and media by their track.
      let track = m["media"]?["track"]?.stringValue
      let fromBot: Bool
      if let from {
        fromBot = from == "bot"
      } else {
        switch name {
        case "clear": fromBot = true
        case "media": fromBot = track == nil || track == "outbound"
        default: fromBot = false
        }
      }
      switch name {
      case "start":
        let start = m["start"]
        fact("Stream SID", start?["streamSid"]?.stringValue ?? m["streamSid"]?.stringValue)
        fact("Call SID", start?["callSid"]?.stringValue)
        fact("Account SID", start?["accountSid"]?.stringValue)
        _ = event(.start, at, "start", "start: stream \(start?["streamSid"]?.stringValue ?? "")")
      case "stop":
        _ = event(.stop, at, "stop", "stop")
      case "dtmf":
        let digit = m["dtmf"]?["digit"]?.stringValue ?? "?"
        _ = event(.dtmf, at, digit, "DTMF \(digit)")
      case "media":
        guard let payload = m["media"]?["payload"]?.stringValue,
          let bytes = try? Base64.decode(payload)
        else { return }
        if fromBot {
          // Played from when the audio already queued ends.
          var t = max(at, playoutEndMs)
          var offset = 0
          while offset < bytes.count {
            let frame = bytes[offset..<min(offset + 160, bytes.count)]
            botFrames.append((t, Self.peak(frame), SpeechActivity.isVoiced(frame)))
            t += Double(frame.count) / 8
            offset += 160
          }
          playoutEndMs = t
        } else {
          var offset = 0
          var t = at
          while offset < bytes.count {
            let frame = bytes[offset..<min(offset + 160, bytes.count)]
            callerFrames.append((t, Self.peak(frame), SpeechActivity.isVoiced(frame)))
            t += Double(frame.count) / 8
            offset += 160
          }
        }
      case "mark":
        let markName = m["mark"]?["name"]?.stringValue ?? ""
        // In a plain capture a name's first mark is the bot's, the next its echo.
        if fromBot || (from == nil && (marksSent[markName]?.isEmpty ?? true)) {
          if let index = event(.markSent, at, markName, "mark \"\(markName)\" sent by the bot") {
            marksSent[markName, default: []].append(index)
          }
        } else {
          if var pending = marksSent[markName], !pending.isEmpty {
            let index = pending.removeFirst()
            marksSent[markName] = pending
            timeline.events[index].endMs = at
            timeline.events[index].detail += "; echoed at \(Self.seconds(at)) s"
          }
          _ = event(
            .markEcho, at, markName, "mark \"\(markName)\" echoed by Twilio (its audio played, or a clear)")
        }
      case "clear":
        // The audio queued after now is never heard.
        let dropped = max(0, playoutEndMs - at)
        botFrames.removeAll { $0.atMs >= at }
        playoutEndMs = min(playoutEndMs, at)
        _ = event(
          .clear, at, end: dropped > 0 ? at + dropped : nil, "clear",
          "clear: \(Int(dropped.rounded())) ms of buffered audio dropped")
      default:
        break
      }
    }

    mutating func relay(_ type: String, _ m: JSONValue, at: Double, fromApp: Bool) {
      switch type {
      case "setup":
        timeline.title = "twvoice relay"
        fact("Session ID", m["sessionId"]?.stringValue)
        fact("Call SID", m["callSid"]?.stringValue)
        fact("Account SID", m["accountSid"]?.stringValue)
        _ = event(.start, at, "setup", "setup: session \(m["sessionId"]?.stringValue ?? "")")
      case "prompt":
        guard m["last"] == .bool(true) else { return }
        let text = m["voicePrompt"]?.stringValue ?? ""
        _ = event(.prompt, at, Self.short(text), "caller: \(text)")
      case "dtmf":
        let digit = m["digit"]?.stringValue ?? "?"
        _ = event(.dtmf, at, digit, "DTMF \(digit)")
      case "interrupt":
        let heard = m["utteranceUntilInterrupt"]?.stringValue ?? ""
        let ms = m["durationUntilInterruptMs"]?.intValue ?? 0
        _ = event(.interrupt, at, "interrupt", "interrupt after \(ms) ms of \"\(heard)\"")
      case "error":
        _ = event(.error, at, "error", m["description"]?.stringValue ?? "")
      case "text":
        let token = m["token"]?.stringValue ?? ""
        if talkCycle == nil { talkCycle = event(.agent, at, "", "agent: ") }
        if let index = talkCycle {
          timeline.events[index].detail += token
          timeline.events[index].endMs = at
          timeline.events[index].label = Self.short(String(timeline.events[index].detail.dropFirst(7)))
        }
        if m["last"] == .bool(true) { talkCycle = nil }
      case "play":
        _ = event(.play, at, "play", "play \(m["source"]?.stringValue ?? "")")
      case "sendDigits":
        let digits = m["digits"]?.stringValue ?? ""
        _ = event(.digits, at, digits, "sendDigits \(digits)")
      case "end":
        _ = event(.end, at, "end", "end, handoff data: \(m["handoffData"]?.stringValue ?? "(none)")")
      default:
        break
      }
    }

    static func peak(_ frame: ArraySlice<UInt8>) -> UInt8 {
      var peak: Int32 = 0
      for byte in frame { peak = max(peak, abs(Int32(G711.muLawDecodeTable[Int(byte)]))) }
      return UInt8(min(255, peak * 255 / 32_124))
    }

    static func short(_ text: String) -> String { text.count > 32 ? String(text.prefix(31)) + "…" : text }
    static func seconds(_ ms: Double) -> String { format3(ms / 1000) }

    /// Levels into 20 ms bins, reply latencies found on the audio, the duration.
    public mutating func finish() -> CallTimeline {
      var end = lastMs
      if let last = botFrames.last { end = max(end, last.atMs + CallTimeline.binMs) }
      if let last = callerFrames.last { end = max(end, last.atMs + CallTimeline.binMs) }
      timeline.durationMs = end
      let bins = Int((end / CallTimeline.binMs).rounded(.up))
      timeline.callerLevels = Self.levels(callerFrames, bins: bins)
      timeline.botLevels = Self.levels(botFrames, bins: bins)
      // A turn ends after the caller's speech and 500 ms of quiet; the reply is the bot's first
      // speech heard after it.
      let callerTurnEnds = Self.turnEnds(callerFrames)
      var botIndex = 0
      for turnEnd in callerTurnEnds {
        while botIndex < botFrames.count
          && (botFrames[botIndex].atMs < turnEnd || !botFrames[botIndex].voiced)
        {
          botIndex += 1
        }
        guard botIndex < botFrames.count else { break }
        let reply = botFrames[botIndex].atMs
        let latency = reply - turnEnd
        timeline.replyLatencies.append(latency)
        _ = event(
          .reply, turnEnd, end: reply, "\(Int(latency.rounded())) ms",
          "reply after \(Int(latency.rounded())) ms")
      }
      for (kind, frames, who) in [
        (Event.Kind.callerSpeech, callerFrames, "caller"), (.botSpeech, botFrames, "bot"),
      ] {
        for segment in Self.speech(frames) {
          _ = event(
            kind, segment.start, end: segment.end, "",
            "\(who) speaking for \(Int((segment.end - segment.start).rounded())) ms")
        }
      }
      timeline.events.sort { $0.atMs < $1.atMs }
      return timeline
    }

    static func levels(_ frames: [(atMs: Double, level: UInt8, voiced: Bool)], bins: Int) -> [UInt8] {
      var out = [UInt8](repeating: 0, count: bins)
      for frame in frames {
        let bin = Int(frame.atMs / CallTimeline.binMs)
        if bin >= 0 && bin < bins { out[bin] = max(out[bin], frame.level) }
      }
      return out
    }

    /// Stretches of voiced frames, joined across gaps shorter than 300 ms.
    static func speech(_ frames: [(atMs: Double, level: UInt8, voiced: Bool)]) -> [(
      start: Double, end: Double
    )] {
      var out: [(start: Double, end: Double)] = []
      for frame in frames where frame.voiced {
        let end = frame.atMs + CallTimeline.binMs
        if let last = out.last, frame.atMs - last.end < 300 {
          out[out.count - 1].end = max(last.end, end)
        } else {
          out.append((frame.atMs, end))
        }
      }
      return out
    }

    static func turnEnds(_ frames: [(atMs: Double, level: UInt8, voiced: Bool)]) -> [Double] {
      var ends: [Double] = []
      var lastVoicedEnd: Double?
      for frame in frames {
        if frame.voiced {
          lastVoicedEnd = frame.atMs + CallTimeline.binMs
        } else if let end = lastVoicedEnd, frame.atMs - end >= 500 {
          ends.append(end)
          lastVoicedEnd = nil
        }
      }
      if let end = lastVoicedEnd { ends.append(end) }
      return ends
    }
  }
}
