/// A scripted caller with expectations (`stream replay --scenario FILE.yaml`): steps run in order,
/// each either something the caller does or something the bot must do, with a time limit.
///
///     name: booking, with barge-in
///     params: {lang: en}
///     steps:
///       - say: audio/hello.wav
///       - expect_bot_speech: {within: 1.5s}
///       - wait_bot_silence: {for: 700ms, timeout: 20s}
///       - barge_in: {after: 500ms, say: audio/wait.wav}
///       - expect_clear: {within: 300ms}
///       - expect_mark: {name: goodbye, within: 10s}
///       - expect_hangup: {within: 5s}
///
/// The YAML is read by the command line into a `ScenarioNode` tree; this type checks it and
/// reports the first problem with its file, line and field.
public struct Scenario: Sendable {
  public var name: String
  /// `start.customParameters`.
  public var parameters: [NamedValue]
  public var steps: [Step]

  /// Audio the caller speaks: the file as written in the scenario, and its µ-law samples.
  public struct Speech: Sendable {
    public var file: String
    public var audio: [UInt8]
    public init(file: String, audio: [UInt8]) {
      self.file = file
      self.audio = audio
    }
  }

  public enum Action: Sendable {
    /// The caller speaks a file; done when its audio has all been sent.
    case say(Speech)
    /// The caller stays quiet this long.
    case silence(ms: Int)
    /// The caller presses keys, one every `Scenario.dtmfSpacingMs`.
    case dtmf(String)
    /// Bot speech starts within this long of the end of the caller's last turn.
    case expectBotSpeech(withinMs: Int)
    /// The bot's played audio has been silent this long (fails after `timeoutMs`).
    case waitBotSilence(forMs: Int, timeoutMs: Int)
    /// Once the bot has been speaking `afterMs`, the caller speaks over it; done as soon as the
    /// caller starts (its audio goes on while the next steps run).
    case bargeIn(afterMs: Int, say: Speech, timeoutMs: Int)
    /// The bot sends `clear` within this long of the caller's first speech frame of its last turn.
    case expectClear(withinMs: Int)
    /// A mark of this name is echoed because its audio played out, within this long.
    case expectMark(name: String, withinMs: Int)
    /// The bot closes the socket within this long.
    case expectHangup(withinMs: Int)
    /// No bot speech for this long.
    case expectNoBotSpeech(forMs: Int)
    /// The bot's reply to the caller's last turn (or its first speech since the step before, with
    /// no turn yet) lasts between `minMs` and `maxMs` (either may be open).
    case expectBotSpeechLength(minMs: Int?, maxMs: Int?, timeoutMs: Int)
  }

  public struct Step: Sendable {
    public var action: Action
    /// The step's line in the file.
    public var line: Int
    /// The step as a person reads it: `expect_clear {within: 300ms}`.
    public var title: String
  }

  /// Time between two keys of a `dtmf` step.
  public static let dtmfSpacingMs = 200
  /// The limit of a wait that names none (`barge_in`, `wait_bot_silence`, `expect_bot_speech_ms`).
  public static let defaultTimeoutMs = 10_000
  /// Step names, as written in files (and completed by the REPL).
  public static let stepNames = [
    "say", "silence", "dtmf", "expect_bot_speech", "wait_bot_silence", "barge_in", "expect_clear",
    "expect_mark", "expect_hangup", "expect_no_bot_speech", "expect_bot_speech_ms",
  ]
}

/// A YAML document reduced to what a scenario needs: text, mappings in order and sequences,
/// each with its line (1-based).
public indirect enum ScenarioNode: Sendable {
  case scalar(String, line: Int)
  case mapping([(key: String, line: Int, value: ScenarioNode)], line: Int)
  case sequence([ScenarioNode], line: Int)

  public var line: Int {
    switch self {
    case .scalar(_, let line), .mapping(_, let line), .sequence(_, let line): line
    }
  }

  var scalar: String? {
    if case .scalar(let text, _) = self { return text }
    return nil
  }

  /// The node as it reads in a step title: `300ms`, `{within: 300ms}`.
  var inline: String {
    switch self {
    case .scalar(let text, _): text
    case .mapping(let entries, _):
      "{" + entries.map { "\($0.key): \($0.value.inline)" }.joined(separator: ", ") + "}"
    case .sequence(let items, _): "[" + items.map(\.inline).joined(separator: ", ") + "]"
    }
  }
}

