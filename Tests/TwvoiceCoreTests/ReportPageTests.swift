import Testing
import TwvoiceCore

/// The report page's model and size, from session log lines.
struct ReportPageTests {
  static func media(_ t: Double, from: String, _ bytes: [UInt8]) -> String {
    let track = from == "twilio" ? #""track":"inbound","# : ""
    return
      #"{"t":\#(format3(t)),"from":"\#(from)","message":{"event":"media","streamSid":"MZ1","media":{\#(track)"payload":"\#(Base64.encode(bytes))"}}}"#
  }

  static let loud = [UInt8](repeating: G711.muLawEncode(12_000), count: 160)

  @Test func theBotIsDrawnAsHeardAndAClearDropsWhatWasQueued() {
    // 2 s of bot audio arrives at once at 1 s; a clear at 1.5 s drops the last 1.5 s of it.
    let lines = [
      Self.media(1.0, from: "bot", [UInt8](repeating: G711.muLawEncode(12_000), count: 16_000)),
      #"{"t":1.500,"from":"bot","message":{"event":"clear","streamSid":"MZ1"}}"#,
    ]
    let t = CallTimeline.build(lines: lines)
    let voicedBins = t.botLevels.indices.filter { t.botLevels[$0] > 0 }
    #expect(voicedBins.first == 50 && voicedBins.last == 74)  // 1.0 s to 1.5 s, in 20 ms bins
    let clear = t.events.first { $0.kind == .clear }
    #expect(clear?.endMs == 3_000 && clear?.detail == "clear: 1500 ms of buffered audio dropped")
  }

  @Test func aTenMinuteCallIsUnderTwoMegabytes() {
    var lines: [String] = []
    for frame in 0..<30_000 {
      let t = Double(frame) * 0.02
      lines.append(
        Self.media(t, from: "twilio", frame % 150 < 75 ? Self.loud : [UInt8](repeating: 0xFF, count: 160)))
      if frame % 150 == 100 {
        lines.append(Self.media(t, from: "bot", [UInt8](repeating: G711.muLawEncode(9_000), count: 8_000)))
        lines.append(
          #"{"t":\#(format3(t)),"from":"bot","message":{"event":"mark","streamSid":"MZ1","mark":{"name":"m\#(frame)"}}}"#
        )
        lines.append(
          #"{"t":\#(format3(t + 1)),"from":"twilio","message":{"event":"mark","streamSid":"MZ1","mark":{"name":"m\#(frame)"}}}"#
        )
      }
    }
    let timeline = CallTimeline.build(lines: lines)
    #expect(timeline.durationMs >= 600_000)
    #expect(timeline.events.filter { $0.kind == .markSent }.count == 200)
    #expect(timeline.replyLatencies.count >= 190)
    // A turn every 3 s from each side: 200 stretches of speech each.
    #expect(timeline.events.filter { $0.kind == .callerSpeech }.count == 200)
    #expect(timeline.events.filter { $0.kind == .botSpeech }.count == 200)
    let page = ReportPage.html(timeline)
    #expect(page.utf8.count < 2_000_000, "\(page.utf8.count) bytes")
  }

  @Test func aFloodOfMarksCostsACountNotAPage() {
    let lines = (0..<20_000).map {
      #"{"t":\#(format3(Double($0) / 1000)),"from":"bot","message":{"event":"mark","streamSid":"MZ1","mark":{"name":"m\#($0)"}}}"#
    }
    let timeline = CallTimeline.build(lines: lines)
    #expect(timeline.events.filter { $0.kind == .markSent }.count == CallTimeline.keptPerKind)
    #expect(timeline.dropped[.markSent] == 20_000 - CallTimeline.keptPerKind)
    #expect(
      ReportPage.html(timeline).contains(
        "Not drawn (over \(CallTimeline.keptPerKind) of a kind): 15000 mark-sent"))
  }

  @Test func textIsEscapedForElementsAttributesAndScripts() {
    #expect(HTML.escape(#"<a href="x">&'"# + "\u{07}") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;\u{FFFD}")
    #expect(HTML.scriptJSON(.string("</script><!--\u{2028}")) == #""\u003c/script\u003e\u003c!--\u2028""#)
  }
}
