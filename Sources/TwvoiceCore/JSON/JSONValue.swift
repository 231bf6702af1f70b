/// A JSON document that keeps what a round trip must keep: the order of object members and the
/// exact text of numbers.
///
/// Twilio's libraries emit JSON whose key order is part of the bytes that get signed, and
/// `token decode --json` must print a token "exactly as decoded", so a `Dictionary` will not do.
public enum JSONValue: Equatable, Sendable {
  case null
  case bool(Bool)
  /// The number as written, e.g. `1700000000`, `-1.5e3`.
  case number(String)
  case string(String)
  case array([JSONValue])
  /// Members in document order. Duplicate keys are kept as they appear.
  case object([(key: String, value: JSONValue)])

  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): true
    case (.bool(let a), .bool(let b)): a == b
    case (.number(let a), .number(let b)): a == b
    case (.string(let a), .string(let b)): a == b
    case (.array(let a), .array(let b)): a == b
    case (.object(let a), .object(let b)):
      a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    default: false
    }
  }

  /// A number value from an integer.
  public static func int(_ value: Int) -> JSONValue { .number(String(value)) }

  /// The value of the member named `key`, when this is an object. With duplicate keys the last
  /// one wins, as in Python's `json` (and so PyJWT and Twilio's Python tooling).
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.last { $0.key == key }?.value
  }

  /// The string, when this is a string.
  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// The number as an integer, when this is a number written as an integer that fits.
  public var intValue: Int? {
    if case .number(let text) = self { return Int(text) }
    return nil
  }

  /// The boolean, when this is a boolean.
  public var boolValue: Bool? {
    if case .bool(let b) = self { return b }
    return nil
  }

  /// Members in order, when this is an object.
  public var members: [(key: String, value: JSONValue)]? {
    if case .object(let m) = self { return m }
    return nil
  }

  /// The elements, when this is an array.
  public var arrayValue: [JSONValue]? {
    if case .array(let a) = self { return a }
    return nil
  }

  /// The element at `index`, when this is an array that long.
  public subscript(index: Int) -> JSONValue? {
    guard case .array(let a) = self, a.indices.contains(index) else { return nil }
    return a[index]
  }

  /// The number as a `Double`, when this is a number.
  public var doubleValue: Double? {
    if case .number(let text) = self { return Double(text) }
    return nil
  }
}
