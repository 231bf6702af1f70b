import ArgumentParser
import TwvoiceCore

/// `twvoice twiml`: the documents a voice webhook returns.
struct TwiMLCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "twiml",
    abstract: "Render TwiML exactly as twilio-python does, and validate TwiML before Twilio sees it.",
    subcommands: [TwiMLRender.self, TwiMLValidate.self]
  )
}

/// Output options every render shares.
struct RenderOptions: ParsableArguments {
  @Flag(help: "Indented XML for people (the default is twilio-python's single line).")
  var pretty = false

  @Flag(name: .customLong("no-declaration"), help: "Leave out the <?xml …?> declaration.")
  var noDeclaration = false

  /// Prints the document and a newline.
  func print(_ document: TwiMLElement) {
    let serializer = TwiMLSerializer(style: pretty ? .pretty : .python, declaration: !noDeclaration)
    let text = serializer.string(document)
    Terminal.write(pretty ? text : text + "\n")
  }
}
