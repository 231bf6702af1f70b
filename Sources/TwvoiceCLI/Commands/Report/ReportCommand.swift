import ArgumentParser
import TwvoiceCore

/// `twvoice report LOG -o FILE.html`: the page of a call from any session log or capture.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Draw a call as one self-contained HTML page, from a session log or a capture.",
    discussion: """
      Reads a session log (stream replay --log, call --log, relay --log, stream capture and \
      stream proxy files) or a plain Media Streams capture and writes one HTML file that opens \
      offline: the caller's and the bot's audio (the bot's as heard: where it played, without \
      what a clear dropped), each reply's latency, marks sent and echoed, clears with the audio \
      they dropped, keys, webhook requests with status and latency, findings, scenario steps, \
      and ConversationRelay's prompts, replies and interrupts, on one time axis with zoom and \
      pan; hovering an event shows its message. The same page is written live by --report on \
      stream replay, call and relay.

      Examples:
        twvoice stream replay hello.wav --url ws://localhost:8080/ws --log call.jsonl
        twvoice report call.jsonl -o call.html

      Exit status: 0 written; 64 usage; 65 the input holds no session log lines; 66 missing \
      input; 74 output error.
      """
  )

  @Argument(help: "A session log or capture (JSON lines), or - for standard input.", completion: .file())
  var input: String

  @Option(
    name: [.short, .customLong("output")], help: "The HTML file to write (- for standard output).",
    completion: .file(extensions: ["html"]))
  var output: String = "-"

  func run() throws {
    let text = try SystemIO.readText(input, limit: .log)
    let lines = text.split(whereSeparator: \.isNewline)
    try ReportWriter.write(
      lines: lines, to: output, facts: [("Log", SystemIO.displayName(input))], source: input)
  }
}

/// Writes a report page (`twvoice report`, and `--report` on the commands that run a call).
enum ReportWriter {
  /// Builds the page from session log lines and writes it whole (an atomic rename for a file);
  /// lines that are no session log or capture at all are malformed input (65).
  static func write(
    lines: [Substring], to path: String, facts: [(name: String, value: String)], source: String? = nil
  ) throws {
    let timeline = CallTimeline.build(lines: lines)
    if let source,
      timeline.events.isEmpty && timeline.callerLevels.allSatisfy({ $0 == 0 })
        && timeline.botLevels.allSatisfy({ $0 == 0 })
    {
      throw TwvoiceError(
        .dataError, "\(SystemIO.displayName(source)): no session log or Media Streams lines to draw")
    }
    let page = ReportPage.html(timeline, facts: facts)
    let file = try OutputFile(path: path, binary: false)
    do {
      try file.write(Array(page.utf8))
      try file.commit()
    } catch {
      file.abort()
      throw error
    }
  }
}
