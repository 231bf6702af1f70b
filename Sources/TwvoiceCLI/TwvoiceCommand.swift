import ArgumentParser
import TwvoiceCore

/// The root of the command tree.
public struct TwvoiceCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "twvoice",
    abstract: "A workbench for Twilio Programmable Voice developers.",
    discussion: """
      Everything around a Twilio voice app, offline and from one binary: the token endpoint, \
      the webhook's TwiML, the audio and the Media Streams WebSocket server.

        token    mint Voice Access Tokens (JWT) for test clients; decode, verify
        twiml    render TwiML byte for byte as twilio-python does; validate
                 TwiML, naming the Twilio error a call would hit
        codec    Media Streams captures to WAV, audio to Media Streams messages
        stream   replay: act as Twilio toward your Media Streams WebSocket
                 server, from a WAV or a captured call, and record the answer
        call     place a whole call as Twilio does: the signed webhook, its
                 TwiML verb by verb, every stream through the replay engine
        webhook  compute and check X-Twilio-Signature (auth token or shared key)
        repl     all of the above interactively (history, Tab completion),
                 or a script of commands

      Credentials come from flags, then the environment (TWILIO_ACCOUNT_SID, TWILIO_API_KEY, \
      TWILIO_API_SECRET, TWILIO_AUTH_TOKEN, TWILIO_APPLICATION_SID), then a .env file in the \
      working directory. Secrets are never printed. Results go to standard output, diagnostics \
      to standard error; an error is one line starting "twvoice: error:".

      EXIT STATUS:
        0   success
        1   the checked thing is bad (an invalid token, TwiML with findings)
        64  usage error (a wrong flag, value or subcommand)
        65  malformed input data
        66  input missing or unreadable
        70  internal error
        74  output error (standard output or an output file could not be written)
      """,
    version: TwvoiceVersion.string,
    subcommands: [
      TokenCommand.self, TwiMLCommand.self, CodecCommand.self, StreamCommand.self, CallCommand.self,
      RelayCommand.self, ReportCommand.self, WebhookCommand.self,
      ReplCommand.self,
    ]
  )

  public init() {}
}

/// The version printed by `--version`.
public enum TwvoiceVersion {
  public static let string = "0.1.0"
}

/// Parses and runs one command line, reporting failures the same way wherever it is called
/// from (the process entry point now, the REPL later).
public enum CommandRunner {
  /// The command line being run, for the rare command that needs the relative order of different
  /// options (`twiml render dial`'s nouns), which swift-argument-parser does not keep.
  nonisolated(unsafe) static var currentArguments: [String] = []

  /// Runs `arguments` (without the program name) and returns the exit status.
  ///
  /// Synchronous on purpose: starting the concurrency runtime costs threads and start-up time
  /// that a one-shot command like `token mint` does not need (Benchmarks/token_mint.py).
  ///
  /// Every failure is reported the same way: one line `twvoice: error: …` on standard error;
  /// a usage error (64) adds a second line naming the help to read. Output that could not be
  /// written (a full disk, `>/dev/full`, a closed descriptor) turns success into 74, help and
  /// `--version` included.
  public static func run(arguments: [String]) -> Int32 {
    currentArguments = arguments
    Terminal.resetOutputError()
    do {
      var command = try TwvoiceCommand.parseAsRoot(arguments)
      try command.run()
      return finish(0)
    } catch let error as any ClassifiedError {
      Terminal.flush()
      Terminal.error(error.description)
      return finish(error.failureKind.rawValue)
    } catch {
      let code = TwvoiceCommand.exitCode(for: error)
      if code == .success {
        // Help, --version, completion scripts: the result, on standard output.
        let text = TwvoiceCommand.fullMessage(for: error)
        Terminal.write(text.isEmpty ? "" : text + "\n")
        return finish(0)
      }
      Terminal.flush()
      let message = TwvoiceCommand.message(for: error)
      if !message.isEmpty { Terminal.error(oneLine(message)) }
      if code == .validationFailure { Terminal.diagnostic("(see '\(helpCommand(for: arguments))')") }
      return finish(code.rawValue)
    }
  }

  /// Flushes standard output; a write that failed makes a successful (or "checked thing bad",
  /// whose findings were the output) run fail with 74.
  static func finish(_ status: Int32) -> Int32 {
    Terminal.flush()
    guard let failure = Terminal.outputError else { return status }
    Terminal.resetOutputError()  // reported once (the REPL calls this again for its builtins)
    guard status == 0 || status == FailureKind.checkFailed.rawValue else { return status }
    Terminal.error("cannot write standard output: \(failure)")
    return FailureKind.ioError.rawValue
  }

  /// An argument parser message on one line: a list of allowed values ("Please provide one of
  /// the following:\n  - a\n  - b") becomes "…following: a, b"; control characters a user typed
  /// are shown as U+XXXX.
  static func oneLine(_ message: String) -> String {
    let lines = message.split(separator: "\n").map { String($0).trimmingASCIIWhitespace() }.filter {
      !$0.isEmpty
    }
    guard let first = lines.first else { return "" }
    let rest = lines.dropFirst().map { $0.hasPrefix("- ") ? String($0.dropFirst(2)) : String($0) }
    return (rest.isEmpty ? String(first) : first + " " + rest.joined(separator: ", "))
      .escapingControlCharacters
  }

  /// `twvoice token mint --help` for the deepest command the arguments name.
  static func helpCommand(for arguments: [String]) -> String {
    var path = ["twvoice"]
    var command: any ParsableCommand.Type = TwvoiceCommand.self
    for argument in arguments {
      guard
        let next = command.configuration.subcommands.first(where: {
          $0.configuration.commandName == argument || $0.configuration.aliases.contains(argument)
        })
      else { break }
      path.append(next.configuration.commandName ?? argument)
      command = next
    }
    return (path + ["--help"]).joined(separator: " ")
  }
}
