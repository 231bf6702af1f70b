import ArgumentParser
import TwvoiceCore

/// `twvoice webhook`: the signature Twilio puts on its requests.
struct WebhookCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "webhook",
    abstract: "Compute and check X-Twilio-Signature as Twilio signs its webhooks.",
    subcommands: [WebhookSign.self, WebhookVerify.self]
  )
}

/// The request being signed or checked, and the key, shared by `sign` and `verify`.
struct WebhookRequestOptions: ParsableArguments {
  @Argument(help: "The full URL Twilio requests (with its query string, as your server sees it).")
  var url: String

  @Option(
    name: .customLong("param"),
    help: ArgumentHelp("A POST form parameter (repeatable).", valueName: "name=value"),
    transform: NamedValue.init(parsing:))
  var params: [NamedValue] = []

  @Option(
    help:
      "A JSON body (a file, or - for standard input): signed through bodySHA256 in the URL, as Twilio does.",
    completion: .file())
  var body: String?

  @OptionGroup var signing: SigningOptions

  func validate() throws {
    if body != nil && !params.isEmpty {
      throw ValidationError("Give --param (a form body) or --body (a JSON body), not both.")
    }
  }

  /// The signer from the flags or the environment: a usage error when there is none.
  func signer() throws -> WebhookSigner {
    guard let signer = try signing.signer(CredentialOptions.environmentWithDotEnv()) else {
      throw ValidationError(
        "No key to sign with: pass --auth-token or set \(EnvironmentVariable.authToken) (or --signing-key), in the environment or ./.env."
      )
    }
    return signer
  }

  func bodyBytes() throws -> [UInt8]? {
    try body.map { try SystemIO.read($0, limit: .document) }
  }
}

/// `twvoice webhook sign`: the signature Twilio would send.
struct WebhookSign: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sign",
    abstract: "Print the X-Twilio-Signature Twilio would send for a request.",
    discussion: """
      Base64 of the HMAC over the URL followed by each form parameter's name and value, sorted \
      by name (as twilio-python's RequestValidator computes it). With --body, the URL gets \
      bodySHA256=<hex SHA-256 of the body> appended, as Twilio requests a URL with a JSON body, \
      and the URL alone is signed; --json shows that URL.

      Examples:
        twvoice webhook sign https://example.com/voice --param CallSid=CA123 --param From=client:alice
        twvoice webhook sign https://example.com/events --body event.json --json
      """
  )

  @OptionGroup var request: WebhookRequestOptions
  @Flag(help: "Print the URL signed, the signature and the headers as JSON.")
  var json = false

  func run() throws {
    let signer = try request.signer()
    var url = request.url
    if let body = try request.bodyBytes() {
      let hash = TwilioSignature.bodyHash(body)
      // A URL that already names the body's hash is signed as it is; one that names another
      // body's cannot be signed for this one.
      switch TwilioSignature.queryValue("bodySHA256", in: url) {
      case nil: url = TwilioSignature.appendingBodyHash(body, to: url)
      case hash?: break
      case let other?:
        throw TwvoiceError(
          .dataError,
          "\(request.body ?? "-"): the body's SHA-256 is \(hash), but the URL's bodySHA256 is \(other)")
      }
    }
    let signature = signer.sign(url: url, parameters: request.params)
    if json {
      var headers: [(String, JSONValue)] = [("X-Twilio-Signature", .string(signature))]
      if let settings = signer.settingsHeader {
        headers.append(("X-Twilio-Webhooks-Signature-Settings", .string(settings)))
      }
      let value = JSONValue.object([
        ("url", .string(url)), ("algorithm", .string(signer.algorithm.rawValue)),
        ("signature", .string(signature)),
        ("headers", .object(headers)),
      ])
      Terminal.write(JSONWriter(style: .pretty, asciiOnly: false).string(value) + "\n")
    } else {
      Terminal.write(signature + "\n")
    }
  }
}

/// `twvoice webhook verify`: check a signature as a backend should.
struct WebhookVerify: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract: "Check an X-Twilio-Signature as twilio-python's RequestValidator does (exit 0 valid, 1 not).",
    discussion: """
      The URL is tried as given, without its port and with the scheme's default port (Twilio may \
      have signed either); with --body, the body must match the URL's bodySHA256 (a URL without \
      one is invalid: nothing signed the body). Prints \
      "valid" or "invalid".

      Examples:
        twvoice webhook verify https://example.com/voice --signature 'RSOYDt4T1cUTdK1PDd93/VVr8B8=' --param CallSid=CA123
      """
  )

  @OptionGroup var request: WebhookRequestOptions
  @Option(help: "The X-Twilio-Signature header's value.")
  var signature: String

  func run() throws {
    let signer = try request.signer()
    let content: TwilioSignature.Content =
      if let body = try request.bodyBytes() { .body(body) } else { .form(request.params) }
    let valid = TwilioSignature.validate(
      signature, url: request.url, content: content, key: signer.secret, algorithm: signer.algorithm)
    if case .body = content, TwilioSignature.queryValue("bodySHA256", in: request.url) == nil {
      Terminal.warning("the URL has no bodySHA256: the signature does not cover the body")
    }
    Terminal.write(valid ? "valid\n" : "invalid\n")
    if !valid { throw ExitCode(FailureKind.checkFailed.rawValue) }
  }
}