extension ScenarioNode {
  /// A scenario file's three fields, shared by stream and relay scenarios: `name`, `params` (the
  /// stream's or session's custom parameters) and the step nodes, at least one.
  func scenarioFields(file: String) throws(ScenarioError) -> (
    name: String, parameters: [NamedValue], steps: [ScenarioNode]
  ) {
    func fail(_ line: Int, _ field: String, _ message: String) -> ScenarioError {
      ScenarioError(file: file, line: line, field: field, message: message)
    }
    guard case .mapping(let entries, _) = self else {
      throw fail(line, "scenario", "expected a mapping with name, params and steps")
    }
    var name = ""
    var parameters: [NamedValue] = []
    var steps: [ScenarioNode]?
    for (key, keyLine, value) in entries {
      switch key {
      case "name":
        guard let text = value.scalar else { throw fail(value.line, "name", "expected text") }
        name = text
      case "params":
        guard case .mapping(let params, _) = value else {
          throw fail(value.line, "params", "expected a mapping of NAME: VALUE")
        }
        for (paramName, paramLine, paramValue) in params {
          guard let text = paramValue.scalar else {
            throw fail(paramLine, "params.\(paramName)", "expected a text value")
          }
          parameters.append(NamedValue(name: paramName, value: text))
        }
      case "steps":
        guard case .sequence(let items, _) = value, !items.isEmpty else {
          throw fail(value.line, "steps", "expected a list of steps (at least one)")
        }
        steps = items
      default:
        throw fail(keyLine, key, "unknown field (expected name, params or steps)")
      }
    }
    guard let steps else { throw fail(line, "steps", "missing: a scenario needs a list of steps") }
    return (name, parameters, steps)
  }
}

/// A scenario file that does not read: the file, line and field, and what is wrong.
public struct ScenarioError: ClassifiedError, Sendable {
  public var file: String
  public var line: Int
  public var field: String
  public var message: String
  /// Malformed input (65), or what reading a file the step names failed with (66 missing).
  public var failureKind: FailureKind

  public init(file: String, line: Int, field: String, message: String, failureKind: FailureKind = .dataError)
  {
    self.file = file
    self.line = line
    self.field = field
    self.message = message
    self.failureKind = failureKind
  }

  public var description: String { "\(file):\(line): \(field): \(message)".escapingControlCharacters }
}

extension Scenario {
  /// Reads a scenario from its YAML tree. `loadAudio(path)` reads a file a step names (as
  /// written, relative to the scenario's folder) into µ-law; what it throws is reported at the
  /// step's line.
  public static func read(
    _ root: ScenarioNode, file: String, loadAudio: (String) throws -> [UInt8]
  ) throws(ScenarioError) -> Scenario {
    let fields = try root.scenarioFields(file: file)
    var steps: [Step] = []
    for (index, item) in fields.steps.enumerated() {
      steps.append(try readStep(item, number: index + 1, file: file, loadAudio: loadAudio))
    }
    return Scenario(name: fields.name, parameters: fields.parameters, steps: steps)
  }

  private static func readStep(
    _ node: ScenarioNode, number: Int, file: String, loadAudio: (String) throws -> [UInt8]
  ) throws(ScenarioError) -> Step {
    guard case .mapping(let entries, _) = node, entries.count == 1, let (kind, line, value) = entries.first
    else {
      throw ScenarioError(
        file: file, line: node.line, field: "steps[\(number)]",
        message: "expected one step, e.g. `- say: hello.wav` or `- expect_clear: {within: 300ms}`")
    }
    var fields = try ScenarioStepFields(kind: kind, value: value, number: number, file: file)
    func fail(_ line: Int, _ subfield: String?, _ message: String) -> ScenarioError {
      fields.fail(line, subfield, message)
    }
    func option(_ key: String) -> (line: Int, value: ScenarioNode)? { fields.option(key) }
    func duration(_ key: String, required: Bool, orMain: Bool = false) throws(ScenarioError) -> Int? {
      try fields.duration(key, required: required, orMain: orMain)
    }
    let mainValue = fields.mainValue
    func speech(_ key: String?) throws(ScenarioError) -> Speech {
      let node: ScenarioNode
      if let key {
        guard let (_, v) = option(key) else {
          throw fail(value.line, key, "missing: the audio file to speak")
        }
        node = v
      } else if let mainValue {
        node = mainValue
      } else if let (_, v) = option("file") {
        node = v
      } else {
        throw fail(value.line, nil, "expected the audio file to speak")
      }
      guard let path = node.scalar, !path.isEmpty else { throw fail(node.line, key, "expected a file name") }
      do { return Speech(file: path, audio: try loadAudio(path)) } catch {
        var failure = fail(node.line, key, "\(error)")
        failure.failureKind = (error as? any ClassifiedError)?.failureKind ?? .dataError
        throw failure
      }
    }

    let action: Action
    switch kind {
    case "say":
      action = .say(try speech(nil))
    case "silence":
      action = .silence(ms: try duration("for", required: true, orMain: true) ?? 0)
    case "dtmf":
      guard let digits = (mainValue ?? option("digits")?.value)?.scalar, !digits.isEmpty,
        digits.allSatisfy({ DTMFPress.keys.contains($0) })
      else {
        throw fail(value.line, nil, "expected keys to press, e.g. \"12#\" (0-9, *, #, A-D)")
      }
      action = .dtmf(digits)
    case "expect_bot_speech":
      action = .expectBotSpeech(withinMs: try duration("within", required: true, orMain: true) ?? 0)
    case "wait_bot_silence":
      action = .waitBotSilence(
        forMs: try duration("for", required: true, orMain: true) ?? 0,
        timeoutMs: try duration("timeout", required: false) ?? defaultTimeoutMs)
    case "barge_in":
      action = .bargeIn(
        afterMs: try duration("after", required: true) ?? 0, say: try speech("say"),
        timeoutMs: try duration("timeout", required: false) ?? defaultTimeoutMs)
    case "expect_clear":
      action = .expectClear(withinMs: try duration("within", required: true, orMain: true) ?? 0)
    case "expect_mark":
      guard let name = option("name")?.value.scalar, !name.isEmpty else {
        throw fail(value.line, "name", "missing: the mark's name")
      }
      action = .expectMark(name: name, withinMs: try duration("within", required: true) ?? 0)
    case "expect_hangup":
      action = .expectHangup(withinMs: try duration("within", required: true, orMain: true) ?? 0)
    case "expect_no_bot_speech":
      action = .expectNoBotSpeech(forMs: try duration("for", required: true, orMain: true) ?? 0)
    case "expect_bot_speech_ms":
      let minMs = try duration("min", required: false)
      let maxMs = try duration("max", required: false)
      if minMs == nil && maxMs == nil { throw fail(value.line, nil, "expected min, max or both") }
      if let minMs, let maxMs, minMs > maxMs { throw fail(value.line, "min", "is more than max") }
      action = .expectBotSpeechLength(
        minMs: minMs, maxMs: maxMs, timeoutMs: try duration("timeout", required: false) ?? defaultTimeoutMs)
    default:
      throw fail(
        line, nil, "unknown step (expected one of \(stepNames.joined(separator: ", ")))")
    }
    try fields.checkAllUsed()
    return Step(action: action, line: line, title: "\(kind) \(value.inline)")
  }
}

