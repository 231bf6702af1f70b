import Foundation
import Testing
import TwvoiceCore
import TwvoiceNet

/// A small voice backend as the seed writes one — a Voice URL that checks the signature and
/// answers TwiML, a WebSocket bot on the same port — and `twvoice call` placing the whole call
/// against it through the built binary.
final class VoiceBackend: @unchecked Sendable {
  struct Hit {
    var method: String
    var path: String
    var parameters: [NamedValue]
    var signatureValid: Bool
    var headers: [(name: String, value: String)]
    func parameter(_ name: String) -> String? { parameters.last { $0.name == name }?.value }
  }

  static let authToken = "0123456789abcdef0123456789abcdef"
  private let lock = NSLock()
  private var _hits: [Hit] = []
  var hits: [Hit] { lock.withLock { _hits } }
  private(set) var bot: TestBot!
  var port: Int { bot.port }
  var base: String { "http://127.0.0.1:\(port)" }

  /// `routes` maps a path (without query) to (status, content type, body); a body may use
  /// `{PORT}` for the backend's port.
  init(
    _ script: TestBot.Script = .closeAfter(12, code: 1000),
    routes: [String: (Int, String?, String)]
  ) throws {
    let backend = self
    bot = try TestBot(
      script,
      http: { request in
        let parts = request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(parts[0])
        let query = parts.count > 1 ? String(parts[1]) : ""
        let body = String(decoding: request.body, as: UTF8.self)
        let parameters = request.method == "POST" ? FormEncoding.decode(body) : FormEncoding.decode(query)
        let url = "http://127.0.0.1:\(backend.port)\(request.uri)"
        let signature = request.header("X-Twilio-Signature") ?? ""
        let valid = TwilioSignature.isValid(
          signature, url: url,
          parameters: request.method == "POST" ? parameters.map { ($0.name, $0.value) } : [],
          authToken: Self.authToken)
        backend.lock.withLock {
          backend._hits.append(
            Hit(
              method: request.method, path: path, parameters: parameters, signatureValid: valid,
              headers: request.headers))
        }
        guard let (status, type, text) = routes[path] else { return .refuse(status: 404, body: "") }
        let filled = text.replacingOccurrences(of: "{PORT}", with: String(backend.port))
        return .respond(
          status: status, headers: type.map { [("Content-Type", $0)] } ?? [], body: Array(filled.utf8))
      })
  }

  func stop() { bot.stop() }
}

struct CallTests {
  static let xml = "text/xml; charset=utf-8"

  /// `speed` nil is `--fast`; a test whose bot must act before the caller hangs up (reply,
  /// close) runs at 20× instead, so the bot's timing does not depend on the machine's load.
  static func call(_ backend: VoiceBackend, _ extra: [String], path: String = "/voice", speed: String? = nil)
    throws
    -> Twvoice.Result
  {
    try Twvoice.run(
      ["call", "--voice-url", backend.base + path] + (speed.map { ["--speed", $0] } ?? ["--fast"])
        + ["--json", "--seed", "7"] + extra,
      environment: ["TWILIO_AUTH_TOKEN": VoiceBackend.authToken])
  }

  static func json(_ r: Twvoice.Result) throws -> JSONValue { try JSONParser.parse(r.stdout) }

