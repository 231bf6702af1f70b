/// A `NAME=VALUE` pair from the command line (`--param team=blue`): split at the first `=`, so
/// the value may hold more; the name must not be empty. Order and repeats are the caller's.
public struct NamedValue: Sendable, Equatable {
  public var name: String
  public var value: String

  public init(name: String, value: String) {
    self.name = name
    self.value = value
  }

  public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var text: String
    public init(text: String) { self.text = text }
    public var description: String { "expected NAME=VALUE with a non-empty NAME" }
  }

  public init(parsing text: String) throws(ParseError) {
    guard let (name, value) = text.splitOnce(at: "="), !name.isEmpty else { throw ParseError(text: text) }
    self.init(name: name, value: value)
  }
}

extension [NamedValue] {
  /// `overrides` replace the value of the entries with the same name, in place; new names are
  /// appended in their order.
  public func overridden(by overrides: [NamedValue]) -> [NamedValue] {
    var result = self
    for entry in overrides {
      if let index = result.firstIndex(where: { $0.name == entry.name }) {
        result[index].value = entry.value
      } else {
        result.append(entry)
      }
    }
    return result
  }
}
