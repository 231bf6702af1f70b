/// Checks TwiML the way Twilio will when a call fetches it, naming the error the call would hit:
/// 12100 when the document is not well-formed XML, 12200 when it breaks the Voice schema
/// (an unknown verb or noun, a noun under the wrong verb, an unknown attribute, a value outside
/// the allowed set), 31941 for a stream track `<Connect>` refuses, 31920 for a stream URL Twilio
/// cannot connect to as written.
public enum TwiMLValidator {
  /// One problem, located.
  public struct Finding: Equatable, Sendable {
    public enum Severity: String, Sendable { case error, warning }
    public var line: Int
    public var column: Int
    public var severity: Severity
    public var twilioCode: Int
    public var message: String
  }

  /// The findings for a document, in document order; none means valid.
  public static func validate(_ bytes: [UInt8]) -> [Finding] {
    let root: TwiMLParser.Located
    do { root = try TwiMLParser.parse(bytes) } catch {
      return [
        Finding(
          line: error.line, column: error.column, severity: .error, twilioCode: 12100, message: error.message)
      ]
    }
    var findings: [Finding] = []
    guard root.element.name == "Response" else {
      return [
        Finding(
          line: root.line, column: root.column, severity: .error, twilioCode: 12200,
          message: "the root element must be <Response>, not <\(root.element.name)>")
      ]
    }
    check(root, className: VoiceCatalogue.rootClass, parent: nil, into: &findings)
    return findings
  }

  /// Every element name the catalogue knows, to tell "unknown" from "in the wrong place".
  static let knownElements: Set<String> = {
    var names: Set<String> = ["Response"]
    for className in VoiceCatalogue.generatedClasses.keys {
      if let spec = VoiceCatalogue.spec(className) { names.formUnion(spec.children.keys) }
    }
    return names
  }()

  private static func check(
    _ node: TwiMLParser.Located, className: String, parent: String?, into findings: inout [Finding]
  ) {
    let element = node.element
    let name = element.name
    func add(_ code: Int, _ message: String, _ severity: Finding.Severity = .error) {
      findings.append(
        Finding(line: node.line, column: node.column, severity: severity, twilioCode: code, message: message))
    }
    guard let spec = VoiceCatalogue.spec(className) else { return }
    for (attribute, value) in element.attributes {
      if attribute.hasPrefix("xmlns") { continue }
      guard spec.attributes.contains(attribute) else {
        let hint =
          spec.attributes.isEmpty
          ? " (it takes none)" : " (known: \(spec.attributes.joined(separator: ", ")))"
        add(12200, "unknown attribute \(attribute) on <\(name)>\(hint)")
        continue
      }
      if let problem = TwiMLRules.valueProblem(element: name, attribute: attribute, value: value) {
        add(name == "Stream" && attribute == "track" ? 31941 : 12200, problem)
      }
    }
    let text = element.children.compactMap { if case .text(let t) = $0 { t } else { nil } }.joined()
    if spec.textBody == nil && !text.allSatisfy({ $0.isWhitespace }) {
      add(12200, "<\(name)> takes no text")
    }
    switch name {
    case "Stream":
      if let url = element[attribute: "url"] {
        if let problem = TwiMLRules.streamURLProblem(url) { add(31920, problem) }
      } else if parent != "Stop" && element[attribute: "connectorName"] == nil {
        add(12200, "<Stream> needs a url (or a connectorName)")
      }
      if parent == "Connect", let track = element[attribute: "track"],
        let problem = TwiMLRules.connectTrackProblem(track)
      {
        add(31941, problem)
      }
    case "Parameter", "Config":
      if element[attribute: "name"] == nil { add(12200, "<\(name)> needs a name") }
    case "Redirect", "Play", "Number", "Sip", "Conference", "Queue", "Enqueue", "Identity", "Sms":
      if text.allSatisfy({ $0.isWhitespace }) && !(name == "Play" && element[attribute: "digits"] != nil)
        && !(name == "Enqueue" && element.elements.contains { $0.name == "Task" })
      {
        add(12200, "<\(name)> needs text (\(spec.textBody ?? "a value"))")
      }
    default: break
    }
    for child in node.children {
      let childName = child.element.name
      if let childClass = VoiceCatalogue.childClass(childName, under: className) {
        check(child, className: childClass, parent: name, into: &findings)
      } else {
        let known = knownElements.contains(childName)
        let allowed = spec.children.keys.sorted().joined(separator: ", ")
        findings.append(
          Finding(
            line: child.line, column: child.column, severity: .error, twilioCode: 12200,
            message: (known ? "<\(childName)> is not allowed in <\(name)>" : "unknown element <\(childName)>")
              + (allowed.isEmpty ? " (<\(name)> takes no children)" : " (allowed in <\(name)>: \(allowed))")))
      }
    }
  }
}
