import Testing
import TwvoiceCore

struct TwiMLParserTests {
  @Test func readsWhatTwilioPythonWrites() throws {
    for vector in TwiMLVector.python {
      let xml = try #require(vector.json["xml"]?.stringValue)
      let parsed = try TwiMLParser.parse(Array(xml.utf8))
      #expect(TwiMLSerializer().string(parsed.element) == xml, "\(vector.testDescription)")
    }
  }

  @Test func locationsReferencesCommentsAndCDATA() throws {
    let xml =
      "<?xml version=\"1.0\"?>\n<!-- answer -->\n<Response>\n  <Say voice='a&amp;b'>x &lt; y &#233;&#x4E2D;<![CDATA[<raw>]]></Say>\n</Response>\n"
    let root = try TwiMLParser.parse(Array(xml.utf8))
    #expect(root.line == 3 && root.column == 1)
    let say = try #require(root.children.first)
    #expect(say.line == 4 && say.column == 3)
    #expect(say.element[attribute: "voice"] == "a&b")
    #expect(say.element.children == [.text("x < y é中<raw>")])
  }

  @Test(arguments: [
    ("", "1:1: no root element: the document is empty"),
    ("<Response>", "1:11: <Response> (line 1) is never closed"),
    ("<Response><Say>a</Sa></Response>", "1:17: </Sa> closes <Say> opened at line 1, column 11"),
    ("<Response a=\"1\" a=\"2\"/>", "1:17: attribute a appears twice in <Response>"),
    ("<Response a=1/>", "1:13: the value of a must be in quotes"),
    ("<Response>&nbsp;</Response>", "1:11: unknown entity &nbsp;"),
    ("<Response>a & b</Response>", "1:13: '&' must start a reference such as &amp;"),
    ("<Response/><Response/>", "1:12: a second root element: a document has exactly one"),
    ("<!DOCTYPE x [<!ENTITY a \"b\">]><Response/>", "1:1: a DOCTYPE is not allowed in TwiML"),
    ("\n\n<Response x=\"<\"/>", "3:14: '<' is not allowed in an attribute value (write &lt;)"),
  ])
  func malformedXML(xml: String, message: String) {
    #expect(throws: TwiMLParser.SyntaxError.self) { try TwiMLParser.parse(Array(xml.utf8)) }
    do { _ = try TwiMLParser.parse(Array(xml.utf8)) } catch { #expect(error.description == message) }
  }

  @Test func deepNestingIsRefused() {
    let deep = String(repeating: "<a>", count: 1000) + String(repeating: "</a>", count: 1000)
    #expect(throws: TwiMLParser.SyntaxError.self) { try TwiMLParser.parse(Array(deep.utf8)) }
  }
}

struct TwiMLValidatorTests {
  static func codes(_ xml: String) -> [Int] { TwiMLValidator.validate(Array(xml.utf8)).map(\.twilioCode) }

  @Test func validDocumentsHaveNoFindings() throws {
    for vector in TwiMLVector.python where vector.testDescription.hasPrefix("G") {
      let xml = try #require(vector.json["xml"]?.stringValue)
      #expect(TwiMLValidator.validate(Array(xml.utf8)).isEmpty, "\(vector.testDescription)")
    }
  }

  @Test(arguments: [
    ("<Response><Say>hi</Response>", [12100]),
    ("<Speak/>", [12200]),
    ("<Response><Foo/></Response>", [12200]),
    ("<Response><Number>+1</Number></Response>", [12200]),
    ("<Response><Dial><Say>x</Say></Dial></Response>", [12200]),
    ("<Response><Pause lenght=\"2\"/></Response>", [12200]),
    ("<Response><Dial record=\"always\"><Client>a</Client></Dial></Response>", [12200]),
    ("<Response><Connect><Stream url=\"wss://x/ws\" track=\"both_tracks\"/></Connect></Response>", [31941]),
    ("<Response><Start><Stream url=\"wss://x/ws\" track=\"both_tracks\"/></Start></Response>", []),
    ("<Response><Start><Stream url=\"wss://x/ws\" track=\"left\"/></Start></Response>", [31941]),
    ("<Response><Connect><Stream url=\"wss://x/ws?token=1\"/></Connect></Response>", [31920]),
    ("<Response><Connect><Stream url=\"https://x/ws\"/></Connect></Response>", [31920]),
    ("<Response><Connect><Stream/></Connect></Response>", [12200]),
    ("<Response><Hangup>bye</Hangup></Response>", [12200]),
    ("<Response><Redirect/></Response>", [12200]),
    ("<Response>\n  <Say>pretty</Say>\n</Response>\n", []),
  ])
  func findings(xml: String, codes: [Int]) {
    #expect(Self.codes(xml) == codes)
  }

