/// One product's permissions inside an Access Token's `grants` claim.
///
/// Each case serialises as twilio-python's grant classes do
/// (`twilio/jwt/access_token/grants.py`): fields in the library's fixed order, and a field that
/// is empty (or `false`) left out. Facts and vectors: twilio-formats.md §1.4.
public enum Grant: Equatable, Sendable {
  case voice(VoiceGrant)
  case video(VideoGrant)
  case chat(ChatGrant)
  case sync(SyncGrant)
  case taskRouter(TaskRouterGrant)

  /// The key of this grant inside `grants`.
  public var key: String {
    switch self {
    case .voice: "voice"
    case .video: "video"
    case .chat: "chat"
    case .sync: "data_sync"
    case .taskRouter: "task_router"
    }
  }

  /// The grant's JSON object.
  public var payload: JSONValue {
    switch self {
    case .voice(let g): g.payload
    case .video(let g): g.payload
    case .chat(let g): g.payload
    case .sync(let g): g.payload
    case .taskRouter(let g): g.payload
    }
  }
}

/// Builds an object from (key, value) pairs, dropping empty strings and nil as the libraries do.
private func members(_ pairs: [(String, String?)]) -> JSONValue {
  .object(
    pairs.compactMap { key, value in
      guard let value, !value.isEmpty else { return nil }
      return (key, .string(value))
    })
}

/// Programmable Voice: which TwiML app outgoing calls reach, and whether the identity can be
/// called.
public struct VoiceGrant: Equatable, Sendable {
  /// `incoming.allow`: the device may receive calls to `client:<identity>`.
  public var incomingAllow: Bool
  /// `outgoing.application_sid`: the TwiML App whose Voice URL outgoing calls fetch.
  public var outgoingApplicationSid: String?
  /// `outgoing.params`: extra request parameters for that webhook, in order. Emitted only with
  /// an application SID, and only when not empty.
  public var outgoingApplicationParams: [(key: String, value: JSONValue)]
  /// `push_credential_sid`: the credential used to register for incoming-call push notifications.
  public var pushCredentialSid: String?
  /// `endpoint_id`: tells apart several devices that share one identity.
  public var endpointId: String?

  public init(
    incomingAllow: Bool = false,
    outgoingApplicationSid: String? = nil,
    outgoingApplicationParams: [(key: String, value: JSONValue)] = [],
    pushCredentialSid: String? = nil,
    endpointId: String? = nil
  ) {
    self.incomingAllow = incomingAllow
    self.outgoingApplicationSid = outgoingApplicationSid
    self.outgoingApplicationParams = outgoingApplicationParams
    self.pushCredentialSid = pushCredentialSid
    self.endpointId = endpointId
  }

  public static func == (a: VoiceGrant, b: VoiceGrant) -> Bool { a.payload == b.payload }

  /// The `voice` object.
  public var payload: JSONValue {
    var grant: [(key: String, value: JSONValue)] = []
    if incomingAllow { grant.append(("incoming", .object([("allow", .bool(true))]))) }
    if let app = outgoingApplicationSid, !app.isEmpty {
      var outgoing: [(key: String, value: JSONValue)] = [("application_sid", .string(app))]
      if !outgoingApplicationParams.isEmpty {
        var params: [(key: String, value: JSONValue)] = []
        for (key, value) in outgoingApplicationParams {
          // A repeated name keeps its first place and takes the last value, as a Python dict
          // does; names are compared as code points (Swift's == would merge "é" and "e\u{301}").
          if let index = params.firstIndex(where: { $0.key.unicodeScalars.elementsEqual(key.unicodeScalars) })
          {
            params[index].value = value
          } else {
            params.append((key, value))
          }
        }
        outgoing.append(("params", .object(params)))
      }
      grant.append(("outgoing", .object(outgoing)))
    }
    if let push = pushCredentialSid, !push.isEmpty {
      grant.append(("push_credential_sid", .string(push)))
    }
    if let endpoint = endpointId, !endpoint.isEmpty {
      grant.append(("endpoint_id", .string(endpoint)))
    }
    return .object(grant)
  }
}

/// Programmable Video: the room the token may join (any room when absent).
public struct VideoGrant: Equatable, Sendable {
  public var room: String?
  public init(room: String? = nil) { self.room = room }
  public var payload: JSONValue { members([("room", room)]) }
}

/// Conversations / Chat.
public struct ChatGrant: Equatable, Sendable {
  public var serviceSid: String?
  public var endpointId: String?
  public var deploymentRoleSid: String?
  public var pushCredentialSid: String?
  public init(
    serviceSid: String? = nil, endpointId: String? = nil, deploymentRoleSid: String? = nil,
    pushCredentialSid: String? = nil
  ) {
    self.serviceSid = serviceSid
    self.endpointId = endpointId
    self.deploymentRoleSid = deploymentRoleSid
    self.pushCredentialSid = pushCredentialSid
  }
  public var payload: JSONValue {
    members([
      ("service_sid", serviceSid), ("endpoint_id", endpointId),
      ("deployment_role_sid", deploymentRoleSid), ("push_credential_sid", pushCredentialSid),
    ])
  }
}

/// Sync (key `data_sync`).
public struct SyncGrant: Equatable, Sendable {
  public var serviceSid: String?
  public var endpointId: String?
  public init(serviceSid: String? = nil, endpointId: String? = nil) {
    self.serviceSid = serviceSid
    self.endpointId = endpointId
  }
  public var payload: JSONValue {
    members([("service_sid", serviceSid), ("endpoint_id", endpointId)])
  }
}

/// TaskRouter (key `task_router`).
public struct TaskRouterGrant: Equatable, Sendable {
  public var workspaceSid: String?
  public var workerSid: String?
  public var role: String?
  public init(workspaceSid: String? = nil, workerSid: String? = nil, role: String? = nil) {
    self.workspaceSid = workspaceSid
    self.workerSid = workerSid
    self.role = role
  }
  public var payload: JSONValue {
    members([("workspace_sid", workspaceSid), ("worker_sid", workerSid), ("role", role)])
  }
}
