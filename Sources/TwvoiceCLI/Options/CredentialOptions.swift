import ArgumentParser
import TwvoiceCore

/// Where the Twilio credentials come from: flags, then the environment, then a `.env` file.
struct CredentialOptions: ParsableArguments {
  @Option(
    name: .customLong("account-sid"),
    help: ArgumentHelp("Account SID (AC…). Default: $TWILIO_ACCOUNT_SID.", valueName: "sid"))
  var accountSid: String?

  @Option(
    name: .customLong("api-key"),
    help: ArgumentHelp(
      "API key SID (SK…) that signs the token. Default: $TWILIO_API_KEY.", valueName: "sid"))
  var apiKey: String?

  @Option(
    name: .customLong("api-secret"),
    help: ArgumentHelp(
      "API key secret. Visible to other users in ps and shell history; prefer $TWILIO_API_SECRET, --api-secret-file or --api-secret-stdin.",
      valueName: "secret"))
  var apiSecret: String?

  @Option(
    name: .customLong("api-secret-file"),
    help: ArgumentHelp("Read the API key secret from a file (one line).", valueName: "path"),
    completion: .file())
  var apiSecretFile: String?

  @Flag(name: .customLong("api-secret-stdin"), help: "Read the API key secret from standard input.")
  var apiSecretStdin = false

  @Option(
    name: .customLong("env-file"),
    help: ArgumentHelp("Read settings from this file instead of ./.env.", valueName: "path"),
    completion: .file())
  var envFile: String?

  @Flag(name: .customLong("no-env-file"), help: "Do not read ./.env.")
  var noEnvFile = false

  func validate() throws {
    let secretSources = [apiSecret != nil, apiSecretFile != nil, apiSecretStdin].filter { $0 }.count
    if secretSources > 1 {
      throw ValidationError(
        "Give the API secret one way only: --api-secret, --api-secret-file or --api-secret-stdin.")
    }
    if envFile != nil && noEnvFile {
      throw ValidationError("--env-file and --no-env-file cannot be used together.")
    }
  }

  /// The settings resolver: this process's environment and the `.env` file in use.
  func resolver() throws(TwvoiceError) -> SettingResolver {
    var dotEnv: DotEnv?
    if let envFile {
      dotEnv = try Self.loadDotEnv(envFile)
    } else if !noEnvFile, SystemIO.exists(".env") {
      dotEnv = try Self.loadDotEnv(".env")
    }
    return SettingResolver(environment: SystemIO.environment(), dotEnv: dotEnv)
  }

  /// This process's environment, with what `./.env` (when there is one) sets for the names the
  /// environment lacks: for commands that read a setting or two without the credential flags.
  static func environmentWithDotEnv() throws(TwvoiceError) -> [String: String] {
    var environment = SystemIO.environment()
    guard SystemIO.exists(".env") else { return environment }
    var fromFile: [String: String] = [:]
    for entry in try loadDotEnv(".env").entries { fromFile[entry.key] = entry.value }
    environment.merge(fromFile) { inEnvironment, _ in inEnvironment }
    return environment
  }

  private static func loadDotEnv(_ path: String) throws(TwvoiceError) -> DotEnv {
    let text = try SystemIO.readText(path, limit: .small)
    let dotEnv = DotEnv.parse(text, path: path)
    for problem in dotEnv.problems { Terminal.warning("\(problem), line ignored") }
    return dotEnv
  }

  /// The Account SID, checked for shape.
  func accountSid(_ resolver: SettingResolver) throws(TwvoiceError) -> AccountSid {
    try required(
      resolver.resolve(flag: accountSid, flagName: "--account-sid", variable: EnvironmentVariable.accountSid),
      what: "Account SID", flag: "--account-sid", variable: EnvironmentVariable.accountSid)
  }

  /// The API key SID, checked for shape.
  func apiKey(_ resolver: SettingResolver) throws(TwvoiceError) -> APIKeySid {
    try required(
      resolver.resolve(flag: apiKey, flagName: "--api-key", variable: EnvironmentVariable.apiKey),
      what: "API key SID", flag: "--api-key", variable: EnvironmentVariable.apiKey)
  }

  /// The API secret from the one source given, else the environment, else `.env`; nil when
  /// none has it. Warns when it came from the command line.
  func apiSecret(_ resolver: SettingResolver) throws(TwvoiceError) -> ResolvedSetting? {
    if let apiSecret {
      Terminal.warning(
        "--api-secret is visible to other users (ps, shell history); prefer TWILIO_API_SECRET, --api-secret-file or --api-secret-stdin"
      )
      guard !apiSecret.isEmpty else { throw TwvoiceError(.usage, "--api-secret is empty") }
      return ResolvedSetting(value: apiSecret, source: .flag("--api-secret"))
    }
    if let apiSecretFile {
      let text = try SystemIO.readText(apiSecretFile, limit: .small)
      let secret = Self.singleLine(text)
      guard !secret.isEmpty else {
        throw TwvoiceError(.dataError, "\(apiSecretFile): the API secret file is empty")
      }
      guard !secret.contains(where: \.isNewline) else {
        throw TwvoiceError(.dataError, "\(apiSecretFile): the API secret file must hold one line")
      }
      return ResolvedSetting(value: secret, source: .file(apiSecretFile))
    }
    if apiSecretStdin {
      let text = try SystemIO.readText("-", limit: .small)
      let secret = Self.singleLine(text)
      guard !secret.isEmpty else {
        throw TwvoiceError(.usage, "missing API secret: standard input was empty (--api-secret-stdin)")
      }
      return ResolvedSetting(value: secret, source: .standardInput)
    }
    return resolver.resolve(variable: EnvironmentVariable.apiSecret)
  }

  /// The API secret, which minting cannot do without.
  func requiredAPISecret(_ resolver: SettingResolver) throws(TwvoiceError) -> ResolvedSetting {
    guard let secret = try apiSecret(resolver) else {
      throw TwvoiceError(
        .usage,
        "missing API secret: set \(EnvironmentVariable.apiSecret), or pass --api-secret-file PATH or --api-secret-stdin"
      )
    }
    return secret
  }

  /// The value without one trailing line break, as `echo secret > file` writes it.
  static func singleLine(_ text: String) -> String {
    var text = Substring(text)
    if text.hasSuffix("\r\n") || text.hasSuffix("\n") { text = text.dropLast() }
    return String(text)
  }
}

/// A SID setting that must be present and well formed, parsed.
func required<Kind>(_ setting: ResolvedSetting?, what: String, flag: String, variable: String)
  throws(TwvoiceError) -> Sid<Kind>
{
  guard let setting else {
    throw TwvoiceError(.usage, "missing \(what): pass \(flag) or set \(variable)")
  }
  return try parsed(setting)
}

/// A SID setting parsed; an error names where the value came from, never the value.
func parsed<Kind>(_ setting: ResolvedSetting) throws(TwvoiceError) -> Sid<Kind> {
  do { return try Sid<Kind>(setting.value) } catch {
    throw TwvoiceError(.usage, "\(error.description) (from \(setting.source))")
  }
}