/// One scenario step's options as written, `- kind: value` or `- kind: {key: value, …}`, read
/// with the file, line and field of any problem; shared by stream and relay scenarios.
struct ScenarioStepFields {
  let file: String
  let kind: String
  /// `steps[N].kind`.
  let field: String
  /// The step's value as written (a scalar or a mapping).
  let value: ScenarioNode
  /// The value alone, for steps with one main value (`- say: hello.wav`).
  let mainValue: ScenarioNode?
  private(set) var options: [String: (line: Int, value: ScenarioNode)] = [:]
  private var used: Set<String> = []

  init(kind: String, value: ScenarioNode, number: Int, file: String) throws(ScenarioError) {
    self.file = file
    self.kind = kind
    self.value = value
    field = "steps[\(number)].\(kind)"
    switch value {
    case .mapping(let pairs, _):
      mainValue = nil
      for (key, keyLine, v) in pairs {
        if options[key] != nil {
          throw ScenarioError(file: file, line: keyLine, field: field + "." + key, message: "given twice")
        }
        options[key] = (keyLine, v)
      }
    case .scalar:
      mainValue = value
    case .sequence:
      throw ScenarioError(
        file: file, line: value.line, field: field, message: "expected a value or a mapping, not a list")
    }
  }

  func fail(_ line: Int, _ subfield: String?, _ message: String) -> ScenarioError {
    ScenarioError(file: file, line: line, field: field + (subfield.map { "." + $0 } ?? ""), message: message)
  }

  mutating func option(_ key: String) -> (line: Int, value: ScenarioNode)? {
    used.insert(key)
    return options[key]
  }

  /// A duration under `key` (or the main value), in whole milliseconds; a unit is required.
  mutating func duration(_ key: String, required: Bool, orMain: Bool = false) throws(ScenarioError) -> Int? {
    let node: ScenarioNode
    let at: String?
    if let (_, v) = option(key) {
      node = v
      at = key
    } else if orMain, let mainValue {
      node = mainValue
      at = nil
    } else {
      if required { throw fail(value.line, key, "missing (a duration such as 300ms or 1.5s)") }
      return nil
    }
    guard let text = node.scalar else {
      throw fail(node.line, at, "expected a duration such as 300ms or 1.5s")
    }
    do {
      // A bare number would be ambiguous here (seconds? milliseconds?): a unit is required.
      guard text.contains(where: \.isLetter) else { throw DurationText.ParseError(text: text) }
      return try DurationText.milliseconds(text)
    } catch {
      throw fail(node.line, at, "\(error)")
    }
  }

  /// Text under `key` (or the main value when `key` is nil or absent and `orMain`).
  mutating func text(_ key: String?, orMain: Bool, what: String) throws(ScenarioError) -> String {
    var node: ScenarioNode?
    if let key { node = option(key)?.value }
    if node == nil, orMain { node = mainValue }
    guard let node else { throw fail(value.line, key, "missing: \(what)") }
    guard let text = node.scalar, !text.isEmpty else { throw fail(node.line, key, "expected \(what)") }
    return text
  }

  /// Refuses an option the step did not read.
  func checkAllUsed() throws(ScenarioError) {
    if let unknown = options.keys.sorted().first(where: { !used.contains($0) }) {
      throw fail(options[unknown]!.line, unknown, "unknown option for \(kind)")
    }
  }
}
