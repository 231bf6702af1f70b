import CTestSupport
import Foundation
import Testing
import TwvoiceCLI
import TwvoiceCore

#if canImport(Glibc)
  import Glibc
#endif

/// The REPL through piped standard input (a script) and through a pseudo-terminal.
struct ReplScriptTests {
  static let env = Twvoice.fakeEnvironment

  @Test func scriptStopsAtTheFirstFailingLineWithItsStatus() throws {
    let script = """
      # a comment
      twiml render dial --client 'alice smith'
      codec info missing.wav
      twiml render dial --client never
      """
    let r = try Twvoice.run(["repl"], stdin: script, environment: Self.env)
    #expect(r.status == 66)
    #expect(r.stdout.contains("<Client>alice smith</Client>"))
    #expect(!r.stdout.contains("never"))
    #expect(r.stderr.contains("twvoice: repl: stopped at line 3 (exit status 66)"))
    #expect(!r.stdout.contains("twvoice>"))  // no prompt echo when not a terminal
  }

  @Test func keepGoingRunsEveryLine() throws {
    let r = try Twvoice.run(
      ["repl", "--keep-going"], stdin: "codec info missing.wav\ntwiml render dial --client b\n",
      environment: Self.env)
    #expect(r.status == 66)
    #expect(r.stdout.contains("<Client>b</Client>"))
  }

  @Test func settingsFeedLaterCommandsAndSecretsAreMasked() throws {
    var env = Self.env
    env["TWILIO_API_SECRET"] = nil
    let script = """
      set identity alice
      set api-secret not-shown-0123456789
      show
      env
      token mint --now 1700000000
      unset identity
      token mint --now 1700000000
      """
    let r = try Twvoice.run(["repl"], stdin: script, environment: env)
    #expect(r.status == 64)  // the last mint has no identity
    #expect(!r.stdout.contains("not-shown") && !r.stderr.contains("not-shown"))
    #expect(r.stdout.contains("api-secret = •••••••• (20 characters)"))
    #expect(r.stdout.contains("TWILIO_API_SECRET = •••••••• (20 characters)  (from set api-secret)"))
    #expect(
      r.stdout.contains(
        "TWILIO_ACCOUNT_SID = ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  (from environment TWILIO_ACCOUNT_SID)"))
    let token = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("eyJ") })
    let decoded = try Twvoice.run(
      ["token", "decode", "--now", "1700000001", String(token)],
      environment: ["TWILIO_API_SECRET": "not-shown-0123456789"])
    #expect(decoded.status == 0)
    #expect(decoded.stdout.contains("alice"))
  }

  @Test func helpAndErrorsUseTheSameMessagesAsTheCommandLine() throws {
    let r = try Twvoice.run(
      ["repl", "--keep-going"], stdin: "help token mint\ntokn\nrepl\nset colour red\necho 'unterminated\n")
    #expect(r.stdout.contains("USAGE: twvoice token mint"))
    #expect(r.stderr.contains("Unexpected argument 'tokn'"))
    #expect(r.stderr.contains("twvoice: error: already in the REPL"))
    #expect(r.stderr.contains("usage: set NAME VALUE"))
    #expect(r.stderr.contains("twvoice: error: unterminated single quote"))
  }
}

