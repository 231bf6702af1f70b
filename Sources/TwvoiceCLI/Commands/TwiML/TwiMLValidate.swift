import ArgumentParser
import TwvoiceCore

/// `twvoice twiml validate`: check TwiML before a call does.
struct TwiMLValidate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Check TwiML and report, by line and column, what Twilio would reject and with which error.",
    discussion: """
      Reports malformed XML (Twilio error 12100: also bytes that are not UTF-8, and characters \
      XML 1.0 does not allow, such as NUL, other control characters or U+FFFE, raw or as \
      &#...; references), unknown verbs and nouns, a noun under the wrong verb, unknown \
      attributes and values outside the allowed set (12200), a <Connect><Stream> track other \
      than inbound_track (31941), and stream URLs Twilio cannot use as written (31920: not \
      wss://host[:port]/path or relative, a host or IPv6 literal that does not parse, a port \
      outside 1-65535, user information, a fragment, or a query string Twilio drops).

      Examples:
        curl -s -X POST https://my-app.example.com/start | twvoice twiml validate -
        twvoice twiml validate answer.xml --json

      Exit status: 0 valid; 1 with findings; 66 input missing.
      """
  )

  @Argument(help: "The TwiML file, or - for standard input.", completion: .file(extensions: ["xml"]))
  var input: String

  @Flag(help: "Print the findings as JSON.")
  var json = false

  func run() throws {
    let bytes = try SystemIO.read(input, limit: .document)
    let findings = TwiMLValidator.validate(bytes)
    let name = SystemIO.displayName(input)
    if json {
      let list: [JSONValue] = findings.map { f in
        .object([
          ("line", .int(f.line)), ("column", .int(f.column)), ("severity", .string(f.severity.rawValue)),
          ("twilio_error", .int(f.twilioCode)), ("message", .string(f.message)),
        ])
      }
      let report = JSONValue.object([
        ("input", .string(name)), ("valid", .bool(!findings.contains { $0.severity == .error })),
        ("findings", .array(list)),
      ])
      Terminal.write(JSONWriter(style: .pretty, asciiOnly: false).string(report) + "\n")
    } else if findings.isEmpty {
      Terminal.diagnostic("twvoice: \(name): valid TwiML")
    } else {
      for f in findings {
        Terminal.write(
          "\(name):\(f.line):\(f.column): \(f.severity.rawValue): \(f.message.escapingControlCharacters) (Twilio error \(f.twilioCode))\n"
        )
      }
    }
    if findings.contains(where: { $0.severity == .error }) {
      throw ExitCode(FailureKind.checkFailed.rawValue)
    }
  }
}
