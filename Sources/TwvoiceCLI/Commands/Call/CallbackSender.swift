import Dispatch
import Synchronization
import TwvoiceCore
import TwvoiceNet

/// Sends the status callbacks of a call (the call's `--status-callback`, each stream's
/// `statusCallback`) in order on a thread of their own, as Twilio sends them: signed, answered
/// or not, never holding the call up. Each is kept for the summary.
final class CallbackSender: Sendable {
  struct Sent: Sendable {
    var purpose: String
    var method: String
    var url: String
    var status: Int?
    var latencyMs: Double?
    var atMs: Double
    var event: String
  }

  private let queue = DispatchQueue(label: "twvoice.callbacks")
  private let webhook: WebhookClient
  private let signer: WebhookSigner?
  private let log: ReplayLogWriter?
  private let state: Locked<(random: TwvoiceRandom, sent: [Sent])>

  init(webhook: WebhookClient, signer: WebhookSigner?, seed: UInt64, log: ReplayLogWriter?) {
    self.log = log
    self.webhook = webhook
    self.signer = signer
    state = Locked((TwvoiceRandom(seed: seed), []))
  }

  /// Queues a callback to `action` with `parameters`; `event` names it on the timeline.
  func send(
    _ action: CallVerb.Action, parameters: [NamedValue], purpose: String, event: String, atMs: Double
  ) {
    let token = state.withLock { WebhookRequest.idempotencyToken(using: &$0.random) }
    let request = WebhookRequest(
      method: action.method, url: action.url, parameters: parameters, purpose: purpose, signer: signer,
      idempotencyToken: token)
    let signer = self.signer
    queue.async { [self] in
      log?.appendExchange(atMs: atMs, isRequest: true, CallLogging.request(request))
      let result = webhook.send(
        request,
        resign: { url, method in
          WebhookRequest(
            method: method, url: url, parameters: method == .post ? parameters : [], purpose: purpose,
            signer: signer, idempotencyToken: token)
        })
      log?.appendExchange(atMs: atMs, isRequest: false, CallLogging.response(result))
      var sent = Sent(
        purpose: purpose, method: request.method.rawValue, url: request.url.displayText, status: nil,
        latencyMs: nil, atMs: atMs, event: event)
      if case .success(let response) = result {
        sent.status = response.status
        sent.latencyMs = response.latencyMs
      }
      state.withLock { $0.sent.append(sent) }
    }
  }

  /// Waits for every queued callback and returns them in the order sent.
  func drain() -> [Sent] {
    queue.sync {}
    return state.withLock { $0.sent }
  }
}
