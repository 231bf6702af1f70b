import ArgumentParser
import Dispatch
import NIOCore
import NIOPosix
import TwvoiceCore
import TwvoiceNet

#if canImport(Glibc)
  import Glibc
#endif

/// `relay --calls N`: N ConversationRelay sessions against one app at once, each exactly a
/// single `relay` (its own session and call SIDs, script and checks), started over `--ramp` on
/// SwiftNIO's shared event loops, summed as they end.
struct RelayLoad: Sendable {
  /// What the sessions add up to.
  struct Totals: Sendable {
    var started = 0
    var byStatus: [String: Int] = [:]
    var failures: [Int: Int] = [:]
    var firstToken = LatencyHistogram()
    var lastToken = LatencyHistogram()
    var turns = 0
    var unanswered = 0
    var interrupts = 0
    var preemptions = 0
    var errorsSent: [Int: Int] = [:]
    var scriptsFailed = 0
    /// The first few failed sessions, for standard error.
    var failedSessions: [String] = []

    mutating func add(_ s: RelaySession) {
      byStatus[s.ending?.status ?? "completed", default: 0] += 1
      if case .failed(let code, let message)? = s.ending {
        failures[code, default: 0] += 1
        if failedSessions.count < 10 {
          failedSessions.append("\(s.configuration.setup.sessionId): \(message) (Twilio error \(code))")
        }
      }
      firstToken.merge(s.firstTokenLatency)
      lastToken.merge(s.lastTokenLatency)
      turns += s.turns.count
      unanswered += s.turns.filter { $0.reported && $0.repliedAtMs == nil }.count
      interrupts += s.interrupts
      preemptions += s.preemptions
      for (code, count) in s.errorsSent { errorsSent[code, default: 0] += count }
      if s.failedStep != nil { scriptsFailed += 1 }
    }

    var failed: Int { byStatus["failed"] ?? 0 }
  }

  let calls: Int
  let rampMs: Double
  let client: StreamReplayClient
  /// The app's URL as the failures name it.
  let url: String
  let configuration: RelaySession.Configuration
  let script: RelayScript
  /// `--dtmf` presses, the same in every session.
  let keys: [(digit: Character, atMs: Double)]

  /// Runs every session and waits for the last; a signal hangs up those under way and starts no
  /// more.
  func run() -> Totals {
    let totals = Locked(Totals())
    let done = DispatchGroup()
    let run = UInt32.random(in: 1...UInt32.max)
    let loop = MultiThreadedEventLoopGroup.singleton.next()
    for k in 0..<calls {
      done.enter()
      let delay = calls > 1 ? rampMs * Double(k) / Double(calls) : 0
      var c = configuration
      c.setup.sessionId = RelaySessionSid.numbered(k + 1, run: run).rawValue
      c.setup.callSid = CallSid.numbered(k + 1, run: run).rawValue
      var prepared = RelaySession(configuration: c, script: script)
      prepared.schedule(keys: keys)
      let session = prepared
      let client = self.client
      loop.scheduleTask(in: .nanoseconds(Int64(delay * 1_000_000))) {
        guard StreamReplay.hangUpSignal == nil else {
          done.leave()
          return
        }
        totals.withLock { $0.started += 1 }
        client.start(session).whenComplete { result in
          var (ended, outcome) =
            (try? result.get()) ?? (session, .failed(.init(code: 31900, message: "stopped")))
          ended.conclude(after: outcome, url: url, at: ended.endedAtMs)
          totals.withLock { $0.add(ended) }
          done.leave()
        }
      }
    }
    done.wait()
    return totals.withLock { $0 }
  }

  static func text(_ t: Totals, planned: Int) -> String {
    func ms(_ v: Double?) -> String { v.map { format1($0) + " ms" } ?? "–" }
    let statuses = ["completed", "ended", "failed"].map { "\($0) \(t.byStatus[$0] ?? 0)" }.joined(
      separator: ", ")
    var lines = ["twvoice: relay: \(t.started) of \(planned) sessions started: \(statuses)"]
    if !t.failures.isEmpty {
      lines.append(
        "  failures: "
          + t.failures.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
    }
    lines.append(
      "  turns \(t.turns) (\(t.unanswered) unanswered); time to first token p50 \(ms(t.firstToken.percentile(0.5))), p95 \(ms(t.firstToken.percentile(0.95))), p99 \(ms(t.firstToken.percentile(0.99))), max \(ms(t.firstToken.count > 0 ? t.firstToken.max : nil))"
    )
    lines.append(
      "  time to last token p50 \(ms(t.lastToken.percentile(0.5))), p99 \(ms(t.lastToken.percentile(0.99))); interrupts \(t.interrupts), preemptions \(t.preemptions)"
    )
    if !t.errorsSent.isEmpty {
      lines.append(
        "  errors sent: "
          + t.errorsSent.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
    }
    if t.scriptsFailed > 0 { lines.append("  \(t.scriptsFailed) session(s) failed a scenario step") }
    return lines.joined(separator: "\n")
  }

  static func json(_ t: Totals, planned: Int) -> JSONValue {
    func percentiles(_ h: LatencyHistogram) -> JSONValue {
      let v = { (x: Double?) in x.map { JSONValue.number(format3($0)) } ?? .null }
      return .object([
        ("count", .int(h.count)), ("p50", v(h.percentile(0.5))), ("p95", v(h.percentile(0.95))),
        ("p99", v(h.percentile(0.99))), ("max", h.count > 0 ? v(h.max) : .null),
      ])
    }
    func codes(_ counts: [Int: Int]) -> JSONValue {
      .object(counts.sorted { $0.key < $1.key }.map { (String($0.key), JSONValue.int($0.value)) })
    }
    return .object([
      (
        "sessions",
        .object([
          ("planned", .int(planned)), ("started", .int(t.started)),
          ("completed", .int(t.byStatus["completed"] ?? 0)), ("ended", .int(t.byStatus["ended"] ?? 0)),
          ("failed", .int(t.failed)), ("failures", codes(t.failures)),
        ])
      ),
      ("turns", .int(t.turns)), ("unanswered_turns", .int(t.unanswered)),
      ("time_to_first_token_ms", percentiles(t.firstToken)),
      ("time_to_last_token_ms", percentiles(t.lastToken)),
      ("interrupts", .int(t.interrupts)), ("preemptions", .int(t.preemptions)),
      ("errors_sent", codes(t.errorsSent)), ("scenario_failures", .int(t.scriptsFailed)),
    ])
  }
}
