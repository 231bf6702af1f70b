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

  /// Prints the document and a newline, and returns the document's text; a character XML cannot
  /// carry is refused with `kind` (flags are checked as they are parsed, so this is the JSON
  /// description's case).
  @discardableResult
  func print(_ document: TwiMLElement, kind: FailureKind = .usage, source: String? = nil) throws -> String {
    let serializer = TwiMLSerializer(style: pretty ? .pretty : .python, declaration: !noDeclaration)
    let text: String
    do { text = try serializer.wellFormedString(document) } catch {
      throw TwvoiceError(kind, (source.map { "\($0): " } ?? "") + error.description)
    }
    Terminal.write(pretty ? text : text + "\n")
    return text
  }
}

/// The transform of every option whose value becomes TwiML text: a character XML cannot carry
/// (NUL, other C0 controls, U+FFFE, U+FFFF) is a usage error naming the flag, not a document
/// Twilio rejects with 12100.
func xmlText(_ value: String) throws -> String {
  if let problem = XMLCharacters.problem(in: value) { throw ValidationError(problem) }
  return value
}