  @Test func aWholeCallRunsTheWebhookTheStreamAndTheTwiMLAfterIt() throws {
    let backend = try VoiceBackend(
      routes: [
        "/voice": (
          200, Self.xml,
          #"<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="/ws"><Parameter name="lang" value="en"/></Stream></Connect><Pause length="1"/><Say>bye now</Say></Response>"#
        )
      ])
    defer { backend.stop() }
    let r = try Self.call(
      backend, ["--identity", "alice", "--to", "+15005550006", "--param", "名前=値 & more", "--silence", "1s"],
      speed: "20")
    #expect(r.status == 0, "\(r)")
    let summary = try Self.json(r)
    // The webhook: POST, signed, with a client call's parameters.
    let hit = try #require(backend.hits.first)
    #expect(hit.method == "POST" && hit.path == "/voice")
    #expect(hit.signatureValid)
    #expect(hit.parameter("From") == "client:alice" && hit.parameter("Caller") == "client:alice")
    #expect(hit.parameter("To") == "+15005550006" && hit.parameter("Direction") == "inbound")
    #expect(hit.parameter("CallStatus") == "ringing" && hit.parameter("ApiVersion") == "2010-04-01")
    #expect(hit.parameter("名前") == "値 & more")
    #expect(
      hit.parameter("AccountSid")?.hasPrefix("AC") == true
        && hit.parameter("ApplicationSid")?.hasPrefix("AP") == true)
    #expect(hit.headers.contains { $0.name == "User-Agent" && $0.value == "TwilioProxy/1.1" })
    #expect(hit.headers.contains { $0.name == "I-Twilio-Idempotency-Token" && !$0.value.isEmpty })
    // The stream: dialed at the relative URL, with the call's SIDs and the <Parameter>.
    let start = try #require(backend.bot.messages.first { $0["event"]?.stringValue == "start" })
    #expect(start["start"]?["callSid"]?.stringValue == summary["call_sid"]?.stringValue)
    #expect(start["start"]?["callSid"]?.stringValue == hit.parameter("CallSid"))
    #expect(start["start"]?["customParameters"]?["lang"]?.stringValue == "en")
    #expect(backend.bot.upgrades.first?.uri == "/ws")
    // The bot closed with 1000: TwiML went on after </Connect>.
    #expect(
      summary["verbs"]?.arrayValue?.compactMap { $0["verb"]?.stringValue } == [
        "Connect/Stream", "Pause", "Say",
      ])
    #expect(summary["streams"]?[0]?["outcome"]?.stringValue?.hasPrefix("the bot ended the stream") == true)
    #expect(summary["status"]?.stringValue == "completed")
    #expect(summary["end"]?.stringValue == "the end of the TwiML")
    #expect(summary["requests"]?[0]?["status"]?.intValue == 200)
    #expect(summary["errors"]?.arrayValue?.isEmpty == true)
    #expect(!r.stdout.contains(VoiceBackend.authToken) && !r.stderr.contains(VoiceBackend.authToken))
  }

  @Test func getAppendsTheParametersToTheQueryAndSignsTheWholeURL() throws {
    let backend = try VoiceBackend(routes: [
      "/voice": (200, "application/xml", "<Response><Hangup/></Response>")
    ])
    defer { backend.stop() }
    let r = try Self.call(backend, ["--method", "GET", "--param", "x=1 2"], path: "/voice?app=demo")
    #expect(r.status == 0, "\(r)")
    let hit = try #require(backend.hits.first)
    #expect(hit.method == "GET" && hit.signatureValid)
    #expect(hit.parameter("app") == "demo" && hit.parameter("x") == "1 2" && hit.parameter("CallSid") != nil)
    #expect(try Self.json(r)["end"]?.stringValue == "<Hangup>")
  }

  @Test(arguments: [
    (200, "text/plain", "<Response/>", 12300),
    (200, Self.xml, "<Response><Say>unclosed</Response>", 12100),
    (200, Self.xml, "<Foo/>", 12102),
    (500, Self.xml, "<Response/>", 11200),
    (404, "text/html", "not here", 11200),
  ])
  func aDocumentThatCannotRunEndsTheCallWithTwiliosCode(status: Int, type: String, body: String, code: Int)
    throws
  {
    let backend = try VoiceBackend(routes: ["/voice": (status, type, body)])
    defer { backend.stop() }
    let r = try Self.call(backend, [])
    #expect(r.status == 1, "\(r)")
    let summary = try Self.json(r)
    #expect(summary["errors"]?[0]?["code"]?.intValue == code, "\(r)")
    #expect(summary["status"]?.stringValue == "failed")
    // Without --json: one line naming the code.
    let text = try Twvoice.run(["call", "--voice-url", backend.base + "/voice", "--fast"])
    #expect(text.status == 1)
    #expect(text.stderr.contains("(Twilio error \(code))"), "\(text)")
  }

  @Test func noAnswerIs11205RefusedOrTimedOut() throws {
    // A port nothing listens on.
    let closed = try TestBot(.silent)
    let port = closed.port
    closed.stop()
    let refused = try Twvoice.run([
      "call", "--voice-url", "http://127.0.0.1:\(port)/voice", "--json", "--fast",
    ])
    #expect(refused.status == 1, "\(refused)")
    #expect(try Self.json(refused)["errors"]?[0]?["code"]?.intValue == 11205)
    // A listener that never answers: the webhook timeout, connecting included.
    let silent = try SilentListener()
    defer { silent.close() }
    let start = Date()
    let timedOut = try Twvoice.run([
      "call", "--voice-url", "http://127.0.0.1:\(silent.port)/voice", "--json", "--webhook-timeout", "300ms",
    ])
    #expect(timedOut.status == 1, "\(timedOut)")
    #expect(try Self.json(timedOut)["errors"]?[0]?["code"]?.intValue == 11205)
    #expect(Date().timeIntervalSince(start) < 10)
  }

  @Test func gatherRedirectAndDialRequestTheirActionsWithTwiliosParameters() throws {
    let backend = try VoiceBackend(
      routes: [
        "/voice": (
          200, Self.xml,
          #"<Response><Gather numDigits="3" action="/menu"><Say>Press your code</Say></Gather><Say>never</Say></Response>"#
        ),
        "/menu": (200, Self.xml, #"<Response><Redirect method="GET">/next</Redirect></Response>"#),
        "/next": (200, Self.xml, #"<Response><Dial action="/after"><Client>bob</Client></Dial></Response>"#),
        "/after": (200, Self.xml, #"<Response><Reject reason="busy"/><Say>unreachable</Say></Response>"#),
      ])
    defer { backend.stop() }
    let r = try Self.call(backend, ["--digits", "12345", "--dial-status", "no-answer"])
    #expect(r.status == 0, "\(r)")
    let hits = backend.hits
    #expect(hits.map(\.path) == ["/voice", "/menu", "/next", "/after"])
    #expect(hits.allSatisfy { $0.signatureValid })
    #expect(hits[1].parameter("Digits") == "123" && hits[1].parameter("CallStatus") == "in-progress")
    #expect(hits[2].method == "GET")
    #expect(hits[3].parameter("DialCallStatus") == "no-answer")
    #expect(hits[3].parameter("DialCallSid")?.hasPrefix("CA") == true)
    let summary = try Self.json(r)
    #expect(summary["status"]?.stringValue == "busy")
    let verbs = summary["verbs"]?.arrayValue?.compactMap { $0["verb"]?.stringValue }
    #expect(verbs == ["Gather", "Redirect", "Dial", "Reject"])
  }

  @Test func aGatherWithNoInputFallsThroughAfterItsTimeout() throws {
    let backend = try VoiceBackend(
      routes: [
        "/voice": (200, Self.xml, #"<Response><Gather timeout="3"/><Say>nothing heard</Say></Response>"#)
      ])
    defer { backend.stop() }
    let r = try Self.call(backend, [])
    #expect(r.status == 0, "\(r)")
    let verbs = try Self.json(r)["verbs"]?.arrayValue ?? []
    #expect(verbs.compactMap { $0["verb"]?.stringValue } == ["Gather", "Say"])
    // 3 s of call time passed (session time at --fast).
    #expect((verbs.first?["duration_s"]?.doubleValue ?? 0) >= 2.9)
    #expect(backend.hits.count == 1)
  }

  @Test func aStreamThatCannotConnectIsReportedAndTheTwiMLGoesOn() throws {
    let backend = try VoiceBackend(
      .notFound,
      routes: [
        "/voice": (
          200, Self.xml,
          #"<Response><Connect><Stream url="wss://127.0.0.1:1/nothing"/></Connect><Say>after</Say></Response>"#
        )
      ])
    defer { backend.stop() }
    let r = try Self.call(backend, [])
    #expect(r.status == 1, "\(r)")
    let summary = try Self.json(r)
    #expect(summary["errors"]?[0]?["code"]?.intValue == 31902)
    #expect(
      summary["verbs"]?.arrayValue?.compactMap { $0["verb"]?.stringValue } == ["Connect/Stream", "Say"])
  }

  @Test func aBotThatNeverClosesEndsByTheCallersHangUp() throws {
    let backend = try VoiceBackend(
      .silent,
      routes: [
        "/voice": (
          200, Self.xml,
          #"<Response><Connect><Stream url="ws://127.0.0.1:{PORT}/ws"/></Connect><Say>x</Say></Response>"#
        )
      ])
    defer { backend.stop() }
    let r = try Self.call(backend, ["--silence", "2s", "--tail", "1s"])
    #expect(r.status == 0, "\(r)")
    let summary = try Self.json(r)
    #expect(summary["end"]?.stringValue == "the caller hung up")
    #expect(summary["verbs"]?.arrayValue?.count == 1)
    #expect(backend.bot.waitForMessage(containing: #""event":"stop""#))
  }

  @Test func aQueryOnTheStreamURLIsDroppedWithAWarning() throws {
    let backend = try VoiceBackend(
      routes: [
        "/voice": (
          200, Self.xml, #"<Response><Connect><Stream url="/ws?token=s3cret"/></Connect></Response>"#
        )
      ])
    defer { backend.stop() }
    let r = try Self.call(backend, ["--silence", "1s"])
    #expect(r.status == 0, "\(r)")
    #expect(backend.bot.upgrades.first?.uri == "/ws")
    #expect(!r.stdout.contains("s3cret"))
    let warning = try Self.json(r)["errors"]?[0]
    #expect(warning?["level"]?.stringValue == "warning")
  }

  @Test(arguments: [
    ["--voice-url", "ftp://x/voice"], ["--voice-url", "http://127.0.0.1:1/v", "--dial-status", "maybe"],
    ["--voice-url", "http://127.0.0.1:1/v", "--param", "novalue"],
    ["--voice-url", "http://127.0.0.1:1/v", "--call-sid", "CA12"],
  ])
  func badFlagsAreUsageErrors(arguments: [String]) throws {
    let r = try Twvoice.run(["call"] + arguments)
    #expect(r.status == 64, "\(r)")
    #expect(r.stderr.hasPrefix("twvoice: error: "), "\(r)")
  }
}

/// A free loopback port (bound, read and released: a race with other processes is unlikely).
func freePort() throws -> Int {
  let listener = try SilentListener()
  defer { listener.close() }
  return listener.port
}

/// A TCP listener that accepts connections (the kernel does) and never answers.
final class SilentListener: @unchecked Sendable {
  let fd: Int32
  let port: Int

  init() throws {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    self.fd = fd
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    guard bound == 0, listen(fd, 8) == 0 else {
      Glibc.close(fd)
      throw POSIXError(.EADDRINUSE)
    }
    withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
    }
    port = Int(UInt16(bigEndian: address.sin_port))
  }

  func close() { Glibc.close(fd) }
}

extension CallTests {
  @Test func aSharedSigningKeySignsWithHMACSHA256AndSaysSo() throws {
    let backend = try VoiceBackend(routes: ["/voice": (200, Self.xml, "<Response><Hangup/></Response>")])
    defer { backend.stop() }
    let r = try Twvoice.run(
      ["call", "--voice-url", backend.base + "/voice", "--fast", "--json"],
      environment: ["TWILIO_WEBHOOK_SIGNING_KEY": "KSkey1:shared-secret"])
    #expect(r.status == 0, "\(r)")
    let hit = try #require(backend.hits.first)
    let settings = hit.headers.first { $0.name == "X-Twilio-Webhooks-Signature-Settings" }?.value
    #expect(settings == "key=KSkey1,algorithm=HMAC_SHA256")
    let signature = try #require(hit.headers.first { $0.name == "X-Twilio-Signature" }?.value)
    #expect(
      TwilioSignature.validate(
        signature, url: backend.base + "/voice", content: .form(hit.parameters), key: "shared-secret",
        algorithm: TwilioSignature.Algorithm(settingsHeader: settings) ?? .hmacSHA1))
    #expect(!r.stdout.contains("shared-secret") && !r.stderr.contains("shared-secret"))
  }
}

