import ArgumentParser
import TwvoiceCore

/// The root of the command tree.
public struct TwvoiceCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "twvoice",
    abstract: "A workbench for Twilio Programmable Voice developers.",
    discussion: """
      Mint and inspect Access Tokens for test clients, without a Twilio account or a phone.

      Credentials come from flags, then the environment (TWILIO_ACCOUNT_SID, TWILIO_API_KEY, \
      TWILIO_API_SECRET, TWILIO_APPLICATION_SID), then a .env file in the working directory.

      EXIT STATUS: 0 success; 1 the checked thing is invalid (a token that fails verification); \
      64 usage error; 65 malformed input data; 66 input missing or unreadable; 70 internal \
      error; 74 output error.
      """,
    version: TwvoiceVersion.string,
    subcommands: [
      TokenCommand.self, TwiMLCommand.self, CodecCommand.self, StreamCommand.self, ReplCommand.self,
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
  public static func run(arguments: [String]) -> Int32 {
    currentArguments = arguments
    do {
      var command = try TwvoiceCommand.parseAsRoot(arguments)
      try command.run()
      Terminal.flush()
      if let failure = Terminal.outputError {
        Terminal.error("cannot write standard output: \(failure)")
        return FailureKind.ioError.rawValue
      }
      return 0
    } catch let error as TwvoiceError {
      Terminal.error(error.message)
      return error.kind.rawValue
    } catch {
      let code = TwvoiceCommand.exitCode(for: error)
      let message = TwvoiceCommand.fullMessage(for: error)
      if code == .success {
        Terminal.write(message.isEmpty ? "" : message + "\n")
      } else if !message.isEmpty {
        Terminal.flush()
        Terminal.diagnostic(message)
      }
      return code.rawValue
    }
  }
}
