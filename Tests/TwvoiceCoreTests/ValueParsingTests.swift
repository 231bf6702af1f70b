import Testing
import TwvoiceCore

/// The values flags carry, parsed once where they arrive (`NAME=VALUE`, durations).
struct ValueParsingTests {
  @Test(arguments: [
    ("team=blue", "team", "blue"), ("a==b", "a", "=b"), ("k=", "k", ""), ("é=ü ✓", "é", "ü ✓"),
  ])
  func namedValuesSplitAtTheFirstEquals(text: String, name: String, value: String) throws {
    #expect(try NamedValue(parsing: text) == NamedValue(name: name, value: value))
  }

  @Test(arguments: ["novalue", "=x", ""])
  func aNamedValueNeedsANameAndAnEquals(text: String) {
    #expect(throws: NamedValue.ParseError(text: text)) { try NamedValue(parsing: text) }
  }

  @Test func overridesReplaceByNameInPlaceAndAppendNewNames() {
    let base = [NamedValue(name: "a", value: "1"), NamedValue(name: "b", value: "2")]
    let result = base.overridden(by: [NamedValue(name: "b", value: "x"), NamedValue(name: "c", value: "3")])
    #expect(result.map(\.name) == ["a", "b", "c"])
    #expect(result.map(\.value) == ["1", "x", "3"])
  }

  @Test func writtenDurationsKeepTheirText() throws {
    let d = try WrittenDuration(parsing: "1m30s")
    #expect(d.milliseconds == 90_000 && d.description == "1m30s")
    #expect(WrittenDuration.seconds(2) == (try WrittenDuration(parsing: "2s")))
    #expect(throws: DurationText.ParseError.self) { try WrittenDuration(parsing: "soon") }
  }

  @Test func dtmfErrorsSayWhatIsExpected() {
    #expect(throws: DTMFPress.ParseError.shape) { try DTMFPress(parsing: "5") }
    #expect("\(DTMFPress.ParseError.shape)".hasPrefix("expected DIGIT@TIME"))
  }
}