extension CallTests {
  @Test func startRunsAStreamAlongsideUntilStopAndEveryCallbackIsSigned() throws {
    let backend = try VoiceBackend(
      .silent,
      routes: [
        "/voice": (
          200, Self.xml,
          #"<Response><Start><Stream name="fork" url="/ws" track="both_tracks" statusCallback="/stream-events"/></Start><Pause length="2"/><Stop><Stream name="fork"/></Stop><Say>done</Say></Response>"#
        ),
        "/stream-events": (204, nil, ""),
        "/status": (200, nil, ""),
      ])
    defer { backend.stop() }
    let r = try Twvoice.run(
      [
        "call", "--voice-url", backend.base + "/voice", "--speed", "10", "--json", "--status-callback",
        backend.base + "/status", "--status-callback-event", "ringing answered", "--status-callback-event",
        "completed",
      ], environment: ["TWILIO_AUTH_TOKEN": VoiceBackend.authToken])
    #expect(r.status == 0, "\(r)")
    let hits = backend.hits
    #expect(hits.allSatisfy { $0.signatureValid }, "\(hits.map(\.path))")
    let streamEvents = hits.filter { $0.path == "/stream-events" }
    #expect(streamEvents.compactMap { $0.parameter("StreamEvent") } == ["stream-started", "stream-stopped"])
    #expect(
      streamEvents.allSatisfy {
        $0.parameter("StreamName") == "fork" && $0.parameter("StreamSid")?.hasPrefix("MZ") == true
      })
    let statuses = hits.filter { $0.path == "/status" }
    #expect(statuses.compactMap { $0.parameter("CallStatus") } == ["ringing", "in-progress", "completed"])
    #expect(statuses.last?.parameter("CallDuration") != nil)
    #expect(statuses.allSatisfy { $0.parameter("CallbackSource") == "call-progress-events" })
    // The fork: one way, both tracks declared, stopped by <Stop>, then TwiML went on.
    let start = try #require(backend.bot.messages.first { $0["event"]?.stringValue == "start" })
    #expect(start["start"]?["tracks"] == .array([.string("inbound"), .string("outbound")]))
    #expect(backend.bot.waitForMessage(containing: #""event":"stop""#))
    let summary = try Self.json(r)
    #expect(summary["streams"]?[0]?["verb"]?.stringValue == "Start")
    #expect(
      summary["verbs"]?.arrayValue?.compactMap { $0["verb"]?.stringValue } == [
        "Start/Stream", "Pause", "Stop/Stream", "Say",
      ])
    let purposes = summary["requests"]?.arrayValue?.compactMap { $0["purpose"]?.stringValue } ?? []
    #expect(purposes.contains("stream-status:stream-started") && purposes.contains("call-status:completed"))
  }

  @Test func dtmfReachesTheStreamAtItsTimeFromTheFirstStream() throws {
    let backend = try VoiceBackend(
      .silent,
      routes: [
        "/voice": (
          200, Self.xml, #"<Response><Pause length="1"/><Connect><Stream url="/ws"/></Connect></Response>"#
        )
      ])
    defer { backend.stop() }
    let r = try Self.call(backend, ["--silence", "1s", "--dtmf", "7@500ms", "--tail", "200ms"])
    #expect(r.status == 0, "\(r)")
    #expect(backend.bot.waitForMessage(containing: #""digit":"7""#))
  }
}

