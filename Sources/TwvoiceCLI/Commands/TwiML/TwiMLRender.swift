import ArgumentParser
import TwvoiceCore

/// `twvoice twiml render`: any document from a JSON description, or a dedicated subcommand.
struct TwiMLRender: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "render",
    abstract:
      "Render TwiML: the stream webhook (start), a dial (dial), a ConversationRelay (relay), or any document from JSON (--from).",
    discussion: """
      Output is byte-identical to twilio-python's str(VoiceResponse()) for the same document: \
      one line, the XML declaration, attributes sorted, <X /> for empty elements.

      --from takes a JSON description: an element is {"name": "Say", "attributes": {...}, \
      "text": "...", "children": [...]}, the document a Response element or the array of its \
      children. Elements, nesting, attributes and enumerated values are checked against the \
      Voice catalogue generated from twilio-python.

      Examples:
        twvoice twiml render start --url wss://bot.example.com/ws --param sid=42 --pause 1000
        twvoice twiml render dial --client alice --caller-id +14155550100
        twvoice twiml render relay --url wss://app.example.com/relay --welcome-greeting "Hi!" --param tenant=acme
        echo '[{"name":"Say","text":"Hello"},{"name":"Hangup"}]' | twvoice twiml render --from -
      """,
    subcommands: [TwiMLRenderStart.self, TwiMLRenderDial.self, TwiMLRenderRelay.self]
  )

  @Option(
    help: ArgumentHelp(
      "Render the document described by this JSON file (- for standard input).", valueName: "file"),
    completion: .file(extensions: ["json"]))
  var from: String?

  @OptionGroup var output: RenderOptions

  func run() throws {
    guard let from else {
      throw ValidationError("Give --from FILE, or a subcommand: start, dial, relay.")
    }
    let text = try SystemIO.readText(from, limit: .document)
    let json: JSONValue
    do { json = try JSONParser.parse(text) } catch {
      throw TwvoiceError(.dataError, "\(SystemIO.displayName(from)): not valid JSON: \(error)")
    }
    let document: TwiMLElement
    do { document = try TwiMLTree.element(fromJSON: json) } catch {
      throw TwvoiceError(.dataError, "\(SystemIO.displayName(from)): \(error)")
    }
    let rendered = try output.print(document, kind: .dataError, source: SystemIO.displayName(from))
    // Rendered as described, as twilio-python would; what Twilio would refuse is said here, as
    // `twiml validate` would say it.
    for finding in TwiMLValidator.validate(Array(rendered.utf8)) where finding.severity == .error {
      Terminal.warning(
        "\(SystemIO.displayName(from)): \(finding.message.escapingControlCharacters) (Twilio error \(finding.twilioCode))"
      )
    }
  }
}
