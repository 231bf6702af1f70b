import TwvoiceCLI

/// `twvoice`: runs the command tree and exits with its status.
@main
enum Entrypoint {
  static func main() async {
    let status = await CommandRunner.run(arguments: Array(CommandLine.arguments.dropFirst()))
    Terminal.flushAndExit(status)
  }
}