extension CallTests {
  @Test func recordKeepsTheWholeCallOnOneTimeline() throws {
    let backend = try VoiceBackend(
      .replyWithMark(everyFrames: 5, replyBytes: 800),
      routes: [
        "/voice": (
          200, Self.xml, #"<Response><Pause length="1"/><Connect><Stream url="/ws"/></Connect></Response>"#
        )
      ])
    defer { backend.stop() }
    try withTemporaryDirectory([:]) { dir in
      let r = try Twvoice.run(
        // Fast, but slow enough that the bot's replies arrive before the caller hangs up.
        [
          "call", "--voice-url", backend.base + "/voice", "--speed", "20", "--json", "--silence", "1s",
          "--record",
          "call.wav",
        ],
        in: dir)
      #expect(r.status == 0, "\(r)")
      let wav = try Data(contentsOf: dir.appendingPathComponent("call.wav"))
      #expect(wav.count > 44 && wav[22] == 2 && wav[24] == 0x40 && wav[25] == 0x1F)  // stereo, 8000 Hz
      let samples = wav.dropFirst(44).withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
      let frames = samples.count / 2
      let duration = try #require(try Self.json(r)["duration_s"]?.doubleValue)
      #expect(abs(Double(frames) / 8000 - duration) < 0.1, "\(frames) frames for \(duration) s")
      // Silence through the <Pause>, then the bot's replies on the right channel.
      let right = stride(from: 1, to: samples.count, by: 2).map { samples[$0] }
      #expect(right.prefix(7900).allSatisfy { $0 == 0 })
      #expect(right.dropFirst(8000).contains { $0 != 0 })
    }
  }
}

