/// Calendar time in UTC without Foundation: formatting Unix seconds for people.
public enum UTCTime {
  /// Unix times twvoice accepts and formats: years 1 to 9999.
  public static let range = -62_135_596_800...253_402_300_799

  /// RFC 2822, as Twilio's callbacks write `Timestamp`: `Tue, 14 Nov 2023 22:13:20 +0000`.
  public static func rfc2822(_ unixSeconds: Int) -> String {
    let days = unixSeconds.floorDiv(86_400)
    let secondOfDay = unixSeconds - days * 86_400
    let (y, m, d) = civil(fromDays: days)
    let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    let weekday = weekdays[days - days.floorDiv(7) * 7]
    return "\(weekday), \(pad(d, 2)) \(months[m - 1]) \(pad(y, 4)) \(pad(secondOfDay / 3600, 2)):"
      + "\(pad(secondOfDay % 3600 / 60, 2)):\(pad(secondOfDay % 60, 2)) +0000"
  }

  /// `2023-11-14 22:13:20 UTC`; times outside years 1–9999 are shown as numbers.
  public static func format(_ unixSeconds: Int) -> String {
    guard range.contains(unixSeconds) else { return "\(unixSeconds) (outside years 1–9999)" }
    let days = unixSeconds.floorDiv(86_400)
    let secondOfDay = unixSeconds - days * 86_400
    let (y, m, d) = civil(fromDays: days)
    return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2)) \(pad(secondOfDay / 3600, 2)):"
      + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)) UTC"
  }

  /// Year, month, day of a count of days since 1970-01-01 (proleptic Gregorian; H. Hinnant's
  /// `civil_from_days`).
  static func civil(fromDays z0: Int) -> (Int, Int, Int) {
    let z = z0 + 719_468
    let era = z.floorDiv(146_097)
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
  }

  private static func pad(_ n: Int, _ width: Int) -> String {
    let s = String(abs(n))
    return (n < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - s.count)) + s
  }
}

extension Int {
  /// `self - other`, clamped to the range of `Int` instead of trapping on overflow: claims in a
  /// token under inspection can hold any 64-bit value.
  public func minusSaturating(_ other: Int) -> Int {
    let (result, overflow) = subtractingReportingOverflow(other)
    return overflow ? (other < 0 ? .max : .min) : result
  }

  /// Division rounding toward negative infinity.
  func floorDiv(_ d: Int) -> Int {
    let q = self / d
    return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
  }
}

/// Durations as twvoice writes and reads them everywhere: `20ms`, `1.5s`, `2m`, `1h30m`.
public enum DurationText {
  /// A compact description of a number of seconds: `59m 12s`, `1h`, `3d 2h`, `0s`.
  /// Shows at most the two largest units.
  public static func describe(seconds: Int) -> String {
    var rest = seconds.magnitude
    var parts: [String] = []
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] as [(String, UInt)]
    where rest >= size {
      parts.append("\(rest / size)\(unit)")
      rest %= size
    }
    if parts.isEmpty { return "0s" }
    return (seconds < 0 ? "-" : "") + parts.prefix(2).joined(separator: " ")
  }

  /// Why a duration could not be read.
  public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var text: String
    public var description: String {
      "invalid duration '\(text)': write a number and a unit, e.g. 20ms, 1.5s, 2m, 1h30m"
    }
  }

  /// Reads a duration as whole milliseconds (a fraction of a millisecond is dropped).
  public static func milliseconds(_ text: String) throws(ParseError) -> Int {
    let d = try parse(text)
    return Int(d.components.seconds) * 1000 + Int(d.components.attoseconds / 1_000_000_000_000_000)
  }

  /// Reads `20ms`, `1.5s`, `2m`, `1h30m`, `90` (seconds). Negative values are refused.
  public static func parse(_ text: String) throws(ParseError) -> Duration {
    let chars = Array(text.trimmingASCIIWhitespace())
    guard !chars.isEmpty else { throw ParseError(text: text) }
    var index = 0
    var totalMilliseconds = 0.0
    var sawUnit = false
    while index < chars.count {
      let start = index
      while index < chars.count, chars[index].isASCII, chars[index].isNumber || chars[index] == "." {
        index += 1
      }
      guard index > start, let number = Double(String(chars[start..<index])) else {
        throw ParseError(text: text)
      }
      let unitStart = index
      while index < chars.count, chars[index].isLetter { index += 1 }
      let unit = String(chars[unitStart..<index])
      let scale: Double
      switch unit {
      case "ms": scale = 1
      case "s", "": scale = 1_000
      case "m", "min": scale = 60_000
      case "h": scale = 3_600_000
      default: throw ParseError(text: text)
      }
      if unit.isEmpty && (sawUnit || index < chars.count) { throw ParseError(text: text) }
      sawUnit = true
      totalMilliseconds += number * scale
    }
    guard totalMilliseconds.isFinite, totalMilliseconds < 1e15 else { throw ParseError(text: text) }
    return .microseconds(Int64((totalMilliseconds * 1_000).rounded()))
  }
}

/// A duration as the user wrote it (`2s`, `1500ms`): its whole milliseconds, and the text, so
/// help and messages show it as written.
public struct WrittenDuration: Sendable, Equatable, CustomStringConvertible {
  public let milliseconds: Int
  public let description: String

  public init(parsing text: String) throws(DurationText.ParseError) {
    milliseconds = try DurationText.milliseconds(text)
    description = text
  }

  /// Whole seconds, written `Ns`.
  public static func seconds(_ seconds: Int) -> WrittenDuration {
    WrittenDuration(milliseconds: seconds * 1000, description: "\(seconds)s")
  }

  private init(milliseconds: Int, description: String) {
    self.milliseconds = milliseconds
    self.description = description
  }
}
