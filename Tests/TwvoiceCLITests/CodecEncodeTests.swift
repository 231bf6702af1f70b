import Foundation
import Testing
import TwvoiceCore

/// `twvoice codec encode` through the binary.
struct CodecEncodeTests {
  static let sid = "MZ0123456789abcdef0123456789abcdef"

  static func pcm16WAV(_ samples: [Int16], rate: Int = 8000, channels: Int = 1) -> Data {
    let format = AudioFormat(encoding: .pcmSigned(bits: 16), channels: channels, sampleRate: rate)
    var bytes = WAVHeader.bytes(format: format, dataLength: samples.count * 2)
    for s in samples { bytes += [UInt8(truncatingIfNeeded: s), UInt8(truncatingIfNeeded: s >> 8)] }
    return Data(bytes)
  }

  static func tone(_ frequency: Double, rate: Int, seconds: Double = 2) -> [Int16] {
    (0..<Int(Double(rate) * seconds)).map {
      Int16((16383 * sin(2 * Double.pi * frequency * Double($0) / Double(rate))).rounded())
    }
  }

  static func directory(_ files: [String: Data]) throws -> URL {
    let dir = try TemporaryDirectory.make()
    for (name, data) in files { try data.write(to: dir.appendingPathComponent(name)) }
    return dir
  }

  /// Amplitude of `frequency` in µ-law bytes at 8 kHz (least-squares fit on the middle half).
  static func level(_ codes: Data, frequency: Double) -> Double {
    let x = codes.map { Double(G711.muLawDecode($0)) }
    let range = x.count / 4..<(3 * x.count / 4)
    var ss = 0.0
    var sc = 0.0
    var cc = 0.0
    var ys = 0.0
    var yc = 0.0
    for i in range {
      let t = 2 * Double.pi * frequency * Double(i) / 8000
      let s = sin(t)
      let c = cos(t)
      ss += s * s
      sc += s * c
      cc += c * c
      ys += x[i] * s
      yc += x[i] * c
    }
    let det = ss * cc - sc * sc
    let a = (ys * cc - yc * sc) / det
    let b = (yc * ss - ys * sc) / det
    return (a * a + b * b).squareRoot()
  }

  @Test func muLawAt8kIsCopiedByteForByte() throws {
    let codes = (0..<1001).map { UInt8(truncatingIfNeeded: $0 * 7) }
    let wav = Data(WAVHeader.bytes(format: .twilio, dataLength: codes.count) + codes + [0])
    let dir = try Self.directory(["in.wav": wav])
    defer { TemporaryDirectory.remove(dir) }
    let raw = try Twvoice.run(["codec", "encode", "in.wav", "--format", "raw", "-o", "out.ul"], in: dir)
    #expect(raw.status == 0, "\(raw)")
    #expect(raw.stderr.contains("copied (already 8 kHz mono µ-law)"))
    #expect(try Data(contentsOf: dir.appendingPathComponent("out.ul")) == Data(codes))
    let same = try Twvoice.run(
      ["codec", "encode", "in.wav", "--format", "wav", "-o", "out.wav", "-q"], in: dir)
    #expect(same.status == 0)
    #expect(try Data(contentsOf: dir.appendingPathComponent("out.wav")) == wav)
  }

  @Test func pcm16At8kIsEncodedExactlyAsG191() throws {
    let all = (0...65535).map { Int16(bitPattern: UInt16($0)) }
    let dir = try Self.directory(["all.wav": Self.pcm16WAV(all)])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(["codec", "encode", "all.wav", "--format", "raw", "-o", "all.ul", "-q"], in: dir)
    #expect(r.status == 0)
    let codes = try Data(contentsOf: dir.appendingPathComponent("all.ul"))
    #expect(Array(codes) == all.map(G711.muLawEncode))
  }

