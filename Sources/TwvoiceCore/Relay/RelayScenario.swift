/// A ConversationRelay scenario file (`twvoice relay --scenario FILE.yaml`): the caller's turns as
/// text, keys, barge-in, and what the app must do, read from the same YAML tree as stream
/// scenarios, with the file, line and field of the first problem.
///
///     name: refill, then a human
///     params: {customer: "42"}
///     steps:
///       - say: I need a refill
///       - expect_reply: {contains: refill, within: 2s}
///       - barge_in: {after: 500ms, say: wait, stop}
///       - dtmf: "1#"
///       - say: agent please
///       - expect_end: {within: 3s, handoff: {reasonCode: live-agent-handoff}}
extension RelayScript {
  /// Step names, as written in files (and completed by the REPL).
  public static let stepNames = [
    "say", "barge_in", "dtmf", "pause", "expect_reply", "expect_end", "expect_no_reply", "hangup",
  ]

  /// Reads a scenario; `parameters` are its `params` (setup's `customParameters`).
  public static func read(_ root: ScenarioNode, file: String) throws(ScenarioError) -> (
    script: RelayScript, parameters: [NamedValue]
  ) {
    let fields = try root.scenarioFields(file: file)
    var steps: [Step] = []
    for (index, item) in fields.steps.enumerated() {
      steps.append(try readStep(item, number: index + 1, file: file))
    }
    return (RelayScript(name: fields.name, steps: steps), fields.parameters)
  }

  private static func readStep(_ node: ScenarioNode, number: Int, file: String) throws(ScenarioError) -> Step
  {
    if case .scalar("hangup", let line) = node { return Step(.hangUp, line: line, title: "hangup") }
    guard case .mapping(let entries, _) = node, entries.count == 1, let (kind, line, value) = entries.first
    else {
      throw ScenarioError(
        file: file, line: node.line, field: "steps[\(number)]",
        message: "expected one step, e.g. `- say: hello` or `- expect_reply: {within: 2s}`")
    }
    var fields = try ScenarioStepFields(kind: kind, value: value, number: number, file: file)
    let action: Action
    switch kind {
    case "say":
      action = .say(try fields.text("text", orMain: true, what: "the words the caller says"))
    case "barge_in":
      let after = try fields.duration("after", required: true) ?? 0
      action = .bargeIn(
        try fields.text("say", orMain: false, what: "the words the caller says"), afterMs: Double(after))
    case "dtmf":
      let digits = try fields.text("digits", orMain: true, what: "keys to press, e.g. \"12#\" (0-9, *, #)")
      guard digits.allSatisfy({ "0123456789*#".contains($0) }) else {
        throw fields.fail(value.line, nil, "expected keys to press, e.g. \"12#\" (0-9, *, #)")
      }
      action = .press(digits)
    case "pause":
      action = .pause(ms: Double(try fields.duration("for", required: true, orMain: true) ?? 0))
    case "expect_reply":
      let contains =
        fields.options["contains"] != nil ? try fields.text("contains", orMain: false, what: "text") : nil
      action = .expectReply(
        containing: contains,
        withinMs: Double(try fields.duration("within", required: true, orMain: true) ?? 0))
    case "expect_end":
      var match: HandoffMatch?
      if let (optionLine, node) = fields.option("handoff") {
        guard let json = Self.json(node) else {
          throw fields.fail(
            optionLine, "handoff", "expected a mapping of the JSON members the handoff data must have")
        }
        match = .json(json)
      }
      if fields.options["handoff_data"] != nil {
        match = .equals(try fields.text("handoff_data", orMain: false, what: "the exact handoff data"))
      }
      if fields.options["handoff_contains"] != nil {
        match = .contains(try fields.text("handoff_contains", orMain: false, what: "text"))
      }
      action = .expectEnd(
        handoff: match, withinMs: Double(try fields.duration("within", required: true, orMain: true) ?? 0))
    case "expect_no_reply":
      action = .expectNoReply(forMs: Double(try fields.duration("for", required: true, orMain: true) ?? 0))
    case "hangup":
      action = .hangUp
    default:
      throw fields.fail(line, nil, "unknown step (expected one of \(stepNames.joined(separator: ", ")))")
    }
    try fields.checkAllUsed()
    return Step(action, line: line, title: "\(kind) \(value.inline)")
  }

  /// A YAML mapping as the JSON object it stands for (scalars as strings, or numbers and
  /// booleans when they read as such).
  static func json(_ node: ScenarioNode) -> JSONValue? {
    switch node {
    case .mapping(let entries, _):
      var members: [(key: String, value: JSONValue)] = []
      for (key, _, value) in entries {
        guard let member = json(value) else { return nil }
        members.append((key, member))
      }
      return .object(members)
    case .sequence(let items, _):
      var values: [JSONValue] = []
      for item in items {
        guard let value = json(item) else { return nil }
        values.append(value)
      }
      return .array(values)
    case .scalar(let text, _):
      if text == "true" || text == "false" { return .bool(text == "true") }
      if text == "null" { return .null }
      if let parsed = try? JSONParser.parse(text), case .number = parsed { return parsed }
      return .string(text)
    }
  }
}
