import Testing
import TwvoiceCore

/// Core's YAML reader against PyYAML's composer (scripts/gen-yaml-vectors.py), then what twvoice
/// refuses on purpose and what a hostile file costs.
struct YAMLReaderTests {
  /// A tree as one line: `M1{a@1=S1"x"}`, `Q2[…]`; the same shape from a vector's JSON.
  static func shape(_ node: ScenarioNode) -> String {
    switch node {
    case .scalar(let text, let line): "S\(line)\(text.debugDescription)"
    case .sequence(let items, let line): "Q\(line)[" + items.map(shape).joined(separator: ",") + "]"
    case .mapping(let entries, let line):
      "M\(line){"
        + entries.map { "\($0.key.debugDescription)@\($0.line)=\(shape($0.value))" }.joined(separator: ",")
        + "}"
    }
  }

  static func shape(_ json: JSONValue) -> String {
    let line = json["line"]?.intValue ?? -1
    if let text = json["s"]?.stringValue { return "S\(line)\(text.debugDescription)" }
    if let items = json["q"]?.arrayValue {
      return "Q\(line)[" + items.map(shape).joined(separator: ",") + "]"
    }
    let entries = (json["m"]?.arrayValue ?? []).map { entry -> String in
      let parts = entry.arrayValue ?? []
      return "\((parts[0].stringValue ?? "").debugDescription)@\(parts[1].intValue ?? -1)=\(shape(parts[2]))"
    }
    return "M\(line){" + entries.joined(separator: ",") + "}"
  }

  @Test func readsWhatPyYAMLComposes() throws {
    let vectors = Fixtures.jsonLines("yaml-vectors.jsonl")
    #expect(vectors.count >= 90)
    var refused = 0
    for vector in vectors {
      let yaml = try #require(vector["yaml"]?.stringValue)
      if vector["error"]?.boolValue == true {
        refused += 1
        #expect(throws: YAMLReader.Problem.self, "\(yaml.debugDescription)") { try YAMLReader.read(yaml) }
        continue
      }
      let node = try YAMLReader.read(yaml)
      switch vector["tree"] {
      case .null, nil: #expect(node == nil, "\(yaml.debugDescription)")
      case .some(let tree):
        #expect(node.map(Self.shape) == Self.shape(tree), "\(yaml.debugDescription)")
      }
    }
    #expect(refused >= 15)
  }

  /// What PyYAML composes but a scenario cannot hold, refused with the line.
  @Test(arguments: [
    ("a: 1\nb: 2\na: 3\n", "f:3: a: given twice"),
    ("x: {a: 1, a: 2}\n", "f:1: a: given twice"),
    ("? a\n: 1\n", "f:1:1: not valid YAML: complex keys ('? ') are not supported in scenario files"),
    ("[a]: 1\n", "f:1:4: not valid YAML: a key must be plain or quoted text on one line"),
    ("x: {[a]: 1}\n", "f:1: scenario: a key must be text"),
    ("a: *nope\n", "f:1: scenario: the alias '*nope' names no anchor before it"),
    ("b: *a\na: &a 1\n", "f:1: scenario: the alias '*a' names no anchor before it"),
    ("steps:\n  - say: x\n    - y\n", "f:3:5: not valid YAML: a '- ' entry where the mapping expects a key"),
  ])
  func refusesWithFileAndLine(yaml: String, message: String) {
    #expect(throws: YAMLReader.Problem.self) { try YAMLReader.read(yaml) }
    do {
      _ = try YAMLReader.read(yaml)
    } catch {
      #expect(error.describe(file: "f") == message)
    }
  }

  @Test func linesAreWhereEachNodeStarts() throws {
    let yaml = """
      # scenario
      name: demo

      steps:
        - say: a.wav
        - expect_clear:
            within: 300ms
        - dtmf: "12"
      """
    let root = try #require(try YAMLReader.read(yaml))
    #expect(
      Self.shape(root)
        == #"M2{"name"@2=S2"demo","steps"@4=Q5[M5{"say"@5=S5"a.wav"},M6{"expect_clear"@6=M7{"within"@7=S7"300ms"}},M8{"dtmf"@8=S8"12"}]}"#
    )
  }

  /// A billion laughs: each alias counts every value it expands to, so reading stops early.
  @Test func aliasesCannotExpandWithoutBound() {
    var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    for level in 1..<9 {
      let previous = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
      yaml += "a\(level): &a\(level) [\(previous)]\n"
    }
    do {
      _ = try YAMLReader.read(yaml, maximumNodes: 100_000)
      Issue.record("read a file that expands to 10^9 values")
    } catch {
      #expect(error.kind == .content)
      #expect(error.line == 5, "stops at the first alias past the limit")
      #expect(error.message.contains("more than 100000 values"))
    }
    // Below the limit the same aliases are read, expanded.
    let small = "a: &a [x, y]\nb: [*a, *a]\n"
    #expect(throws: Never.self) { _ = try YAMLReader.read(small, maximumNodes: 11) }
    #expect(throws: YAMLReader.Problem.self) { _ = try YAMLReader.read(small, maximumNodes: 10) }
  }

  @Test(arguments: [
    String(repeating: "[", count: 100_000),
    String(repeating: "{a: ", count: 50_000),
    String(repeating: "- ", count: 50_000) + "x",
    (0..<2_000).map { String(repeating: " ", count: $0) + "k:\n" }.joined(),
  ])
  func nestingIsBounded(yaml: String) {
    do {
      _ = try YAMLReader.read(yaml)
      Issue.record("read \(yaml.prefix(20))… nested without bound")
    } catch {
      #expect(error.message.contains("nested more than \(YAMLReader.defaultMaximumDepth) deep"), "\(error)")
    }
  }

  @Test func emptyDocumentsHaveNoTree() throws {
    for yaml in ["", "\n\n", "# nothing\n  # here\n", "\u{FEFF}"] {
      #expect(try YAMLReader.read(yaml) == nil, "\(yaml.debugDescription)")
    }
  }

  /// Every prefix of a scenario file either reads or is refused: no crash, no hang.
  @Test func everyPrefixOfAFileEndsCleanly() {
    let yaml = """
      name: "prefix \\u00e9"
      params: {lang: en, 'q': [1, 2]}
      steps:
        - say: |
            text
        - expect_mark: {name: &n goodbye, within: 10s}
        - expect_reply: {contains: *n}
      """
    let bytes = Array(yaml.utf8)
    for end in 0...bytes.count {
      let text = String(decoding: bytes[..<end], as: UTF8.self)
      _ = try? YAMLReader.read(text)
    }
  }
}
