import Foundation
import Testing
import TwvoiceCore

/// What Twilio cannot parse or dial is refused by `twiml validate` (12100, 31920) and never
/// produced by `twiml render`: bytes that are not UTF-8, characters outside XML 1.0, stream URLs
/// that are not `wss://host[:port]/path`.
struct TwiMLStrictnessTests {
  /// `twiml validate` on a file holding exactly `bytes`.
  static func validate(_ bytes: [UInt8]) throws -> Twvoice.Result {
    try withTemporaryDirectory { dir in
      try Data(bytes).write(to: dir.appendingPathComponent("answer.xml"))
      return try Twvoice.run(["twiml", "validate", "answer.xml"], in: dir)
    }
  }

  @Test func invalidUTF8Is12100WithLineAndColumn() throws {
    // The column counts characters: "  <Say>héllo " is 13 of them.
    let r = try Self.validate(
      Array("<Response>\n  <Say>héllo ".utf8) + [0xFF] + Array("</Say>\n</Response>".utf8))
    #expect(r.status == 1, "\(r)")
    #expect(r.stdout == "answer.xml:2:14: error: invalid UTF-8 (byte 0xFF) (Twilio error 12100)\n")
  }

  @Test(
    arguments: [
      // raw bytes
      ([0xC3, 0x28], "1:16: error: invalid UTF-8 (byte 0xC3 starts a truncated or malformed sequence)"),
      (
        [0xED, 0xA0, 0x80], "1:16: error: invalid UTF-8 (byte 0xED starts a truncated or malformed sequence)"
      ),
      ([0xC0, 0xAF], "1:16: error: invalid UTF-8 (byte 0xC0)"),
      ([0x00], "1:16: error: control character U+0000 is not allowed in XML"),
      ([0x01], "1:16: error: control character U+0001 is not allowed in XML"),
      ([0x1B], "1:16: error: control character U+001B is not allowed in XML"),
      ([0xEF, 0xBF, 0xBE], "1:16: error: U+FFFE is not a character XML allows"),
      ([0xEF, 0xBF, 0xBF], "1:16: error: U+FFFF is not a character XML allows"),
    ] as [([UInt8], String)])
  func charactersXMLCannotCarryAre12100(bytes: [UInt8], finding: String) throws {
    let r = try Self.validate(Array("<Response><Say>".utf8) + bytes + Array("</Say></Response>".utf8))
    #expect(r.status == 1, "\(r)")
    #expect(r.stdout == "answer.xml:\(finding) (Twilio error 12100)\n")
  }

  @Test(arguments: ["&#0;", "&#x0;", "&#1;", "&#x1F;", "&#xFFFE;", "&#65535;", "&#xD800;", "&#x110000;"])
  func characterReferencesOutsideXMLAre12100(reference: String) throws {
    let r = try Self.validate(Array("<Response><Say>a\(reference)</Say></Response>".utf8))
    #expect(r.status == 1, "\(r)")
    #expect(r.stdout.hasPrefix("answer.xml:1:17: error: "), "\(r)")
    #expect(r.stdout.hasSuffix(" (Twilio error 12100)\n"))
  }

  @Test func allowedCharactersStayValid() throws {
    let r = try Self.validate(
      Array("<Response><Say>tab\t&#9;&#xA;&#xD; é 中 😀 &#xFFFD; &#x10000;\r\n</Say></Response>".utf8))
    #expect(r.status == 0, "\(r)")
  }

  static let refusedURLs: [(String, String)] = [
    ("javascript:alert(1)", "must start with wss:// (got javascript:)"),
    ("wss://", "has no host"),
    ("wss:///ws", "has no host"),
    ("wss://:443/ws", "has no host"),
    ("wss:bot.example.com/ws", "no host after wss:"),
    ("wss://[::1", "without its closing ']'"),
    ("wss://[::1/ws", "without its closing ']'"),
    ("wss://[bot]/ws", "is not an IPv6 address"),
    ("wss://[1:2:3:4:5:6:7:8:9]/", "is not an IPv6 address"),
    ("wss://[::1]x/", "text after the IPv6 address"),
    ("wss://bot:0/ws", "port 0"),
    ("wss://bot:65536/ws", "port 65536"),
    ("wss://bot:99999999999999999999/ws", "a port is a number from 1 to 65535"),
    ("wss://bot:/ws", "a port is a number"),
    ("wss://bot:ws/x", "a port is a number"),
    ("wss://user:pw@bot/ws", "user information"),
    ("wss://bot/ws#top", "fragment"),
    ("wss://bot/ws?token=1", "query string"),
    ("wss://bot example/ws", "a space"),
    ("wss://bot/a b", "a space"),
    ("wss://999.1.1.1/ws", "not an IPv4 address"),
    ("wss://-bot-/ws", "starting or ending with '-'"),
    ("wss://bot..example/ws", "empty label"),
    ("wss://bot/%zz", "%XX"),
    ("https://bot/ws", "got https://"),
    ("ws://bot/ws", "got ws://"),
    ("", "is empty"),
  ]