struct ShellWordsTests {
  @Test(arguments: [
    (#"a b  c"#, ["a", "b", "c"]), (#"'a b' "c d""#, ["a b", "c d"]), (#"a\ b"#, ["a b"]),
    (#""say \"hi\" \n""#, [#"say "hi" \n"#]), (#"x # comment"#, ["x"]), (#"a#b"#, ["a#b"]), (#"''"#, [""]),
  ])
  func splitsLikeAShell(line: String, words: [String]) throws {
    #expect(try ShellWords.split(line) == words)
  }
}

struct CompletionTests {
  @Test func completionComesFromTheCommandTree() {
    let model = CompletionModel.shared
    #expect(model.candidates(before: "", word: "to") == ["token"])
    #expect(model.candidates(before: "token ", word: "") == ["decode", "mint"])
    #expect(model.candidates(before: "token mint ", word: "--app").contains("--application-sid"))
    #expect(model.candidates(before: "codec decode x --track ", word: "") == ["inbound", "outbound", "both"])
    #expect(model.candidates(before: "codec encode x --format ", word: "p") == ["payloads"])
    #expect(model.candidates(before: "set ", word: "api") == ["api-key", "api-secret"])
    #expect(model.candidates(before: "codec decode ", word: "cap").isEmpty)  // file names, from readline
    #expect(model.candidates(before: "stream replay --strict --allow ", word: "t") == ["talk-over"])
  }

  @Test func scenarioFilesAreCompletedByTheirExtension() throws {
    try withTemporaryDirectory(["a.yaml": "", "b.yml": "", "notes.txt": "", ".hidden.yaml": ""]) { dir in
      try FileManager.default.createDirectory(
        at: dir.appendingPathComponent("more"), withIntermediateDirectories: false)
      let model = CompletionModel.shared
      let base = dir.path + "/"
      #expect(
        model.candidates(before: "stream replay --scenario ", word: base)
          == [base + "a.yaml", base + "b.yml", base + "more/"])
      #expect(model.candidates(before: "stream replay --scenario ", word: base + "b") == [base + "b.yml"])
    }
  }
}

/// Generated files are fresh: the committed completion scripts are what the command tree gives.
struct GeneratedFilesTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  @Test(arguments: [
    ("bash", "completions/twvoice.bash"), ("zsh", "completions/_twvoice"),
    ("fish", "completions/twvoice.fish"),
  ])
  func completionScriptsAreFresh(shell: String, path: String) throws {
    let committed = try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
    let r = try Twvoice.run(["--generate-completion-script", shell])
    #expect(r.stdout == committed, "run scripts/generate-docs.sh")
  }

  @Test func completionScriptsParse() throws {
    for (shell, path) in [
      ("bash", "completions/twvoice.bash"), ("zsh", "completions/_twvoice"),
      ("fish", "completions/twvoice.fish"),
    ] {
      guard
        let binary = ["/bin", "/usr/bin"].map({ "\($0)/\(shell)" }).first(where: {
          FileManager.default.isExecutableFile(atPath: $0)
        })
      else {
        continue  // that shell is not installed here
      }
      let process = Process()
      process.executableURL = URL(fileURLWithPath: binary)
      process.arguments = ["-n", Self.root.appendingPathComponent(path).path]
      try process.run()
      process.waitUntilExit()
      #expect(process.terminationStatus == 0, "\(shell) -n \(path)")
    }
  }

  @Test func everyCommandHasAManPage() throws {
    let pages = try FileManager.default.contentsOfDirectory(
      atPath: Self.root.appendingPathComponent("man").path)
    for page in [
      "twvoice.1", "twvoice.token.mint.1", "twvoice.codec.decode.1", "twvoice.twiml.validate.1",
      "twvoice.stream.replay.1", "twvoice.repl.1",
    ] {
      #expect(pages.contains(page))
    }
  }
}

/// The REPL on a pseudo-terminal: readline's prompt, Tab completion, history, Ctrl-D.
struct ReplTerminalTests {
  final class Terminal {
    let master: Int32
    let process = Process()
    var output = ""

    init(arguments: [String], environment: [String: String]) throws {
      var name = [CChar](repeating: 0, count: 128)
      master = tw_open_pty(&name, name.count)
      guard master >= 0 else { throw POSIXError(.EIO) }
      let slave = open(String(cString: name), O_RDWR)
      let handle = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
      // setsid -c makes the terminal the REPL's controlling terminal, so Ctrl-C raises SIGINT as
      // it does in a real shell.
      process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
      process.arguments = ["-c", Twvoice.executable.path] + arguments
      process.environment = environment
      process.standardInput = handle
      process.standardOutput = handle
      process.standardError = handle
      try process.run()
    }

