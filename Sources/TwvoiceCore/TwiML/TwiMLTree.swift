/// TwiML documents described as JSON, for `twiml render --from`: any verb, noun or SSML element,
/// including those without a dedicated subcommand.
///
/// An element is `{"name": "Say", "attributes": {"voice": "alice"}, "text": "Hello",
/// "children": [...]}`; children are elements or strings (text between elements). The document is
/// a `Response` element, or an array of its children. Attribute values may be strings, numbers,
/// booleans (`true`/`false`), arrays (joined with spaces, as Twilio's list attributes are) or
/// null (left out). Names may be XML names or twilio-python's snake_case keywords
/// (`status_callback` → `statusCallback`).
public enum TwiMLTree {
  /// Where and why a JSON description is not a TwiML document.
  public struct Error: Swift.Error, Equatable, Sendable, CustomStringConvertible {
    /// Element path, e.g. `Response/Connect/Stream`.
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
  }

  /// Builds the element tree; with `validate`, elements must nest as the Voice catalogue allows
  /// and attributes must be known with allowed values.
  public static func element(fromJSON value: JSONValue, validate: Bool = true) throws(Error) -> TwiMLElement {
    switch value {
    case .array:
      return try build(
        .object([("name", .string("Response")), ("children", value)]), path: "", parentClass: nil,
        validate: validate)
    default:
      return try build(value, path: "", parentClass: nil, validate: validate)
    }
  }

  private static func build(_ value: JSONValue, path: String, parentClass: String?, validate: Bool)
    throws(Error)
    -> TwiMLElement
  {
    guard let members = value.members else {
      throw Error(path: path.isEmpty ? "document" : path, message: "an element must be a JSON object")
    }
    guard let name = value["name"]?.stringValue, !name.isEmpty else {
      throw Error(path: path.isEmpty ? "document" : path, message: "element without a \"name\"")
    }
    let here = path.isEmpty ? name : "\(path)/\(name)"
    for member in members where !["name", "attributes", "text", "children"].contains(member.key) {
      throw Error(
        path: here, message: "unknown key \"\(member.key)\" (expected name, attributes, text, children)")
    }
    var className: String?
    if validate {
      if let parentClass {
        guard let child = VoiceCatalogue.childClass(name, under: parentClass) else {
          let parent = VoiceCatalogue.spec(parentClass)?.element ?? parentClass
          let allowed = (VoiceCatalogue.spec(parentClass)?.children.keys.sorted() ?? []).joined(
            separator: ", ")
          throw Error(
            path: here,
            message: "<\(name)> is not allowed in <\(parent)>"
              + (allowed.isEmpty ? " (it takes no children)" : " (allowed: \(allowed))"))
        }
        className = child
      } else {
        guard name == "Response" else {
          throw Error(path: here, message: "the root element must be <Response>")
        }
        className = VoiceCatalogue.rootClass
      }
    }
    var element = TwiMLElement(name)
    if let attributes = value["attributes"] {
      guard let pairs = attributes.members else {
        throw Error(path: here, message: "\"attributes\" must be an object")
      }
      for (key, raw) in pairs {
        let attribute = VoiceCatalogue.attributeName(key)
        let text: String?
        switch raw {
        case .null: text = nil
        case .string(let s): text = s
        case .number(let n): text = n
        case .bool(let b): text = b ? "true" : "false"
        case .array(let items):
          var words: [String] = []
          for item in items {
            guard let word = item.stringValue else {
              throw Error(path: here, message: "attribute \(attribute): list items must be strings")
            }
            words.append(word)
          }
          text = words.joined(separator: " ")
        case .object:
          throw Error(path: here, message: "attribute \(attribute): an object is not an attribute value")
        }
        guard let text else { continue }
        if validate, let className, let spec = VoiceCatalogue.spec(className) {
          guard spec.attributes.contains(attribute) else {
            throw Error(
              path: here,
              message: "unknown attribute \(attribute) for <\(name)>"
                + (spec.attributes.isEmpty ? "" : " (known: \(spec.attributes.joined(separator: ", ")))"))
          }
          if let problem = TwiMLRules.valueProblem(element: name, attribute: attribute, value: text) {
            throw Error(path: here, message: problem)
          }
          if name == "Stream" && attribute == "url", let problem = TwiMLRules.streamURLProblem(text) {
            throw Error(path: here, message: problem + " (Twilio error 31920)")
          }
        }
        element.set(attribute, text)
      }
    }
    if let text = value["text"] {
      guard let string = text.stringValue ?? (text.intValue.map(String.init)) else {
        throw Error(path: here, message: "\"text\" must be a string")
      }
      if validate, let className, VoiceCatalogue.spec(className)?.textBody == nil, !string.isEmpty {
        throw Error(path: here, message: "<\(name)> takes no text")
      }
      if !string.isEmpty { element.children.append(.text(string)) }
    }
    if let children = value["children"] {
      guard case .array(let items) = children else {
        throw Error(path: here, message: "\"children\" must be an array")
      }
      for (index, item) in items.enumerated() {
        if case .string(let s) = item {
          element.children.append(.text(s))
        } else {
          let child = try build(item, path: "\(here)[\(index)]", parentClass: className, validate: validate)
          element.children.append(.element(child))
        }
      }
    }
    return element
  }
}

/// Twilio's rules for attribute values beyond the catalogue: enumerations, and Media Streams'
/// URL and track rules (twilio-formats.md §2.3, media-streams.md).
public enum TwiMLRules {
  /// What is wrong with `value` for `attribute` of `element`, or nil.
  public static func valueProblem(element: String, attribute: String, value: String) -> String? {
    guard let allowed = VoiceCatalogue.allowedValues(element: element, attribute: attribute) else {
      return nil
    }
    let words =
      VoiceCatalogue.isList(element: element, attribute: attribute)
      ? value.split(separator: " ").map(String.init) : [value]
    for word in words where !allowed.contains(word) {
      return
        "\(attribute)=\"\(word)\" is not allowed for <\(element)> (allowed: \(allowed.joined(separator: ", ")))"
    }
    return nil
  }

  /// What is wrong with a `<Stream url>`, or nil: Twilio connects only to `wss://` (or a URL
  /// relative to the webhook's), and drops a query string, so parameters must go in
  /// `<Parameter>` elements.
  public static func streamURLProblem(_ url: String) -> String? { StreamURL.problem(url) }

  /// Twilio error 31941: a `<Connect><Stream>` carries only the inbound track.
  public static func connectTrackProblem(_ track: String) -> String? {
    track == "inbound_track"
      ? nil
      : "<Connect><Stream> takes only track=\"inbound_track\" (got \"\(track)\"); use <Start><Stream> (--unidirectional) for other tracks"
  }
}
