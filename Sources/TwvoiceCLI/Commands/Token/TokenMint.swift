import ArgumentParser
import TwvoiceCore

/// `twvoice token mint`: a Voice Access Token byte-identical to twilio-python's.
struct TokenMint: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mint",
    abstract: "Mint a Voice Access Token (JWT), exactly as twilio-python does.",
    discussion: """
      The token is the one twilio-python's AccessToken + VoiceGrant produce for the same \
      inputs, byte for byte: same header, claims, grant layout and HS256 signature.

      Examples:
        TOKEN=$(twvoice token mint --identity alice --incoming)
        twvoice token mint --random-identity --output json
        twvoice token mint --identity alice --application-sid AP… --param team=blue --ttl 600 --region ie1
        twvoice token mint --count 1000 --identity-prefix load --now 1700000000 > tokens.jsonl

      Credentials: --account-sid or TWILIO_ACCOUNT_SID; --api-key or TWILIO_API_KEY; the \
      secret from TWILIO_API_SECRET, --api-secret-file or --api-secret-stdin. A .env file in \
      the working directory fills in what the environment lacks. The application SID comes \
      from --application-sid or TWILIO_APPLICATION_SID.
      """
  )

  @OptionGroup(title: "Credentials") var credentials: CredentialOptions

  @Option(help: "The client identity (letters, digits and underscore for Voice).")
  var identity: String?

  @Flag(
    name: .customLong("random-identity"),
    help: "Use a random user-style identity, as the seed's token endpoint does.")
  var randomIdentity = false

  @Option(help: "Seed for --random-identity, for reproducible output.")
  var seed: UInt64?

  @Option(
    name: [.customLong("application-sid"), .customLong("voice-app-sid")],
    help: ArgumentHelp(
      "TwiML App SID (AP…) that outgoing calls reach. Default: $TWILIO_APPLICATION_SID.",
      valueName: "sid"))
  var applicationSid: String?

  @Flag(
    name: [.customLong("incoming"), .customLong("allow-incoming")],
    help: "Allow incoming calls to this identity (incoming.allow).")
  var incoming = false

  @Option(
    name: .customLong("param"),
    help: ArgumentHelp(
      "An outgoing parameter for the TwiML App's webhook (repeatable, kept in order).",
      valueName: "key=value"),
    transform: NamedValue.init(parsing:))
  var params: [NamedValue] = []

  @Option(
    name: .customLong("push-credential-sid"),
    help: ArgumentHelp("Push credential SID (CR…) for incoming-call notifications.", valueName: "sid"))
  var pushCredentialSid: String?

  @Option(name: .customLong("endpoint-id"), help: "Endpoint ID telling apart devices of one identity.")
  var endpointId: String?

  @Option(
    name: .customLong("grant"),
    help: ArgumentHelp(
      "Another product's grant: video[:room=NAME], chat:service_sid=IS…, sync:service_sid=IS…, task-router:workspace_sid=WS… (repeatable).",
      valueName: "kind:field=value"))
  var grants: [String] = []

  // `.unconditional`: a negative number is this option's value (refused by validate with a
  // reason), not an unknown flag.
  @Option(parsing: .unconditional, help: "Seconds until the token expires (at most 86400).")
  var ttl: Int?

  @Option(
    name: .customLong("valid-until"), parsing: .unconditional,
    help: ArgumentHelp("Expire at this Unix time instead.", valueName: "epoch"))
  var validUntil: Int?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Not valid before this Unix time (default: now).", valueName: "epoch"))
  var nbf: Int?

  @Flag(name: .customLong("no-nbf"), help: "Leave out the nbf claim.")
  var noNbf = false

  @Option(help: "Twilio region that authenticates the token (header twr), e.g. ie1, au1.")
  var region: String?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("The clock, in Unix seconds, for jti, exp and nbf.", valueName: "epoch"))
  var now: Int?

  @Option(
    help: "token: the JWT alone (default); json: {\"token\", \"identity\"} as the seed's endpoint returns.")
  var output: MintOutput?

  @Option(help: "Mint this many tokens, one per line (JSON lines unless --output token).")
  var count: Int?

  @Option(name: .customLong("identity-prefix"), help: "With --count: identities PREFIX1 … PREFIXN.")
  var identityPrefix: String?

  enum MintOutput: String, ExpressibleByArgument, CaseIterable {
    case token
    case json
  }

  func validate() throws {
    let identitySources = [identity != nil, randomIdentity, identityPrefix != nil].filter { $0 }.count
    if identitySources > 1 {
      throw ValidationError("Give one of --identity, --random-identity or --identity-prefix.")
    }
    if identitySources == 0 {
      throw ValidationError("Give the client an identity: --identity NAME or --random-identity.")
    }
    if let count {
      if count < 1 { throw ValidationError("--count must be at least 1.") }
      if identity != nil {
        throw ValidationError(
          "--count needs distinct identities: use --identity-prefix or --random-identity.")
      }
    } else if identityPrefix != nil {
      throw ValidationError("--identity-prefix goes with --count.")
    }
    if seed != nil && !randomIdentity {
      throw ValidationError("--seed goes with --random-identity.")
    }
    if let ttl {
      if ttl < 1 { throw ValidationError("--ttl must be at least 1 second.") }
      if ttl > AccessToken.maximumLifetime {
        throw ValidationError(
          "--ttl \(ttl) is more than 86400 seconds (24 hours); Twilio refuses such tokens (error 20157).")
      }
      if validUntil != nil { throw ValidationError("Give --ttl or --valid-until, not both.") }
    }
    if nbf != nil && noNbf { throw ValidationError("--nbf and --no-nbf cannot be used together.") }
    if let region, region.isEmpty { throw ValidationError("--region is empty.") }
    if let identity, identity.isEmpty {
      throw ValidationError("--identity is empty; Twilio needs an identity to route calls to this client.")
    }
    for (name, value) in [("--now", now), ("--valid-until", validUntil), ("--nbf", nbf)] {
      if let value, !UTCTime.range.contains(value) {
        throw ValidationError("\(name) \(value) is not a Unix time between years 1 and 9999.")
      }
    }
  }

  func run() throws {
    let resolver = try credentials.resolver()
    let account = try credentials.accountSid(resolver)
    let apiKey = try credentials.apiKey(resolver)
    let secret = try credentials.requiredAPISecret(resolver)
    let request = try request(resolver, account: account, apiKey: apiKey)
    var plan: MintPlan
    do { plan = try MintPlan(request) } catch { throw Self.describe(error) }
    for warning in plan.warnings { Terminal.warning(Self.describe(warning)) }

    let format = output ?? (count == nil ? .token : .json)
    let writer = JSONWriter(style: .compact, asciiOnly: false)
    var token = plan.template
    // Streamed: each token is written as it is minted, so --count needs no memory per token.
    while let name = plan.identities.next() {
      token.identity = name
      let jwt = token.jwt(secret: secret.value)
      switch format {
      case .token:
        Terminal.write(jwt + "\n")
      case .json:
        Terminal.write(
          writer.string(.object([("token", .string(jwt)), ("identity", .string(name))])) + "\n")
      }
      // Output is flushed in blocks; the first block that fails ends the run (/dev/full, a
      // closed pipe), rather than minting the rest of --count for nothing.
      if let failure = Terminal.outputError {
        throw TwvoiceError(.ioError, "cannot write standard output: \(failure)")
      }
    }
  }

  /// The flags and credentials as a minting request; the SIDs and grants are checked here.
  private func request(_ resolver: SettingResolver, account: AccountSid, apiKey: APIKeySid)
    throws(TwvoiceError) -> MintRequest
  {
    let application = resolver.resolve(
      flag: applicationSid, flagName: "--application-sid",
      variable: EnvironmentVariable.applicationSid)
    let applicationSid: ApplicationSid? = try application.map { (setting) throws(TwvoiceError) in
      try parsed(setting)
    }
    let pushCredential: PushCredentialSid? = try pushCredentialSid.map { (text) throws(TwvoiceError) in
      try parsed(ResolvedSetting(value: text, source: .flag("--push-credential-sid")))
    }
    let otherGrants: [Grant]
    do { otherGrants = try GrantSpec.grants(from: grants) } catch {
      throw TwvoiceError(.usage, error.description)
    }
    let identities: MintRequest.Identities
    if let identity {
      identities = .fixed(identity)
    } else if let identityPrefix {
      identities = .numbered(prefix: identityPrefix, count: count ?? 1)
    } else {
      identities = .random(count: count ?? 1, seed: seed)
    }
    return MintRequest(
      accountSid: account, apiKeySid: apiKey, identities: identities, applicationSid: applicationSid,
      outgoingParams: params,
      incomingAllow: incoming, pushCredentialSid: pushCredential, endpointId: endpointId,
      otherGrants: otherGrants, issuedAt: now ?? SystemIO.now(), ttl: ttl, validUntil: validUntil,
      notBefore: noNbf ? .omitted : nbf.map { .at($0) } ?? .issuedAt, region: region)
  }

  static func describe(_ refusal: MintPlan.Refusal) -> TwvoiceError {
    switch refusal {
    case .paramsWithoutApplication:
      TwvoiceError(
        .usage,
        "--param needs a TwiML application: pass --application-sid or set \(EnvironmentVariable.applicationSid) (Twilio ignores params without one)"
      )
    case .lifetimeTooLong(let seconds):
      TwvoiceError(
        .usage,
        "--valid-until is \(DurationText.describe(seconds: seconds)) after now, more than Twilio's 24h maximum (error 20157)"
      )
    }
  }

  static func describe(_ warning: MintPlan.Warning) -> String {
    switch warning {
    case .identity(let problem): "identity \(problem); the token is minted anyway, as the helper libraries do"
    case .validUntilZeroIgnored: "--valid-until 0 is ignored, as twilio-python ignores it: exp is now + ttl"
    case .alreadyExpired: "--valid-until is not after now: the token is already expired"
    case .neverValid: "--nbf is not before the expiry: the token can never be valid"
    }
  }
}
