import ArgumentParser

/// `twvoice token`: Access Tokens.
struct TokenCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "token",
    abstract: "Mint and inspect Twilio Access Tokens.",
    subcommands: [TokenMint.self, TokenDecode.self]
  )
}