  @Test func findingsAreLocated() {
    let xml = "<Response>\n  <Dial>\n    <Stream url=\"wss://x\"/>\n  </Dial>\n</Response>"
    let findings = TwiMLValidator.validate(Array(xml.utf8))
    #expect(findings.map { "\($0.line):\($0.column)" } == ["3:5"])
    #expect(findings.first?.message.hasPrefix("<Stream> is not allowed in <Dial>") == true)
    // XML reads CRLF and a lone CR as one line end each.
    for lineEnd in ["\r\n", "\r"] {
      let other = xml.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: lineEnd)
      #expect(
        TwiMLValidator.validate(Array(other.utf8)).map { "\($0.line):\($0.column)" } == ["3:5"],
        "\(lineEnd.utf8.count)")
    }
    let broken = "<Response>\r  <Say>\r</Response>"
    #expect(throws: TwiMLParser.SyntaxError.self) { try TwiMLParser.parse(Array(broken.utf8)) }
    do { _ = try TwiMLParser.parse(Array(broken.utf8)) } catch { #expect(error.line == 3, "\(error)") }
  }
}

struct StreamURLTests {
  @Test func partsOfAValidURL() throws {
    let url = try StreamURL(parsing: "wss://[2001:db8::1]:8443/media")
    #expect(url.scheme == "wss")
    #expect(url.host == "2001:db8::1")
    #expect(url.port == 8443)
    #expect(url.path == "/media")
    let relative = try StreamURL(parsing: "/ws")
    #expect(relative.scheme == nil && relative.host == nil && relative.path == "/ws")
  }

  @Test(arguments: [
    ("::", true), ("::1", true), ("1::", true), ("1:2:3:4:5:6:7:8", true), ("1:2:3:4:5:6::8", true),
    ("::ffff:1.2.3.4", true), ("1:2:3:4:5:6:1.2.3.4", true), ("fe80::1:2", true),
    ("", false), (":", false), (":::", false), ("1:2:3:4:5:6:7", false), ("1:2:3:4:5:6:7:8:9", false),
    ("1::2::3", false), ("12345::", false), ("g::", false), ("1:", false), (":1", false), ("::1.2.3", false),
    ("1:2:3:4:5:6:7:1.2.3.4", false), ("fe80::1%eth0", false),
  ])
  func ipv6Literals(text: String, valid: Bool) {
    #expect(StreamURL.isIPv6(Array(text.utf8)[...]) == valid, "\(text)")
  }

  @Test func validatorAndRendererShareTheParser() {
    for url in ["javascript:alert(1)", "wss://", "wss://[::1", "wss://h:0"] {
      #expect(TwiMLRules.streamURLProblem(url) != nil)
      #expect(throws: VoiceDocuments.RuleError.self) { try VoiceDocuments.StreamWebhook(url: url).document() }
      let findings = TwiMLValidator.validate(
        Array("<Response><Connect><Stream url=\"\(url)\"/></Connect></Response>".utf8))
      #expect(findings.map(\.twilioCode) == [31920], "\(url)")
    }
  }

  @Test func serializerRefusesCharactersXMLCannotCarry() {
    let document = TwiMLElement("Response", children: [.element(TwiMLElement("Say", text: "a\u{0}"))])
    #expect(throws: TwiMLElement.UnrepresentableCharacter.self) {
      try TwiMLSerializer().wellFormedString(document)
    }
    #expect(XMLCharacters.problem(in: "tab\tnew\nline\r é 😀") == nil)
    #expect(XMLCharacters.problem(in: "\u{FFFE}") == "contains U+FFFE, which XML 1.0 cannot carry")
  }
}
