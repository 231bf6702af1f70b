import Foundation
import Testing
import TwvoiceCore

/// Headless Chromium (Debian's `chromium`; `.ci/run` installs it) opening report pages as a
/// user's browser would: the DOM after the page's script ran, and a screenshot.
enum Chromium {
  static let path = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  }
  static var available: Bool { path != nil }

  /// Runs Chromium on `page` with a profile in `scratch` (removed with it); returns standard output.
  @discardableResult
  static func run(_ page: URL, scratch: URL, _ extra: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try #require(path))
    process.arguments =
      [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
        "--user-data-dir=\(scratch.appendingPathComponent("profile").path)", "--window-size=1200,900",
      ] + extra + [page.absoluteString]
    // Chromium also writes crash-report settings and a dconf cache under the home folder: both
    // go to the scratch folder, so a test run leaves nothing behind.
    let home = scratch.appendingPathComponent("home").path
    process.environment = [
      "HOME": home, "XDG_CONFIG_HOME": home + "/.config", "XDG_CACHE_HOME": home + "/.cache",
      "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
    ]
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
  }

  static func dom(_ page: URL, scratch: URL) throws -> String {
    try run(page, scratch: scratch, ["--virtual-time-budget=2000", "--dump-dom"])
  }

  /// Where each colour is in a screenshot of `page` (Fixtures/png_colors.py).
  static func colours(_ page: URL, scratch: URL, _ hex: [String]) throws -> JSONValue {
    let shot = scratch.appendingPathComponent("shot.png")
    try run(page, scratch: scratch, ["--virtual-time-budget=2000", "--screenshot=\(shot.path)"])
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Fixtures/png_colors.py")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script.path, shot.path] + hex
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return try JSONParser.parse(String(decoding: data, as: UTF8.self))
  }

  /// Elements of class `ev-KIND` in a DOM dump.
  static func count(_ kind: String, in dom: String) -> Int {
    dom.components(separatedBy: "class=\"ev ev-\(kind)\"").count - 1
  }
}

