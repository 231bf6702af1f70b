import ArgumentParser
import TwvoiceCore

/// `twvoice token decode`: header, claims and grants of any Access Token, checked.
struct TokenDecode: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "decode",
    abstract: "Inspect an Access Token: header, claims, grants; verify it when a secret is known.",
    discussion: """
      Shows the header and claims with human times and a summary of the grants. When an API \
      secret is available (TWILIO_API_SECRET, --api-secret-file, --api-secret-stdin, .env) the \
      signature is verified in constant time; exp and nbf are checked against --now or the \
      clock. Each problem is reported with the Twilio error a client would get.

      Examples:
        twvoice token decode "$TOKEN"
        twvoice token mint --identity alice | twvoice token decode -
        twvoice token decode --json "$TOKEN" | jq .payload.grants

      Exit status: 0 valid; 1 invalid (bad signature, expired, not yet valid, wrong \
      algorithm, lifetime over 24h); 65 the input is not a JWT.
      """
  )

  @Argument(help: "The token, or - (the default) to read it from standard input.")
  var token: String = "-"

  @Flag(help: "Print {\"header\": …, \"payload\": …} exactly as decoded.")
  var json = false

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("The clock, in Unix seconds, for the exp and nbf checks.", valueName: "epoch"))
  var now: Int?

  @OptionGroup(title: "Credentials") var credentials: CredentialOptions

  func validate() throws {
    if token == "-" && credentials.apiSecretStdin {
      throw ValidationError(
        "Standard input cannot hold both the token and the secret: pass the token as an argument.")
    }
  }

  func run() throws {
    let text: String
    if token == "-" {
      if Terminal.isTerminal(0) {
        throw TwvoiceError(.usage, "no token given: pass it as an argument or pipe it to standard input")
      }
      text = try SystemIO.readText("-", limit: .small)
    } else {
      text = token
    }
    let decoded: JWT.Decoded
    do { decoded = try JWT.decode(text) } catch {
      throw TwvoiceError(.dataError, error.description)
    }
    let resolver = try credentials.resolver()
    var secret = try credentials.apiSecret(resolver)
    // A secret belongs to one API key: when the configured key is not the token's issuer, the
    // secret cannot verify it, and a mismatch would be misreported as a forged token.
    var signatureNote: String?
    if secret != nil,
      let key = resolver.resolve(
        flag: credentials.apiKey, flagName: "--api-key", variable: EnvironmentVariable.apiKey),
      let issuer = decoded.payload["iss"]?.stringValue, key.value != issuer
    {
      signatureNote =
        "the token's issuer is \(issuer.escapingControlCharacters), the secret at hand is for \(shown(key.value)) (from \(key.source))"
      secret = nil
    }
    let clock = now ?? SystemIO.now()
    let check = AccessTokenCheck(decoded, secret: secret?.value, now: clock)

    if json {
      let writer = JSONWriter(style: .pretty, asciiOnly: false)
      Terminal.write(
        writer.string(.object([("header", decoded.header), ("payload", decoded.payload)])) + "\n")
    } else {
      Terminal.write(
        TokenReport.render(
          decoded, check: check, secretSource: secret?.source, signatureNote: signatureNote, now: clock))
    }
    Terminal.flush()
    for finding in check.findings {
      let code = finding.twilioCode.map { " (Twilio error \($0))" } ?? ""
      let message = finding.message.escapingControlCharacters
      switch finding.severity {
      case .error: Terminal.error("token \(message)\(code)")
      case .warning: Terminal.warning("token \(message)\(code)")
      }
    }
    // The token names its account (sub); one named here that is another would not take it.
    var accountMismatch = false
    if let account = resolver.resolve(
      flag: credentials.accountSid, flagName: "--account-sid", variable: EnvironmentVariable.accountSid),
      let sub = decoded.payload["sub"]?.stringValue, sub != account.value
    {
      let message =
        "token subject (sub) is \(sub.escapingControlCharacters), not the account \(shownAccount(account.value)) (from \(account.source))"
      if case .flag = account.source {
        // Asked for by name: the token is not for this account.
        accountMismatch = true
        Terminal.error(message + " (Twilio error 20103)")
      } else {
        Terminal.warning(message)
      }
    }
    if !check.isValid || accountMismatch { throw ExitCode(FailureKind.checkFailed.rawValue) }
  }

  /// A configured account SID as shown: itself when it is shaped like one, else only its shape.
  private func shownAccount(_ sid: String) -> String {
    do { try AccountSid.check(sid) } catch { return SidError.shape(of: sid) }
    return sid
  }

  /// A configured API key as shown: itself when it is shaped like one, else only its shape.
  private func shown(_ key: String) -> String {
    do { try APIKeySid.check(key) } catch { return SidError.shape(of: key) }
    return key
  }
}
