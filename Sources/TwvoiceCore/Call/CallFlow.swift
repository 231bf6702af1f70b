/// Twilio's side of one call, without the network: which request to make, which stream to run,
/// how long to wait, and when the call ends, one step at a time. The caller of `next` does the
/// step (an HTTP request, a WebSocket session, a wait) and reports how it went; the flow decides
/// what Twilio does next, as Twilio runs TwiML: verbs in order, a document replaced by the
/// answer to a `<Redirect>` or an action, the call over at `<Hangup>`, `<Reject>` or the end of
/// the document.
public struct CallFlow: Sendable {
  /// The call as the Voice SDK client places it through a TwiML App.
  public struct Settings: Sendable {
    public var accountSid: AccountSid
    public var callSid: CallSid
    public var applicationSid: ApplicationSid
    /// `client:IDENTITY`.
    public var from: String
    public var to: String
    /// The parameters the client passes with `device.connect({params})`.
    public var customParameters: [NamedValue]
    public var voiceURL: WebURL
    public var method: WebhookRequest.Method
    /// Signs every request; nil sends them unsigned.
    public var signer: WebhookSigner?
    /// What the caller keys in at each `<Gather>` that takes DTMF, in order.
    public var digits: [String]
    /// What the caller says at each `<Gather>` that takes speech, in order.
    public var speech: [String]
    /// `DialCallStatus` reported to a `<Dial action>`.
    public var dialStatus: String

    public init(
      accountSid: AccountSid, callSid: CallSid, applicationSid: ApplicationSid, from: String, to: String,
      customParameters: [NamedValue], voiceURL: WebURL, method: WebhookRequest.Method, signer: WebhookSigner?,
      digits: [String] = [], speech: [String] = [], dialStatus: String = "completed"
    ) {
      self.accountSid = accountSid
      self.callSid = callSid
      self.applicationSid = applicationSid
      self.from = from
      self.to = to
      self.customParameters = customParameters
      self.voiceURL = voiceURL
      self.method = method
      self.signer = signer
      self.digits = digits
      self.speech = speech
      self.dialStatus = dialStatus
    }
  }

  /// What to do next.
  public enum Step: Sendable {
    /// Request TwiML; answer with `.response` or `.requestFailed`.
    case request(WebhookRequest)
    /// Run a `<Connect><Stream>` until it ends; answer with `.streamEnded` or `.streamFailed`.
    case connectStream(CallVerb.StreamVerb)
    /// Run a `<Connect><ConversationRelay>` session until it ends; answer `.relayEnded`.
    case connectRelay(CallVerb.RelayVerb)
    /// Start a `<Start><Stream>` alongside; answer `.done` (or `.streamFailed`).
    case startStream(CallVerb.StreamVerb)
    /// End the `<Start><Stream>` of this name (nil: every one); answer `.done`.
    case stopStream(name: String?)
    /// Let this much call time pass (a `<Pause>`, a `<Say>`, a `<Gather>`); answer `.done`, or
    /// `.callerHungUp` when the caller's hang-up time came first.
    case wait(milliseconds: Int)
    /// Record what the caller says, up to `maxLengthMs`, then `timeoutMs` of silence; answer
    /// `.recorded`.
    case record(maxLengthMs: Int, timeoutMs: Int)
    /// The call is over.
    case end(CallEnd)
  }

  /// How the last step went.
  public enum Event: Sendable {
    case response(WebhookResponse)
    /// The request got no answer: refused, unreachable, TLS, timeout (11205).
    case requestFailed(code: Int, message: String)
    /// The stream ended because the bot closed it (TwiML goes on), or the caller hung up.
    case streamEnded(callerHungUp: Bool)
    /// The stream could not connect or broke, with the code Twilio logs; TwiML goes on.
    case streamFailed(code: Int, message: String)
    /// A ConversationRelay session ended (conversation-relay.md §1.4).
    case relayEnded(RelayEnd)
    case done
    case callerHungUp
    /// A `<Record>` ended with this much audio (0: nothing said), kept at `url` as `sid`.
    case recorded(milliseconds: Int, url: String, sid: String)
  }

  /// How a ConversationRelay session ended: what the `<Connect action>` request reports.
  public struct RelayEnd: Sendable, Equatable {
    public var sessionId: String
    /// `completed` (the caller hung up), `ended` (the app sent `end`), `failed`.
    public var status: String
    public var durationSeconds: Int
    public var handoffData: String?
    public var errorCode: Int?
    public var errorMessage: String?