/// `--report` and `twvoice report`: pages opened in headless Chromium, checked by their DOM and
/// by a screenshot.
@Suite(.serialized, .enabled(if: Chromium.available, "needs Debian's chromium")) struct ReportTests {
  @Test func aReplayPageHasEveryMarkClearAndKeyOfTheSession() throws {
    let bot = try TestBot(.clearOnDTMF)
    defer { bot.stop() }
    try withTemporaryDirectory { dir in
      let result = try Twvoice.run(
        [
          "stream", "replay", "--silence", "3s", "--url", bot.url, "--dtmf", "5@1s", "--report", "page.html",
          "--log", "call.jsonl", "--tail", "200ms",
        ], in: dir)
      #expect(result.status == 0, "\(result)")
      let page = dir.appendingPathComponent("page.html")
      let html = try String(contentsOf: page, encoding: .utf8)
      #expect(!html.contains("http://") && !html.contains("https://"), "the page makes no requests")
      let dom = try Chromium.dom(page, scratch: dir)
      #expect(dom.contains("data-drawn=\"true\""), "the page's script ran")
      #expect(Chromium.count("mark-sent", in: dom) == 1)
      #expect(Chromium.count("clear", in: dom) == 1)
      #expect(Chromium.count("dtmf", in: dom) == 1)
      #expect(Chromium.count("mark-echo", in: dom) == 1)
      #expect(dom.contains("Exit status") && dom.contains(">0<"))
      // The same page, afterwards, from the log.
      let later = try Twvoice.run(["report", "call.jsonl", "-o", "later.html"], in: dir)
      #expect(later.status == 0, "\(later)")
      let laterDOM = try Chromium.dom(dir.appendingPathComponent("later.html"), scratch: dir)
      for kind in ["mark-sent", "mark-echo", "clear", "dtmf"] {
        #expect(Chromium.count(kind, in: laterDOM) == Chromium.count(kind, in: dom), "\(kind)")
      }
    }
  }

  @Test func bothTracksAreDrawnWhereTheirAudioIs() throws {
    let capture = try CaptureProcess(["--echo"])
    defer { _ = capture.stop() }
    let hello = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../examples/scenarios/audio/hello.wav").standardized
    try withTemporaryDirectory { dir in
      let result = try Twvoice.run(
        ["stream", "replay", hello.path, "--url", capture.url, "--report", "page.html", "--tail", "1s"],
        in: dir)
      #expect(result.status == 0, "\(result)")
      // The light scheme's caller and bot colours.
      let found = try Chromium.colours(
        dir.appendingPathComponent("page.html"), scratch: dir, ["2364d2", "c2410c"])
      let caller = try #require(found["colours"]?["2364d2"])
      let bot = try #require(found["colours"]?["c2410c"])
      #expect((caller["count"]?.intValue ?? 0) > 300 && (bot["count"]?.intValue ?? 0) > 300, "\(found)")
      // The echo bot answers after the caller's turn: its audio is drawn to the right of it.
      let callerEnd = try #require(caller["max_x"]?.intValue)
      let botStart = try #require(bot["min_x"]?.intValue)
      #expect(callerEnd < botStart, "\(found)")
    }
  }

  @Test func aWholeCallPageHasEveryRequest() throws {
    let backend = try VoiceBackend(
      routes: [
        "/voice": (200, CallTests.xml, "<Response><Say>hi</Say><Redirect>/next</Redirect></Response>"),
        "/next": (200, CallTests.xml, "<Response><Pause length=\"1\"/><Hangup/></Response>"),
      ])
    defer { backend.stop() }
    try withTemporaryDirectory { dir in
      let result = try Twvoice.run(
        ["call", "--voice-url", backend.base + "/voice", "--fast", "--json", "--report", "call.html"], in: dir
      )
      #expect(result.status == 0, "\(result)")
      let requests = try JSONParser.parse(result.stdout)["requests"]?.arrayValue?.count ?? 0
      #expect(requests == 2)
      let dom = try Chromium.dom(dir.appendingPathComponent("call.html"), scratch: dir)
      #expect(Chromium.count("request", in: dom) == requests)
    }
  }

  @Test func hostileMessageTextIsShownAsText() throws {
    try withTemporaryDirectory { dir in
      let name = JSONWriter().string(
        .string("</script><img src=x onerror=\"document.title='owned'\">'\u{07}"))
      var log = ""
      log +=
        #"{"t":0.000,"from":"twilio","message":{"event":"start","start":{"streamSid":"MZ1","callSid":"CA1"}}}"#
        + "\n"
      log +=
        #"{"t":0.100,"from":"bot","message":{"event":"mark","streamSid":"MZ1","mark":{"name":\#(name)}}}"#
        + "\n"
      log += #"{"t":0.200,"from":"bot","raw":"<b>bold</b> & <!-- comment"}"# + "\n"
      try log.write(to: dir.appendingPathComponent("hostile.jsonl"), atomically: true, encoding: .utf8)
      let result = try Twvoice.run(["report", "hostile.jsonl", "-o", "page.html"], in: dir)
      #expect(result.status == 0, "\(result)")
      let dom = try Chromium.dom(dir.appendingPathComponent("page.html"), scratch: dir)
      #expect(!dom.contains("<img") && !dom.contains("<b>") && !dom.contains("<title>owned</title>"))
      #expect(dom.components(separatedBy: "<script").count - 1 == 2)
      #expect(dom.contains("&lt;/script&gt;&lt;img src=x"))
      #expect(dom.contains("&lt;b&gt;bold&lt;/b&gt;"))
      #expect(Chromium.count("mark-sent", in: dom) == 1)
    }
  }

  @Test func inputThatIsNoLogIsRefusedAndWritesNothing() throws {
    try withTemporaryDirectory(["notes.txt": "hello\nworld\n"]) { dir in
      let result = try Twvoice.run(["report", "notes.txt", "-o", "page.html"], in: dir)
      #expect(result.status == 65, "\(result)")
      #expect(result.stderr.contains("notes.txt: no session log or Media Streams lines"))
      #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("page.html").path))
      let missing = try Twvoice.run(["report", "absent.jsonl", "-o", "page.html"], in: dir)
      #expect(missing.status == 66, "\(missing)")
    }
  }
}
