/// A key the caller presses at a time into the call, written `DIGIT@TIME` (`5@2s`, `#@1500ms`):
/// digits 0-9, `*`, `#` and A-D, as Twilio's `dtmf` message carries them.
public struct DTMFPress: Sendable, Equatable {
  public var digit: String
  /// When, in milliseconds from the start of the caller's audio.
  public var atMs: Int

  public init(digit: String, atMs: Int) {
    self.digit = digit
    self.atMs = atMs
  }

  /// Why a press does not read.
  public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not `DIGIT@TIME` with one of the sixteen keys.
    case shape
    /// The time is not a duration.
    case time(DurationText.ParseError)

    public var description: String {
      switch self {
      case .shape: "expected DIGIT@TIME, e.g. 5@2s (digits 0-9, *, #, A-D)"
      case .time(let error): error.description
      }
    }
  }

  /// The keys a caller can press.
  public static let keys = "0123456789*#ABCD"

  public init(parsing text: String) throws(ParseError) {
    guard let (digit, time) = text.splitOnce(at: "@"), digit.count == 1, Self.keys.contains(digit) else {
      throw .shape
    }
    self.digit = digit
    do { atMs = try DurationText.milliseconds(time) } catch { throw .time(error) }
  }
}