    public init(
      sessionId: String, status: String, durationSeconds: Int, handoffData: String? = nil,
      errorCode: Int? = nil,
      errorMessage: String? = nil
    ) {
      self.sessionId = sessionId
      self.status = status
      self.durationSeconds = durationSeconds
      self.handoffData = handoffData
      self.errorCode = errorCode
      self.errorMessage = errorMessage
    }

    /// The caller hung up during the session.
    public var callerHungUp: Bool { status == "completed" }

    /// The action request's own parameters; those that do not apply are absent, not empty.
    public var parameters: [NamedValue] {
      var out = [
        NamedValue(name: "SessionId", value: sessionId), NamedValue(name: "SessionStatus", value: status),
        NamedValue(name: "SessionDuration", value: String(durationSeconds)),
      ]
      if let handoffData { out.append(NamedValue(name: "HandoffData", value: handoffData)) }
      if let errorCode { out.append(NamedValue(name: "ErrorCode", value: String(errorCode))) }
      if let errorMessage { out.append(NamedValue(name: "ErrorMessage", value: errorMessage)) }
      return out
    }
  }

  public struct CallEnd: Sendable, Equatable {
    /// The call's final status, as Twilio's `CallStatus`: `completed`, `busy`, `no-answer`,
    /// `failed`.
    public var status: String
    /// Why, for the timeline.
    public var reason: String

    public init(status: String, reason: String) {
      self.status = status
      self.reason = reason
    }
  }

  /// An error or warning Twilio would log, with its code.
  public struct Issue: Sendable, Equatable {
    /// Twilio's code; nil for what only twvoice reports (a verb it does not simulate).
    public var code: Int?
    public var message: String
    public var isError: Bool
  }

  /// A verb as it ran.
  public struct VerbRecord: Sendable {
    public var verb: String
    public var detail: String
    public var startMs: Double
    public var endMs: Double?
  }

  public let settings: Settings
  public private(set) var issues: [Issue] = []
  public private(set) var verbRecords: [VerbRecord] = []
  public private(set) var documentsFetched = 0

  private var verbs: [CallVerb] = []
  private var index = 0
  private var digitsLeft: [String]
  private var speechLeft: [String]
  /// What the step under way is waiting for.
  private var awaiting: Awaiting = .nothing
  private var random: TwvoiceRandom

  private enum Awaiting {
    case nothing
    case document(purpose: String)
    case stream(CallVerb.StreamVerb, action: CallVerb.Action?)
    case relay(action: CallVerb.Action?)
    /// The caller has hung up; the request under way is the last (a relay's action callback).
    case lastRequest
    case verbDone
    case gather(CallVerb.Gather, result: [NamedValue]?)
    case record(CallVerb.Record)
  }

  /// At most this many documents in one call (a `<Redirect>` to itself would run forever).
  public static let maximumDocuments = 500

  public init(settings: Settings, seed: UInt64? = nil) {
    self.settings = settings
    digitsLeft = settings.digits
    speechLeft = settings.speech
    random = seed.map { TwvoiceRandom(seed: $0 &+ 0x5EED) } ?? TwvoiceRandom()
  }

  /// The first step: the Voice URL, with `CallStatus=ringing`.
  public mutating func start() -> Step {
    let request = makeRequest(
      url: settings.voiceURL, method: settings.method, status: "ringing", extra: [], purpose: "voice")
    awaiting = .document(purpose: "voice")
    return .request(request)
  }

  /// A change the application asked for through the REST API while the call ran (`POST
  /// /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json`).
  public enum Update: Sendable, Equatable {
    /// `Status=completed` (or `canceled`): hang up.
    case hangUp
    /// `Twiml=…`: run this document instead of the one running.
    case twiml([UInt8])
    /// `Url=…` (`Method=`): request this URL for the document to run instead.
    case redirect(CallVerb.Action)
  }

  /// The running step (a stream, a wait) was cut short by `update` at `now`: what Twilio does
  /// next. The step's own event is not reported.
  public mutating func apply(_ update: Update, at now: Double) -> Step {
    if let last = verbRecords.indices.last, verbRecords[last].endMs == nil { verbRecords[last].endMs = now }
    awaiting = .nothing
    switch update {
    case .hangUp:
      return .end(CallEnd(status: "completed", reason: "the application ended the call (REST API)"))
    case .twiml(let document):
      return load(
        WebhookResponse(
          status: 200, contentType: "text/xml", body: document, url: settings.voiceURL, latencyMs: 0),
        purpose: "api-update", at: now)
    case .redirect(let action):
      return request(action, extra: [], purpose: "api-update", at: now)
    }
  }

