import TwvoiceCore
import TwvoiceNet

/// How a call's HTTP exchanges go into its session log: what was asked and what came back,
/// never a signature or a key; URLs without their query (the parameters are listed instead).
enum CallLogging {
  static func request(_ request: WebhookRequest) -> JSONValue {
    .object([
      ("purpose", .string(request.purpose)), ("method", .string(request.method.rawValue)),
      ("url", .string(request.url.displayText)),
      ("parameters", .object(request.parameters.map { ($0.name, .string($0.value)) })),
    ])
  }

  static func response(_ result: Result<WebhookResponse, WebhookClient.Failure>) -> JSONValue {
    switch result {
    case .success(let response):
      return .object([
        ("status", .int(response.status)),
        ("content_type", response.contentType.map { .string($0) } ?? .null),
        ("latency_ms", .number(format3(response.latencyMs))),
        ("body", .string(String(decoding: response.body, as: UTF8.self))),
      ])
    case .failure(let failure):
      return .object([("twilio_error", .int(failure.code)), ("message", .string(failure.message))])
    }
  }
}
