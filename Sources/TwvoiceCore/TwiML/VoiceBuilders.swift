/// Typed builders for every element of TwiML for Voice, one per twilio-python class, generated
/// from the catalogue (`VoiceBuilders+Generated.swift`): attributes as labelled arguments, the
/// text body first, children last.
///
///     let answer = Voice.response(children: [
///       .element(Voice.connect(children: [.element(Voice.stream(url: "wss://bot/ws"))])),
///       .element(Voice.pause(length: 1000)),
///     ])
///
/// The builders do not check nesting or values; `TwiMLValidator` and `TwiMLTree` do.
public enum Voice {
  /// `<Response>`, the root.
  public static func response(children: [TwiMLElement.Node] = []) -> TwiMLElement {
    TwiMLElement("Response", children: children)
  }
}

/// A value an attribute can take: written as twilio-python writes it (booleans `true`/`false`,
/// numbers in decimal, lists joined with spaces as Twilio's list attributes expect).
public protocol TwiMLAttributeValue {
  var twimlValue: String { get }
}

extension String: TwiMLAttributeValue { public var twimlValue: String { self } }
extension Int: TwiMLAttributeValue { public var twimlValue: String { String(self) } }
extension Bool: TwiMLAttributeValue { public var twimlValue: String { self ? "true" : "false" } }
extension Double: TwiMLAttributeValue { public var twimlValue: String { String(self) } }
extension Array: TwiMLAttributeValue where Element == String {
  public var twimlValue: String { joined(separator: " ") }
}