  /// The parameters of every request Twilio makes for this call, in the order they are sent.
  public func callParameters(status: String) -> [NamedValue] {
    [
      NamedValue(name: "AccountSid", value: settings.accountSid.rawValue),
      NamedValue(name: "ApiVersion", value: "2010-04-01"),
      NamedValue(name: "ApplicationSid", value: settings.applicationSid.rawValue),
      NamedValue(name: "CallSid", value: settings.callSid.rawValue),
      NamedValue(name: "CallStatus", value: status),
      NamedValue(name: "Called", value: settings.to),
      NamedValue(name: "Caller", value: settings.from),
      NamedValue(name: "Direction", value: "inbound"),
      NamedValue(name: "From", value: settings.from),
      NamedValue(name: "To", value: settings.to),
    ] + settings.customParameters
  }

  private mutating func makeRequest(
    url: WebURL, method: WebhookRequest.Method, status: String, extra: [NamedValue], purpose: String
  ) -> WebhookRequest {
    WebhookRequest(
      method: method, url: url, parameters: callParameters(status: status) + extra, purpose: purpose,
      signer: settings.signer, idempotencyToken: WebhookRequest.idempotencyToken(using: &random))
  }

  /// The step after `event`, which ended the last step at `now` (milliseconds of call time).
  public mutating func next(_ event: Event, at now: Double) -> Step {
    if let last = verbRecords.indices.last, verbRecords[last].endMs == nil { verbRecords[last].endMs = now }
    let state = awaiting
    awaiting = .nothing
    switch (state, event) {
    case (.document(let purpose), .response(let response)):
      return load(response, purpose: purpose, at: now)
    case (.document, .requestFailed(let code, let message)):
      return fail(code, message)
    case (.stream(_, let action), .streamEnded(let hungUp)):
      if hungUp { return .end(CallEnd(status: "completed", reason: "the caller hung up")) }
      return afterConnect(action, at: now)
    case (.stream(let stream, let action), .streamFailed(let code, let message)):
      issues.append(Issue(code: code, message: Self.named(stream, message), isError: true))
      return afterConnect(action, at: now)
    case (.relay(let action), .relayEnded(let end)):
      if let code = end.errorCode {
        issues.append(Issue(code: code, message: end.errorMessage ?? "the session failed", isError: true))
      }
      // The caller hanging up ends the call; the action is still requested (with CallStatus
      // completed), and its answer is not run.
      if let action {
        let step = request(
          action, extra: end.parameters, purpose: "connect-action", at: now,
          status: end.callerHungUp ? "completed" : "in-progress")
        if end.callerHungUp, case .request = step { awaiting = .lastRequest }
        return step
      }
      if end.callerHungUp { return .end(CallEnd(status: "completed", reason: "the caller hung up")) }
      return advance(at: now)
    case (.lastRequest, _):
      return .end(CallEnd(status: "completed", reason: "the caller hung up"))
    case (.verbDone, .streamFailed(let code, let message)):
      issues.append(Issue(code: code, message: message, isError: true))
      return advance(at: now)
    case (.gather(let gather, let result), .done):
      if let result {
        return request(gather.action, extra: result, purpose: "gather", at: now)
      }
      if gather.actionOnEmptyResult { return request(gather.action, extra: [], purpose: "gather", at: now) }
      return advance(at: now)
    case (.record(let record), .recorded(let ms, let url, let sid)):
      // Nothing said: Twilio goes on to the next verb without requesting the action.
      guard ms > 0 else { return advance(at: now) }
      return request(
        record.action,
        extra: [
          NamedValue(name: "RecordingUrl", value: url),
          NamedValue(name: "RecordingDuration", value: String((ms + 500) / 1000)),
          NamedValue(name: "RecordingSid", value: sid),
        ], purpose: "record", at: now)
    case (_, .callerHungUp):
      return .end(CallEnd(status: "completed", reason: "the caller hung up"))
    default:
      return advance(at: now)
    }
  }