extension CallTests {
  @Test func logHoldsEveryRequestAnswerAndStreamMessageOnTheCallClock() throws {
    let backend = try VoiceBackend(
      .replyWithMark(everyFrames: 5, replyBytes: 800),
      routes: [
        "/voice": (
          200, Self.xml, #"<Response><Pause length="1"/><Connect><Stream url="/ws"/></Connect></Response>"#
        )
      ])
    defer { backend.stop() }
    try withTemporaryDirectory([:]) { dir in
      let r = try Twvoice.run(
        [
          "call", "--voice-url", backend.base + "/voice", "--speed", "20", "--silence", "1s", "--log",
          "call.jsonl",
          "-q",
        ],
        environment: ["TWILIO_AUTH_TOKEN": VoiceBackend.authToken], in: dir)
      #expect(r.status == 0, "\(r)")
      let text = try String(contentsOf: dir.appendingPathComponent("call.jsonl"), encoding: .utf8)
      let lines = try text.split(separator: "\n").map { try JSONParser.parse(String($0)) }
      let request = try #require(lines.first)
      #expect(
        request["from"]?.stringValue == "twilio" && request["request"]?["purpose"]?.stringValue == "voice")
      #expect(request["request"]?["parameters"]?["CallStatus"]?.stringValue == "ringing")
      let response = try #require(lines.dropFirst().first)
      #expect(response["from"]?.stringValue == "app" && response["response"]?["status"]?.intValue == 200)
      #expect(response["response"]?["body"]?.stringValue?.contains("<Connect>") == true)
      // The stream's messages, timed on the call clock: after the 1 s <Pause>.
      let start = try #require(lines.first { $0["message"]?["event"]?.stringValue == "start" })
      #expect((start["t"]?.doubleValue ?? 0) >= 1.0)
      #expect(
        lines.contains { $0["from"]?.stringValue == "bot" && $0["message"]?["event"]?.stringValue == "mark" })
      #expect(!text.contains(VoiceBackend.authToken) && !text.contains("X-Twilio-Signature"))
      // The readers of session logs read it.
      let decoded = try Twvoice.run(["codec", "info", "call.jsonl"], in: dir)
      #expect(decoded.status == 0, "\(decoded)")
    }
  }
}

