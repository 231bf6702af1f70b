/// Checks a decoded Access Token the way Twilio's servers would on connect, and names the
/// Twilio error each problem causes (twilio-formats.md §1.5: 20101–20104, 20157).
public struct AccessTokenCheck: Sendable {
  /// One problem, or a note that something could not be checked.
  public struct Finding: Equatable, Sendable {
    public enum Severity: Sendable, Equatable {
      /// Twilio would refuse the token.
      case error
      /// The token works but something is off (a Voice identity Twilio will not route to, …).
      case warning
    }
    public var severity: Severity
    /// The Twilio error code a client would get, when there is one.
    public var twilioCode: Int?
    public var message: String
  }

  /// The signature's status.
  public enum SignatureStatus: Equatable, Sendable {
    case valid
    case invalid
    /// No secret was available to check it.
    case notChecked
    /// The signature part is empty: an unsigned token, which nothing can verify.
    case missing
  }

  public var findings: [Finding] = []
  public var signature: SignatureStatus = .notChecked

  /// Whether no finding is an error.
  public var isValid: Bool { !findings.contains { $0.severity == .error } }

  /// Checks `token` at Unix time `now`, verifying the signature when `secret` is given.
  public init(_ token: JWT.Decoded, secret: String?, now: Int) {
    let header = token.header
    let payload = token.payload
    func error(_ code: Int?, _ message: String) {
      findings.append(Finding(severity: .error, twilioCode: code, message: message))
    }
    func warning(_ message: String) {
      findings.append(Finding(severity: .warning, twilioCode: nil, message: message))
    }

    let alg = header["alg"]?.stringValue
    if alg != "HS256" {
      error(20102, "algorithm is \(alg.map { "'\($0)'" } ?? "missing"), Twilio accepts only HS256")
    }
    if header["typ"]?.stringValue != "JWT" {
      error(20102, "header typ must be \"JWT\"")
    }
    if header["cty"]?.stringValue != "twilio-fpa;v=1" {
      error(20102, "header cty must be \"twilio-fpa;v=1\" for an Access Token")
    }

    if token.signature.isEmpty {
      signature = .missing
      // With another algorithm ("none") the 20102 above already says why.
      if alg == "HS256" { error(20101, "signature is empty: the token is unsigned") }
    } else if let secret {
      if alg == "HS256" {
        signature = token.hasValidSignature(secret: secret) ? .valid : .invalid
        if signature == .invalid {
          error(20101, "signature does not match: the token was not signed with this API secret")
        }
      }
    }

    let iss = payload["iss"]?.stringValue
    if let iss {
      do { try APIKeySid.check(iss) } catch let problem {
        error(20103, "issuer (iss): \(problem)")
      }
    } else {
      error(20103, "issuer (iss) is missing")
    }
    if let sub = payload["sub"]?.stringValue {
      do { try AccountSid.check(sub) } catch let problem {
        error(20103, "subject (sub): \(problem)")
      }
    } else {
      error(20103, "subject (sub) is missing")
    }

    let exp = payload["exp"]?.intValue
    let nbf = payload["nbf"]?.intValue
    let issued = Self.issuedAt(payload)
    if let exp {
      if !UTCTime.range.contains(exp) {
        error(20104, "expiration date invalid: exp \(exp) is outside years 1–9999")
      } else if exp <= now {
        error(
          20104,
          "expired \(DurationText.describe(seconds: now.minusSaturating(exp))) ago (exp \(UTCTime.format(exp)))"
        )
      }
      // The lifetime counts from when the token was minted (iat or jti), else from nbf.
      if let start = issued ?? nbf, exp.minusSaturating(start) > AccessToken.maximumLifetime {
        error(
          20157,
          "lifetime is \(DurationText.describe(seconds: exp.minusSaturating(start))), more than Twilio's maximum of 24h"
        )
      }
    } else {
      error(20104, "expiration (exp) is missing or not an integer")
    }
    if let nbf, nbf > now {
      error(
        20101,
        "not valid yet: valid from \(UTCTime.format(nbf)), in \(DurationText.describe(seconds: nbf.minusSaturating(now)))"
      )
    }
    // PyJWT's rule (jwt/api_jwt.py `_validate_iat`, default leeway 0): an iat later than now is
    // "The token is not yet valid (iat)"; an iat that is not an integer is refused too.
    if let iatValue = payload["iat"] {
      if let iat = Self.unixTime(iatValue) {
        if iat > now {
          error(
            20101,
            "not valid yet: issued at (iat) \(UTCTime.format(iat)), in \(DurationText.describe(seconds: iat.minusSaturating(now))) (PyJWT: The token is not yet valid (iat))"
          )
        }
      } else {
        error(20101, "issued at (iat) must be an integer (a Unix time)")
      }
    }
    if let exp, let nbf, nbf >= exp {
      error(20101, "can never be valid: nbf (\(UTCTime.format(nbf))) is not before exp")
    }

    if let grants = payload["grants"] {
      if grants.members == nil { error(20101, "grants must be a JSON object") }
      for problem in Self.grantTypeProblems(grants) { warning(problem) }
      if let identity = grants["identity"]?.stringValue, grants["voice"] != nil,
        let problem = VoiceIdentity.problem(identity)
      {
        warning("identity \(problem)")
      }
    } else {
      error(20101, "grants claim is missing")
    }
  }

