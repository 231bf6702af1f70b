import TwvoiceCore

/// The human-readable page `token decode` prints.
enum TokenReport {
  /// - Parameter signatureNote: why the signature was not checked, when a reason other than a
  ///   missing secret applies.
  static func render(
    _ token: JWT.Decoded, check: AccessTokenCheck, secretSource: SettingSource?,
    signatureNote: String? = nil, now: Int
  ) -> String {
    var lines: [(String, String)] = []
    let compact = JSONWriter(style: .compact, asciiOnly: false)
    func text(_ value: JSONValue?) -> String {
      guard let value else { return "—" }
      return value.stringValue ?? compact.string(value)
    }
    let header = (token.header.members ?? []).map { "\($0.key) \(text($0.value))" }
    lines.append(("Header", header.joined(separator: " · ")))
    let payload = token.payload
    lines.append(("Account", text(payload["sub"]) + "  (sub)"))
    lines.append(("API key", text(payload["iss"]) + "  (iss)"))
    lines.append(("Identity", payload["grants"]?["identity"].map { text($0) } ?? "— (none)"))
    if let jti = payload["jti"] { lines.append(("Token ID", text(jti) + "  (jti)")) }

    let issued = AccessTokenCheck.issuedAt(payload)
    if let issued {
      let from = payload["iat"] != nil ? "iat" : "from jti"
      lines.append(("Issued", "\(UTCTime.format(issued))  (\(from); \(relative(issued, now)))"))
    }
    if let nbf = payload["nbf"]?.intValue {
      lines.append(("Not before", "\(UTCTime.format(nbf))  (\(relative(nbf, now)))"))
    }
    if let exp = payload["exp"]?.intValue {
      var note =
        exp > now
        ? "expires in \(DurationText.describe(seconds: exp.minusSaturating(now)))"
        : "expired \(DurationText.describe(seconds: now.minusSaturating(exp))) ago"
      if let start = issued ?? payload["nbf"]?.intValue {
        note += "; lifetime \(DurationText.describe(seconds: exp.minusSaturating(start)))"
      }
      lines.append(("Expires", "\(UTCTime.format(exp))  (\(note))"))
    }
    if let region = token.header["twr"]?.stringValue {
      lines.append(("Region", region))
    }

    var grantLines: [String] = []
    for member in payload["grants"]?.members ?? [] where member.key != "identity" {
      grantLines.append(contentsOf: describeGrant(member.key, member.value, text))
    }
    lines.append(("Grants", grantLines.isEmpty ? "none" : grantLines.removeFirst()))
    for line in grantLines { lines.append(("", line)) }

    let signature: String
    switch check.signature {
    case .valid: signature = "valid (HS256, secret from \(secretSource.map(\.description) ?? "?"))"
    case .invalid: signature = "INVALID (secret from \(secretSource.map(\.description) ?? "?"))"
    case .missing: signature = "MISSING (the token is unsigned)"
    case .notChecked:
      if let signatureNote {
        signature = "not checked: \(signatureNote)"
      } else if secretSource == nil {
        signature = "not checked: no API secret (set TWILIO_API_SECRET or pass --api-secret-file)"
      } else {
        signature = "not checked: the algorithm is not HS256"
      }
    }
    lines.append(("Signature", signature))
    let errors = check.findings.filter { $0.severity == .error }.count
    let status =
      errors > 0
      ? "INVALID (\(errors) problem\(errors == 1 ? "" : "s"))"
      : check.signature == .valid
        ? "valid" : "unverified (no problem found, but the signature was not checked)"
    lines.append(("Status", status))

    let width = (lines.map(\.0.count).max() ?? 0) + 2
    // Values come from an untrusted token: no control character reaches the terminal.
    return lines.map { label, value in
      label + String(repeating: " ", count: width - label.count) + value.escapingControlCharacters
    }.joined(separator: "\n") + "\n"
  }

  private static func relative(_ time: Int, _ now: Int) -> String {
    if time == now { return "now" }
    return time > now
      ? "in \(DurationText.describe(seconds: time.minusSaturating(now)))"
      : "\(DurationText.describe(seconds: now.minusSaturating(time))) ago"
  }

  private static func describeGrant(_ key: String, _ value: JSONValue, _ text: (JSONValue?) -> String)
    -> [String]
  {
    guard let fields = value.members else { return ["\(key): \(text(value))"] }
    switch key {
    case "voice":
      var parts: [String] = []
      if value["incoming"]?["allow"]?.boolValue == true {
        parts.append("voice: incoming calls allowed")
      } else {
        parts.append("voice: incoming calls not allowed")
      }
      if let outgoing = value["outgoing"] {
        var line = "voice: outgoing calls to TwiML app \(text(outgoing["application_sid"]))"
        if let params = outgoing["params"]?.members, !params.isEmpty {
          line += ", params " + params.map { "\($0.key)=\(text($0.value))" }.joined(separator: " ")
        }
        parts.append(line)
      } else {
        parts.append("voice: no outgoing calls (no application_sid)")
      }
      if let push = value["push_credential_sid"] { parts.append("voice: push credential \(text(push))") }
      if let endpoint = value["endpoint_id"] { parts.append("voice: endpoint \(text(endpoint))") }
      return parts
    default:
      if fields.isEmpty { return ["\(key): (all)"] }
      return ["\(key): " + fields.map { "\($0.key)=\(text($0.value))" }.joined(separator: " ")]
    }
  }
}