  private static func named(_ stream: CallVerb.StreamVerb, _ message: String) -> String {
    stream.name.map { "stream \"\($0.escapingControlCharacters)\": \(message)" } ?? message
  }

  private mutating func afterConnect(_ action: CallVerb.Action?, at now: Double) -> Step {
    if let action { return request(action, extra: [], purpose: "connect-action", at: now) }
    return advance(at: now)
  }

  private mutating func fail(_ code: Int, _ message: String) -> Step {
    issues.append(Issue(code: code, message: message, isError: true))
    return .end(CallEnd(status: "failed", reason: "Twilio error \(code)"))
  }

  private mutating func request(
    _ action: CallVerb.Action, extra: [NamedValue], purpose: String, at now: Double,
    status: String = "in-progress"
  ) -> Step {
    guard documentsFetched < Self.maximumDocuments else {
      issues.append(
        Issue(
          code: nil, message: "more than \(Self.maximumDocuments) documents in one call: a redirect loop?",
          isError: true))
      return .end(CallEnd(status: "failed", reason: "too many documents"))
    }
    awaiting = .document(purpose: purpose)
    return .request(
      makeRequest(
        url: action.url, method: action.method, status: status, extra: extra, purpose: purpose))
  }

  /// A document arrived: checked as Twilio checks it (12300, 12100, 12102, 11200), then run.
  private mutating func load(_ response: WebhookResponse, purpose: String, at now: Double) -> Step {
    documentsFetched += 1
    let shown = response.url.displayText
    guard (200...299).contains(response.status) else {
      return fail(11200, "\(shown): HTTP \(response.status) from the \(purpose) request")
    }
    guard let type = response.contentType, type == "text/xml" || type == "application/xml" else {
      return fail(
        12300,
        "\(shown): invalid Content-Type \(response.contentType.map { "'\($0.escapingControlCharacters)'" } ?? "(none)"): TwiML must be text/xml or application/xml"
      )
    }
    let root: TwiMLParser.Located
    do { root = try TwiMLParser.parse(response.body) } catch {
      return fail(12100, "\(shown):\(error.line):\(error.column): document parse failure: \(error.message)")
    }
    guard root.element.name == "Response" else {
      return fail(12102, "\(shown): the root element must be <Response>, not <\(root.element.name)>")
    }
    for finding in TwiMLValidator.validate(response.body) {
      issues.append(
        Issue(
          code: finding.twilioCode,
          message: "\(shown):\(finding.line):\(finding.column): \(finding.message)", isError: false))
    }
    verbs = CallVerb.verbs(in: root.element, documentURL: response.url)
    index = 0
    return advance(at: now)
  }

  private mutating func begin(_ verb: CallVerb, _ detail: String, at now: Double) {
    verbRecords.append(VerbRecord(verb: verb.name, detail: detail, startMs: now, endMs: nil))
  }