  @Test func messagesHaveTwilioOutboundShape() throws {
    let dir = try Self.directory(["s.wav": Self.pcm16WAV([Int16](repeating: 0, count: 400))])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(
      ["codec", "encode", "s.wav", "--stream-sid", Self.sid, "--mark", "done"], in: dir)
    #expect(r.status == 0, "\(r)")
    let lines = r.stdout.split(separator: "\n").map(String.init)
    let silence = String(repeating: "////", count: 53) + "/w=="
    #expect(lines.count == 4)
    #expect(lines[0] == #"{"event":"media","streamSid":"\#(Self.sid)","media":{"payload":"\#(silence)"}}"#)
    #expect(
      lines[2]
        == #"{"event":"media","streamSid":"\#(Self.sid)","media":{"payload":"\#(Base64.encode([UInt8](repeating: 0xFF, count: 80)))"}}"#
    )
    #expect(lines[3] == #"{"event":"mark","streamSid":"\#(Self.sid)","mark":{"name":"done"}}"#)
    #expect(
      r.stderr == "twvoice: s.wav: 0.05 s of µ-law, 3 payloads, converted from PCM 16-bit, 1 channel(s)\n")
  }

  @Test func payloadsAndFrameSize() throws {
    let dir = try Self.directory(["s.wav": Self.pcm16WAV([Int16](repeating: 0, count: 640))])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(
      ["codec", "encode", "s.wav", "--format", "payloads", "--frame", "40ms", "-q"], in: dir)
    let lines = r.stdout.split(separator: "\n")
    #expect(lines.count == 2)
    #expect(try lines.allSatisfy { try Base64.decode($0).count == 320 })
  }

  @Test func randomStreamSidIsSeedable() throws {
    let dir = try Self.directory(["s.wav": Self.pcm16WAV([1, 2, 3])])
    defer { TemporaryDirectory.remove(dir) }
    let a = try Twvoice.run(["codec", "encode", "s.wav", "--seed", "4", "-q"], in: dir)
    let b = try Twvoice.run(["codec", "encode", "s.wav", "--seed", "4", "-q"], in: dir)
    #expect(a.stdout == b.stdout)
    let sid = try JSONParser.parse(a.stdout.trimmingCharacters(in: .newlines))["streamSid"]?.stringValue ?? ""
    #expect((try? StreamSid.check(sid)) != nil)
  }

  @Test func resamplingKeepsTheToneAndRejectsAliases() throws {
    let dir = try Self.directory([
      "t1004.wav": Self.pcm16WAV(Self.tone(1004, rate: 48000), rate: 48000),
      "t6000.wav": Self.pcm16WAV(Self.tone(6000, rate: 48000), rate: 48000),
      "stereo.wav": Self.pcm16WAV(
        Self.tone(1004, rate: 44100).flatMap { [$0, $0] }, rate: 44100, channels: 2),
    ])
    defer { TemporaryDirectory.remove(dir) }
    for (input, frequency, check) in [
      ("t1004.wav", 1004.0, { (level: Double) in abs(20 * log10(level / 16383)) < 0.1 }),
      ("stereo.wav", 1004.0, { (level: Double) in abs(20 * log10(level / 16383)) < 0.1 }),
      // 6 kHz at 48 kHz would fold to 2 kHz without the anti-alias filter.
      ("t6000.wav", 2000.0, { (level: Double) in level < 16383 * 0.001 }),
    ] {
      let r = try Twvoice.run(["codec", "encode", input, "--format", "raw", "-o", "out.ul", "-q"], in: dir)
      #expect(r.status == 0, "\(r)")
      let codes = try Data(contentsOf: dir.appendingPathComponent("out.ul"))
      #expect(codes.count == 16000)
      #expect(
        check(Self.level(codes, frequency: frequency)), "\(input): \(Self.level(codes, frequency: frequency))"
      )
    }
  }

  @Test func encodeThenDecodeRoundTrips() throws {
    let dir = try Self.directory(["t.wav": Self.pcm16WAV(Self.tone(440, rate: 8000, seconds: 0.5))])
    defer { TemporaryDirectory.remove(dir) }
    let encoded = try Twvoice.run(["codec", "encode", "t.wav", "-q"], in: dir)
    let decoded = try Twvoice.run(
      ["codec", "decode", "-", "--raw", "--encoding", "mulaw", "-q"], stdin: encoded.stdout)
    let direct = try Twvoice.run(["codec", "encode", "t.wav", "--format", "raw", "-q", "-o", "-"], in: dir)
    #expect(decoded.status == 0 && direct.status == 0)
    #expect(decoded.stdoutBytes == direct.stdoutBytes)
    #expect(decoded.stdoutBytes.count == 4000)
  }

  @Test func headersInsideTheAudioAreRefused() throws {
    let inner = Array(Self.pcm16WAV([1, 2, 3, 4, 5, 6, 7, 8]))
    let outer =
      WAVHeader.bytes(
        format: AudioFormat(encoding: .pcmSigned(bits: 16), channels: 1, sampleRate: 8000),
        dataLength: inner.count) + inner
    let mp3 = Array("ID3".utf8) + [4, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 100)
    let dir = try Self.directory(["wavwav.wav": Data(outer), "song.mp3": Data(mp3)])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(["codec", "encode", "wavwav.wav", "-o", "out.jsonl"], in: dir)
    #expect(r.status == 65)
    #expect(
      r.stderr.hasPrefix(
        "twvoice: error: wavwav.wav: the audio data starts with a WAV header (RIFF…WAVE): a WAV inside the WAV"
      ))
    let m = try Twvoice.run(["codec", "encode", "song.mp3", "-o", "out.jsonl"], in: dir)
    #expect(m.status == 65)
    #expect(
      m.stderr
        == "twvoice: error: song.mp3: not a WAV file: it starts with an ID3 tag: this is MP3 data; convert it to WAV first\n"
    )
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["song.mp3", "wavwav.wav"])
  }

  @Test(
    arguments: [
      (
        "zero channels",
        WAVHeader.bytes(
          format: AudioFormat(encoding: .pcmSigned(bits: 16), channels: 1, sampleRate: 8000), dataLength: 4
        ).enumerated().map { $0.offset == 22 ? 0 : $0.element }, "the WAV declares 0 channels"
      ),
      ("truncated header", Array("RIFF".utf8) + [4, 0, 0, 0, 87, 65], "truncated WAV header"),
      (
        "chunk past end", Array("RIFF".utf8) + [100, 0, 0, 0] + Array("WAVELIST".utf8) + [0, 0, 0, 0x7F],
        "chunk 'LIST' claims 2130706432 bytes but the file ends after 0"
      ),
      ("no data", Array(WAVHeader.bytes(format: .twilio, dataLength: 0).prefix(50)), "no 'data' chunk"),
    ] as [(String, [UInt8], String)])
  func malformedWAVsThroughTheBinary(name: String, bytes: [UInt8], message: String) throws {
    let dir = try Self.directory(["bad.wav": Data(bytes)])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(["codec", "encode", "bad.wav", "-o", "out.jsonl"], in: dir)
    #expect(r.status == 65, "\(name): \(r)")
    #expect(r.stderr == "twvoice: error: bad.wav: \(message)\n", "\(name)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["bad.wav"])
  }

  @Test func oddMuLawWAVToAPipeHasItsPadByte() throws {
    let dir = try Self.directory(["s.wav": Self.pcm16WAV([1, 2, 3])])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(["codec", "encode", "s.wav", "--format", "wav", "-q", "-o", "-"], in: dir)
    #expect(r.stdoutBytes.count == 58 + 3 + 1)
  }

  @Test func usageAndInputErrors() throws {
    let dir = try Self.directory(["s.wav": Self.pcm16WAV([0]), "text.txt": Data("hello".utf8)])
    defer { TemporaryDirectory.remove(dir) }
    #expect(try Twvoice.run(["codec", "encode", "nope.wav"], in: dir).status == 66)
    let text = try Twvoice.run(["codec", "encode", "text.txt"], in: dir)
    #expect(text.status == 65)
    #expect(text.stderr == "twvoice: error: text.txt: not a WAV file: it starts with 'hell', not 'RIFF'\n")
    #expect(try Twvoice.run(["codec", "encode", "s.wav", "--stream-sid", "MZ1"], in: dir).status == 64)
    #expect(
      try Twvoice.run(["codec", "encode", "s.wav", "--format", "raw", "--mark", "x"], in: dir).status == 64)
    #expect(try Twvoice.run(["codec", "encode", "s.wav", "--frame", "0ms"], in: dir).status == 64)
  }
}
