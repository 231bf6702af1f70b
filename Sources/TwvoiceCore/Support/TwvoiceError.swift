/// The kinds of failure twvoice reports, each with its documented exit status (sysexits(3)).
///
/// Core says what went wrong; the command line maps the kind to an exit status. The numbers are
/// in README.md and the man page: 1 the checked thing is bad, 64 usage, 65 malformed input data,
/// 66 input missing or unreadable, 70 internal error, 74 output I/O error.
public enum FailureKind: Int32, Sendable {
  /// The input is well formed but fails the check (an invalid token, a protocol violation).
  case checkFailed = 1
  /// The command line is wrong (EX_USAGE).
  case usage = 64
  /// The input data is malformed (EX_DATAERR).
  case dataError = 65
  /// An input file is missing or unreadable (EX_NOINPUT).
  case noInput = 66
  /// A bug (EX_SOFTWARE).
  case software = 70
  /// Writing the output failed (EX_IOERR).
  case ioError = 74
}

/// An error that knows what kind of failure it is: its `description` is the one line shown
/// after `twvoice: error:`, and the command line turns `failureKind` into the exit status in
/// one place (`CommandRunner.run`), so a command passes such errors on as they are instead of
/// re-wrapping them. Adopt it for an error whose message already says where (file, line,
/// field); wrap only to add context the error lacks.
public protocol ClassifiedError: Error, CustomStringConvertible {
  var failureKind: FailureKind { get }
}

/// A failure with a one-line message a user can act on.
///
/// The message says what, where (file, line, field) and, where it helps, what to do. It never
/// contains a secret.
public struct TwvoiceError: Error, Equatable, Sendable, CustomStringConvertible {
  public var kind: FailureKind
  public var message: String

  public init(_ kind: FailureKind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { message }
}

extension TwvoiceError: ClassifiedError {
  public var failureKind: FailureKind { kind }
}
