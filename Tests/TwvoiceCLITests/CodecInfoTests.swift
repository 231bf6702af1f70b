import Foundation
import Testing
import TwvoiceCore

/// `twvoice codec info` through the binary.
struct CodecInfoTests {
  static func media(_ seq: Int, _ track: String, _ k: Int, code: UInt8) -> String {
    #"{"event":"media","sequenceNumber":"\#(seq)","media":{"track":"\#(track)","chunk":"\#(k + 1)","timestamp":"\#(20 * k)","payload":"\#(Base64.encode([UInt8](repeating: code, count: 160)))"},"streamSid":"MZ0123456789abcdef0123456789abcdef"}"#
  }

  /// 3 s inbound: loud (µ-law 0x80, near full scale) for the first second, then silence, with
  /// frames 60–62 lost; outbound from 1 s to 2 s; a DTMF digit and a mark.
  static var capture: String {
    var lines = [#"{"event":"connected","protocol":"Call","version":"1.0.0"}"#]
    var seq = 2
    for k in 0..<150 where !(60...62).contains(k) {
      lines.append(media(seq, "inbound", k, code: k < 50 ? 0x80 : 0xFF))
      seq += 1
      if (50..<100).contains(k) {
        lines.append(media(seq, "outbound", k, code: 0x90))
        seq += 1
      }
    }
    lines.append(
      ##"{"event":"dtmf","streamSid":"MZ1","sequenceNumber":"\##(seq)","dtmf":{"track":"inbound_track","digit":"#"}}"##
    )
    lines.append(#"{"event":"mark","streamSid":"MZ1","sequenceNumber":"\#(seq + 1)","mark":{"name":"bye"}}"#)
    return lines.joined(separator: "\n") + "\n"
  }

  @Test func captureReportAsJSON() throws {
    let r = try Twvoice.run(["codec", "info", "-", "--json"], stdin: Self.capture)
    #expect(r.status == 0, "\(r)")
    let report = try JSONParser.parse(r.stdout)
    #expect(report["kind"]?.stringValue == "capture")
    #expect(report["duration_s"] == .number("3.000"))
    let inbound = try #require(report["tracks"]?["inbound"])
    #expect(inbound["frames"]?.intValue == 147)
    #expect(inbound["gaps"]?.intValue == 1 && inbound["gap_ms"]?.intValue == 60)
    #expect(inbound["gap_list"] == .array([.object([("at_ms", .int(1200)), ("length_ms", .int(60))])]))
    #expect(inbound["level"]?["meter"]?.stringValue == "█  ")
    let outbound = try #require(report["tracks"]?["outbound"])
    #expect(outbound["frames"]?.intValue == 47)
    #expect(outbound["level"]?["meter"]?.stringValue?.count == 3)
    #expect(report["dtmf"] == .array([.object([("digit", .string("#")), ("line", .int(196))])]))
    #expect(report["events"]?["media"]?.intValue == 194)
    #expect(report["marks"] == .array([.object([("name", .string("bye")), ("line", .int(197))])]))
  }

  @Test func captureReportForPeople() throws {
    let r = try Twvoice.run(["codec", "info", "-"], stdin: Self.capture)
    let lines = r.stdout.split(separator: "\n").map {
      $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
    #expect(
      lines.contains("inbound 147 frames, 23520 bytes, 1 gap filled (60 ms)"))
    #expect(lines.contains("gaps at 1.20 s (60 ms)"))
    #expect(lines.contains("meter |█ | 1 s per column"))
    #expect(lines.contains("dtmf # (line 196)"))
    #expect(lines.contains("marks bye (line 197)"))
  }

  @Test func wavReport() throws {
    var samples: [Int16] = (0..<16000).map { $0 < 8000 ? Int16(16384 * sin(Double($0) * 0.3)) : 0 }
    samples += [Int16](repeating: 0, count: 8000)
    var bytes = WAVHeader.bytes(
      format: AudioFormat(encoding: .pcmSigned(bits: 16), channels: 1, sampleRate: 8000),
      dataLength: samples.count * 2)
    for s in samples { bytes += [UInt8(truncatingIfNeeded: s), UInt8(truncatingIfNeeded: s >> 8)] }
    let dir = try TemporaryDirectory.make()
    defer { TemporaryDirectory.remove(dir) }
    try Data(bytes).write(to: dir.appendingPathComponent("a.wav"))
    let r = try Twvoice.run(["codec", "info", "a.wav", "--json"], in: dir)
    let report = try JSONParser.parse(r.stdout)
    #expect(report["kind"]?.stringValue == "wav")
    #expect(report["duration_s"] == .number("3.000"))
    #expect(report["chunks"] == .array([.string("fmt "), .string("data")]))
    #expect(report["level"]?["peak_dbfs"] == .number("-6.0"))
    #expect(report["level"]?["rms_dbfs"] == .number("-13.8"))  // -9.0 over the first of 3 s
    #expect(report["level"]?["meter"]?.stringValue == "▇  ")
    let human = try Twvoice.run(["codec", "info", "a.wav"], in: dir)
    #expect(human.stdout.contains("format    PCM 16-bit, 1 channel(s), 8000 Hz"))
  }

  @Test func longInputsFitTheMeterWidth() throws {
    let lines = (0..<(50 * 200)).map { Self.media($0 + 2, "inbound", $0, code: 0x80) }.joined(separator: "\n")
    let r = try Twvoice.run(["codec", "info", "-", "--json", "--width", "20"], stdin: lines)
    let level = try JSONParser.parse(r.stdout)["tracks"]?["inbound"]?["level"]
    #expect(level?["meter"]?.stringValue?.count == 20)
    #expect(level?["seconds_per_column"]?.intValue == 10)
  }

  @Test func malformedInputIsReported() throws {
    let r = try Twvoice.run(
      ["codec", "info", "-"], stdin: "{\"event\":\"media\",\"media\":{\"payload\":\"%%%%\"}}\n")
    #expect(r.status == 65)
    #expect(r.stderr == "twvoice: error: standard input:1: payload is not valid base64 (media.payload)\n")
  }
}
