import Foundation
import Testing
import TwvoiceCore

/// `twvoice codec decode` through the binary.
struct CodecDecodeTests {
  static func capture(frames: Int = 5, skip: Set<Int> = []) -> String {
    (["{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}"]
      + (0..<frames).filter { !skip.contains($0) }.map { k in
        #"{"event":"media","sequenceNumber":"\#(k + 2)","media":{"track":"inbound","chunk":"\#(k + 1)","timestamp":"\#(20 * k)","payload":"\#(Base64.encode([UInt8](repeating: UInt8(k), count: 160)))"},"streamSid":"MZ0123456789abcdef0123456789abcdef"}"#
      }).joined(separator: "\n") + "\n"
  }

  static func le32(_ data: Data, _ at: Int) -> UInt32 {
    data[at..<at + 4].enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * $1.offset) }
  }

  @Test func fileOutputHasExactSizesAndSamples() throws {
    let dir = try TemporaryDirectory.with(["capture.jsonl": Self.capture()])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(["codec", "decode", "capture.jsonl", "-o", "call.wav"], in: dir)
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout.isEmpty)
    #expect(
      r.stderr == "twvoice: capture.jsonl: 5 inbound frames, 0.10 s → call.wav (WAV pcm16 8000 Hz mono)\n")
    let wav = try Data(contentsOf: dir.appendingPathComponent("call.wav"))
    #expect(wav.count == 44 + 800 * 2)
    #expect(Self.le32(wav, 4) == UInt32(36 + 1600))
    #expect(Self.le32(wav, 40) == 1600)
    let first = Int16(bitPattern: UInt16(wav[44]) | UInt16(wav[45]) << 8)
    #expect(first == G711.muLawDecode(0))
    // No temporary file is left beside it.
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["call.wav", "capture.jsonl"])
  }

  @Test(arguments: ["RIFF", "RIFX", "RF64"])
  func aWAVGivenForACaptureIsNamedAsSuch(magic: String) throws {
    // The same sniffer as codec info and stream replay: any WAV variant is a WAV, whatever
    // follows the magic, and nothing is written.
    let wav =
      Data(magic.utf8) + Data(WAVHeader.bytes(format: .twilio, dataLength: 160).dropFirst(4))
      + Data(repeating: 0xFF, count: 160)
    let dir = try TemporaryDirectory.make()
    defer { TemporaryDirectory.remove(dir) }
    try wav.write(to: dir.appendingPathComponent("call.wav"))
    let r = try Twvoice.run(["codec", "decode", "call.wav", "-o", "out.wav"], in: dir)
    #expect(r.status == 65)
    #expect(
      r.stderr
        == "twvoice: error: call.wav: this is a WAV file; codec decode reads Media Streams captures (codec encode turns a WAV into media messages)\n"
    )
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["call.wav"])
    // Through a pipe that hands over one byte at a time, too.
    let piped = try Twvoice.run(
      ["codec", "decode", "-", "-q"], stdin: String(decoding: wav.prefix(4), as: UTF8.self))
    #expect(piped.status == 65, "\(piped)")
    #expect(piped.stdout.isEmpty)
  }

  @Test func pipeOutputHasStreamingSizes() throws {
    let r = try Twvoice.run(["codec", "decode", "-", "--quiet"], stdin: Self.capture())
    #expect(r.status == 0)
    #expect(r.stderr.isEmpty)
    #expect(r.stdoutBytes.count == 44 + 1600)
    #expect(Self.le32(r.stdoutBytes, 4) == 0xFFFF_FFFF && Self.le32(r.stdoutBytes, 40) == 0xFFFF_FFFF)
  }

  @Test func rawMuLawIsThePayloadBytes() throws {
    let r = try Twvoice.run(
      ["codec", "decode", "-", "--raw", "--encoding", "mulaw", "-q"], stdin: Self.capture(frames: 2))
    #expect(Array(r.stdoutBytes) == [UInt8](repeating: 0, count: 160) + [UInt8](repeating: 1, count: 160))
  }

  @Test func stereoAndALawHeaders() throws {
    let dir = try TemporaryDirectory.with(["c.jsonl": Self.capture()])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(
      ["codec", "decode", "c.jsonl", "--track", "both", "--encoding", "alaw", "-o", "s.wav"], in: dir)
    #expect(r.status == 0, "\(r)")
    let wav = try Data(contentsOf: dir.appendingPathComponent("s.wav"))
    #expect(wav[20] == 6 && wav[22] == 2)  // A-law, 2 channels
    #expect(String(decoding: wav[38..<42], as: UTF8.self) == "fact")
    #expect(Self.le32(wav, 42) == 4 && Self.le32(wav, 46) == 800)  // samples per channel
    #expect(wav.count == 58 + 1600)
  }

  @Test func lostFramesAreReported() throws {
    let r = try Twvoice.run(
      ["codec", "decode", "-", "-o", "-"], stdin: Self.capture(frames: 6, skip: [2, 3]))
    #expect(r.status == 0)
    #expect(r.stderr.contains("4 inbound frames, 0.12 s, 1 gap filled (40 ms)"))
  }

  @Test func framesOutOfOrderArePlacedByTimestamp() throws {
    var lines = Self.capture(frames: 8).split(separator: "\n").map(String.init)
    lines.swapAt(3, 4)  // media 2 and 3
    lines.insert(lines[2], at: 7)  // media 1 again, later
    let r = try Twvoice.run(
      ["codec", "decode", "-", "-o", "-", "--encoding", "mulaw", "--raw"],
      stdin: lines.joined(separator: "\n") + "\n")
    #expect(r.status == 0, "\(r)")
    #expect([UInt8](r.stdoutBytes) == (0..<8).flatMap { [UInt8](repeating: UInt8($0), count: 160) })
    #expect(
      r.stderr.contains("8 inbound frames, 0.16 s, 1 late frame put back by timestamp, 1 frame left out"))
    let info = try Twvoice.run(["codec", "info", "-", "--json"], stdin: lines.joined(separator: "\n") + "\n")
    let inbound = try JSONParser.parse(info.stdout)["tracks"]?["inbound"]
    #expect(inbound?["reordered_frames"]?.intValue == 1 && inbound?["dropped_frames"]?.intValue == 1)
    #expect(inbound?["gaps"]?.intValue == 0)
  }

  @Test func aSessionLogDecodesPastTheBotsInvalidMessages() throws {
    let twilio = Self.capture(frames: 3).split(separator: "\n").dropFirst().enumerated().map { k, line in
      #"{"t":\#(0.02 * Double(k)),"from":"twilio","message":\#(line)}"#
    }
    let sid = "MZ0123456789abcdef0123456789abcdef"
    let bot = [
      #"{"t":0.03,"from":"bot","message":{"event":"media","streamSid":"\#(sid)","media":{"playload":"//8="}}}"#,
      #"{"t":0.035,"from":"bot","message":{"event":"media","streamSid":"\#(sid)","media":{"payload":"@@@"}}}"#,
      #"{"t":0.04,"from":"bot","message":{"event":"media","streamSid":"\#(sid)"}}"#,
    ]
    let log = (twilio[0...1] + bot + twilio[2...]).joined(separator: "\n") + "\n"
    let r = try Twvoice.run(["codec", "decode", "-", "-o", "-", "--encoding", "mulaw", "--raw"], stdin: log)
    #expect(r.status == 0, "\(r)")
    #expect([UInt8](r.stdoutBytes) == (0..<3).flatMap { [UInt8](repeating: UInt8($0), count: 160) })
    #expect(r.stderr.contains("3 invalid bot media messages skipped (Twilio refuses them: 31951)"))
    let info = try Twvoice.run(["codec", "info", "-", "--json"], stdin: log)
    #expect(info.status == 0)
    #expect(try JSONParser.parse(info.stdout)["invalid_bot_messages"]?.intValue == 3)
    // The same message from Twilio's side is the capture's error.
    let broken = log.replacingOccurrences(of: #""from":"bot""#, with: #""from":"twilio""#)
    let refused = try Twvoice.run(["codec", "decode", "-", "-o", "-"], stdin: broken)
    #expect(refused.status == 65)
    #expect(refused.stderr.contains("standard input:3: media message without a payload (media.payload)"))
  }

  @Test func numericCountersAndAnAbsentTrackAreWarnedAbout() throws {
    let numeric = Self.capture(frames: 3).replacingOccurrences(of: #""chunk":"2""#, with: #""chunk":2"#)
    let r = try Twvoice.run(
      ["codec", "decode", "-", "-o", "-", "--raw", "--encoding", "mulaw"], stdin: numeric)
    #expect(r.status == 0 && r.stdoutBytes.count == 3 * 160, "\(r)")
    #expect(
      r.stderr.contains(
        "twvoice: warning: standard input: 1 message with numbers for sequenceNumber, chunk or timestamp; Twilio sends strings"
      ), "\(r)")
    let outbound = try Twvoice.run(
      ["codec", "decode", "-", "-o", "-", "--raw", "--track", "outbound"], stdin: Self.capture(frames: 3))
    #expect(outbound.status == 0 && outbound.stdoutBytes.isEmpty)
    #expect(
      outbound.stderr.contains(
        "twvoice: warning: standard input: no outbound frames (the capture has inbound): the output is empty"),
      "\(outbound)")
  }

  @Test func badPayloadNamesTheLineAndLeavesNoFile() throws {
    var text = Self.capture(frames: 3)
    text += #"{"event":"media","media":{"track":"inbound","timestamp":"60","payload":"not base64!"}}"# + "\n"
    let dir = try TemporaryDirectory.with(["capture.jsonl": text])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(["codec", "decode", "capture.jsonl", "-o", "out.wav"], in: dir)
    #expect(r.status == 65)
    #expect(r.stderr == "twvoice: error: capture.jsonl:5: payload is not valid base64 (media.payload)\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["capture.jsonl"])
  }

  @Test func existingOutputSurvivesAFailedRun() throws {
    let dir = try TemporaryDirectory.with(["bad.jsonl": "{\"event\":\"media\"\n", "out.wav": "keep me"])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(["codec", "decode", "bad.jsonl", "-o", "out.wav"], in: dir)
    #expect(r.status == 65)
    #expect(try String(contentsOf: dir.appendingPathComponent("out.wav"), encoding: .utf8) == "keep me")
  }

  @Test func missingInputIs66() throws {
    let r = try Twvoice.run(["codec", "decode", "nope.jsonl", "-o", "x.wav"])
    #expect(r.status == 66)
    #expect(r.stderr == "twvoice: error: cannot read nope.jsonl: No such file or directory\n")
  }

  @Test func decodeToAnotherRate() throws {
    // 1 s of a 1004 Hz tone, µ-law, in 50 frames.
    let codes = (0..<8000).map {
      G711.muLawEncode(Int16((16383 * sin(2 * Double.pi * 1004 * Double($0) / 8000)).rounded()))
    }
    let lines = (0..<50).map { k in
      #"{"event":"media","media":{"track":"inbound","timestamp":"\#(20 * k)","payload":"\#(Base64.encode(codes[160 * k..<160 * (k + 1)]))"}}"#
    }
    let r = try Twvoice.run(
      ["codec", "decode", "-", "--rate", "16000", "--raw", "-q"], stdin: lines.joined(separator: "\n"))
    #expect(r.status == 0, "\(r)")
    let samples = stride(from: 0, to: r.stdoutBytes.count, by: 2).map {
      Double(Int16(bitPattern: UInt16(r.stdoutBytes[$0]) | UInt16(r.stdoutBytes[$0 + 1]) << 8))
    }
    #expect(samples.count == 16000)
    var ss = 0.0
    var sc = 0.0
    var cc = 0.0
    var ys = 0.0
    var yc = 0.0
    for i in 4000..<12000 {
      let t = 2 * Double.pi * 1004 * Double(i) / 16000
      ss += sin(t) * sin(t)
      sc += sin(t) * cos(t)
      cc += cos(t) * cos(t)
      ys += samples[i] * sin(t)
      yc += samples[i] * cos(t)
    }
    let det = ss * cc - sc * sc
    let a = (ys * cc - yc * sc) / det
    let b = (yc * ss - ys * sc) / det
    #expect(abs(20 * log10((a * a + b * b).squareRoot() / 16383)) < 0.1)
    let wrong = try Twvoice.run(
      ["codec", "decode", "-", "--rate", "16000", "--encoding", "mulaw"], stdin: "")
    #expect(wrong.status == 64)
  }

  @Test func unknownTrackValueIsAUsageError() throws {
    let r = try Twvoice.run(["codec", "decode", "-", "--track", "left"], stdin: "")
    #expect(r.status == 64)
  }

  /// A capture of several MiB, both tracks, with a gap: more blocks than the file reader keeps
  /// ahead and than the writer keeps in flight.
  static func longCapture(frames: Int) -> (text: String, inbound: [UInt8], outbound: [UInt8]) {
    var lines: [String] = []
    var inbound: [UInt8] = []
    var outbound: [UInt8] = []
    for k in 0..<frames where k % 997 != 500 {  // every 997th frame lost
      for (track, isInbound) in [("inbound", true), ("outbound", false)] {
        let payload = (0..<160).map { UInt8(truncatingIfNeeded: k &* 31 &+ $0 &* (isInbound ? 7 : 13)) }
        lines.append(
          #"{"event":"media","sequenceNumber":"\#(lines.count + 1)","media":{"track":"\#(track)","chunk":"\#(k + 1)","timestamp":"\#(20 * k)","payload":"\#(Base64.encode(payload))"},"streamSid":"MZ0123456789abcdef0123456789abcdef"}"#
        )
      }
    }
    for k in 0..<frames {
      let lost = k % 997 == 500
      inbound +=
        lost
        ? [UInt8](repeating: 0xFF, count: 160)
        : (0..<160).map { UInt8(truncatingIfNeeded: k &* 31 &+ $0 &* 7) }
      outbound +=
        lost
        ? [UInt8](repeating: 0xFF, count: 160)
        : (0..<160).map { UInt8(truncatingIfNeeded: k &* 31 &+ $0 &* 13) }
    }
    return (lines.joined(separator: "\n") + "\n", inbound, outbound)
  }

  @Test func aLongCaptureDecodesTheSameFromAFileAndFromAPipe() throws {
    let capture = Self.longCapture(frames: 12_000)  // about 8 MiB of JSON lines
    let dir = try TemporaryDirectory.with(["capture.jsonl": capture.text])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(
      ["codec", "decode", "capture.jsonl", "--track", "both", "-o", "call.wav", "-q"], in: dir)
    #expect(r.status == 0, "\(r)")
    let wav = [UInt8](try Data(contentsOf: dir.appendingPathComponent("call.wav")))
    #expect(wav.count == 44 + 12_000 * 160 * 4)
    var expected: [UInt8] = []
    expected.reserveCapacity(12_000 * 160 * 4)
    for (l, r) in zip(capture.inbound, capture.outbound) {
      for value in [G711.muLawDecode(l), G711.muLawDecode(r)] {
        expected.append(UInt8(truncatingIfNeeded: UInt16(bitPattern: value)))
        expected.append(UInt8(truncatingIfNeeded: UInt16(bitPattern: value) >> 8))
      }
    }
    #expect(wav.dropFirst(44).elementsEqual(expected))
    let piped = try Twvoice.run(
      ["codec", "decode", "-", "--track", "both", "-o", "-", "-q"], stdin: capture.text)
    #expect(piped.status == 0)
    #expect(piped.stdoutBytes.dropFirst(44).elementsEqual(expected))
    // µ-law out, mono: each input byte once, the lost frames as µ-law silence.
    let mulaw = try Twvoice.run(
      ["codec", "decode", "capture.jsonl", "--encoding", "mulaw", "--raw", "-o", "in.ul", "-q"], in: dir)
    #expect(mulaw.status == 0)
    #expect([UInt8](try Data(contentsOf: dir.appendingPathComponent("in.ul"))) == capture.inbound)
  }

  @Test func aBadLineDeepInALongCaptureLeavesNoOutput() throws {
    var lines = Self.longCapture(frames: 12_000).text.split(separator: "\n", omittingEmptySubsequences: false)
    let bad = lines.count - 40
    lines[bad - 1] = #"{"event":"media","media":{"track":"inbound","timestamp":"1","payload":"!!!!"}}"#
    let dir = try TemporaryDirectory.with(["capture.jsonl": lines.joined(separator: "\n")])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(["codec", "decode", "capture.jsonl", "-o", "call.wav"], in: dir)
    #expect(r.status == 65)
    #expect(r.stderr == "twvoice: error: capture.jsonl:\(bad): payload is not valid base64 (media.payload)\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["capture.jsonl"])
  }
}
