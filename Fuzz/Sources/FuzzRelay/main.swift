import FuzzDriver
import Glibc
import TwvoiceCore

/// What an app sends over ConversationRelay, and what a report page is drawn from, on arbitrary
/// bytes. The input's lines are frames from the app, 40 ms apart, into a session with a caller
/// who speaks twice; then the same lines are drawn as a session log.
/// - Every frame the session sends is a JSON object with a `type`, and every refusal is an
///   `error` frame: one per refused frame.
/// - The page holds exactly its own two scripts, whatever the lines say.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRelay(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  let lines = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(200)
  var configuration = RelaySession.Configuration(
    setup: .init(sessionId: "VX1", callSid: "CA1", from: "a", to: "b", accountSid: "AC1"))
  configuration.welcomeGreeting = "Hello there. How can I help?"
  configuration.speakerEvents = true
  configuration.tokensPlayed = true
  configuration.dtmfDetection = true
  configuration.partialPrompts = true
  var session = RelaySession(
    configuration: configuration,
    script: RelayScript.prompts(["one two", "three"], turnGapMs: nil, interruptAfterMs: 700))
  var sent = session.open(at: 0)
  var now = 0.0
  for line in lines where !session.stopped {
    now += 40
    sent += session.tick(now: now)
    sent += session.receive(text: String(line), at: now)
  }
  while !session.stopped && session.nextDueMs < now + 600_000 {
    now = max(now, session.nextDueMs)
    sent += session.tick(now: now)
  }
  var errors = 0
  for frame in sent {
    guard let value = try? JSONParser.parse(frame), value["type"]?.stringValue != nil else {
      fatalError("the session sent a frame that is not a typed JSON object: \(frame)")
    }
    if value["type"]?.stringValue == "error" { errors += 1 }
  }
  let refused = session.errorsSent.values.reduce(0, +)
  precondition(errors == refused, "\(errors) error frames for \(refused) refusals")

  let page = ReportPage.html(CallTimeline.build(lines: lines))
  let scripts = occurrences(of: "<script", in: page)
  let ends = occurrences(of: "</script>", in: page)
  precondition(scripts == 2 && ends == 2, "the page has \(scripts) <script and \(ends) </script>")
  return 0
}

/// How many times `needle` occurs in `text` (Foundation-free).
func occurrences(of needle: String, in text: String) -> Int {
  let hay = Array(text.utf8)
  let pattern = Array(needle.utf8)
  guard !pattern.isEmpty, hay.count >= pattern.count else { return 0 }
  var count = 0
  for start in 0...(hay.count - pattern.count) where hay[start] == pattern[0] {
    if hay[start..<start + pattern.count].elementsEqual(pattern) { count += 1 }
  }
  return count
}

exit(twvoice_fuzz_run(CommandLine.argc, CommandLine.unsafeArgv) { fuzzRelay($0, $1) })
