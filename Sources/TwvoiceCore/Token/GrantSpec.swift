/// Grants for products other than Voice written as text, `KIND[:FIELD=VALUE]`, e.g.
/// `video:room=standup`, `chat:service_sid=IS…`, `sync:endpoint_id=tab1`,
/// `task-router:workspace_sid=WS…`. Several specs of one kind build one grant.
public enum GrantSpec {
  /// The kinds and their fields, as twilio-python names them.
  public static let fields: [(kind: String, fields: [String])] = [
    ("video", ["room"]),
    ("chat", ["service_sid", "endpoint_id", "deployment_role_sid", "push_credential_sid"]),
    ("sync", ["service_sid", "endpoint_id"]),
    ("task-router", ["workspace_sid", "worker_sid", "role"]),
  ]

  /// Why a grant spec could not be read.
  public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var spec: String
    public var reason: String
    public var description: String { "invalid grant '\(spec)': \(reason)" }
    public init(spec: String, reason: String) {
      self.spec = spec
      self.reason = reason
    }
  }

  /// Builds the grants described by `specs`, one per kind, in order of first mention.
  public static func grants(from specs: [String]) throws(ParseError) -> [Grant] {
    var order: [String] = []
    var values: [String: [String: String]] = [:]
    for spec in specs {
      let (kind, field, value) = try parse(spec)
      if values[kind] == nil {
        order.append(kind)
        values[kind] = [:]
      }
      if let field { values[kind]?[field] = value }
    }
    return order.map { kind in
      let v = values[kind] ?? [:]
      switch kind {
      case "video": return .video(VideoGrant(room: v["room"]))
      case "chat":
        return .chat(
          ChatGrant(
            serviceSid: v["service_sid"], endpointId: v["endpoint_id"],
            deploymentRoleSid: v["deployment_role_sid"], pushCredentialSid: v["push_credential_sid"]
          ))
      case "sync": return .sync(SyncGrant(serviceSid: v["service_sid"], endpointId: v["endpoint_id"]))
      default:
        return .taskRouter(
          TaskRouterGrant(workspaceSid: v["workspace_sid"], workerSid: v["worker_sid"], role: v["role"]))
      }
    }
  }

  private static func canonicalKind(_ text: String) -> String? {
    switch text.lowercased() {
    case "video": "video"
    case "chat", "conversations": "chat"
    case "sync", "data_sync": "sync"
    case "task-router", "task_router", "taskrouter": "task-router"
    default: nil
    }
  }

  private static func parse(_ spec: String) throws(ParseError) -> (String, String?, String) {
    let (kindText, assignment): (String, String?) =
      spec.splitOnce(at: ":").map { ($0.before, $0.after) } ?? (spec, nil)
    let known = fields.map(\.kind).joined(separator: ", ")
    guard let kind = canonicalKind(kindText) else {
      throw ParseError(spec: spec, reason: "unknown kind '\(kindText)' (known: \(known))")
    }
    guard let assignment else { return (kind, nil, "") }
    guard let (fieldText, value) = assignment.splitOnce(at: "=") else {
      throw ParseError(spec: spec, reason: "expected \(kind):FIELD=VALUE")
    }
    let field = String(fieldText.map { $0 == "-" ? "_" : $0 }).lowercased()
    let allowed = fields.first { $0.kind == kind }?.fields ?? []
    guard allowed.contains(field) else {
      throw ParseError(
        spec: spec,
        reason: "unknown field '\(fieldText)' for \(kind) (known: \(allowed.joined(separator: ", ")))")
    }
    return (kind, field, value)
  }
}
