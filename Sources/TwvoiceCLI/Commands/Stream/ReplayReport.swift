import TwvoiceCore
import TwvoiceNet

/// The summary of a replay: messages, audio, marks, warnings by code, latency.
struct ReplaySummary {
  let session: StreamSession
  let outcome: StreamReplayClient.Outcome

  var outcomeText: String {
    switch outcome {
    case .completed: "completed"
    case .serverClosed(let code): "server closed early" + (code.map { " (close code \($0))" } ?? "")
    case .failed(let error): "failed: \(error)"
    }
  }

  static func percentile(_ values: [Double], _ p: Double) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let index = min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))
    return sorted[index]
  }

  var json: JSONValue {
    let latencies = session.latencies()
    func ms(_ v: Double?) -> JSONValue { v.map { .int(Int($0.rounded())) } ?? .null }
    let framesSent = session.log.filter { $0.direction == .sent && $0.text.hasPrefix(#"{"event":"media""#) }
      .count
    return .object([
      ("outcome", .string(outcomeText)),
      ("stream_sid", .string(session.configuration.streamSid)),
      ("messages_sent", .int(session.sentMessages)), ("messages_received", .int(session.receivedMessages)),
      ("audio_sent_s", .number(format3(Double(framesSent) * 0.02))),
      ("audio_played_s", .number(format3(Double(session.playout.bytesPlayed) / 8000))),
      ("audio_cleared_s", .number(format3(Double(session.playout.bytesCleared) / 8000))),
      ("marks_received", .int(session.marksReceived)), ("marks_echoed", .int(session.marksEchoed)),
      ("clears", .int(session.playout.clears)),
      (
        "warnings",
        .object(session.warningCodes.sorted { $0.key < $1.key }.map { (String($0.key), .int($0.value)) })
      ),
      ("violations", .array(session.violations.prefix(50).map { .string($0.description) })),
      (
        "pacing_lateness_ms",
        .object([
          ("frames", .int(session.frameLateness.count)),
          ("p50", .number(format3(Self.percentile(session.frameLateness.map(Double.init), 0.5) ?? 0))),
          ("p99", .number(format3(Self.percentile(session.frameLateness.map(Double.init), 0.99) ?? 0))),
          ("max", .number(format3(Double(session.frameLateness.max() ?? 0)))),
        ])
      ),
      (
        "latency_ms",
        .object([
          ("utterances", .int(session.utteranceEnds.count)), ("answered", .int(latencies.count)),
          ("p50", ms(Self.percentile(latencies, 0.5))), ("p95", ms(Self.percentile(latencies, 0.95))),
          ("max", ms(latencies.max())),
        ])
      ),
    ])
  }

  var text: String {
    let j = json
    func v(_ key: String) -> String { j[key].map { $0.stringValue ?? JSONWriter().string($0) } ?? "?" }
    var parts = [
      "twvoice: stream \(session.configuration.streamSid) \(outcomeText)",
      "\(v("messages_sent")) messages sent, \(v("messages_received")) received",
      "audio \(v("audio_sent_s")) s sent, \(v("audio_played_s")) s played, \(v("audio_cleared_s")) s cleared",
      "marks \(v("marks_received")) received, \(v("marks_echoed")) echoed, \(v("clears")) clears",
    ]
    if !session.warningCodes.isEmpty {
      parts.append(
        "warnings "
          + session.warningCodes.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(
            separator: " "))
    }
    if let latency = j["latency_ms"], let p50 = latency["p50"]?.intValue {
      parts.append(
        "latency p50 \(p50) ms, p95 \(latency["p95"]?.intValue ?? 0) ms, max \(latency["max"]?.intValue ?? 0) ms"
      )
    }
    return parts.joined(separator: "; ")
  }
}

/// The `--log` file: every message with its time and direction, readable by `codec decode`
/// (the bot's media carry `track: outbound` and a timestamp on the caller's clock) and
/// replayable as INPUT (only the inbound media and DTMF are re-sent).
enum ReplayLog {
  static func lines(_ session: StreamSession) -> String {
    let writer = JSONWriter(style: .compact, asciiOnly: false)
    var out = ""
    for entry in session.log {
      let meta: JSONValue = .object([
        ("t", .number(format3(entry.atMs / 1000))), ("dir", .string(entry.direction.rawValue)),
      ])
      guard var value = try? JSONParser.parse(entry.text), var members = value.members else {
        out += writer.string(.object([("unparsed", .string(entry.text)), ("twvoice", meta)])) + "\n"
        continue
      }
      if entry.direction == .received, value["event"]?.stringValue == "media",
        var media = value["media"]?.members
      {
        media.insert(("track", .string("outbound")), at: 0)
        media.insert(
          ("timestamp", .string(String(session.configuration.firstTimestampMs + Int(entry.atMs)))), at: 1)
        if let index = members.firstIndex(where: { $0.key == "media" }) {
          members[index].value = .object(media)
        }
      }
      members.append(("twvoice", meta))
      value = .object(members)
      out += writer.string(value) + "\n"
    }
    return out
  }
}

/// A progress line on standard error, rewritten in place.
enum ReplayProgress {
  nonisolated(unsafe) static var lastShown = -1

  static func show(_ session: StreamSession) {
    let seconds = session.log.last.map { Int($0.atMs / 1000) } ?? 0
    guard seconds != lastShown else { return }
    lastShown = seconds
    Terminal.progress(
      "\(seconds) s: \(session.sentMessages) sent, \(session.receivedMessages) received, bot audio \(format2(Double(session.playout.bytesQueued) / 8000)) s, marks \(session.marksEchoed)/\(session.marksReceived)"
    )
  }

  static func clear() { Terminal.progress(nil) }
}
