import ArgumentParser
import TwvoiceCore

/// `twvoice twiml render dial`: the seed's `<Dial><Client>`, and any other dial.
struct TwiMLRenderDial: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dial",
    abstract: "Render <Dial> to clients, numbers, SIP URIs, conferences or queues, in the order given.",
    discussion: """
      Examples:
        twvoice twiml render dial --client alice
        twvoice twiml render dial --client alice --client-param ticket=T-1 --answer-on-bridge
        twvoice twiml render dial --number +14155550100 --caller-id +14155550199 --timeout 20 --record record-from-answer

      --client-param attaches to the --client before it and renders the client as \
      <Client><Identity>…</Identity><Parameter …/></Client>. Attribute values Twilio enumerates \
      (--record, --ring-tone, --method, …) are checked.
      """
  )

  @Option(help: "A Voice SDK client identity (repeatable).", transform: xmlText)
  var client: [String] = []
  @Option(
    name: .customLong("client-param"),
    help: ArgumentHelp("A <Parameter> for the preceding --client.", valueName: "name=value"),
    transform: xmlText)
  var clientParams: [String] = []
  @Option(help: "A phone number in E.164 (repeatable).", transform: xmlText)
  var number: [String] = []
  @Option(help: "A SIP URI (repeatable).", transform: xmlText)
  var sip: [String] = []
  @Option(help: "A conference room name (repeatable).", transform: xmlText)
  var conference: [String] = []
  @Option(help: "A queue name (repeatable).", transform: xmlText)
  var queue: [String] = []

  @Option(name: .customLong("caller-id"), help: "Caller ID shown to the callee.", transform: xmlText)
  var callerId: String?
  @Option(help: "Seconds to wait for an answer.")
  var timeout: Int?
  @Option(name: .customLong("time-limit"), help: "Longest call in seconds.")
  var timeLimit: Int?
  @Option(
    help:
      "do-not-record, record-from-answer, record-from-ringing, record-from-answer-dual, record-from-ringing-dual.",
    transform: xmlText)
  var record: String?
  @Option(help: "trim-silence or do-not-trim.", transform: xmlText)
  var trim: String?
  @Flag(
    name: .customLong("answer-on-bridge"), help: "Keep the caller hearing ringback until the callee answers.")
  var answerOnBridge = false
  @Option(help: "URL Twilio requests when the dial ends.", transform: xmlText)
  var action: String?
  @Option(help: "GET or POST for --action.", transform: xmlText)
  var method: String?
  @Option(
    name: .customLong("ring-tone"), help: "Ringback tone country code: us, uk, de, …", transform: xmlText)
  var ringTone: String?
  @Flag(name: .customLong("hangup-on-star"), help: "Let the caller hang up the callee with *.")
  var hangupOnStar = false
  @Flag(help: "Dial the nouns one after another instead of all at once.")
  var sequential = false
  @Option(
    name: .customLong("recording-status-callback"), help: "URL for recording status events.",
    transform: xmlText)
  var recordingStatusCallback: String?
  @Option(name: .customLong("recording-track"), help: "both, inbound or outbound.", transform: xmlText)
  var recordingTrack: String?

  @OptionGroup var output: RenderOptions

  static let nounOptions = ["--client", "--number", "--sip", "--conference", "--queue", "--client-param"]

  func run() throws {
    let targets = try orderedTargets()
    var attributes: [(String, String)] = []
    func add(_ name: String, _ value: String?) { if let value { attributes.append((name, value)) } }
    add("callerId", callerId)
    add("timeout", timeout.map(String.init))
    add("timeLimit", timeLimit.map(String.init))
    add("record", record)
    add("trim", trim)
    add("answerOnBridge", answerOnBridge ? "true" : nil)
    add("action", action)
    add("method", method)
    add("ringTone", ringTone)
    add("hangupOnStar", hangupOnStar ? "true" : nil)
    add("sequential", sequential ? "true" : nil)
    add("recordingStatusCallback", recordingStatusCallback)
    add("recordingTrack", recordingTrack)
    let document: TwiMLElement
    do {
      document = try VoiceDocuments.dial(
        targets: targets, attributes: attributes.map { (name: $0.0, value: $0.1) })
    } catch {
      throw TwvoiceError(.usage, error.message)
    }
    try output.print(document)
  }

  /// The nouns in command-line order, each `--client-param` on the `--client` before it.
  /// swift-argument-parser keeps each option's values in order but not the order between
  /// options, so the order comes from the command line itself.
  func orderedTargets() throws -> [VoiceDocuments.DialTarget] {
    var queues: [String: [String]] = [
      "--client": client, "--number": number, "--sip": sip, "--conference": conference, "--queue": queue,
      "--client-param": clientParams,
    ]
    var order: [String] = []
    var arguments = CommandRunner.currentArguments[...]
    while let argument = arguments.popFirst() {
      if argument == "--" { break }
      let option = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
      guard Self.nounOptions.contains(option) else { continue }
      order.append(option)
      if !argument.contains("=") { _ = arguments.popFirst() }
    }
    // Fall back to grouped order if the command line was not what the parser saw (tests calling
    // run() directly).
    let expected =
      client.count + number.count + sip.count + conference.count + queue.count + clientParams.count
    if order.count != expected {
      order = Self.nounOptions.flatMap { Array(repeating: $0, count: queues[$0]?.count ?? 0) }
    }
    var targets: [VoiceDocuments.DialTarget] = []
    for option in order {
      guard let value = queues[option]?.first else { continue }
      queues[option]?.removeFirst()
      switch option {
      case "--client": targets.append(.client(identity: value, parameters: []))
      case "--number": targets.append(.number(value))
      case "--sip": targets.append(.sip(value))
      case "--conference": targets.append(.conference(value))
      case "--queue": targets.append(.queue(value))
      default:
        let parameter: NamedValue
        do { parameter = try NamedValue(parsing: value) } catch {
          throw ValidationError("--client-param '\(value)': \(error).")
        }
        guard let index = targets.lastIndex(where: { if case .client = $0 { true } else { false } }),
          case .client(let identity, var parameters) = targets[index]
        else {
          throw ValidationError("--client-param '\(value)' needs a --client before it.")
        }
        parameters.append(parameter)
        targets[index] = .client(identity: identity, parameters: parameters)
      }
    }
    return targets
  }
}
