import Foundation
import Testing

/// Every error has one shape, and output that cannot be written is never a success.
struct CommandLineShapeTests {
  @Test(arguments: [
    (["tokn"], "Unexpected argument 'tokn'", "twvoice --help"),
    (["--bogus"], "Unknown option '--bogus'", "twvoice --help"),
    (["token", "frob"], "Unexpected argument 'frob'", "twvoice token --help"),
    (
      ["token", "mint", "--ttl", "abc"], "The value 'abc' is invalid for '--ttl <ttl>'",
      "twvoice token mint --help"
    ),
    (["twiml", "validate"], "Missing expected argument '<input>'", "twvoice twiml validate --help"),
    (
      ["twiml", "render", "start"], "Missing expected argument '--url <url>'",
      "twvoice twiml render start --help"
    ),
    (
      ["twiml", "render"], "Give --from FILE, or a subcommand: start, dial, relay.",
      "twvoice twiml render --help"
    ),
    (
      ["twiml", "render", "dial", "--timeout"], "Missing value for '--timeout <timeout>'",
      "twvoice twiml render dial --help"
    ),
    (
      ["codec", "decode", "-", "--track", "left"],
      "The value 'left' is invalid for '--track <track>'. Please provide one of 'inbound', 'outbound' or 'both'.",
      "twvoice codec decode --help"
    ),
  ])
  func usageErrorsAreOneErrorLineAndAHint(arguments: [String], message: String, help: String) throws {
    let r = try Twvoice.run(arguments, stdin: "")
    #expect(r.status == 64, "\(r)")
    #expect(r.stderr == "twvoice: error: \(message)\n(see '\(help)')\n", "\(r)")
    #expect(r.stdout.isEmpty)
  }

  @Test func aListOfAllowedValuesStaysOnTheErrorLine() throws {
    let r = try Twvoice.run(["codec", "encode", "-", "--format", "mp3"], stdin: "")
    #expect(r.status == 64, "\(r)")
    let lines = r.stderr.split(separator: "\n")
    #expect(lines.count == 2, "\(r)")
    #expect(
      lines.first?.hasPrefix("twvoice: error: The value 'mp3' is invalid for '--format") == true, "\(r)")
  }

  /// Runs the binary with standard output on /dev/full (every write fails with ENOSPC).
  static func runToFullDevice(_ arguments: [String], stdin: URL? = nil) throws -> (
    status: Int32, stderr: String
  ) {
    let process = Process()
    process.executableURL = Twvoice.executable
    process.arguments = arguments
    process.environment = ["PATH": "/usr/bin:/bin"]
    let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
    defer { try? full.close() }
    let err = Pipe()
    process.standardOutput = full
    process.standardError = err
    process.standardInput = try stdin.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
    try process.run()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stderr, as: UTF8.self))
  }

  @Test(arguments: [
    ["--help"], ["--version"], ["help"], ["token", "mint", "--help"], ["help", "twiml", "validate"],
    ["--generate-completion-script", "bash"], ["twiml", "render", "dial", "--client", "alice"],
  ])
  func aFailedWriteToStandardOutputIs74(arguments: [String]) throws {
    guard FileManager.default.isWritableFile(atPath: "/dev/full") else { return }
    let r = try Self.runToFullDevice(arguments)
    #expect(r.status == 74, "\(arguments): \(r)")
    #expect(r.stderr == "twvoice: error: cannot write standard output: No space left on device\n")
  }

  @Test func findingsThatCannotBeWrittenAre74NotJust1() throws {
    guard FileManager.default.isWritableFile(atPath: "/dev/full") else { return }
    try withTemporaryDirectory(["bad.xml": "<Response><Bogus/></Response>"]) { dir in
      let r = try Self.runToFullDevice(["twiml", "validate", dir.appendingPathComponent("bad.xml").path])
      #expect(r.status == 74, "\(r)")
    }
  }

  @Test func theREPLsOwnOutputThatCannotBeWrittenIs74() throws {
    guard FileManager.default.isWritableFile(atPath: "/dev/full") else { return }
    try withTemporaryDirectory(["script.tw": "set identity alice\nshow\n"]) { dir in
      let r = try Self.runToFullDevice(["repl"], stdin: dir.appendingPathComponent("script.tw"))
      #expect(r.status == 74, "\(r)")
      #expect(r.stderr.contains("twvoice: error: cannot write standard output: No space left on device\n"))
      #expect(r.stderr.contains("stopped at line 2 (exit status 74)"))
    }
  }

  @Test func theOverviewDescribesTheWholeToolAndItsExitCodes() throws {
    let r = try Twvoice.run(["--help"])
    #expect(r.status == 0)
    for word in ["token", "twiml", "TwiML", "codec", "stream", "replay", "repl", "WAV", "Media Streams"] {
      #expect(r.stdout.contains(word), "\(word)")
    }
    for code in [
      "0   success", "1   ", "64  usage", "65  malformed", "66  input", "70  internal", "74  output",
    ] {
      #expect(r.stdout.contains(code), "\(code)")
    }
  }
}