    func type(_ text: String) { _ = text.withCString { write(master, $0, strlen($0)) } }

    /// Where the next `waitFor` starts looking: output already matched is not matched again.
    var searchFrom = 0

    /// Reads until `text` appears in output not yet matched, or the timeout passes.
    func waitFor(_ text: String, seconds: Double = 5) -> Bool {
      let deadline = Date().addingTimeInterval(seconds)
      var buffer = [UInt8](repeating: 0, count: 4096)
      func found() -> Bool {
        let unread = String(output.utf8.dropFirst(searchFrom)) ?? ""
        guard let range = unread.range(of: text) else { return false }
        searchFrom += unread[..<range.upperBound].utf8.count
        return true
      }
      while Date() < deadline {
        if found() { return true }
        var fds = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        if poll(&fds, 1, 100) > 0 {
          let n = read(master, &buffer, buffer.count)
          if n > 0 { output += String(decoding: buffer[0..<n], as: UTF8.self) }
        }
      }
      return found()
    }

    deinit {
      if process.isRunning { process.terminate() }
      close(master)
    }
  }

  @Test func tabCompletionHistoryAndExit() throws {
    let state = try TemporaryDirectory.make()
    defer { TemporaryDirectory.remove(state) }
    var env = Twvoice.fakeEnvironment
    env["XDG_STATE_HOME"] = state.path
    env["TERM"] = "xterm"
    env["HOME"] = state.path
    let t = try Terminal(arguments: [], environment: env)  // twvoice alone on a terminal is the REPL
    #expect(t.waitFor("twvoice> "))
    t.type("twi\t")
    #expect(t.waitFor("twiml "), "\(t.output)")
    t.type("render dial --ans\t")
    #expect(t.waitFor("--answer-on-bridge "), "\(t.output)")
    t.type("--client alice\r")
    #expect(t.waitFor("<Client>alice</Client>"), "\(t.output)")
    // Ctrl-C drops the line being typed; the REPL stays.
    t.type("token mint --identity x\u{03}")
    #expect(t.waitFor("twvoice> "))
    t.type("exit\r")
    t.process.waitUntilExit()
    #expect(t.process.terminationStatus == 0)
    let history = try String(contentsOf: state.appendingPathComponent("twvoice/history"), encoding: .utf8)
    #expect(history.contains("twiml render dial --answer-on-bridge --client alice"))
  }
}

extension ReplTerminalTests {
  /// A line that sets or passes a secret is never written to the history file (an older file's
  /// such lines are dropped too); within the session Up-arrow still recalls it; `show` masks it.
  @Test func historyFileNeverHoldsASecret() throws {
    try withTemporaryDirectory { state in
      let history = state.appendingPathComponent("twvoice/history")
      try FileManager.default.createDirectory(
        at: history.deletingLastPathComponent(), withIntermediateDirectories: true)
      try "token mint --identity a --api-secret OLD-SECRET-0\ncodec info old.wav\n".write(
        to: history, atomically: true, encoding: .utf8)
      var env = Twvoice.fakeEnvironment
      env["XDG_STATE_HOME"] = state.path
      env["HOME"] = state.path
      env["TERM"] = "xterm"
      let t = try Terminal(arguments: ["repl"], environment: env)
      #expect(t.waitFor("twvoice> "))
      for line in [
        "set api-secret SECRET-1-abcdef",
        "set auth-token SECRET-2-abcdef",
        "token mint --identity a --now 1700000000 --api-secret SECRET-3-abcdef",
        "token mint --identity a --now 1700000000 --api-secret=SECRET-4-abcdef",
        "token decode --auth-token SECRET-5-abcdef x",
        "TWILIO_API_SECRET=SECRET-6-abcdef token mint --identity a",
        "env TWILIO_AUTH_TOKEN='SECRET-7-abcdef'",
        "twiml render dial --client kept-line",
      ] {
        t.type(line + "\r")
        #expect(t.waitFor("twvoice> "), "\(line): \(t.output)")
      }
      t.type("show\r")
      #expect(t.waitFor("api-secret = •••••••• (15 characters)"), "\(t.output)")
      #expect(t.waitFor("auth-token = •••••••• (15 characters)"), "\(t.output)")
      #expect(t.waitFor("twvoice> "))
      // Up-arrow three times: show, the kept line, then the last secret line, from memory.
      t.type("\u{1B}[A\u{1B}[A\u{1B}[A")
      #expect(t.waitFor("SECRET-7-abcdef"), "\(t.output)")
      t.type("\u{03}")  // Ctrl-C drops it
      #expect(t.waitFor("twvoice> "))
      t.type("exit\r")
      t.process.waitUntilExit()
      #expect(t.process.terminationStatus == 0)
      let saved = try String(contentsOf: history, encoding: .utf8)
      #expect(saved.contains("twiml render dial --client kept-line"), "\(saved)")
      #expect(saved.contains("codec info old.wav"), "\(saved)")
      #expect(saved.contains("show"), "\(saved)")
      #expect(!saved.contains("SECRET"), "\(saved)")
    }
  }
}

