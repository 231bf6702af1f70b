import TwvoiceCLI

/// `twvoice`: runs the command tree and exits with its status.
@main
enum Entrypoint {
  static func main() {
    var arguments = Array(CommandLine.arguments.dropFirst())
    // `twvoice` alone on a terminal is the REPL.
    if arguments.isEmpty && Terminal.isTerminal(0) && Terminal.isTerminal(1) { arguments = ["repl"] }
    let status = CommandRunner.run(arguments: arguments)
    Terminal.flushAndExit(status)
  }
}
