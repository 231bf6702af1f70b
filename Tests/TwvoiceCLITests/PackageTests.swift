import Testing
import TwvoiceCLI
import TwvoiceCore

/// The system libraries the package links, and the command tree's shape.
struct PackageTests {
  @Test func readlineIsLinked() {
    let version = LineEditor.readlineVersion
    #expect(version.hasPrefix("8.") || version.hasPrefix("7."), "GNU readline \(version)")
  }

  @Test func openSSLIsLinked() {
    #expect(Crypto.libraryVersion.hasPrefix("OpenSSL 3."))
  }

  @Test func versionAndHelp() throws {
    let version = try Twvoice.run(["--version"])
    #expect(version.status == 0)
    #expect(version.stdout == TwvoiceVersion.string + "\n")
    let help = try Twvoice.run(["token", "mint", "--help"])
    #expect(help.status == 0)
    #expect(help.stdout.contains("--api-secret-file <path>"))
    let unknown = try Twvoice.run(["tokn"])
    #expect(unknown.status == 64)
    #expect(unknown.stderr.contains("Unexpected argument 'tokn'"))
  }
}
