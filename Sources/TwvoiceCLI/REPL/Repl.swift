import ArgumentParser
import TwvoiceCore

#if canImport(Glibc)
  import Glibc
#endif

/// `twvoice repl`: the command tree, interactively or from a script.
struct ReplCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "repl",
    abstract: "Run twvoice commands interactively, with line editing, history and completion.",
    discussion: """
      Every line runs through the same command tree as the command line: `token mint \
      --identity alice` here is `twvoice token mint --identity alice` there, with the same \
      messages and exit codes. Quoting works as in a shell. Also: help [COMMAND], exit or quit \
      (or Ctrl-D), set NAME VALUE / unset NAME / show for defaults later commands use \
      (identity, application-sid, account-sid, api-key, api-secret, auth-token, url, output, \
      env-file), and env, which shows where each credential comes from, secrets masked.

      On a terminal it uses GNU readline: Tab completes commands, flags, their values and file \
      names; Ctrl-R searches history, kept in $XDG_STATE_HOME/twvoice/history \
      (~/.local/state/twvoice/history) without any line that sets or passes a secret (set \
      api-secret, --auth-token, TWILIO_API_SECRET=...: Up-arrow recalls those in this session \
      only). Ctrl-C cancels the line, or stops the running command \
      (a replay hangs up and keeps what it recorded).

      With standard input not a terminal it runs a script, one command per line, and stops at \
      the first failing line with that line's exit status unless --keep-going:
        twvoice repl < smoke-test.tw
      """
  )

  @Flag(
    name: .customLong("keep-going"),
    help: "In a script, go on after a failing line (exit with the last failure).")
  var keepGoing = false

  func run() throws {
    var repl = Repl(keepGoing: keepGoing)
    let status = repl.run()
    if status != 0 { throw ExitCode(status) }
  }
}

/// The loop: read, split, run builtins or the command tree, report.
struct Repl {
  let keepGoing: Bool
  var settings: [(name: String, value: String)] = []

  init(keepGoing: Bool) { self.keepGoing = keepGoing }

  static var historyPath: String? {
    let environment = SystemIO.environment()
    if let state = environment["XDG_STATE_HOME"], !state.isEmpty { return state + "/twvoice/history" }
    if let home = environment["HOME"], !home.isEmpty { return home + "/.local/state/twvoice/history" }
    return nil
  }

  mutating func run() -> Int32 {
    let interactive = Terminal.isTerminal(0)
    var reader: any LineReader =
      interactive ? ReadlineLineReader(historyPath: Self.historyPath) : PipedLineReader()
    Interrupt.install()
    defer { reader.save() }
    var lastFailure: Int32 = 0
    var lineNumber = 0
    if interactive {
      Terminal.diagnostic(
        "twvoice \(TwvoiceVersion.string): type help for commands, Tab to complete, Ctrl-D to leave")
    }
    while let line = reader.readLine(prompt: "twvoice> ") {
      lineNumber += 1
      Interrupt.reset()
      let trimmed = line.trimmingASCIIWhitespace()
      if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
      if interactive { reader.addHistory(trimmed) }
      if trimmed == "exit" || trimmed == "quit" { break }
      // Builtins (show, env, help) write too: a failed write is 74 as for any command.
      let status = CommandRunner.finish(execute(trimmed))
      guard status != 0 else { continue }
      lastFailure = status
      if !interactive && !keepGoing {
        Terminal.diagnostic("twvoice: repl: stopped at line \(lineNumber) (exit status \(status))")
        return status
      }
    }
    if interactive { Terminal.diagnostic("") }
    return interactive ? 0 : lastFailure
  }

  /// Runs one line; returns its exit status.
  mutating func execute(_ line: String) -> Int32 {
    let words: [String]
    do { words = try ShellWords.split(line) } catch {
      Terminal.error(error.message)
      return FailureKind.usage.rawValue
    }
    guard let first = words.first else { return 0 }
    switch first {
    case "exit", "quit":
      return 0  // handled by the loop; `exit` with arguments is not a thing
    case "help":
      return CommandRunner.run(arguments: Array(words.dropFirst()) + ["--help"])
    case "repl":
      Terminal.error("already in the REPL")
      return FailureKind.usage.rawValue
    case "set":
      guard words.count == 3, CompletionModel.settings.contains(words[1]) else {
        Terminal.error(
          "usage: set NAME VALUE, NAME one of \(CompletionModel.settings.joined(separator: ", "))")
        return FailureKind.usage.rawValue
      }
      settings.removeAll { $0.name == words[1] }
      settings.append((words[1], words[2]))
      return 0
    case "unset":
      guard words.count == 2 else {
        Terminal.error("usage: unset NAME")
        return FailureKind.usage.rawValue
      }
      settings.removeAll { $0.name == words[1] }
      return 0
    case "show":
      if settings.isEmpty { Terminal.write("no settings (set NAME VALUE)\n") }
      for (name, value) in settings {
        Terminal.write(
          "\(name) = \(SecretLine.isSecretName(name) ? maskSecret(value) : value.escapingControlCharacters)\n"
        )
      }
      return 0
    case "env":
      showEnvironment()
      return 0
    default:
      return withSecretsInEnvironment { CommandRunner.run(arguments: inject(words)) }
    }
  }

