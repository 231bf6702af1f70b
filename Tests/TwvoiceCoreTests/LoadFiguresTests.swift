import Testing
import TwvoiceCore

/// The figures of many calls: histograms that merge exactly, summaries that read back, and
/// sessions that hold the same memory at minute 60 as at minute 1.
struct LoadFiguresTests {
  @Test func histogramsMergeToTheHistogramOfAllTheirValues() {
    var rng = SystemRandomNumberGenerator()
    var all = LatencyHistogram()
    var parts = [LatencyHistogram(), LatencyHistogram(), LatencyHistogram()]
    for i in 0..<30_000 {
      let v = Double.random(in: 0..<(i % 7 == 0 ? 5000 : 40), using: &rng)
      all.record(v)
      parts[i % 3].record(v)
    }
    var merged = LatencyHistogram()
    for part in parts { merged.merge(part) }
    #expect(merged == all)
    for p in [0.5, 0.95, 0.99, 1.0] { #expect(merged.percentile(p) == all.percentile(p)) }
    // Rebuilt from its non-empty buckets, a histogram is the same one.
    #expect(LatencyHistogram(count: all.count, max: all.max, buckets: all.nonEmptyBuckets) == all)
    #expect(LatencyHistogram(count: all.count + 1, max: all.max, buckets: all.nonEmptyBuckets) == nil)
    #expect(LatencyHistogram(count: 1, max: 1, buckets: [(LatencyHistogram.bucketCount, 1)]) == nil)
  }

  @Test func aSummaryReadsBackToTheSameFiguresAndMergesByAddition() throws {
    var a = LoadFigures(speed: 1)
    a.started = 7
    a.completed = 5
    a.failures = ["31902": 2]
    a.warnings = [31951: 3]
    a.findings = ["talk-over": 2]
    for v in [1.0, 2.5, 900] { a.responseLatency.record(v) }
    for v in [0.1, 0.2, 7] { a.sendLateness.record(v) }
    a.memoryPerCallKB = 40
    a.memoryCalls = 7
    let back = try LoadFigures(
      json: JSONParser.parse(JSONWriter(style: .pretty, asciiOnly: false).string(a.json)))
    #expect(back.started == 7 && back.completed == 5 && back.failures == ["31902": 2])
    #expect(back.warnings == [31951: 3] && back.responseLatency == a.responseLatency)
    #expect(back.findings == ["talk-over": 2])
    #expect(back.sendLateness == a.sendLateness && back.memoryPerCallKB == 40)

    var b = LoadFigures(speed: 1)
    b.started = 3
    b.completed = 3
    b.sendLateness.record(50)
    b.findings = ["talk-over": 1, "burst": 1]
    b.memoryPerCallKB = 80
    b.memoryCalls = 3
    var merged = a
    try merged.merge(b)
    #expect(merged.started == 10 && merged.completed == 8 && merged.failed == 2)
    #expect(merged.sendLateness.count == 4 && merged.sendLateness.max == 50)
    #expect(merged.findings == ["talk-over": 3, "burst": 1])
    #expect(merged.memoryPerCallKB == 52)  // (40 × 7 + 80 × 3) / 10
    #expect(throws: LoadFigures.MergeError.self) { try merged.merge(LoadFigures(speed: 2)) }
  }

  @Test func countsThatDoNotAddUpAreRefusedByField() throws {
    var a = LoadFigures()
    a.started = 2
    a.completed = 1
    var text = JSONWriter(style: .compact, asciiOnly: false).string(a.json)
    #expect(
      throws: LoadFigures.FieldError(
        field: "calls", problem: "completed and failures do not add up to started")
    ) {
      try LoadFigures(json: JSONParser.parse(text))
    }
    text = text.replacing(#""started":2"#, with: #""started":-1"#)
    #expect(
      throws: LoadFigures.FieldError(field: "calls.started", problem: "expected a count (an integer ≥ 0)")
    ) {
      try LoadFigures(json: JSONParser.parse(text))
    }
  }

