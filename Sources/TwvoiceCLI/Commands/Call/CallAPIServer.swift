import Synchronization
import TwvoiceCore
import TwvoiceNet

/// `call --api-listen`: serves the call's REST API resource (`CallAPI`) while the call runs. A
/// request that changes the call leaves its update here for the call's loop to take; the
/// streams' stop checks look here too, so a hang-up ends a stream at once.
final class CallAPIServer: Sendable {
  private let state: APIState
  private let server: WebSocketServer
  var port: Int { server.port }

  init(host: String, port: Int, api: CallAPI, baseURL: WebURL) throws {
    let state = APIState()
    self.state = state
    server = try WebSocketServer.http(host: host, port: port) { request in
      let answer = state.handle(request, api: api, baseURL: baseURL)
      return .respond(
        status: answer.status, headers: [("Content-Type", "application/json")], body: Array(answer.body.utf8))
    }
  }

  /// The update a request left, taken once.
  func take() -> CallFlow.Update? { state.take() }
  var hasPending: Bool { state.hasPending }
  func setStatus(_ status: String) { state.setStatus(status) }
  func stop() { server.stop() }
}

/// The call's status as the API reports it, and the update waiting to be taken.
private final class APIState: Sendable {
  private let value = Locked<(status: String, pending: CallFlow.Update?)>(("ringing", nil))

  func handle(_ request: WebSocketServer.Request, api: CallAPI, baseURL: WebURL) -> CallAPI.Answer {
    value.withLock { state in
      let answer = api.handle(
        method: request.method, target: request.uri, authorization: request.header("Authorization"),
        body: request.body, status: state.status, baseURL: baseURL)
      if let update = answer.update { state.pending = update }
      return answer
    }
  }

  func take() -> CallFlow.Update? {
    value.withLock { state in
      defer { state.pending = nil }
      return state.pending
    }
  }

  var hasPending: Bool { value.withLock { $0.pending != nil } }
  func setStatus(_ status: String) { value.withLock { $0.status = status } }
}
