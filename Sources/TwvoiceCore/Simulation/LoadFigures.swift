/// The figures of many calls to one bot (`stream replay --calls N`), kept so that they merge
/// exactly: counts add, latencies are histograms (never lists of samples), so a summary costs the
/// same for ten calls or a million, and the summaries of several processes or machines
/// (`--shard K/N`) combine into the one a single process would have written.
public struct LoadFigures: Sendable, Equatable {
  /// Calls whose connection was attempted.
  public var started = 0
  /// Calls that ran to their end, or that the bot ended normally.
  public var completed = 0
  /// Calls that failed, by reason: a Twilio error code ("31902"), or "cancelled" for calls a
  /// signal stopped before their stream opened.
  public var failures: [String: Int] = [:]
  /// Protocol violations the bots committed, by Twilio code, over all calls.
  public var warnings: [Int: Int] = [:]
  /// Calls in which the bot showed each finding (`BotBehaviour.Kind`: talk-over, underrun, …).
  public var findings: [String: Int] = [:]
  /// From the end of each caller utterance to the bot's first audio after it (ms).
  public var responseLatency = LatencyHistogram()
  /// How late each media frame left after its scheduled time (ms).
  public var sendLateness = LatencyHistogram()
  /// Memory the calls took, measured by the process (kB per call at the busiest moment), with
  /// the number of calls it was measured over, so that merged figures weigh each process by it.
  public var memoryPerCallKB: Double?
  public var memoryCalls = 0
  /// Session time per real time; figures with different speeds do not merge.
  public var speed: Double

  public init(speed: Double = 1) { self.speed = speed }

  /// Calls that did not complete.
  public var failed: Int { failures.values.reduce(0, +) }

  /// One call as it ended: its session, and why it failed (nil: it completed).
  public mutating func add(_ session: StreamSession, failure: String?) {
    started += 1
    if let failure { failures[failure, default: 0] += 1 } else { completed += 1 }
    for (code, n) in session.warningCodes { warnings[code, default: 0] += n }
    for kind in Set(session.behaviour.findings.map(\.kind.rawValue)) { findings[kind, default: 0] += 1 }
    for latency in session.latencies() { responseLatency.record(latency) }
    sendLateness.merge(session.frameLateness)
  }

  /// Figures that cannot be combined.
  public struct MergeError: Error, Equatable, CustomStringConvertible {
    public var description: String
  }

  /// Adds `other`'s calls to these.
  public mutating func merge(_ other: LoadFigures) throws(MergeError) {
    guard other.speed == speed else {
      throw MergeError(
        description: "the runs used different --speed (\(format3(speed)) and \(format3(other.speed)))")
    }
    started += other.started
    completed += other.completed
    for (reason, n) in other.failures { failures[reason, default: 0] += n }
    for (code, n) in other.warnings { warnings[code, default: 0] += n }
    for (kind, n) in other.findings { findings[kind, default: 0] += n }
    responseLatency.merge(other.responseLatency)
    sendLateness.merge(other.sendLateness)
    switch (memoryPerCallKB, other.memoryPerCallKB) {
    case (let a?, let b?):
      let total = memoryCalls + other.memoryCalls
      memoryPerCallKB =
        total > 0 ? (a * Double(memoryCalls) + b * Double(other.memoryCalls)) / Double(total) : a
      memoryCalls = total
    case (nil, let b?):
      memoryPerCallKB = b
      memoryCalls = other.memoryCalls
    default:
      break
    }
  }

  // MARK: JSON