extension ReplTerminalTests {
  /// Ctrl-C on a running replay, in a real terminal session (Python's pexpect forks onto a pty
  /// as a shell would); skipped where python3 with pexpect is not installed.
  @Test func ctrlCStopsARunningReplayAndKeepsTheRecording() throws {
    let check = Process()
    check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    check.arguments = ["python3", "-c", "import pexpect"]
    check.standardError = FileHandle.nullDevice
    guard (try? check.run()) != nil else { return }
    check.waitUntilExit()
    guard check.terminationStatus == 0 else { return }
    let bot = try TestBot(.silent)
    defer { bot.stop() }
    let dir = try TemporaryDirectory.make()
    defer { TemporaryDirectory.remove(dir) }
    let record = dir.appendingPathComponent("partial.wav").path
    let script = """
      import os, sys, time, pexpect
      env = dict(os.environ, TERM="xterm", XDG_STATE_HOME=sys.argv[3])
      c = pexpect.spawn(sys.argv[1], ["repl"], env=env, encoding="utf-8", timeout=10)
      c.expect("twvoice> ")
      c.sendline("stream replay --silence 60s --url %s --record %s --quiet" % (sys.argv[2], sys.argv[4]))
      time.sleep(1.5)
      c.sendintr()
      c.expect("twvoice> ")
      c.sendline("exit")
      c.expect(pexpect.EOF)
      c.close()
      sys.exit(c.exitstatus)
      """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, Twvoice.executable.path, bot.url, dir.path, record]
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    #expect(FileManager.default.fileExists(atPath: record))
    #expect(bot.messages.last?["event"] == .string("stop"))
    #expect(bot.messages.filter { $0["event"] == .string("media") }.count < 200)  // far less than 60 s
  }
}

struct SecretLineTests {
  @Test(arguments: [
    ("set api-secret abc", true), ("set auth-token abc", true), ("set my-secret abc", true),
    ("token mint --api-secret abc", true), ("token mint --api-secret=abc", true),
    ("token decode --auth-token abc x", true), ("TWILIO_API_SECRET=abc token mint", true),
    ("env TWILIO_AUTH_TOKEN=abc", true), ("export TWILIO_AUTH_TOKEN='a b'", true),
    ("echo 'unterminated secret", true),
    ("token decode eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJTSyJ9.c2ln", true),
    ("token decode --json eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJTSyJ9.", true),
    ("token decode x --token=eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJTSyJ9.c2ln", true),
    ("set identity alice", false), ("token mint --api-secret-file s.txt --identity a", false),
    ("twiml render dial --client alice", false), ("show", false), ("env", false),
    ("token decode eyJ.x", false), ("codec info call.jsonl", false),
  ])
  func linesThatHoldASecret(line: String, secret: Bool) {
    #expect(SecretLine.holdsSecret(line) == secret, "\(line)")
  }
}
