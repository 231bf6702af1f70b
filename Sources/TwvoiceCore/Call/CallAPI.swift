/// The call's REST API resource, as Twilio serves it, for a bot that ends or redirects its call
/// through Twilio's API (pipecat hangs up this way when its pipeline ends):
///
///     POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json   Status=completed | Twiml=… | Url=…
///     GET  /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json
///
/// HTTP Basic auth as Twilio checks it: the account SID and its auth token (or an API key SID
/// and its secret). Answers with the call's JSON, or Twilio's error JSON (20003 unauthorised,
/// 20404 not found, 21218 bad Status, 21205 bad Url). Network-free: the server hands each
/// request here.
public struct CallAPI: Sendable {
  public var accountSid: AccountSid
  public var callSid: CallSid
  public var from: String
  public var to: String
  /// Accepted username/password pairs (the secrets are never shown).
  public var credentials: [(user: String, password: String)]

  public init(
    accountSid: AccountSid, callSid: CallSid, from: String, to: String,
    credentials: [(user: String, password: String)]
  ) {
    self.accountSid = accountSid
    self.callSid = callSid
    self.from = from
    self.to = to
    self.credentials = credentials
  }

  public struct Answer: Sendable {
    public var status: Int
    public var body: String
    /// What the request asks of the running call, if anything.
    public var update: CallFlow.Update?
  }

  var path: String { "/2010-04-01/Accounts/\(accountSid)/Calls/\(callSid).json" }

  /// Handles one request; `status` is the call's status now.
  public func handle(
    method: String, target: String, authorization: String?, body: [UInt8], status: String, baseURL: WebURL
  ) -> Answer {
    guard authorized(authorization) else {
      return error(401, 20003, "Authenticate")
    }
    let requestPath = String(target.prefix { $0 != "?" })
    guard requestPath == path else {
      return error(
        404, 20404, "The requested resource \(requestPath.escapingControlCharacters) was not found")
    }
    switch method {
    case "GET":
      return Answer(status: 200, body: callJSON(status: status), update: nil)
    case "POST":
      let fields = FormEncoding.decode(String(decoding: body, as: UTF8.self))
      func field(_ name: String) -> String? { fields.last { $0.name == name }?.value }
      if let newStatus = field("Status") {
        guard newStatus == "completed" || newStatus == "canceled" else {
          return error(400, 21218, "Invalid Status: \(newStatus.escapingControlCharacters)")
        }
        return Answer(status: 200, body: callJSON(status: "completed"), update: .hangUp)
      }
      if let twiml = field("Twiml") {
        return Answer(status: 200, body: callJSON(status: status), update: .twiml(Array(twiml.utf8)))
      }
      if let url = field("Url") {
        guard let parsed = try? baseURL.resolving(url), parsed.scheme == "http" || parsed.scheme == "https"
        else {
          return error(400, 21205, "Url is not a valid URL: \(url.escapingControlCharacters)")
        }
        let method: WebhookRequest.Method = field("Method")?.uppercased() == "GET" ? .get : .post
        return Answer(
          status: 200, body: callJSON(status: status),
          update: .redirect(CallVerb.Action(url: parsed, method: method)))
      }
      return Answer(status: 200, body: callJSON(status: status), update: nil)
    default:
      return error(405, 20004, "Method not allowed")
    }
  }

  private func authorized(_ header: String?) -> Bool {
    guard let header, let (scheme, encoded) = header.splitOnce(at: " "), scheme.lowercased() == "basic",
      let decoded = try? Base64.decode(encoded.trimmingASCIIWhitespace()),
      let text = String(validating: decoded, as: UTF8.self), let (user, password) = text.splitOnce(at: ":")
    else { return false }
    return credentials.contains { candidate in
      Crypto.constantTimeEquals(Array(candidate.user.utf8), Array(user.utf8))
        && Crypto.constantTimeEquals(Array(candidate.password.utf8), Array(password.utf8))
    }
  }

  private func error(_ status: Int, _ code: Int, _ message: String) -> Answer {
    let body = JSONValue.object([
      ("code", .int(code)), ("message", .string(message)),
      ("more_info", .string("https://www.twilio.com/docs/errors/\(code)")), ("status", .int(status)),
    ])
    return Answer(
      status: status, body: JSONWriter(style: .compact, asciiOnly: false).string(body), update: nil)
  }

  /// The call resource, with the fields Twilio's helper libraries read.
  func callJSON(status: String) -> String {
    let value = JSONValue.object([
      ("account_sid", .string(accountSid.rawValue)), ("answered_by", .null),
      ("api_version", .string("2010-04-01")),
      ("caller_name", .null), ("direction", .string("inbound")), ("duration", .null), ("from", .string(from)),
      ("parent_call_sid", .null), ("price", .null), ("sid", .string(callSid.rawValue)),
      ("status", .string(status)),
      ("to", .string(to)), ("uri", .string(path)),
    ])
    return JSONWriter(style: .compact, asciiOnly: false).string(value)
  }
}