extension CallTests {
  static let accountSid = "AC0123456789abcdef0123456789abcdef"
  static let callSid = "CAfedcba9876543210fedcba9876543210"

  /// Starts `twvoice call` serving its REST API, lets `act` talk to the API once the stream is
  /// up, and returns the call's result.
  static func callWithAPI(
    _ backend: VoiceBackend, act: (String) throws -> Void
  ) throws -> (status: Int32, stdout: String, stderr: String) {
    let port = try freePort()
    let process = Process()
    process.executableURL = Twvoice.executable
    process.arguments = [
      "call", "--voice-url", backend.base + "/voice", "--silence", "30s", "--json", "--api-listen",
      "127.0.0.1:\(port)", "--call-sid", callSid, "--account-sid", accountSid,
    ]
    process.environment = ["TWILIO_AUTH_TOKEN": VoiceBackend.authToken, "PATH": "/usr/bin:/bin"]
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    defer { if process.isRunning { process.terminate() } }
    #expect(backend.bot.waitForMessage(containing: #""event":"start""#))
    try act("http://127.0.0.1:\(port)/2010-04-01/Accounts/\(accountSid)/Calls/\(callSid).json")
    let deadline = Date().addingTimeInterval(10)
    while process.isRunning && Date() < deadline { usleep(10_000) }
    #expect(!process.isRunning, "the call did not end after the API request")
    if process.isRunning { process.terminate() }
    process.waitUntilExit()
    return (
      process.terminationStatus,
      String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
      String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    )
  }

