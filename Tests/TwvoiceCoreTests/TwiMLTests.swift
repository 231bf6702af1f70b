import Testing
import TwvoiceCore

/// One reference vector: a document built with twilio-python and the bytes it printed.
struct TwiMLVector: CustomTestStringConvertible, Sendable {
  var json: JSONValue
  var testDescription: String { json["name"]?.stringValue ?? "?" }
  static let all = Fixtures.jsonLines("twiml-vectors.jsonl").map { TwiMLVector(json: $0) }
  /// Cases built with twilio-python: a tree and the bytes it printed.
  static let python = all.filter { $0.json["tree"] != nil }
  /// twilio-java's expected strings.
  static let java = all.filter { $0.json["java_xml"] != nil }
}

struct TwiMLSerializerTests {
  @Test func everyReferenceCaseIsPresent() {
    let names = TwiMLVector.all.compactMap { $0.json["name"]?.stringValue }
    #expect(names.filter { $0.hasPrefix("P") }.count >= 45)
    #expect(names.filter { $0.hasPrefix("G") }.count >= 25)
    #expect(names.filter { $0.hasPrefix("J") }.count >= 20)
  }

  /// twilio-java's outputs, read by twvoice's parser and written again in Java's style.
  @Test(arguments: TwiMLVector.java)
  func javaOutputsRoundTrip(_ vector: TwiMLVector) throws {
    let xml = try #require(vector.json["java_xml"]?.stringValue)
    let parsed = try TwiMLParser.parse(Array(xml.utf8))
    #expect(TwiMLSerializer(style: .compact).string(parsed.element) == xml)
  }

  @Test(arguments: TwiMLVector.python)
  func byteIdenticalToTwilioPython(_ vector: TwiMLVector) throws {
    let tree = try #require(vector.json["tree"])
    let element = try TwiMLTree.element(fromJSON: tree, validate: false)
    #expect(TwiMLSerializer().string(element) == vector.json["xml"]?.stringValue)
  }

  @Test func escapingFollowsElementTree() {
    var say = TwiMLElement("Say", attributes: [("voice", "a&<>\"'\r\n\tb")], text: "t&<>\"'\r\n\t")
    say.set("loop", "2")
    let out = TwiMLSerializer(declaration: false).string(TwiMLElement("Response", children: [.element(say)]))
    #expect(
      out
        == "<Response><Say loop=\"2\" voice=\"a&amp;&lt;&gt;&quot;'&#13;&#10;&#09;b\">t&amp;&lt;&gt;\"'\r\n\t</Say></Response>"
    )
  }

  @Test func attributesSortByCodePoint() {
    let e = TwiMLElement(
      "X",
      attributes: [
        ("alpha", "1"), ("Zeta", "2"), ("statusCallbackMethod", "3"), ("statusCallback", "4"), ("Beta", "5"),
      ])
    #expect(
      TwiMLSerializer(declaration: false).string(e)
        == #"<X Beta="5" Zeta="2" alpha="1" statusCallback="4" statusCallbackMethod="3" />"#)
    #expect(
      TwiMLSerializer(style: .compact, declaration: false).string(e).hasSuffix(#"statusCallbackMethod="3"/>"#)
    )
  }

  @Test func prettyPrinting() {
    let doc = TwiMLElement(
      "Response",
      children: [
        .element(
          TwiMLElement(
            "Connect", children: [.element(TwiMLElement("Stream", attributes: [("url", "wss://x")]))])),
        .element(TwiMLElement("Say", text: "Hi")),
      ])
    #expect(
      TwiMLSerializer(style: .pretty).string(doc) == """
        <?xml version="1.0" encoding="UTF-8"?>
        <Response>
          <Connect>
            <Stream url="wss://x" />
          </Connect>
          <Say>Hi</Say>
        </Response>

        """)
  }

  @Test(arguments: [
    ("status_callback", "statusCallback"), ("foO_Bar_baz", "fooBarBaz"), ("fooBar", "fooBar"),
    ("from_", "from"),
    ("xml_lang", "xml:lang"), ("interpret_as", "interpret-as"), ("", ""), ("foo1bar_baz", "foo1BarBaz"),
  ])
  func attributeNamesAsTwilioPythonMapsThem(kwarg: String, name: String) {
    #expect(VoiceCatalogue.attributeName(kwarg) == name)
  }
}

