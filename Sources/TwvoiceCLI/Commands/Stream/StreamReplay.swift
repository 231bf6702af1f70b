import ArgumentParser
import TwvoiceCore
import TwvoiceNet

/// `twvoice stream replay`: connect to a bot as Twilio does, speak into it in real time, play
/// back what it sends as a phone would, and record and measure the conversation.
struct StreamReplay: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "replay",
    abstract: "Connect to a Media Streams server as Twilio does and replay a WAV, a capture or silence.",
    discussion: """
      Sends connected, start, media every 20 ms on an absolute schedule, dtmf, mark echoes and \
      stop, exactly as Twilio does; plays the bot's media at 8,000 bytes per second, echoes \
      marks when their audio has played (at once when nothing is buffered), and on clear drops \
      the buffered audio and echoes every pending mark. Everything the bot sends is checked and \
      reported with the code Twilio would log (31950, 31951, 31924, 31931).

      Examples:
        twvoice stream replay hello.wav --url ws://localhost:8080/ws --record call.wav
        twvoice stream replay capture.jsonl --url wss://bot.example.com/ws --auth-token-env
        twvoice stream replay --silence 5s --url ws://localhost:8080/ws --dtmf 1@2s --fast --json

      Exit status: 0 the call ran to its end; 1 the stream failed (refused 31920, unreachable \
      31901/31902/31904, TLS 31910, closed early 31921, broken 31903), or --strict and the bot \
      broke the protocol; 64 usage; 65 unreadable input; 66 input missing; 74 output error. \
      Whatever was recorded is kept in every case.
      """
  )

  @Argument(
    help: "A WAV file or a Media Streams capture (its inbound audio and DTMF are re-sent with their timing).",
    completion: .file())
  var input: String?

  @Option(help: "The bot's WebSocket URL: wss://… (as Twilio dials) or ws://… for a local test.")
  var url: String

  @Option(help: "Send this much silence instead of an input, e.g. 10s.")
  var silence: String?

  @Option(
    name: .customLong("param"),
    help: ArgumentHelp("start.customParameters entry (repeatable).", valueName: "name=value"))
  var params: [String] = []

  @Option(
    name: .customLong("dtmf"),
    help: ArgumentHelp("A key press at a time, e.g. 5@2.5s (repeatable).", valueName: "digit@time"))
  var dtmf: [String] = []

  @Option(name: .customLong("stream-sid"), help: "streamSid (MZ…). Default: random.")
  var streamSid: String?
  @Option(name: .customLong("call-sid"), help: "callSid (CA…). Default: random.")
  var callSid: String?
  @Option(
    name: .customLong("account-sid"), help: "accountSid (AC…). Default: $TWILIO_ACCOUNT_SID, else random.")
  var accountSid: String?
  @Option(help: "Seed for the random SIDs.")
  var seed: UInt64?

  @Flag(help: "Act as a <Start><Stream> (one way): the bot must send nothing.")
  var unidirectional = false
  @Option(help: "With --unidirectional: inbound_track, outbound_track or both_tracks.")
  var track: String?

  @Option(help: "Run the session this many times faster than real time.")
  var speed: Double = 1
  @Flag(help: "As fast as possible (1000× real time): for CI.")
  var fast = false
  @Option(help: "After the input ends and the bot's audio has played, stay on the line this long.")
  var tail: String = "2s"
  @Option(name: .customLong("hangup-after"), help: "Hang up after this long whatever happens.")
  var hangupAfter: String?

  @Option(
    name: .customLong("auth-token"),
    help:
      "Sign the upgrade with X-Twilio-Signature. Default: $TWILIO_AUTH_TOKEN. Visible in ps: prefer the variable."
  )
  var authToken: String?
  @Flag(help: "Do not verify the server's TLS certificate.")
  var insecure = false
  @Option(name: .customLong("connect-timeout"), help: "Seconds to wait for the connection.")
  var connectTimeout: Int = 10

  @Option(
    help: "Write the conversation as the caller heard it: stereo WAV, left caller, right bot.",
    completion: .file(extensions: ["wav"]))
  var record: String?
  @Option(
    help: "Write every message both ways with its time, as JSON lines.",
    completion: .file(extensions: ["jsonl"]))
  var log: String?
  @Flag(help: "Print the summary as JSON.")
  var json = false
  @Flag(help: "Exit 1 when the bot broke the protocol.")
  var strict = false
  @Flag(name: .shortAndLong, help: "No progress line and no text summary.")
  var quiet = false

  func validate() throws {
    if (input == nil) == (silence == nil) {
      throw ValidationError("Give an INPUT file or --silence DURATION (one of them).")
    }
    if track != nil && !unidirectional {
      throw ValidationError(
        "--track goes with --unidirectional (<Connect> streams carry the inbound track only).")
    }
    if let track, !["inbound_track", "outbound_track", "both_tracks"].contains(track) {
      throw ValidationError(
        "--track must be inbound_track, outbound_track or both_tracks (Twilio error 31941).")
    }
    guard speed > 0, speed <= 10000 else { throw ValidationError("--speed must be between 0 and 10000.") }
    for (name, sid, check) in [
      ("--stream-sid", streamSid, StreamSid.check), ("--call-sid", callSid, CallSid.check),
      ("--account-sid", accountSid, AccountSid.check),
    ] as [(String, String?, (String) throws(SidError) -> Void)] {
      if let sid { do { try check(sid) } catch { throw ValidationError("\(name): \(error)") } }
    }
  }

  func run() throws {
    let environment = SystemIO.environment()
    var random = seed.map { TwvoiceRandom(seed: $0) } ?? TwvoiceRandom()
    let target: StreamReplayClient.Target
    do { target = try .init(url: url) } catch { throw TwvoiceError(.usage, error.description) }
    let caller = try loadInput()
    let configuration = StreamSession.Configuration(
      accountSid: accountSid ?? environment[EnvironmentVariable.accountSid].flatMap {
        (try? AccountSid.check($0)) != nil ? $0 : nil
      } ?? AccountSid.random(using: &random).rawValue,
      callSid: callSid ?? CallSid.random(using: &random).rawValue,
      streamSid: streamSid ?? StreamSid.random(using: &random).rawValue,
      customParameters: try params.map {
        let (k, v) = try keyValue($0, option: "--param")
        return (name: k, value: v)
      },
      bidirectional: !unidirectional,
      tracks: unidirectional ? Self.declaredTracks(track) : ["inbound"],
      tailMs: try milliseconds(tail, "--tail"),
      hangupAfterMs: try hangupAfter.map { try milliseconds($0, "--hangup-after") })
    // Output files are opened first: a path that cannot be written fails before the call.
    let recordFile = try record.map { try OutputFile(path: $0) }
    let logFile = try log.map { try OutputFile(path: $0, binary: false) }

    let client = StreamReplayClient(
      target: target,
      options: .init(
        authToken: authToken ?? environment[EnvironmentVariable.authToken], insecure: insecure,
        speed: fast ? 1000 : speed,
        connectTimeoutSeconds: Int64(connectTimeout)))
    Interrupt.install()
    client.stopRequested = { Interrupt.isRequested }
    let showProgress = !quiet && !json && Terminal.isTerminal(2)
    if showProgress {
      client.onProgress = { session in ReplayProgress.show(session) }
    }
    let (session, outcome) = client.run(StreamSession(configuration: configuration, input: caller))
    if showProgress { ReplayProgress.clear() }

    if let recordFile {
      let stereo = session.stereoRecording()
      var pcm = WAVHeader.bytes(
        format: AudioFormat(encoding: .pcmSigned(bits: 16), channels: 2, sampleRate: 8000),
        dataLength: stereo.count * 2)
      let table = G711.decodeTable(.muLaw)
      pcm.reserveCapacity(pcm.count + stereo.count * 2)
      for code in stereo {
        let v = UInt16(bitPattern: table[Int(code)])
        pcm.append(UInt8(v & 0xFF))
        pcm.append(UInt8(v >> 8))
      }
      try recordFile.write(pcm)
      try recordFile.commit()
    }
    if let logFile {
      try logFile.write(Array(ReplayLog.lines(session).utf8))
      try logFile.commit()
    }
    let summary = ReplaySummary(session: session, outcome: outcome)
    if json {
      Terminal.write(JSONWriter(style: .pretty, asciiOnly: false).string(summary.json) + "\n")
    } else if !quiet {
      Terminal.diagnostic(summary.text)
    }
    switch outcome {
    case .completed:
      if strict && !session.violations.isEmpty {
        Terminal.error(
          "the bot broke the Media Streams protocol \(session.violations.count) time(s) (--strict)")
        throw ExitCode(FailureKind.checkFailed.rawValue)
      }
    case .serverClosed(let code):
      Terminal.error(
        "\(url): the server closed the stream before the call ended\(code.map { " (close code \($0))" } ?? "") (Twilio error 31921)"
      )
      throw ExitCode(FailureKind.checkFailed.rawValue)
    case .failed(let error):
      Terminal.error(error.description)
      throw ExitCode(FailureKind.checkFailed.rawValue)
    }
  }

  static func declaredTracks(_ track: String?) -> [String] {
    switch track {
    case "outbound_track": ["outbound"]
    case "both_tracks": ["inbound", "outbound"]
    default: ["inbound"]
    }
  }

  private func milliseconds(_ text: String, _ option: String) throws -> Int {
    do {
      let d = try DurationText.parse(text)
      return Int(d.components.seconds) * 1000 + Int(d.components.attoseconds / 1_000_000_000_000_000)
    } catch { throw ValidationError("\(option): \(error)") }
  }

  /// The caller's audio and DTMF from INPUT (a WAV or a capture) or --silence.
  private func loadInput() throws -> StreamSession.CallerInput {
    var presses: [(digit: String, atMs: Int)] = []
    for spec in dtmf {
      guard let (digit, time) = spec.splitOnce(at: "@"), digit.count == 1, "0123456789*#ABCD".contains(digit)
      else {
        throw ValidationError("--dtmf '\(spec)': expected DIGIT@TIME, e.g. 5@2s (digits 0-9, *, #, A-D)")
      }
      presses.append((digit, try milliseconds(time, "--dtmf")))
    }
    if let silence {
      let ms = try milliseconds(silence, "--silence")
      return .init(audio: [UInt8](repeating: G711.muLawSilence, count: ms * 8), dtmf: presses)
    }
    guard let input else { return .init(audio: []) }
    var source = try PrefixedSource.open(input)
    defer { source.rest.close() }
    let first = source.prefix
    if first.starts(with: "RIFF".utf8) {
      let header: WAVHeader
      do { header = try WAVHeader.read(from: &source) } catch let error as WAVError {
        throw TwvoiceError(.dataError, "\(SystemIO.displayName(input)): \(error)")
      }
      var encoder = MediaEncoder(
        inputFormat: header.format, outputFormat: .raw, frameBytes: 160, streamSid: "")
      var audio: [UInt8] = []
      do {
        try source.forEachBlock(limit: header.dataLength ?? .max) { try encoder.feed($0, into: &audio) }
        try encoder.finish(mark: nil, into: &audio)
      } catch let error as MediaEncoder.ContainerError {
        throw TwvoiceError(.dataError, "\(SystemIO.displayName(input)): \(error)")
      }
      return .init(audio: audio, dtmf: presses)
    }
    var decoder = CaptureDecoder(input: SystemIO.displayName(input), selection: .inbound, encoding: .mulaw)
    var audio: [UInt8] = []
    do {
      try source.forEachBlock(size: 1 << 20) { block in
        try decoder.feed(block)
        decoder.takeOutput(into: &audio)
      }
      try decoder.finish()
      decoder.takeOutput(into: &audio)
    } catch let error as CaptureError {
      throw TwvoiceError(.dataError, error.description)
    }
    presses += decoder.summary.dtmf.map { (digit: $0.digit, atMs: $0.atMs) }
    return .init(audio: audio, dtmf: presses)
  }
}