  /// POSTs a form to the call's API with Basic auth.
  static func post(_ url: String, _ fields: [NamedValue], password: String = VoiceBackend.authToken) throws
    -> WebhookResponse?
  {
    var request = WebhookRequest(
      method: .post, url: try WebURL(parsing: url), parameters: fields, purpose: "test", signer: nil,
      idempotencyToken: "t")
    let credentials = Base64.encode(Array("\(accountSid):\(password)".utf8))
    request.headers.append(NamedValue(name: "Authorization", value: "Basic " + credentials))
    let result = WebhookClient(timeoutSeconds: 5).send(request, resign: { _, _ in request })
    return try? result.get()
  }

  @Test func theBotHangsUpThroughTheRESTAPI() throws {
    let backend = try VoiceBackend(
      .silent,
      routes: [
        "/voice": (
          200, Self.xml, #"<Response><Connect><Stream url="/ws"/></Connect><Say>after</Say></Response>"#
        )
      ])
    defer { backend.stop() }
    let r = try Self.callWithAPI(backend) { url in
      let refused = try Self.post(url, [NamedValue(name: "Status", value: "completed")], password: "wrong")
      #expect(refused?.status == 401)
      #expect(backend.bot.received.allSatisfy { !$0.contains(#""event":"stop""#) })
      let answer = try #require(try Self.post(url, [NamedValue(name: "Status", value: "completed")]))
      #expect(answer.status == 200)
      let call = try JSONParser.parse(String(decoding: answer.body, as: UTF8.self))
      #expect(call["sid"]?.stringValue == Self.callSid && call["status"]?.stringValue == "completed")
    }
    #expect(r.status == 0, "\(r)")
    let summary = try JSONParser.parse(r.stdout)
    #expect(summary["end"]?.stringValue == "the application ended the call (REST API)")
    #expect(summary["verbs"]?.arrayValue?.compactMap { $0["verb"]?.stringValue } == ["Connect/Stream"])
    #expect(backend.bot.waitForMessage(containing: #""event":"stop""#))
  }

