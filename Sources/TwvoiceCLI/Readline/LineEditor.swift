import CReadline

/// GNU readline, which the REPL edits lines with.
public enum LineEditor {
  /// The linked readline's version, e.g. "8.2".
  public static var readlineVersion: String { String(cString: twvoice_rl_library_version()) }
}
