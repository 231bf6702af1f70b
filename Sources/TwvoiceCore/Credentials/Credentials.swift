/// Where a setting's value came from, so people (and `env` in the REPL) can see which of
/// several sources won without seeing the value.
public enum SettingSource: Equatable, Sendable, CustomStringConvertible {
  /// A command-line flag, by name (`--api-key`).
  case flag(String)
  /// A process environment variable.
  case environment(String)
  /// A `.env` file entry.
  case dotEnv(path: String, line: Int, variable: String)
  /// A file holding only the value (`--api-secret-file`).
  case file(String)
  /// Standard input (`--api-secret-stdin`).
  case standardInput

  public var description: String {
    switch self {
    case .flag(let name): name
    case .environment(let name): "environment \(name)"
    case .dotEnv(let path, let line, let variable): "\(path):\(line) (\(variable))"
    case .file(let path): "file \(path)"
    case .standardInput: "standard input"
    }
  }
}

/// A setting's value and its origin.
public struct ResolvedSetting: Equatable, Sendable {
  public var value: String
  public var source: SettingSource
  public init(value: String, source: SettingSource) {
    self.value = value
    self.source = source
  }
}

/// The environment variables twvoice reads, named as the Twilio CLI and the seed name them.
public enum EnvironmentVariable {
  public static let accountSid = "TWILIO_ACCOUNT_SID"
  public static let apiKey = "TWILIO_API_KEY"
  public static let apiSecret = "TWILIO_API_SECRET"
  public static let authToken = "TWILIO_AUTH_TOKEN"
  public static let applicationSid = "TWILIO_APPLICATION_SID"
}

/// Resolves settings with twvoice's precedence: a flag beats the environment, the environment
/// beats a `.env` file. Empty values count as unset everywhere.
public struct SettingResolver: Sendable {
  public var environment: [String: String]
  public var dotEnv: DotEnv?

  public init(environment: [String: String], dotEnv: DotEnv?) {
    self.environment = environment
    self.dotEnv = dotEnv
  }

  /// The value for a setting given as `flagValue` on `flagName`, or in `variable`.
  public func resolve(flag flagValue: String?, flagName: String, variable: String)
    -> ResolvedSetting?
  {
    if let flagValue, !flagValue.isEmpty {
      return ResolvedSetting(value: flagValue, source: .flag(flagName))
    }
    return resolve(variable: variable)
  }

  /// The value of `variable` from the environment, else from the `.env` file.
  public func resolve(variable: String) -> ResolvedSetting? {
    if let value = environment[variable], !value.isEmpty {
      return ResolvedSetting(value: value, source: .environment(variable))
    }
    if let dotEnv, let entry = dotEnv.entry(for: variable), !entry.value.isEmpty {
      return ResolvedSetting(
        value: entry.value, source: .dotEnv(path: dotEnv.path, line: entry.line, variable: variable))
    }
    return nil
  }
}

/// Masks a secret for display: only its length shows, e.g. `•••••••• (32 characters)`.
public func maskSecret(_ secret: String) -> String {
  "•••••••• (\(secret.count) characters)"
}