  /// Runs the next verb, or ends the call at the end of the document.
  private mutating func advance(at now: Double) -> Step {
    while index < verbs.count {
      let verb = verbs[index]
      index += 1
      switch verb {
      case .connectStream(let stream, let action):
        begin(verb, stream.url?.displayText ?? "(no URL)", at: now)
        if let problem = stream.urlProblem {
          issues.append(
            Issue(code: stream.url == nil ? 31920 : nil, message: problem, isError: stream.url == nil))
        }
        guard stream.url != nil else {
          if let action { return request(action, extra: [], purpose: "connect-action", at: now) }
          continue
        }
        awaiting = .stream(stream, action: action)
        return .connectStream(stream)
      case .connectRelay(let relay, let action):
        begin(verb, relay.url?.displayText ?? "(no URL)", at: now)
        guard relay.url != nil else {
          // Twilio cannot open the session: it fails at once (64102), reported to the action.
          let problem = relay.urlProblem ?? "no URL"
          awaiting = .relay(action: action)
          return next(
            .relayEnded(
              RelayEnd(
                sessionId: RelaySessionSid.random(using: &random).rawValue, status: "failed",
                durationSeconds: 0,
                errorCode: 64102, errorMessage: problem)), at: now)
        }
        awaiting = .relay(action: action)
        return .connectRelay(relay)
      case .startStream(let stream):
        begin(verb, stream.url?.displayText ?? "(no URL)", at: now)
        if let problem = stream.urlProblem {
          issues.append(
            Issue(code: stream.url == nil ? 31920 : nil, message: problem, isError: stream.url == nil))
        }
        guard stream.url != nil else { continue }
        awaiting = .verbDone
        return .startStream(stream)
      case .stopStream(let name):
        begin(verb, name ?? "(every stream)", at: now)
        awaiting = .verbDone
        return .stopStream(name: name)
      case .pause(let seconds):
        begin(verb, "\(seconds) s", at: now)
        awaiting = .verbDone
        return .wait(milliseconds: verb.estimatedMs)
      case .say(let text, _):
        begin(
          verb, "\"\(text.escapingControlCharacters)\" (about \(Self.seconds(verb.estimatedMs)))", at: now)
        awaiting = .verbDone
        return .wait(milliseconds: verb.estimatedMs)
      case .play(let url, _, let digits):
        let what = digits.map { "digits \($0)" } ?? url.escapingControlCharacters
        begin(verb, "\(what) (about \(Self.seconds(verb.estimatedMs)))", at: now)
        awaiting = .verbDone
        return .wait(milliseconds: verb.estimatedMs)
      case .gather(let gather):
        var result: [NamedValue]?
        var detail = "no input, timeout \(gather.timeoutSeconds) s"
        var waitMs = verb.estimatedMs
        if gather.acceptsDigits, !digitsLeft.isEmpty {
          let (digits, finishedOnKey) = Self.gathered(digitsLeft.removeFirst(), gather)
          result = [NamedValue(name: "Digits", value: digits)]
          if let finishedOnKey { result?.append(NamedValue(name: "FinishedOnKey", value: finishedOnKey)) }
          detail = "Digits=\(digits)"
          waitMs += 1000
        } else if gather.acceptsSpeech, !speechLeft.isEmpty {
          let text = speechLeft.removeFirst()
          result = [
            NamedValue(name: "SpeechResult", value: text), NamedValue(name: "Confidence", value: "0.9"),
          ]
          detail = "SpeechResult=\"\(text.escapingControlCharacters)\""
          waitMs += 1000
        } else {
          waitMs += gather.timeoutSeconds * 1000
        }
        begin(verb, detail, at: now)
        awaiting = .gather(gather, result: result)
        return .wait(milliseconds: waitMs)
      case .redirect(let action):
        begin(verb, action.url.displayText, at: now)
        return request(action, extra: [], purpose: "redirect", at: now)
      case .dial(let nouns, let action):
        begin(verb, nouns.isEmpty ? "(nothing to dial)" : nouns.joined(separator: ", "), at: now)
        guard let action else { continue }
        let dialed = CallSid.random(using: &random)
        return request(
          action,
          extra: [
            NamedValue(name: "DialCallStatus", value: settings.dialStatus),
            NamedValue(name: "DialCallSid", value: dialed.rawValue),
          ], purpose: "dial", at: now)
      case .record(let record):
        begin(verb, "up to \(record.maxLengthSeconds) s, timeout \(record.timeoutSeconds) s", at: now)
        awaiting = .record(record)
        return .record(maxLengthMs: record.maxLengthSeconds * 1000, timeoutMs: record.timeoutSeconds * 1000)
      case .hangup:
        begin(verb, "", at: now)
        return .end(CallEnd(status: "completed", reason: "<Hangup>"))
      case .reject(let reason):
        begin(verb, reason, at: now)
        return .end(
          CallEnd(status: reason == "busy" ? "busy" : "no-answer", reason: "<Reject reason=\"\(reason)\">"))
      case .unsupported(let name, let detail):
        begin(verb, detail, at: now)
        issues.append(Issue(code: nil, message: "<\(name)>: \(detail); skipped", isError: false))
      }
    }
    return .end(CallEnd(status: "completed", reason: "the end of the TwiML"))
  }

  /// The keys a `<Gather>` keeps: up to `finishOnKey` (not included) or `numDigits`.
  static func gathered(_ keys: String, _ gather: CallVerb.Gather) -> (String, String?) {
    var kept = ""
    for key in keys {
      if !gather.finishOnKey.isEmpty, String(key) == gather.finishOnKey { return (kept, String(key)) }
      kept.append(key)
      if let n = gather.numDigits, kept.count >= n { return (kept, nil) }
    }
    return (kept, nil)
  }

  static func seconds(_ ms: Int) -> String {
    ms % 1000 == 0 ? "\(ms / 1000) s" : "\(Double(ms) / 1000) s"
  }
}