  @Test(arguments: refusedURLs)
  func validateRefusesStreamURLsTwilioCannotDial(url: String, problem: String) throws {
    let xml = "<Response><Connect><Stream url=\"\(url)\"/></Connect></Response>"
    let r = try Twvoice.run(["twiml", "validate", "-"], stdin: xml)
    #expect(r.status == 1, "\(r)")
    #expect(r.stdout.contains(problem), "\(r)")
    #expect(r.stdout.hasSuffix("(Twilio error 31920)\n"), "\(r)")
  }

  @Test(arguments: refusedURLs)
  func renderRefusesTheSameStreamURLs(url: String, problem: String) throws {
    let r = try Twvoice.run(["twiml", "render", "start", "--url", url])
    #expect(r.status == 64, "\(r)")
    #expect(r.stderr.hasPrefix("twvoice: error: the stream URL "), "\(r)")
    #expect(r.stderr.contains(problem), "\(r)")
    #expect(r.stdout.isEmpty)
    let json = #"[{"name":"Connect","children":[{"name":"Stream","attributes":{"url":"\#(url)"}}]}]"#
    let from = try Twvoice.run(["twiml", "render", "--from", "-"], stdin: json)
    #expect(from.status == 65, "\(from)")
    #expect(from.stderr.contains(problem), "\(from)")
  }

  @Test(arguments: [
    "wss://bot.example.com/ws", "WSS://Bot.Example.COM:8443/media/stream", "wss://bot",
    "wss://bot.example.com.",
    "wss://127.0.0.1:8080/", "wss://[::1]/ws", "wss://[::1]:443/ws", "wss://[2001:db8::8a2e:370:7334]/",
    "wss://[::ffff:192.0.2.1]/", "wss://[1:2:3:4:5:6:7:8]/", "wss://bot/a%20b/~x;y=1", "/ws", "ws",
    "media/ws",
    "//bot.example.com/ws",
  ])
  func validStreamURLsPass(url: String) throws {
    let rendered = try Twvoice.run(["twiml", "render", "start", "--url", url])
    #expect(rendered.status == 0, "\(rendered)")
    let r = try Twvoice.run(["twiml", "validate", "-"], stdin: rendered.stdout)
    #expect(r.status == 0, "\(r)")
  }

  @Test(arguments: [
    (["start", "--url", "wss://bot/ws", "--name", "a\u{01}b"], "--name <name>", "U+0001"),
    // (NUL cannot reach a command line: argv strings end at it.)
    (["start", "--url", "wss://bot/ws", "--param", "k=v\u{0C}"], "--param <name=value>", "U+000C"),
    (["start", "--url", "wss://bot/ws\u{7}"], "--url <url>", "U+0007"),
    (
      ["start", "--url", "wss://bot/ws", "--status-callback", "https://x/\u{FFFE}"], "--status-callback",
      "U+FFFE"
    ),
    (["dial", "--client", "al\u{FFFF}ice"], "--client <client>", "U+FFFF"),
    (["dial", "--client", "a", "--client-param", "k=\u{1B}[31m"], "--client-param <name=value>", "U+001B"),
    (["dial", "--conference", "room\u{08}"], "--conference <conference>", "U+0008"),
  ])
  func renderRefusesCharactersXMLCannotCarryNamingTheFlag(arguments: [String], flag: String, scalar: String)
    throws
  {
    let r = try Twvoice.run(["twiml", "render"] + arguments)
    #expect(r.status == 64, "\(r)")
    #expect(r.stdout.isEmpty)
    let first = r.stderr.split(separator: "\n").first.map(String.init) ?? ""
    #expect(first.hasPrefix("twvoice: error: The value '"), "\(r)")
    #expect(first.contains("is invalid for '\(flag)"), "\(r)")
    #expect(first.hasSuffix("contains \(scalar), which XML 1.0 cannot carry"), "\(r)")
    // The raw character is never echoed back to the terminal.
    #expect(!r.stderr.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
  }

  @Test func renderFromJSONRefusesCharactersXMLCannotCarryNamingTheField() throws {
    let text = try Twvoice.run(
      ["twiml", "render", "--from", "-"], stdin: #"[{"name":"Say","text":"hi\u0000there"}]"#)
    #expect(text.status == 65)
    #expect(
      text.stderr
        == "twvoice: error: standard input: Response/Say: text contains U+0000, which XML 1.0 cannot carry\n")
    #expect(text.stdout.isEmpty)
    let attribute = try Twvoice.run(
      ["twiml", "render", "--from", "-"], stdin: #"[{"name":"Say","attributes":{"voice":"x\uffff"}}]"#)
    #expect(attribute.status == 65)
    #expect(
      attribute.stderr
        == "twvoice: error: standard input: Response/Say: attribute voice contains U+FFFF, which XML 1.0 cannot carry\n"
    )
    let child = try Twvoice.run(
      ["twiml", "render", "--from", "-"], stdin: #"[{"name":"Gather","children":["a\u0002"]}]"#)
    #expect(child.status == 65)
    #expect(child.stderr.contains("Response/Gather: text contains U+0002"))
    // Tab, newline and carriage return are XML characters: escaped in attributes as twilio-python does.
    let fine = try Twvoice.run(
      ["twiml", "render", "--from", "-"],
      stdin: #"[{"name":"Say","attributes":{"voice":"a\tb"},"text":"x\ny"}]"#)
    #expect(fine.status == 0, "\(fine)")
    #expect(fine.stdout.contains(#"<Say voice="a&#09;b">x"#))
  }
}
