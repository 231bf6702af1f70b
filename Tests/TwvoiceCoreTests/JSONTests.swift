import Testing
import TwvoiceCore

struct JSONTests {
  @Test func writesLikePythonJSONDumps() {
    let compact = JSONWriter(style: .compact)
    // json.dumps({"a": "é中😀", "b": "\"\\/<&\n\t\u{1}\u{7f}"}, separators=(",", ":"))
    let value = JSONValue.object([
      ("a", .string("é中😀")), ("b", .string("\"\\/<&\n\t\u{1}\u{7f}")),
    ])
    #expect(
      compact.string(value)
        == #"{"a":"\u00e9\u4e2d\ud83d\ude00","b":"\"\\/<&\n\t\u0001\u007f"}"#)
    #expect(
      JSONWriter(style: .python).string(.array([.int(1), .null, .bool(true)])) == "[1, null, true]")
    #expect(
      JSONWriter(style: .compact, asciiOnly: false).string(.string("é\u{7f}")) == "\"é\u{7f}\"")
  }

  @Test func parsingKeepsOrderAndNumberText() throws {
    let text = #"{"z":1,"a":[1.50,-2e3,true,false,null],"m":{"k":"v\u00e9\ud83d\ude00"}}"#
    let value = try JSONParser.parse(text)
    #expect(value.members?.map(\.key) == ["z", "a", "m"])
    #expect(value["a"] == .array([.number("1.50"), .number("-2e3"), .bool(true), .bool(false), .null]))
    #expect(value["m"]?["k"]?.stringValue == "vé😀")
    #expect(
      JSONWriter(style: .compact, asciiOnly: false).string(value)
        == #"{"z":1,"a":[1.50,-2e3,true,false,null],"m":{"k":"vé😀"}}"#)
  }

  @Test(arguments: [
    ("", "unexpected end of JSON", 0),
    ("{", "expected a member name in double quotes", 1),
    (#"{"a" 1}"#, "expected ':' after member name", 5),
    ("[1,]", "unexpected character ']'", 3),
    ("01", "unexpected text after the JSON value", 1),
    (#""abc"#, "unterminated string", 4),
    ("\"a\u{1}\"", "control character in string", 2),
    (#""\x""#, "invalid escape '\\x'", 2),
    ("tru", "invalid literal", 0),
    ("1.", "invalid number: digits expected after '.'", 2),
    ("{} {}", "unexpected text after the JSON value", 3),
  ])
  func malformedJSONIsLocated(text: String, reason: String, offset: Int) {
    #expect(throws: JSONParser.Error(offset: offset, reason: reason)) { try JSONParser.parse(text) }
  }

  @Test func deepNestingIsRefusedNotCrashed() {
    let deep = String(repeating: "[", count: 100_000)
    #expect(throws: JSONParser.Error.self) { try JSONParser.parse(deep) }
    let ok = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
    #expect((try? JSONParser.parse(ok)) != nil)
  }

  @Test func invalidUTF8IsRefused() {
    #expect(throws: JSONParser.Error.self) { try JSONParser.parse(bytes: [0x22, 0xff, 0x22]) }
  }
}