  /// A NumericDate as whole seconds: an integer, or a finite number truncated (PyJWT's int());
  /// one beyond `Int` saturates. Nil when it is not a number.
  static func unixTime(_ value: JSONValue) -> Int? {
    guard case .number(let text) = value else { return nil }
    if let int = Int(text) { return int }
    guard let double = Double(text), double.isFinite else { return nil }
    return Int(exactly: double.rounded(.towardZero)) ?? (double > 0 ? .max : .min)
  }

  /// Grant fields of the wrong JSON type, which the Voice SDK and Twilio do not read: the
  /// token looks right but the grant does nothing (twilio-formats.md §1.4 gives the types).
  static func grantTypeProblems(_ grants: JSONValue) -> [String] {
    enum Expected: String {
      case object = "an object"
      case string = "a string"
      case boolean = "true or false"
    }
    var problems: [String] = []
    func check(_ value: JSONValue?, _ path: String, _ expected: Expected) {
      guard let value else { return }
      let fits: Bool
      switch (expected, value) {
      case (.object, .object), (.string, .string), (.boolean, .bool): fits = true
      default: fits = false
      }
      if !fits {
        problems.append(
          "grants.\(path) is \(typeName(value)), not \(expected.rawValue): Twilio and the Voice SDK ignore it"
        )
      }
    }
    check(grants["identity"], "identity", .string)
    let stringFields: [String: [String]] = [
      "video": ["room"],
      "chat": ["service_sid", "endpoint_id", "deployment_role_sid", "push_credential_sid"],
      "data_sync": ["service_sid", "endpoint_id"],
      "task_router": ["workspace_sid", "worker_sid", "role"],
    ]
    for (key, value) in grants.members ?? [] where key != "identity" {
      check(value, key, .object)
      guard value.members != nil else { continue }
      if key == "voice" {
        check(value["incoming"], "voice.incoming", .object)
        if value["incoming"]?.members != nil {
          check(value["incoming"]?["allow"], "voice.incoming.allow", .boolean)
        }
        check(value["outgoing"], "voice.outgoing", .object)
        if value["outgoing"]?.members != nil {
          check(value["outgoing"]?["application_sid"], "voice.outgoing.application_sid", .string)
          check(value["outgoing"]?["params"], "voice.outgoing.params", .object)
        }
        check(value["push_credential_sid"], "voice.push_credential_sid", .string)
        check(value["endpoint_id"], "voice.endpoint_id", .string)
      }
      for field in stringFields[key] ?? [] { check(value[field], "\(key).\(field)", .string) }
    }
    return problems
  }

  private static func typeName(_ value: JSONValue) -> String {
    switch value {
    case .object: "an object"
    case .array: "an array"
    case .string: "a string"
    case .number: "a number"
    case .bool: "a boolean"
    case .null: "null"
    }
  }

  /// When the token was minted: `iat`, else the Unix time after the last '-' of `jti`.
  public static func issuedAt(_ payload: JSONValue) -> Int? {
    if let iat = payload["iat"]?.intValue { return iat }
    guard let jti = payload["jti"]?.stringValue, let dash = jti.lastIndex(of: "-") else {
      return nil
    }
    return Int(jti[jti.index(after: dash)...])
  }
}

/// Twilio Voice's rule for a client identity: "Voice tokens may only contain alpha-numeric and
/// underscore characters" (Access Tokens docs), and at most 121 characters (Voice JS SDK).
public enum VoiceIdentity {
  /// The longest identity Twilio Voice accepts.
  public static let maximumLength = 121

  /// What is wrong with `identity` for Voice, or nil when nothing is.
  public static func problem(_ identity: String) -> String? {
    if identity.unicodeScalars.count > maximumLength {
      return
        "is \(identity.unicodeScalars.count) characters long; Twilio Voice accepts at most \(maximumLength)"
    }
    let bad = identity.unicodeScalars.filter {
      !(("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_")
    }
    guard let first = bad.first else { return nil }
    let shown = first.properties.isWhitespace || first.value < 0x20 ? "U+" + hex(first.value) : String(first)
    return "contains '\(shown)'; Twilio Voice accepts only letters, digits and underscore"
  }

  private static func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
  }
}