  @Test func twimlThroughTheRESTAPIReplacesTheRunningDocument() throws {
    let backend = try VoiceBackend(
      .silent,
      routes: [
        "/voice": (
          200, Self.xml, #"<Response><Connect><Stream url="/ws"/></Connect><Say>after</Say></Response>"#
        )
      ])
    defer { backend.stop() }
    let r = try Self.callWithAPI(backend) { url in
      let answer = try Self.post(
        url, [NamedValue(name: "Twiml", value: "<Response><Say>switched</Say></Response>")])
      #expect(answer?.status == 200)
    }
    #expect(r.status == 0, "\(r)")
    let summary = try JSONParser.parse(r.stdout)
    let verbs = summary["verbs"]?.arrayValue ?? []
    #expect(verbs.compactMap { $0["verb"]?.stringValue } == ["Connect/Stream", "Say"])
    #expect(verbs.last?["detail"]?.stringValue?.contains("switched") == true)
  }
}

extension CallTests {
  @Test func recordKeepsWhatTheCallerSaysAndRequestsItsAction() throws {
    let backend = try VoiceBackend(
      routes: [
        "/voice": (
          200, Self.xml,
          #"<Response><Say>leave a message</Say><Record action="/saved" maxLength="1" timeout="2"/><Say>unreached</Say></Response>"#
        ),
        "/saved": (200, Self.xml, "<Response><Hangup/></Response>"),
      ])
    defer { backend.stop() }
    let dir = try CodecEncodeTests.directory([
      "hello.wav": CodecEncodeTests.pcm16WAV(CodecEncodeTests.tone(440, rate: 8000, seconds: 1.5))
    ])
    defer { TemporaryDirectory.remove(dir) }
    try FileManager.default.createDirectory(
      at: dir.appendingPathComponent("rec"), withIntermediateDirectories: false)
    let r = try Twvoice.run(
      [
        "call", "--voice-url", backend.base + "/voice", "--fast", "--json", "--audio", "hello.wav",
        "--recordings-dir", "rec",
      ],
      environment: ["TWILIO_AUTH_TOKEN": VoiceBackend.authToken], in: dir)
    #expect(r.status == 0, "\(r)")
    let saved = try #require(backend.hits.first { $0.path == "/saved" })
    #expect(saved.parameter("RecordingDuration") == "1")  // maxLength cut the 1.5 s
    let sid = try #require(saved.parameter("RecordingSid"))
    #expect(sid.hasPrefix("RE") && sid.count == 34)
    let url = try #require(saved.parameter("RecordingUrl"))
    #expect(url.hasPrefix("file:///") && url.hasSuffix("/rec/\(sid).wav"))
    let wav = try Data(contentsOf: dir.appendingPathComponent("rec/\(sid).wav"))
    #expect(wav.count == 44 + 8000 * 2 && wav[22] == 1)
    #expect(
      try Self.json(r)["verbs"]?.arrayValue?.compactMap { $0["verb"]?.stringValue } == [
        "Say", "Record", "Hangup",
      ])
  }

  @Test func aRecordOfSilenceGoesOnWithoutItsAction() throws {
    let backend = try VoiceBackend(
      routes: [
        "/voice": (
          200, Self.xml, #"<Response><Record action="/saved" timeout="1"/><Say>next</Say></Response>"#
        )
      ])
    defer { backend.stop() }
    let r = try Self.call(backend, ["--silence", "2s"])
    #expect(r.status == 0, "\(r)")
    #expect(backend.hits.map(\.path) == ["/voice"])
    #expect(
      try Self.json(r)["verbs"]?.arrayValue?.compactMap { $0["verb"]?.stringValue } == ["Record", "Say"])
  }

  @Test func anAnswerOverTwiliosSizeLimitIs11750() throws {
    let big = "<Response><Say>" + String(repeating: "a", count: 70_000) + "</Say></Response>"
    let backend = try VoiceBackend(routes: ["/voice": (200, Self.xml, big)])
    defer { backend.stop() }
    let r = try Self.call(backend, [])
    #expect(r.status == 1, "\(r)")
    #expect(try Self.json(r)["errors"]?[0]?["code"]?.intValue == 11750)
  }
}
