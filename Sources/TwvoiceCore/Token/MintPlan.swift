/// The minting policy of `token mint`, as values: which grants a request gets, which times the
/// token carries, which identities are minted, and what deserves a warning. The command parses
/// flags and credentials into a `MintRequest`, asks for a `MintPlan`, and prints; every rule
/// lives here, where a test calls it directly.
public struct MintRequest: Sendable {
  /// Who the tokens are for.
  public enum Identities: Sendable, Equatable {
    /// One identity, every time.
    case fixed(String)
    /// `PREFIX1` … `PREFIXcount`.
    case numbered(prefix: String, count: Int)
    /// `count` distinct random names (`RandomIdentity`), from `seed` when given.
    case random(count: Int, seed: UInt64?)
  }

  public var accountSid: AccountSid
  public var apiKeySid: APIKeySid
  public var identities: Identities
  /// The TwiML App outgoing calls go to (`outgoing.application_sid`).
  public var applicationSid: ApplicationSid?
  /// `outgoing.params`: only meaningful with an application.
  public var outgoingParams: [NamedValue]
  public var incomingAllow: Bool
  public var pushCredentialSid: PushCredentialSid?
  public var endpointId: String?
  /// Grants other than Voice (`--grant`).
  public var otherGrants: [Grant]
  /// The clock (Unix seconds): `iat`, `jti` and the default `nbf`.
  public var issuedAt: Int
  public var ttl: Int?
  /// An absolute expiry; 0 is ignored, as twilio-python ignores it.
  public var validUntil: Int?
  public var notBefore: AccessToken.NotBefore
  public var region: String?

  public init(
    accountSid: AccountSid, apiKeySid: APIKeySid, identities: Identities,
    applicationSid: ApplicationSid? = nil,
    outgoingParams: [NamedValue] = [], incomingAllow: Bool = false,
    pushCredentialSid: PushCredentialSid? = nil, endpointId: String? = nil, otherGrants: [Grant] = [],
    issuedAt: Int,
    ttl: Int? = nil, validUntil: Int? = nil, notBefore: AccessToken.NotBefore = .issuedAt,
    region: String? = nil
  ) {
    self.accountSid = accountSid
    self.apiKeySid = apiKeySid
    self.identities = identities
    self.applicationSid = applicationSid
    self.outgoingParams = outgoingParams
    self.incomingAllow = incomingAllow
    self.pushCredentialSid = pushCredentialSid
    self.endpointId = endpointId
    self.otherGrants = otherGrants
    self.issuedAt = issuedAt
    self.ttl = ttl
    self.validUntil = validUntil
    self.notBefore = notBefore
    self.region = region
  }
}

/// What a `MintRequest` amounts to: the token without its identity, the identities, and the
/// warnings to show before minting.
public struct MintPlan: Sendable {
  /// A request Twilio would refuse, or that cannot mean anything.
  public enum Refusal: Error, Equatable, Sendable {
    /// `outgoing.params` without an application: Twilio ignores them.
    case paramsWithoutApplication
    /// `validUntil` is more than Twilio's 24 h after `issuedAt` (error 20157), by this many seconds.
    case lifetimeTooLong(seconds: Int)
  }

  /// Something worth saying; the token is minted anyway.
  public enum Warning: Equatable, Sendable {
    /// Voice will not route calls to an identity like this one (the longest of a sequence).
    case identity(problem: String)
    /// `validUntil` 0 is ignored: exp is issuedAt + ttl.
    case validUntilZeroIgnored
    /// `validUntil` is not after `issuedAt`: the token is born expired.
    case alreadyExpired
    /// `nbf` is not before `exp`: the token can never be valid.
    case neverValid
  }

  /// Every field but the identity.
  public let template: AccessToken
  public var identities: IdentitySequence
  public let warnings: [Warning]

  /// Applies the policy: a Voice grant whenever a voice option is given or nothing else is
  /// granted; `outgoing.params` only with an application; `validUntil` within 24 h.
  public init(_ request: MintRequest) throws(Refusal) {
    var warnings: [Warning] = []
    if !request.outgoingParams.isEmpty && request.applicationSid == nil { throw .paramsWithoutApplication }
    let voice = VoiceGrant(
      incomingAllow: request.incomingAllow, outgoingApplicationSid: request.applicationSid?.rawValue,
      outgoingApplicationParams: request.outgoingParams.map { ($0.name, .string($0.value)) },
      pushCredentialSid: request.pushCredentialSid?.rawValue, endpointId: request.endpointId)
    let hasVoiceOptions =
      request.incomingAllow || request.applicationSid != nil || request.pushCredentialSid != nil
      || request.endpointId != nil
    let grants =
      (hasVoiceOptions || request.otherGrants.isEmpty ? [Grant.voice(voice)] : []) + request.otherGrants

    if request.validUntil == 0 {
      warnings.append(.validUntilZeroIgnored)
    } else if let validUntil = request.validUntil {
      if validUntil.minusSaturating(request.issuedAt) > AccessToken.maximumLifetime {
        throw .lifetimeTooLong(seconds: validUntil - request.issuedAt)
      }
      if validUntil <= request.issuedAt { warnings.append(.alreadyExpired) }
    }
    template = AccessToken(
      accountSid: request.accountSid.rawValue, apiKeySid: request.apiKeySid.rawValue, identity: nil,
      grants: grants,
      issuedAt: request.issuedAt, ttl: request.ttl ?? AccessToken.defaultTTL, validUntil: request.validUntil,
      notBefore: request.notBefore, region: request.region)
    if let start = template.notBeforeTime, start >= template.expiresAt { warnings.append(.neverValid) }
    identities = IdentitySequence(request.identities)
    if let problem = VoiceIdentity.problem(identities.longestPossible) {
      warnings.append(.identity(problem: problem))
    }
    self.warnings = warnings
  }
}

/// The identities to mint for, one at a time: one given, `PREFIX1…PREFIXN`, or N distinct
/// random names. Streamed, so `--count` costs no memory per token beyond the names already
/// drawn (random names must not repeat: load-test clients must not share one).
public struct IdentitySequence: Sendable {
  private let identities: MintRequest.Identities
  private var random: TwvoiceRandom
  private var produced = 0
  private var seen: Set<String> = []

  public init(_ identities: MintRequest.Identities) {
    self.identities = identities
    if case .random(_, let seed?) = identities {
      random = TwvoiceRandom(seed: seed)
    } else {
      random = TwvoiceRandom()
    }
  }

  /// How many identities the sequence produces.
  public var count: Int {
    switch identities {
    case .fixed: 1
    case .numbered(_, let count), .random(let count, _): count
    }
  }

  /// The longest identity the sequence can produce (the last one, for a prefix).
  public var longestPossible: String {
    switch identities {
    case .fixed(let name): name
    case .numbered(let prefix, let count): prefix + String(count)
    case .random: "a"
    }
  }

  public mutating func next() -> String? {
    guard produced < count else { return nil }
    produced += 1
    switch identities {
    case .fixed(let name):
      return name
    case .numbered(let prefix, _):
      return prefix + String(produced)
    case .random(let count, _):
      // Random names repeat after a few thousand.
      var name = RandomIdentity.make(using: &random)
      var attempts = 0
      while count > 1 && seen.contains(name) {
        attempts += 1
        name = RandomIdentity.make(using: &random) + (attempts > 8 ? String(produced) : "")
      }
      if count > 1 { seen.insert(name) }
      return name
    }
  }
}
