/// JUnit XML as CI systems read it (GitHub Actions' and GitLab's test reports, Jenkins): one
/// `<testsuite>` per scenario, one `<testcase>` per step, `<failure>` and `<skipped>` children.
/// Everything embedded is escaped, and characters XML 1.0 cannot carry are replaced: step
/// messages may quote what a bot sent.
public enum JUnitReport {
  public struct Suite: Sendable {
    public var name: String
    /// The scenario file, as the testcases' `classname`.
    public var file: String
    public var cases: [Case]
    public init(name: String, file: String, cases: [Case]) {
      self.name = name
      self.file = file
      self.cases = cases
    }
  }

  public struct Case: Sendable {
    public var name: String
    public var seconds: Double
    public var status: ScenarioRun.StepResult.Status
    public var message: String
    public init(name: String, seconds: Double, status: ScenarioRun.StepResult.Status, message: String) {
      self.name = name
      self.seconds = seconds
      self.status = status
      self.message = message
    }
  }

  /// The whole document, newline-terminated.
  public static func xml(_ suites: [Suite]) -> String {
    func count(_ status: ScenarioRun.StepResult.Status) -> Int {
      suites.reduce(0) { $0 + $1.cases.filter { $0.status == status }.count }
    }
    let tests = suites.reduce(0) { $0 + $1.cases.count }
    let time = suites.reduce(0.0) { $0 + $1.cases.reduce(0.0) { $0 + $1.seconds } }
    var out = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
    out +=
      #"<testsuites name="twvoice" tests="\#(tests)" failures="\#(count(.failed))" errors="0" skipped="\#(count(.skipped))" time="\#(format3(time))">"#
      + "\n"
    for suite in suites {
      let failures = suite.cases.filter { $0.status == .failed }.count
      let skipped = suite.cases.filter { $0.status == .skipped }.count
      let suiteTime = suite.cases.reduce(0.0) { $0 + $1.seconds }
      out +=
        #"  <testsuite name="\#(escape(suite.name))" tests="\#(suite.cases.count)" failures="\#(failures)" errors="0" skipped="\#(skipped)" time="\#(format3(suiteTime))">"#
        + "\n"
      for testCase in suite.cases {
        out +=
          #"    <testcase classname="\#(escape(suite.file))" name="\#(escape(testCase.name))" time="\#(format3(testCase.seconds))""#
        switch testCase.status {
        case .failed:
          out += ">\n"
          out += #"      <failure message="\#(escape(testCase.message))" type="expectation">"#
          out += escape(testCase.message) + "</failure>\n"
          out += "    </testcase>\n"
        case .skipped, .pending:
          out += ">\n" + #"      <skipped message="\#(escape(testCase.message))"/>"# + "\n    </testcase>\n"
        case .passed:
          out += "/>\n"
        }
      }
      out += "  </testsuite>\n"
    }
    out += "</testsuites>\n"
    return out
  }

  /// Text for an attribute or element: markup escaped, and characters XML 1.0 forbids (C0
  /// controls other than tab, newline and return; U+FFFE, U+FFFF) replaced with U+FFFD.
  public static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      case "\t": out += "&#9;"
      case "\n": out += "&#10;"
      case "\r": out += "&#13;"
      default:
        if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
          out += "\u{FFFD}"
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out
  }
}
