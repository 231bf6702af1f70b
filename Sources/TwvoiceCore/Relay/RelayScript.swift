/// What the simulated caller of a ConversationRelay session does and expects, step by step: the
/// `--prompt` flags make a plain script (say each prompt when the agent has finished), a
/// `--scenario` file one with expectations. Steps run in order; an expectation fails the run.
public struct RelayScript: Sendable {
  public var steps: [Step]
  /// A name for reports (the scenario's, or the command's).
  public var name: String

  public init(name: String, steps: [Step]) {
    self.name = name
    self.steps = steps
  }

  public struct Step: Sendable {
    public var action: Action
    /// The step's line in its file (0 for steps made from flags).
    public var line: Int
    /// The step as a person reads it: `say "I need a refill"`, `expect_reply {within: 2s}`.
    public var title: String

    public init(_ action: Action, line: Int = 0, title: String? = nil) {
      self.action = action
      self.line = line
      self.title = title ?? action.title
    }
  }

  /// How handoff data must look for `expect_end`.
  public enum HandoffMatch: Sendable, Equatable {
    /// Exactly this text.
    case equals(String)
    /// Contains this text.
    case contains(String)
    /// JSON text whose object has at least these members with these values (nested objects
    /// compared the same way).
    case json(JSONValue)

    func matches(_ data: String?) -> Bool {
      guard let data else { return false }
      switch self {
      case .equals(let text): return data == text
      case .contains(let text): return data.contains(text)
      case .json(let expected):
        guard let actual = try? JSONParser.parse(data) else { return false }
        return Self.subset(expected, of: actual)
      }
    }

    static func subset(_ expected: JSONValue, of actual: JSONValue) -> Bool {
      if let members = expected.members {
        guard actual.members != nil else { return false }
        return members.allSatisfy { member in actual[member.key].map { subset(member.value, of: $0) } ?? false
        }
      }
      if expected.members != nil || expected.arrayValue != nil { return expected == actual }
      // A YAML scalar has no type of its own: `42` matches 42 and "42".
      return scalarText(expected) == scalarText(actual)
    }

    private static func scalarText(_ value: JSONValue) -> String? {
      switch value {
      case .string(let text), .number(let text): text
      case .bool(let flag): flag ? "true" : "false"
      case .null: "null"
      default: nil
      }
    }
  }

  public enum Action: Sendable, Equatable {
    /// The caller speaks this once the agent has finished talking (and a short pause).
    case say(String)
    /// The caller speaks this `gapMs` after its previous prompt (or the session's start), whatever
    /// the agent is doing (`--turn-gap`).
    case sayAfterGap(String, gapMs: Double)
    /// Once the agent has been talking `afterMs`, the caller speaks over it.
    case bargeIn(String, afterMs: Double)
    /// The caller presses keys, one every `RelayScript.keySpacingMs`.
    case press(String)
    /// The caller stays quiet this long.
    case pause(ms: Double)
    /// The app answers the caller's last prompt with a talk cycle (closed with `last: true`)
    /// containing this text (any text when nil; case-insensitive) within this long.
    case expectReply(containing: String?, withinMs: Double)
    /// The app sends `end` within this long, with handoff data that matches.
    case expectEnd(handoff: HandoffMatch?, withinMs: Double)
    /// The app sends nothing to be played (text, play, sendDigits) for this long.
    case expectNoReply(forMs: Double)
    /// The caller hangs up.
    case hangUp

    var title: String {
      switch self {
      case .say(let text): "say \(Self.quoted(text))"
      case .sayAfterGap(let text, let gap): "say \(Self.quoted(text)) {after: \(DurationText.brief(ms: gap))}"
      case .bargeIn(let text, let after):
        "barge_in {after: \(DurationText.brief(ms: after)), say: \(Self.quoted(text))}"
      case .press(let digits): "dtmf \(digits)"
      case .pause(let ms): "pause \(DurationText.brief(ms: ms))"
      case .expectReply(let text, let within):
        "expect_reply {" + (text.map { "contains: \(Self.quoted($0)), " } ?? "")
          + "within: \(DurationText.brief(ms: within))}"
      case .expectEnd(_, let within): "expect_end {within: \(DurationText.brief(ms: within))}"
      case .expectNoReply(let ms): "expect_no_reply {for: \(DurationText.brief(ms: ms))}"
      case .hangUp: "hangup"
      }
    }

    private static func quoted(_ text: String) -> String {
      "\"" + (text.count > 40 ? String(text.prefix(39)) + "…" : text).escapingControlCharacters + "\""
    }

    /// Whether the step is something the caller does (not an expectation).
    var isCallerAction: Bool {
      switch self {
      case .say, .sayAfterGap, .bargeIn, .press, .pause, .hangUp: true
      case .expectReply, .expectEnd, .expectNoReply: false
      }
    }
  }

  /// Time between two keys of one `press`.
  public static let keySpacingMs = 200.0

  /// The plain script of the command line: each prompt when the agent has finished (or every
  /// `turnGapMs`), or, with `interruptAfterMs`, every prompt after the first spoken over the
  /// agent's reply once it has talked that long.
  public static func prompts(_ prompts: [String], turnGapMs: Double?, interruptAfterMs: Double?)
    -> RelayScript
  {
    var steps: [Step] = []
    for (index, prompt) in prompts.enumerated() {
      if let turnGapMs {
        steps.append(Step(.sayAfterGap(prompt, gapMs: turnGapMs)))
      } else if let interruptAfterMs, index > 0 {
        steps.append(Step(.bargeIn(prompt, afterMs: interruptAfterMs)))
      } else {
        steps.append(Step(.say(prompt)))
      }
    }
    return RelayScript(name: "prompts", steps: steps)
  }
}

extension DurationText {
  /// `300ms`, `1.5s`: a step's time as its title shows it.
  static func brief(ms: Double) -> String {
    if ms >= 1000, (ms / 100).rounded() == ms / 100 {
      let seconds = ms / 1000
      return seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }
    return ms == ms.rounded() ? "\(Int(ms))ms" : "\(ms)ms"
  }
}