  @Test func aCallThatKeepsNoRecordingHoldsOnlyWhatIsStillToPlay() {
    // A bot that talks for two minutes, 20 ms at a time, as the caller listens.
    func run(keeping: Bool) -> StreamSession {
      var session = StreamSessionTests.session(audioMs: 100, tail: 0)
      var configuration = session.configuration
      configuration.keepsRecording = keeping
      configuration.hangupAfterMs = 600_000
      session = StreamSession(configuration: configuration, input: session.input)
      _ = session.open()
      let sid = configuration.streamSid.rawValue
      var t = 0.0
      var k = 0
      while t < 120_000 {
        // Loud frames and quiet ones, so speech is found and ends again.
        let byte: UInt8 = (k / 100) % 2 == 0 ? 0x10 : 0xFF
        let frame = Base64.encode([UInt8](repeating: byte, count: 160))
        _ = session.receive(
          text: #"{"event":"media","streamSid":"\#(sid)","media":{"payload":"\#(frame)"}}"#, at: t)
        _ = session.tick(now: t)
        t += 20
        k += 1
      }
      return session
    }
    let kept = run(keeping: true)
    let lean = run(keeping: false)
    #expect(kept.playout.segments.reduce(0) { $0 + $1.bytes.count } == 120 * 8000)
    #expect(lean.playout.segments.reduce(0) { $0 + $1.bytes.count } <= 8000 + 320)
    // What the caller heard is judged the same either way.
    #expect(lean.botSpeech.framesPushed == kept.botSpeech.framesPushed)
    #expect(lean.botSpeech.segments.count == kept.botSpeech.segments.count)
    #expect(lean.behaviour.findings.map(\.kind) == kept.behaviour.findings.map(\.kind))
  }
}

/// How late frames reach a bot, judged by their own timestamps.
struct ArrivalTimingTests {
  @Test func framesOnScheduleAreNotLateAndALateOneIsLateByItsDelay() {
    var timing = ArrivalTiming()
    // Timestamps from 120 ms, arriving 5 ms after the socket clock's 0 + 20 k ms.
    for k in 0..<50 {
      timing.media(timestampMs: 120 + 20 * k, arrivedAtMs: 5 + 20 * Double(k) + (k == 30 ? 37 : 0))
    }
    #expect(timing.lateness.count == 50)
    #expect(timing.lateness.max == 37)
    #expect((timing.lateness.percentile(0.5) ?? 1) < 0.01)
  }

  @Test func aLateStartIsFoundOutByTheFramesThatComeOnTime() {
    var timing = ArrivalTiming()
    // The first frame is 50 ms late; the rest keep the schedule: from then on they are on time,
    // and a sender that drifts 1 ms a frame is seen drifting.
    timing.media(timestampMs: 0, arrivedAtMs: 50)
    for k in 1..<10 { timing.media(timestampMs: 20 * k, arrivedAtMs: 20 * Double(k)) }
    for k in 10..<20 { timing.media(timestampMs: 20 * k, arrivedAtMs: 20 * Double(k) + Double(k - 9)) }
    #expect(timing.lateness.max == 10)
    #expect(timing.lateness.count == 20)
  }
}

/// The playout's in-place speech check agrees with building the samples.
struct PlayoutSpeechTests {
  @Test func speechInPlaceIsSpeechInTheSamples() {
    var rng = SystemRandomNumberGenerator()
    for _ in 0..<200 {
      var playout = PlayoutBuffer()
      var t = 0.0
      for _ in 0..<Int.random(in: 0...8, using: &rng) {
        t += Double(Int.random(in: 0...60, using: &rng))
        let loud = Bool.random(using: &rng)
        let bytes = (0..<Int.random(in: 1...500, using: &rng)).map { _ in
          loud ? UInt8.random(in: 0...0x30, using: &rng) : UInt8.random(in: 0xF0...0xFF, using: &rng)
        }
        _ = playout.enqueue(bytes, at: t)
        if Int.random(in: 0...5, using: &rng) == 0 { _ = playout.clear(at: t + 10) }
      }
      for _ in 0..<50 {
        let start = Int.random(in: 0...6000, using: &rng)
        #expect(
          playout.isVoiced(from: start, count: 160)
            == SpeechActivity.isVoiced(playout.samples(from: start, count: 160)))
      }
    }
  }
}
