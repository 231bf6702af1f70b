import Testing
import TwvoiceCore

/// The pieces of `twvoice call` that need no network: URLs, forms, and the flow of a call.
struct WebURLTests {
  // RFC 3986 §5.4.1's normal examples, against its base URL (adapted to http).
  @Test(arguments: [
    ("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"), ("/g", "http://a/g"),
    ("//g", "http://g"), ("?y", "http://a/b/c/d;p?y"), ("g?y", "http://a/b/c/g?y"),
    ("", "http://a/b/c/d;p?q"),
    (".", "http://a/b/c/"), ("./", "http://a/b/c/"), ("..", "http://a/b/"), ("../", "http://a/b/"),
    ("../g", "http://a/b/g"), ("../..", "http://a/"), ("../../g", "http://a/g"), ("#s", "http://a/b/c/d;p?q"),
    ("https://x.example:8443/p?q", "https://x.example:8443/p?q"),
  ])
  func resolvesAsRFC3986(reference: String, expected: String) throws {
    let base = try WebURL(parsing: "http://a/b/c/d;p?q")
    #expect(try base.resolving(reference).description == expected)
  }

  @Test func takesTheURLApart() throws {
    let url = try WebURL(parsing: "HTTPS://[::1]:8443/voice?x=1#frag")
    #expect(url.scheme == "https" && url.host == "::1" && url.port == 8443 && url.path == "/voice")
    #expect(url.query == "x=1" && url.requestTarget == "/voice?x=1" && url.hostHeader == "[::1]:8443")
    #expect(url.displayText == "HTTPS://[::1]:8443/voice")
    #expect(try WebURL(parsing: "http://h").path == "/")
    #expect(try WebURL(parsing: "http://h/v").appendingQuery("a=1").description == "http://h/v?a=1")
    #expect(try WebURL(parsing: "http://h/v?b=2").appendingQuery("a=1").description == "http://h/v?b=2&a=1")
  }

  @Test(arguments: [
    "ftp://h/x", "http://user:pw@h/x", "http://h:99999/", "http:///x", "/relative", "http://h x/",
  ])
  func refusesWhatIsNotAnAbsoluteWebURL(text: String) {
    #expect(throws: WebURL.ParseError.self) { try WebURL(parsing: text) }
  }

  @Test func aRefusedURLNeverShowsItsUserInformation() {
    do {
      _ = try WebURL(parsing: "https://user:s3cret@example.com/x")
      Issue.record("accepted")
    } catch {
      #expect(!error.message.contains("s3cret"))
    }
  }
}

struct FormEncodingTests {
  @Test func encodesAsWHATWGAndDecodesBack() {
    let fields = [
      NamedValue(name: "From", value: "client:alice"), NamedValue(name: "名前", value: "値 & more+"),
      NamedValue(name: "a*-._~", value: ""),
    ]
    let text = FormEncoding.encode(fields)
    #expect(text == "From=client%3Aalice&%E5%90%8D%E5%89%8D=%E5%80%A4+%26+more%2B&a*-._%7E=")
    #expect(FormEncoding.decode(text) == fields)
    #expect(
      FormEncoding.decode("a=%zz&b") == [
        NamedValue(name: "a", value: "%zz"), NamedValue(name: "b", value: ""),
      ])
  }
}

struct CallFlowTests {
  static func flow(digits: [String] = []) throws -> CallFlow {
    var random = TwvoiceRandom(seed: 1)
    return CallFlow(
      settings: .init(
        accountSid: .random(using: &random), callSid: .random(using: &random),
        applicationSid: .random(using: &random),
        from: "client:alice", to: "", customParameters: [],
        voiceURL: try WebURL(parsing: "https://app.example/voice"),
        method: .post, signer: .authToken("t"), digits: digits),
      seed: 2)
  }

  static func answer(_ xml: String, url: String = "https://app.example/voice") throws -> CallFlow.Event {
    .response(
      WebhookResponse(
        status: 200, contentType: "text/xml", body: Array(xml.utf8), url: try WebURL(parsing: url),
        latencyMs: 1))
  }

