import ArgumentParser
import TwvoiceCore

/// How a simulated caller spends time on the line, shared by `stream replay` and `call`: the
/// speed of the session clock, when the caller hangs up, and how long an opening may take.
struct CallerClockOptions: ParsableArguments {
  @Option(help: "Run this many times faster than real time (0.1 to 100): every wait, Pauses included.")
  var speed: Double = 1
  @Flag(
    help:
      "1000× real time, for CI against bots that do not pace in real time (an echo, a scripted bot). A bot that answers in real time cannot answer in time: its utterances are reported unanswered. Times are then session time."
  )
  var fast = false
  @Option(
    help:
      "After the caller's audio ends and the bot's audio has played, stay on the line this long. Default: 2s.",
    transform: WrittenDuration.init(parsing:))
  var tail = WrittenDuration.seconds(2)
  @Option(
    name: .customLong("hangup-after"), help: "Hang up after this long whatever happens.",
    transform: WrittenDuration.init(parsing:))
  var hangupAfter: WrittenDuration?
  @Flag(help: "Do not verify servers' TLS certificates.")
  var insecure = false
  @Option(
    name: .customLong("connect-timeout"),
    help: "Seconds for a stream's whole opening: DNS, TCP connect, TLS handshake and the WebSocket upgrade.")
  var connectTimeout: Double = 10

  func validate() throws {
    guard speed >= 0.1, speed <= 100 else {
      throw ValidationError("--speed must be between 0.1 and 100 (use --fast for 1000× real time).")
    }
    guard connectTimeout > 0, connectTimeout <= 3600 else {
      throw ValidationError("--connect-timeout must be more than 0 and at most 3600 seconds.")
    }
  }

  /// Session time per real time.
  var effectiveSpeed: Double { fast ? 1000 : speed }
}

/// What signs Twilio's requests, shared by `call` and `webhook`: the auth token, or a webhook
/// shared key. Never printed.
struct SigningOptions: ParsableArguments {
  @Option(
    name: .customLong("auth-token"),
    help:
      "The account's auth token (HMAC-SHA1). Default: $TWILIO_AUTH_TOKEN. Visible in ps: prefer the variable."
  )
  var authToken: String?

  @Option(
    name: .customLong("signing-key"),
    help: ArgumentHelp(
      "A webhook shared key (HMAC-SHA256, X-Twilio-Webhooks-Signature-Settings) instead of the auth token. Default: $TWILIO_WEBHOOK_SIGNING_KEY.",
      valueName: "key-id:secret"))
  var signingKey: String?

  static let signingKeyVariable = "TWILIO_WEBHOOK_SIGNING_KEY"

  /// The auth token from the flag or the environment.
  func token(_ environment: [String: String]) -> String? {
    authToken ?? environment[EnvironmentVariable.authToken]
  }

  /// The signer the flags or the environment give (a shared key wins over the auth token); nil
  /// when there is none.
  func signer(_ environment: [String: String]) throws -> WebhookSigner? {
    if let spec = signingKey ?? environment[Self.signingKeyVariable] {
      guard let (id, secret) = spec.splitOnce(at: ":"), !id.isEmpty, !secret.isEmpty else {
        throw ValidationError("--signing-key: expected KEY_ID:SECRET (the secret is not shown)")
      }
      return .sharedKey(id: id, secret: secret)
    }
    return token(environment).flatMap { $0.isEmpty ? nil : .authToken($0) }
  }
}
