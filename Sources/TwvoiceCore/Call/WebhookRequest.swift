/// A request Twilio makes to the application during a call (the Voice URL, a `<Gather>` or
/// `<Dial>` action, a `<Redirect>`, a status callback), built as Twilio builds it: the form
/// parameters in the body for POST or appended to the query for GET, `X-Twilio-Signature` over
/// the URL as requested and the sorted POST parameters, `User-Agent: TwilioProxy/1.1`, and an
/// `I-Twilio-Idempotency-Token`.
public struct WebhookRequest: Sendable {
  public enum Method: String, Sendable, CaseIterable {
    case get = "GET"
    case post = "POST"
  }

  public var method: Method
  /// The URL requested: for GET, with the parameters in its query.
  public var url: WebURL
  /// The form parameters (the body for POST; already in `url` for GET).
  public var parameters: [NamedValue]
  /// Header lines in order; the auth token never appears in them, only the signature.
  public var headers: [NamedValue]
  public var body: [UInt8]

  /// What the request is for, for the timeline: `voice`, `gather`, `redirect`, `dial`,
  /// `stream-status`, `call-status`.
  public var purpose: String

  public init(
    method: Method, url: WebURL, parameters: [NamedValue], purpose: String, signer: WebhookSigner?,
    idempotencyToken: String
  ) {
    self.method = method
    self.purpose = purpose
    self.parameters = parameters
    let encoded = FormEncoding.encode(parameters)
    switch method {
    case .get:
      self.url = url.appendingQuery(encoded)
      body = []
    case .post:
      self.url = url
      body = Array(encoded.utf8)
    }
    var headers: [NamedValue] = []
    headers.append(NamedValue(name: "Host", value: url.hostHeader))
    headers.append(NamedValue(name: "User-Agent", value: "TwilioProxy/1.1"))
    headers.append(NamedValue(name: "Accept", value: "*/*"))
    headers.append(NamedValue(name: "I-Twilio-Idempotency-Token", value: idempotencyToken))
    if let signer {
      let signed: String
      switch method {
      case .get: signed = signer.sign(url: self.url.description, parameters: [])
      case .post: signed = signer.sign(url: url.description, parameters: parameters)
      }
      headers.append(NamedValue(name: "X-Twilio-Signature", value: signed))
      if let settings = signer.settingsHeader {
        headers.append(NamedValue(name: "X-Twilio-Webhooks-Signature-Settings", value: settings))
      }
    }
    if method == .post {
      headers.append(NamedValue(name: "Content-Type", value: "application/x-www-form-urlencoded"))
    }
    headers.append(NamedValue(name: "Content-Length", value: String(body.count)))
    self.headers = headers
  }

  /// A fresh idempotency token, shaped as Twilio's (an account-scoped id and a request id).
  public static func idempotencyToken(using random: inout some RandomNumberGenerator) -> String {
    let hex = Array("0123456789abcdef")
    func digits(_ n: Int) -> String {
      String((0..<n).map { _ in hex[Int.random(in: 0..<16, using: &random)] })
    }
    return "\(digits(8))-\(digits(4))-\(digits(4))-\(digits(4))-\(digits(12))"
  }
}

/// The answer to a webhook, as the network layer got it.
public struct WebhookResponse: Sendable {
  public var status: Int
  /// `Content-Type` without parameters, lowercased; nil when absent.
  public var contentType: String?
  public var body: [UInt8]
  /// The URL that answered (after redirects): relative URLs in the document resolve against it.
  public var url: WebURL
  /// Milliseconds from sending the request to the end of the answer.
  public var latencyMs: Double

  public init(status: Int, contentType: String?, body: [UInt8], url: WebURL, latencyMs: Double) {
    self.status = status
    self.contentType = contentType
    self.body = body
    self.url = url
    self.latencyMs = latencyMs
  }
}

/// What signs Twilio's requests: the account's auth token (HMAC-SHA1), or a webhook shared key
/// (HMAC-SHA256, announced in `X-Twilio-Webhooks-Signature-Settings`). The secret is never shown.
public struct WebhookSigner: Sendable {
  /// The key. Callers pass it on to checks; nothing prints it.
  public let secret: String
  public let algorithm: TwilioSignature.Algorithm
  /// The shared key's id, for the settings header; nil for the auth token.
  public let keyID: String?

  public static func authToken(_ token: String) -> WebhookSigner {
    WebhookSigner(secret: token, algorithm: .hmacSHA1, keyID: nil)
  }

  public static func sharedKey(id: String, secret: String) -> WebhookSigner {
    WebhookSigner(secret: secret, algorithm: .hmacSHA256, keyID: id)
  }

  public func sign(url: String, parameters: [NamedValue]) -> String {
    TwilioSignature.compute(
      url: url, parameters: parameters.map { ($0.name, $0.value) }, key: secret, algorithm: algorithm)
  }

  /// `key=<id>,algorithm=HMAC_SHA256` for a shared key; none for the auth token.
  public var settingsHeader: String? { keyID.map { "key=\($0),algorithm=\(algorithm.rawValue)" } }
}