  /// Adds the session's defaults a command takes but was not given.
  func inject(_ words: [String]) -> [String] {
    var out = words
    func value(_ name: String) -> String? { settings.last { $0.name == name }?.value }
    func has(_ flags: [String]) -> Bool {
      words.contains { w in flags.contains { w == $0 || w.hasPrefix($0 + "=") } }
    }
    let path = words.prefix(3).joined(separator: " ")
    if path.hasPrefix("token mint") {
      if let v = value("identity"), !has(["--identity", "--random-identity", "--identity-prefix"]) {
        out += ["--identity", v]
      }
      if let v = value("application-sid"), !has(["--application-sid", "--voice-app-sid"]) {
        out += ["--application-sid", v]
      }
      if let v = value("output"), !has(["--output"]) { out += ["--output", v] }
      if let v = value("account-sid"), !has(["--account-sid"]) { out += ["--account-sid", v] }
      if let v = value("api-key"), !has(["--api-key"]) { out += ["--api-key", v] }
    }
    if path.hasPrefix("token mint") || path.hasPrefix("token decode") {
      if let v = value("env-file"), !has(["--env-file", "--no-env-file"]) { out += ["--env-file", v] }
    }
    if path.hasPrefix("twiml render start") || path.hasPrefix("stream replay") {
      if let v = value("url"), !has(["--url"]) { out += ["--url", v] }
    }
    return out
  }

  /// Runs `body` with the session's secrets in the process environment (never on a command line).
  func withSecretsInEnvironment(_ body: () -> Int32) -> Int32 {
    let pairs = [
      ("api-secret", EnvironmentVariable.apiSecret), ("auth-token", EnvironmentVariable.authToken),
    ]
    var saved: [(String, String?)] = []
    for (setting, variable) in pairs {
      guard let value = settings.last(where: { $0.name == setting })?.value else { continue }
      saved.append((variable, getenv(variable).map { String(cString: $0) }))
      setenv(variable, value, 1)
    }
    defer {
      for (variable, old) in saved {
        if let old { setenv(variable, old, 1) } else { unsetenv(variable) }
      }
    }
    return body()
  }

  /// Where each credential would come from for the next command, secrets masked.
  func showEnvironment() {
    let envFile = settings.last { $0.name == "env-file" }?.value
    var dotEnv: DotEnv?
    if let path = envFile ?? (SystemIO.exists(".env") ? ".env" : nil),
      let text = try? SystemIO.readText(path, limit: .small)
    {
      dotEnv = DotEnv.parse(text, path: path)
    }
    let resolver = SettingResolver(environment: SystemIO.environment(), dotEnv: dotEnv)
    let rows: [(String, String, Bool)] = [
      (EnvironmentVariable.accountSid, "account-sid", false), (EnvironmentVariable.apiKey, "api-key", false),
      (EnvironmentVariable.apiSecret, "api-secret", true),
      (EnvironmentVariable.authToken, "auth-token", true),
      (EnvironmentVariable.applicationSid, "application-sid", false),
    ]
    for (variable, setting, secret) in rows {
      let fromSetting = settings.last { $0.name == setting }.map {
        ResolvedSetting(value: $0.value, source: .flag("set \(setting)"))
      }
      if let resolved = fromSetting ?? resolver.resolve(variable: variable) {
        let shown = secret ? maskSecret(resolved.value) : resolved.value.escapingControlCharacters
        Terminal.write("\(variable) = \(shown)  (from \(resolved.source))\n")
      } else {
        Terminal.write("\(variable) is not set\n")
      }
    }
  }
}

/// Which REPL lines must never reach the history file: a line that sets or passes a secret.
public enum SecretLine {
  /// `set api-secret …`, `set auth-token …` (any setting whose name says secret, auth token
  /// or password), a `--api-secret`/`--auth-token` flag with its value (`--api-secret-file PATH`
  /// names a file, not a secret), and environment-style assignments such as
  /// `TWILIO_API_SECRET=…` or `TWILIO_AUTH_TOKEN=…`, and any word shaped like a JWT (an
  /// Access Token is a bearer credential until it expires: `token decode eyJ…`). A line that
  /// cannot be split into words is judged by its text, erring towards leaving it out.
  public static func holdsSecret(_ line: String) -> Bool {
    guard let words = try? ShellWords.split(line) else {
      let lower = line.lowercased()
      return ["secret", "token", "password"].contains { lower.contains($0) }
    }
    if words.first == "set", words.count >= 2, isSecretName(words[1]) { return true }
    for word in words {
      if looksLikeJWT(word) { return true }
      if word.hasPrefix("-") {
        let flag = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
        if isSecretName(flag) && !flag.hasSuffix("-file") { return true }
      } else if let equals = word.firstIndex(of: "="), isSecretName(String(word[..<equals])) {
        return true
      }
    }
    return false
  }

  /// Three non-empty base64url segments joined by dots, the first a JSON object (`eyJ`), also
  /// as the value of `--token=…` or inside a longer word.
  static func looksLikeJWT(_ word: String) -> Bool {
    let base64URL = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    return word.split { !base64URL.contains($0) && $0 != "." }.contains { run in
      let parts = run.split(separator: ".", omittingEmptySubsequences: false)
      return parts.count >= 3 && parts[0].hasPrefix("eyJ") && parts[0].count >= 8 && parts[1].count >= 2
    }
  }

  /// `api-secret`, `--auth-token`, `TWILIO_API_SECRET`, `auth_token`…
  public static func isSecretName(_ name: String) -> Bool {
    let lower = name.lowercased()
    return lower.contains("secret") || lower.contains("password") || lower.contains("auth-token")
      || lower.contains("auth_token") || lower.contains("authtoken")
  }
}
