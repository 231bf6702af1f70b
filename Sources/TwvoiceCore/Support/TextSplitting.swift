extension StringProtocol {
  /// The text before and after the first `separator` scalar, or nil without one.
  ///
  /// Works on Unicode scalars, not Characters: in Swift `"=\u{301}"` is one Character, so
  /// `firstIndex(of: "=")` misses an `=` followed by a combining mark, ZWJ or variation selector.
  public func splitOnce(at separator: Unicode.Scalar) -> (before: String, after: String)? {
    // Slices of the scalar view, copied once each (appending scalar by scalar cost ~30,000
    // instructions per `NAME=value` environment entry at every start-up).
    let scalars = unicodeScalars
    guard let index = scalars.firstIndex(of: separator) else { return nil }
    return (String(self[..<index]), String(self[scalars.index(after: index)...]))
  }
}

extension String {
  /// The text with control characters (C0, DEL, C1) shown as `U+001B`, so printing a value from
  /// untrusted input (a token's claims) cannot move the cursor, recolour or retitle a terminal.
  public var escapingControlCharacters: String {
    guard unicodeScalars.contains(where: \.isControl) else { return self }
    var out = String.UnicodeScalarView()
    for scalar in unicodeScalars {
      if scalar.isControl {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        out.append(
          contentsOf: ("U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex).unicodeScalars)
      } else {
        out.append(scalar)
      }
    }
    return String(out)
  }
}

extension Unicode.Scalar {
  /// C0 controls, DEL and C1 controls.
  fileprivate var isControl: Bool { value < 0x20 || (0x7F...0x9F).contains(value) }
}

/// `1.2345` → "1.235": three decimals, as summaries and messages show seconds.
public func format3(_ value: Double) -> String {
  let thousandths = Int((value * 1000).rounded())
  let fraction = abs(thousandths % 1000)
  let padded = String(repeating: "0", count: 3 - String(fraction).count) + String(fraction)
  return "\(thousandths < 0 && thousandths > -1000 ? "-" : "")\(thousandths / 1000).\(padded)"
}