  /// The summary: counts, percentiles, and the histograms' buckets that `init(json:)` reads back.
  public var json: JSONValue {
    func ms(_ v: Double?) -> JSONValue { v.map { .number(format3($0)) } ?? .null }
    func histogram(_ h: LatencyHistogram) -> JSONValue {
      .object([
        ("count", .int(h.count)), ("max", .number(format3(h.max))),
        ("buckets", .array(h.nonEmptyBuckets.map { .array([.int($0.index), .int($0.count)]) })),
      ])
    }
    let r = responseLatency
    let s = sendLateness
    return .object([
      (
        "calls",
        .object([
          ("started", .int(started)), ("completed", .int(completed)), ("failed", .int(failed)),
          ("failures", .object(failures.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
        ])
      ),
      ("clock", .string(speed == 1 ? "real" : "session")), ("speed", .number(format3(speed))),
      (
        "response_latency_ms",
        .object([
          ("count", .int(r.count)), ("p50", ms(r.percentile(0.5))), ("p95", ms(r.percentile(0.95))),
          ("p99", ms(r.percentile(0.99))), ("max", ms(r.count > 0 ? r.max : nil)),
        ])
      ),
      (
        "send_lateness_ms",
        .object([
          ("frames", .int(s.count)), ("p50", ms(s.percentile(0.5))), ("p99", ms(s.percentile(0.99))),
          ("max", ms(s.count > 0 ? s.max : nil)),
        ])
      ),
      ("warnings", .object(warnings.sorted { $0.key < $1.key }.map { (String($0.key), .int($0.value)) })),
      ("findings", .object(findings.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
      ("memory_per_call_kb", memoryPerCallKB.map { .number(format3($0)) } ?? .null),
      ("memory_calls", .int(memoryCalls)),
      (
        "histograms",
        .object([("response_latency_ms", histogram(r)), ("send_lateness_ms", histogram(s))])
      ),
    ])
  }

  /// A member that is not what a summary holds, named by its path.
  public struct FieldError: Error, Equatable, CustomStringConvertible {
    public var field: String
    public var problem: String
    public init(field: String, problem: String) {
      self.field = field
      self.problem = problem
    }
    public var description: String { "\(field): \(problem)" }
  }

  /// Reads a summary `json` wrote (the percentiles are recomputed from the histograms).
  public init(json value: JSONValue) throws(FieldError) {
    func member(_ path: String) -> JSONValue? {
      var v: JSONValue? = value
      for key in path.split(separator: ".") { v = v?[String(key)] }
      return v
    }
    func count(_ path: String) throws(FieldError) -> Int {
      guard let n = member(path)?.intValue, n >= 0 else {
        throw FieldError(field: path, problem: "expected a count (an integer ≥ 0)")
      }
      return n
    }
    func number(_ path: String) throws(FieldError) -> Double {
      guard let d = member(path)?.doubleValue, d.isFinite, d >= 0 else {
        throw FieldError(field: path, problem: "expected a number ≥ 0")
      }
      return d
    }
    func counts(_ path: String) throws(FieldError) -> [(String, Int)] {
      guard let members = member(path)?.members else {
        throw FieldError(field: path, problem: "expected an object of counts")
      }
      var out: [(String, Int)] = []
      for (key, v) in members {
        guard let n = v.intValue, n >= 0 else {
          throw FieldError(field: "\(path).\(key)", problem: "expected a count (an integer ≥ 0)")
        }
        out.append((key, n))
      }
      return out
    }
    func histogram(_ path: String) throws(FieldError) -> LatencyHistogram {
      guard let items = member("\(path).buckets")?.arrayValue else {
        throw FieldError(field: "\(path).buckets", problem: "expected a list of [index, count] pairs")
      }
      var parts: [(index: Int, count: Int)] = []
      for (k, item) in items.enumerated() {
        guard let index = item[0]?.intValue, let n = item[1]?.intValue, item.arrayValue?.count == 2 else {
          throw FieldError(field: "\(path).buckets[\(k)]", problem: "expected [index, count]")
        }
        parts.append((index, n))
      }
      guard
        let h = LatencyHistogram(
          count: try count("\(path).count"), max: try number("\(path).max"), buckets: parts)
      else {
        throw FieldError(
          field: path,
          problem:
            "the buckets do not add up to count, or an index is outside 0…\(LatencyHistogram.bucketCount - 1)"
        )
      }
      return h
    }
    speed = try number("speed")
    guard speed > 0 else { throw FieldError(field: "speed", problem: "expected a number > 0") }
    started = try count("calls.started")
    completed = try count("calls.completed")
    for (reason, n) in try counts("calls.failures") where n > 0 { failures[reason] = n }
    guard completed + failed == started else {
      throw FieldError(field: "calls", problem: "completed and failures do not add up to started")
    }
    for (code, n) in try counts("warnings") {
      guard let c = Int(code) else {
        throw FieldError(field: "warnings.\(code)", problem: "expected a Twilio error code as the key")
      }
      if n > 0 { warnings[c] = n }
    }
    // Summaries written before findings were counted have none.
    if member("findings") != nil {
      for (kind, n) in try counts("findings") where n > 0 { findings[kind] = n }
    }
    responseLatency = try histogram("histograms.response_latency_ms")
    sendLateness = try histogram("histograms.send_lateness_ms")
    if let memory = member("memory_per_call_kb"), memory != .null {
      memoryPerCallKB = try number("memory_per_call_kb")
      memoryCalls = try count("memory_calls")
    }
  }
}