  @Test func theFirstRequestIsTheVoiceURLRingingAndSigned() throws {
    var flow = try Self.flow()
    guard case .request(let request) = flow.start() else {
      Issue.record("no request")
      return
    }
    #expect(request.url.description == "https://app.example/voice" && request.method == .post)
    #expect(request.parameters.first { $0.name == "CallStatus" }?.value == "ringing")
    let signature = try #require(request.headers.first { $0.name == "X-Twilio-Signature" }?.value)
    #expect(
      TwilioSignature.isValid(
        signature, url: "https://app.example/voice",
        parameters: request.parameters.map { ($0.name, $0.value) }, authToken: "t"))
  }

  @Test func verbsRunInOrderAndAStreamURLResolvesToTheWebSocketScheme() throws {
    var flow = try Self.flow()
    _ = flow.start()
    let xml =
      #"<Response><Say>hello there</Say><Connect><Stream url="media?token=x"><Parameter name="a" value="1"/></Stream></Connect><Hangup/></Response>"#
    guard case .wait(let ms) = flow.next(try Self.answer(xml), at: 10) else {
      Issue.record("no Say")
      return
    }
    #expect(ms == 800)
    guard case .connectStream(let stream) = flow.next(.done, at: 810) else {
      Issue.record("no stream")
      return
    }
    #expect(stream.url?.description == "wss://app.example/media")
    #expect(stream.parameters == [NamedValue(name: "a", value: "1")])
    #expect(flow.issues.first?.isError == false)  // the query was dropped, with a warning
    guard case .end(let end) = flow.next(.streamEnded(callerHungUp: false), at: 5000) else {
      Issue.record("no end")
      return
    }
    #expect(end == CallFlow.CallEnd(status: "completed", reason: "<Hangup>"))
    #expect(flow.verbRecords.map(\.verb) == ["Say", "Connect/Stream", "Hangup"])
  }

  @Test(arguments: [
    (200, "application/json", "{}", 12300), (200, "text/xml", "<Response>", 12100),
    (200, "text/xml", "<Say/>", 12102),
    (302, "text/xml", "<Response/>", 11200), (503, "text/xml", "<Response/>", 11200),
  ])
  func aDocumentThatCannotRunEndsTheCall(status: Int, type: String, body: String, code: Int) throws {
    var flow = try Self.flow()
    _ = flow.start()
    let response = WebhookResponse(
      status: status, contentType: type, body: Array(body.utf8),
      url: try WebURL(parsing: "https://app.example/voice"),
      latencyMs: 1)
    guard case .end(let end) = flow.next(.response(response), at: 5) else {
      Issue.record("did not end")
      return
    }
    #expect(end.status == "failed")
    #expect(flow.issues.map(\.code) == [code])
  }

  @Test func gatherKeepsDigitsUpToFinishOnKeyOrNumDigits() throws {
    var flow = try Self.flow(digits: ["12#9"])
    _ = flow.start()
    guard case .wait = flow.next(try Self.answer(#"<Response><Gather action="/g"/></Response>"#), at: 0)
    else {
      Issue.record("no wait")
      return
    }
    guard case .request(let request) = flow.next(.done, at: 6000) else {
      Issue.record("no action")
      return
    }
    #expect(request.url.description == "https://app.example/g")
    #expect(
      request.parameters.suffix(2) == [
        NamedValue(name: "Digits", value: "12"), NamedValue(name: "FinishedOnKey", value: "#"),
      ])
  }

  @Test func aRedirectLoopEnds() throws {
    var flow = try Self.flow()
    var step = flow.start()
    var rounds = 0
    while case .request = step, rounds < 1000 {
      step = flow.next(
        try Self.answer("<Response><Redirect>/voice</Redirect></Response>"), at: Double(rounds))
      rounds += 1
    }
    guard case .end(let end) = step else {
      Issue.record("did not end")
      return
    }
    #expect(end.status == "failed" && rounds == CallFlow.maximumDocuments)
  }

  @Test func theRESTAPIHangsUpOrReplacesTheDocument() throws {
    var flow = try Self.flow()
    _ = flow.start()
    _ = flow.next(try Self.answer(#"<Response><Pause length="60"/><Say>never</Say></Response>"#), at: 0)
    guard case .wait = flow.apply(.twiml(Array("<Response><Pause/></Response>".utf8)), at: 100) else {
      Issue.record("the new document did not run")
      return
    }
    guard case .end(let end) = flow.apply(.hangUp, at: 200) else {
      Issue.record("no hang-up")
      return
    }
    #expect(end.reason.contains("REST API"))
    #expect(flow.verbRecords.map(\.verb) == ["Pause", "Pause"])
  }
}

struct CallAPITests {
  static let api: CallAPI = {
    var random = TwvoiceRandom(seed: 3)
    return CallAPI(
      accountSid: .random(using: &random), callSid: .random(using: &random), from: "client:a", to: "",
      credentials: [("user", "pass")])
  }()
  static let base: WebURL = {
    do { return try WebURL(parsing: "http://127.0.0.1/voice") } catch { fatalError("\(error)") }
  }()
  static var path: String { "/2010-04-01/Accounts/\(api.accountSid)/Calls/\(api.callSid).json" }
  static let auth = "Basic " + Base64.encode(Array("user:pass".utf8))

  @Test func authenticatesAndAnswersWithTwiliosErrors() {
    let none = Self.api.handle(
      method: "GET", target: Self.path, authorization: nil, body: [], status: "in-progress",
      baseURL: Self.base)
    #expect(none.status == 401 && none.body.contains(#""code":20003"#))
    let other = Self.api.handle(
      method: "GET", target: "/x", authorization: Self.auth, body: [], status: "in-progress",
      baseURL: Self.base)
    #expect(other.status == 404 && other.body.contains("20404"))
    let get = Self.api.handle(
      method: "GET", target: Self.path, authorization: Self.auth, body: [], status: "in-progress",
      baseURL: Self.base)
    #expect(get.status == 200 && get.body.contains(#""status":"in-progress""#) && get.update == nil)
  }

  @Test(arguments: [
    ("Status=completed", CallFlow.Update.hangUp), ("Status=canceled", .hangUp),
    ("Twiml=%3CResponse%2F%3E", .twiml(Array("<Response/>".utf8))),
  ])
  func postsBecomeUpdates(body: String, update: CallFlow.Update) {
    let answer = Self.api.handle(
      method: "POST", target: Self.path, authorization: Self.auth, body: Array(body.utf8),
      status: "in-progress",
      baseURL: Self.base)
    #expect(answer.status == 200 && answer.update == update)
  }

  @Test func aBadStatusOrURLIsRefused() {
    let status = Self.api.handle(
      method: "POST", target: Self.path, authorization: Self.auth, body: Array("Status=ringing".utf8),
      status: "in-progress",
      baseURL: Self.base)
    #expect(status.status == 400 && status.update == nil)
    let url = Self.api.handle(
      method: "POST", target: Self.path, authorization: Self.auth, body: Array("Url=ftp%3A%2F%2Fx".utf8),
      status: "in-progress",
      baseURL: Self.base)
    #expect(url.status == 400 && url.update == nil)
  }
}
