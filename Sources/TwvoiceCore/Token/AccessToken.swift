/// A Twilio Access Token, minted exactly as twilio-python's `AccessToken.to_jwt()` mints it.
///
/// The JWT (RFC 7519, HS256) carries header `{"alg","cty":"twilio-fpa;v=1",["twr"],"typ"}` with
/// keys sorted (PyJWT ≥ 2.5) and payload `jti, grants, iss, exp, [nbf], [sub]` in that order,
/// `identity` last inside `grants`, compact separators and ASCII-only strings. The same inputs
/// give the same bytes as the Python library, so tokens can be compared and golden-tested.
/// Facts: twilio-formats.md §1; vectors: Tests/TwvoiceCoreTests/Fixtures/access-token-vectors.jsonl.
///
/// Its SIDs are text, as twilio-python takes them: this is the wire model, and the reference
/// vectors include values no SID type would admit (`AC123`, an empty application SID) whose bytes
/// must still match. Policy and commands build it from typed SIDs through `MintPlan`.
public struct AccessToken: Equatable, Sendable {
  /// The most seconds between issue and expiry Twilio accepts (error 20157 beyond it).
  public static let maximumLifetime = 86_400
  /// The helper libraries' default lifetime.
  public static let defaultTTL = 3_600

  /// When the token becomes valid (`nbf`).
  public enum NotBefore: Equatable, Sendable {
    /// `nbf` = `issuedAt`, the libraries' default.
    case issuedAt
    /// `nbf` at this Unix time.
    case at(Int)
    /// No `nbf` claim (twilio-python's `nbf=None`).
    case omitted
  }

  /// `sub`: the account the token acts for (`AC…`). Left out when empty, as twilio-python does.
  public var accountSid: String
  /// `iss`: the API key whose secret signs the token (`SK…`).
  public var apiKeySid: String
  /// `grants.identity`: the client name calls reach this device by. Left out when empty.
  public var identity: String?
  /// Grants in the order they were added.
  public var grants: [Grant]
  /// The clock reading the token is minted at, in Unix seconds (used for `jti`, `exp`, `nbf`).
  public var issuedAt: Int
  /// Seconds from `issuedAt` to `exp`, unless `validUntil` is set.
  public var ttl: Int
  /// An absolute `exp`, overriding `ttl` (ignored when 0, as in twilio-python).
  public var validUntil: Int?
  public var notBefore: NotBefore
  /// `twr`: the Twilio region that authenticates the token (`ie1`, `au1`, …). Empty means none.
  public var region: String?

  public init(
    accountSid: String, apiKeySid: String, identity: String? = nil, grants: [Grant] = [],
    issuedAt: Int, ttl: Int = AccessToken.defaultTTL, validUntil: Int? = nil,
    notBefore: NotBefore = .issuedAt, region: String? = nil
  ) {
    self.accountSid = accountSid
    self.apiKeySid = apiKeySid
    self.identity = identity
    self.grants = grants
    self.issuedAt = issuedAt
    self.ttl = ttl
    self.validUntil = validUntil
    self.notBefore = notBefore
    self.region = region
  }

  /// The `exp` claim.
  public var expiresAt: Int {
    if let validUntil, validUntil != 0 { return validUntil }
    return issuedAt + ttl
  }

  /// The `nbf` claim, when there is one.
  public var notBeforeTime: Int? {
    switch notBefore {
    case .issuedAt: issuedAt
    case .at(let t): t
    case .omitted: nil
    }
  }

  /// The JOSE header.
  public var header: JSONValue {
    var members: [(key: String, value: JSONValue)] = [
      ("alg", .string("HS256")), ("cty", .string("twilio-fpa;v=1")),
    ]
    if let region, !region.isEmpty { members.append(("twr", .string(region))) }
    members.append(("typ", .string("JWT")))
    return .object(members)
  }

  /// The claims.
  public var payload: JSONValue {
    // A key added twice keeps its first position and its last content, as a Python dict does.
    var grantMembers: [(key: String, value: JSONValue)] = []
    for grant in grants {
      if let index = grantMembers.firstIndex(where: { $0.key == grant.key }) {
        grantMembers[index].value = grant.payload
      } else {
        grantMembers.append((grant.key, grant.payload))
      }
    }
    if let identity, !identity.isEmpty { grantMembers.append(("identity", .string(identity))) }
    var claims: [(key: String, value: JSONValue)] = [
      ("jti", .string("\(apiKeySid)-\(issuedAt)")),
      ("grants", .object(grantMembers)),
      ("iss", .string(apiKeySid)),
      ("exp", .int(expiresAt)),
    ]
    if let nbf = notBeforeTime { claims.append(("nbf", .int(nbf))) }
    if !accountSid.isEmpty { claims.append(("sub", .string(accountSid))) }
    return .object(claims)
  }

  /// The signed JWT.
  public func jwt(secret: String) -> String {
    JWT.sign(header: header, payload: payload, secret: secret)
  }
}
