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
  }
}