struct TwiMLTreeTests {
  @Test func validatesNestingAttributesAndValues() throws {
    let ok = try JSONParser.parse(
      #"[{"name":"Dial","attributes":{"record":"record-from-answer","answer_on_bridge":true,"timeout":20},"children":[{"name":"Client","children":[{"name":"Identity","text":"alice"}]}]}]"#
    )
    let element = try TwiMLTree.element(fromJSON: ok)
    #expect(
      TwiMLSerializer(declaration: false).string(element)
        == #"<Response><Dial answerOnBridge="true" record="record-from-answer" timeout="20"><Client><Identity>alice</Identity></Client></Dial></Response>"#
    )
  }

  @Test(arguments: [
    (
      #"[{"name":"Stream"}]"#,
      "Response[0]/Stream: <Stream> is not allowed in <Response> (allowed: Connect, Dial, Echo, Enqueue, Gather, Hangup, Leave, Pause, Pay, Play, Prompt, Queue, Record, Redirect, Refer, Reject, Say, Sms, Start, Stop)"
    ),
    (
      #"[{"name":"Dial","attributes":{"ringTone":"mars"}}]"#,
      "Response[0]/Dial: ringTone=\"mars\" is not allowed for <Dial> (allowed: at, au, bg, br, be, ch, cl, cn, cz, de, dk, ee, es, fi, fr, gr, hu, il, in, it, lt, jp, mx, my, nl, no, nz, ph, pl, pt, ru, se, sg, th, uk, us, us-old, tw, ve, za)"
    ),
    (
      #"[{"name":"Pause","attributes":{"lenght":3}}]"#,
      "Response[0]/Pause: unknown attribute lenght for <Pause> (known: length)"
    ),
    (#"[{"name":"Hangup","text":"bye"}]"#, "Response[0]/Hangup: <Hangup> takes no text"),
    (#"{"name":"Say"}"#, "Say: the root element must be <Response>"),
    (
      #"[{"name":"Say","color":"red"}]"#,
      "Response[0]/Say: unknown key \"color\" (expected name, attributes, text, children)"
    ),
  ])
  func refusesWhatTwilioWouldReject(json: String, message: String) throws {
    let value = try JSONParser.parse(json)
    #expect(throws: TwiMLTree.Error.self) { try TwiMLTree.element(fromJSON: value) }
    do { _ = try TwiMLTree.element(fromJSON: value) } catch { #expect(error.description == message) }
  }

  @Test func streamRules() {
    #expect(TwiMLRules.streamURLProblem("wss://bot.example.com/ws") == nil)
    #expect(TwiMLRules.streamURLProblem("/ws") == nil)
    #expect(TwiMLRules.streamURLProblem("ws://bot/ws")?.contains("wss://") == true)
    #expect(TwiMLRules.streamURLProblem("https://bot/ws")?.contains("got https://") == true)
    #expect(TwiMLRules.streamURLProblem("javascript:alert(1)")?.contains("wss://") == true)
    #expect(TwiMLRules.streamURLProblem("wss://bot/ws?sid=1")?.contains("--param") == true)
    #expect(TwiMLRules.connectTrackProblem("inbound_track") == nil)
    #expect(TwiMLRules.connectTrackProblem("both_tracks")?.contains("--unidirectional") == true)
  }
}

struct VoiceBuilderTests {
  static func xml(_ name: String) -> String? {
    TwiMLVector.python.first { $0.testDescription.hasPrefix(name) }?.json["xml"]?.stringValue
  }

  @Test func typedBuildersGiveTwilioPythonsBytes() throws {
    let g01 = Voice.response(children: [
      .element(
        Voice.connect(children: [
          .element(
            Voice.stream(
              url: "wss://example.com/media",
              children: [
                .element(Voice.parameter(name: "FirstName", value: "Jane")),
                .element(Voice.parameter(name: "LastName", value: "Doe")),
              ]))
        ]))
    ])
    #expect(TwiMLSerializer().string(g01) == Self.xml("G01"))
    let p02 = Voice.response(children: [
      .element(Voice.hangup()), .element(Voice.leave()),
      .element(Voice.sms("twilio sms", to: "+11234567890", from: "+10987654321")),
    ])
    #expect(TwiMLSerializer().string(p02) == Self.xml("P02"))
    let gather = Voice.gather(
      input: ["dtmf", "speech"], numDigits: 1, bargeIn: true, children: [.element(Voice.say("Hi"))])
    #expect(
      TwiMLSerializer(declaration: false).string(gather)
        == #"<Gather bargeIn="true" input="dtmf speech" numDigits="1"><Say>Hi</Say></Gather>"#)
  }

  @Test func everyCatalogueClassHasABuilderThatValidates() throws {
    // A builder's output, placed where the catalogue allows it, passes the validator.
    let say = Voice.say("x", voice: "alice", loop: 2, language: "en-US")
    let doc = TwiMLSerializer().string(Voice.response(children: [.element(say)]))
    #expect(TwiMLValidator.validate(Array(doc.utf8)).isEmpty)
  }
}
