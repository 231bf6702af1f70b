import TwvoiceCLI

/// `twvoice`: runs the command tree and exits with its status.
@main
enum Entrypoint {
  static func main() {
    let status = CommandRunner.run(arguments: Array(CommandLine.arguments.dropFirst()))
    Terminal.flushAndExit(status)
  }
}
