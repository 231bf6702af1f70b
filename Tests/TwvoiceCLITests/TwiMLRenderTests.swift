import Foundation
import Testing
import TwvoiceCore

/// `twiml render start|dial|relay` command lines against twilio-python's output for the same
/// document (scripts/gen-twiml.py).
struct RenderVector: CustomTestStringConvertible, Sendable {
  var arguments: [String]
  var xml: String
  var testDescription: String { arguments.dropFirst(2).joined(separator: " ") }

  static let all: [RenderVector] = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
      "Fixtures/twiml-render-vectors.jsonl")
    guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
    return text.split(separator: "\n").compactMap { line in
      guard let value = try? JSONParser.parse(String(line)), case .array(let argv) = value["argv"],
        let xml = value["xml"]?.stringValue
      else { return nil }
      return RenderVector(arguments: argv.compactMap(\.stringValue), xml: xml)
    }
  }()
}

struct TwiMLRenderTests {
  @Test func vectorsArePresent() {
    #expect(RenderVector.all.filter { $0.arguments[2] == "start" }.count >= 300)
    #expect(RenderVector.all.filter { $0.arguments[2] == "dial" }.count >= 100)
    #expect(RenderVector.all.filter { $0.arguments[2] == "relay" }.count >= 150)
  }

  /// Every command line through the binary, byte for byte.
  @Test(arguments: RenderVector.all)
  func renderMatchesTwilioPython(_ vector: RenderVector) throws {
    let r = try Twvoice.run(vector.arguments)
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout == vector.xml + "\n")
  }

  @Test func theSeedsWebhook() throws {
    let r = try Twvoice.run([
      "twiml", "render", "start", "--url", "wss://example.ngrok.app/ws", "--name", "test stream", "--param",
      "sid=CA1",
      "--pause", "1000",
    ])
    #expect(
      r.stdout
        == #"<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream name="test stream" url="wss://example.ngrok.app/ws"><Parameter name="sid" value="CA1" /></Stream></Connect><Pause length="1000" /></Response>"#
        + "\n")
  }

  @Test(arguments: [
    (
      ["start", "--url", "wss://bot/ws?sid=1"],
      "the stream URL has a query string, which Twilio drops: pass values as <Parameter> (--param NAME=VALUE) instead"
    ),
    (
      ["start", "--url", "ws://bot/ws"],
      "the stream URL must start with wss:// (got ws://); Twilio connects to secure WebSockets only"
    ),
    (
      ["start", "--url", "wss://bot/ws", "--track", "outbound_track"],
      "<Connect><Stream> takes only track=\"inbound_track\" (got \"outbound_track\"); use <Start><Stream> (--unidirectional) for other tracks (Twilio error 31941)"
    ),
    (
      ["start", "--url", "wss://bot/ws", "--unidirectional", "--track", "left"],
      "track=\"left\" is not allowed for <Stream> (allowed: inbound_track, outbound_track, both_tracks) (Twilio error 31941)"
    ),
    (
      ["start", "--url", "wss://bot/ws", "--status-callback-method", "PUT"],
      "statusCallbackMethod=\"PUT\" is not allowed for <Stream> (allowed: GET, POST)"
    ),
    (["start", "--url", "wss://bot/ws", "--pause", "-1"], "the pause length must not be negative"),
    (["dial"], "nothing to dial: give --client, --number, --sip, --conference or --queue"),
    (
      ["dial", "--number", "4155550100"],
      "--number '4155550100' is not an E.164 number: + then 2 to 15 digits, e.g. +14155550100"
    ),
    (
      ["dial", "--sip", "bob@example.com"],
      "--sip 'bob@example.com' must be a SIP URI starting with sip: or sips:"
    ),
    (
      ["dial", "--client", "a", "--record", "always"],
      "record=\"always\" is not allowed for <Dial> (allowed: do-not-record, record-from-answer, record-from-ringing, record-from-answer-dual, record-from-ringing-dual)"
    ),
  ])
  func rulesAreEnforced(arguments: [String], message: String) throws {
    let r = try Twvoice.run(["twiml", "render"] + arguments)
    #expect(r.status == 64, "\(r)")
    #expect(r.stderr == "twvoice: error: \(message)\n")
    #expect(r.stdout.isEmpty)
  }

  /// A value the flag does not take: ArgumentParser's one error line naming the flag, then the
  /// help to read; nothing on standard output.
  @Test(arguments: [
    (
      ["--url", "https://app.example.com/relay"],
      "The value 'https://app.example.com/relay' is invalid for '--url <url>': the ConversationRelay URL must start with wss:// (got https://); Twilio connects to secure WebSockets only"
    ),
    (
      ["--url", "/relay"],
      "The value '/relay' is invalid for '--url <url>': the ConversationRelay URL must be absolute: wss://host/path"
    ),
    (
      ["--url", "wss://app/relay?q=a b"],
      "The value 'wss://app/relay?q=a b' is invalid for '--url <url>': the ConversationRelay URL contains a space (write %20)"
    ),
    (
      ["--url", "wss://app/relay", "--interruptible", "sometimes"],
      "The value 'sometimes' is invalid for '--interruptible <interruptible>'. Please provide one of the following: none, dtmf, speech, any, true, false"
    ),
    (
      ["--url", "wss://app/relay", "--welcome-greeting-interruptible", "true"],
      "The value 'true' is invalid for '--welcome-greeting-interruptible <welcome-greeting-interruptible>'. Please provide one of 'none', 'dtmf', 'speech' or 'any'."
    ),
    (
      ["--url", "wss://app/relay", "--interrupt-sensitivity", "max"],
      "The value 'max' is invalid for '--interrupt-sensitivity <interrupt-sensitivity>'. Please provide one of 'low', 'medium' or 'high'."
    ),
    (
      ["--url", "wss://app/relay", "--lang", "ttsProvider=Google"],
      "The value 'ttsProvider=Google' is invalid for '--lang <code[,key=value…]>': expected CODE[,KEY=VALUE…] starting with the language code, e.g. en-US,ttsProvider=Google (keys: ttsProvider, voice, transcriptionProvider, speechModel)"
    ),
    (
      ["--url", "wss://app/relay", "--lang", "en-US,tts=Google"],
      "The value 'en-US,tts=Google' is invalid for '--lang <code[,key=value…]>': unknown key 'tts' (keys: ttsProvider, voice, transcriptionProvider, speechModel)"
    ),
    (
      ["--url", "wss://app/relay", "--lang", "en-US,voice"],
      "The value 'en-US,voice' is invalid for '--lang <code[,key=value…]>': 'voice' is not KEY=VALUE (keys: ttsProvider, voice, transcriptionProvider, speechModel)"
    ),
    (
      ["--url", "wss://app/relay", "--debug", "debugging,verbose"],
      "The value 'debugging,verbose' is invalid for '--debug <list>': 'verbose' is not one of debugging, speaker-events, tokens-played"
    ),
    (
      ["--url", "wss://app/relay", "--speech-timeout", "soon"],
      "The value 'soon' is invalid for '--speech-timeout <ms>': expected auto, milliseconds (1500) or a duration with a unit (1.5s, 800ms)"
    ),
    (
      ["--url", "wss://app/relay", "--param", "=x"],
      "The value '=x' is invalid for '--param <name=value>': expected NAME=VALUE with a non-empty NAME"
    ),
    (
      ["--url", "wss://app/relay", "--action", "/done", "--method", "PUT"],
      "The value 'PUT' is invalid for '--method <method>'. Please provide one of 'GET' and 'POST'."
    ),
    (["--welcome-greeting", "Hi"], "Missing expected argument '--url <url>'"),
  ])
  func relayRefusesBadValuesNamingTheFlag(arguments: [String], message: String) throws {
    let r = try Twvoice.run(["twiml", "render", "relay"] + arguments)
    #expect(r.status == 64, "\(r)")
    #expect(r.stdout.isEmpty)
    #expect(
      r.stderr == "twvoice: error: \(message)\n(see 'twvoice twiml render relay --help')\n", "\(r)")
  }

  @Test func relayBooleansAndTheirNoForms() throws {
    let r = try Twvoice.run([
      "twiml", "render", "relay", "--url", "wss://app/relay", "--dtmf-detection", "--no-preemptible",
      "--partial-prompts", "--no-profanity-filter", "--interruptible", "false", "--no-declaration",
    ])
    #expect(r.status == 0, "\(r)")
    #expect(
      r.stdout
        == #"<Response><Connect><ConversationRelay dtmfDetection="true" interruptible="false" partialPrompts="true" preemptible="false" profanityFilter="false" url="wss://app/relay" /></Connect></Response>"#
        + "\n")
  }

  /// What `relay` renders is what `twiml validate` and `call` read.
  @Test func renderedRelayDocumentsAreValid() throws {
    let rendered = try Twvoice.run([
      "twiml", "render", "relay", "--url", "wss://app.example.com/relay", "--welcome-greeting",
      "Hi & welcome",
      "--lang", "es-ES,ttsProvider=Google", "--param", "tenant=acme", "--action", "/ended", "--method", "GET",
      "--events", "speaker-events tokens-played",
    ])
    #expect(rendered.status == 0, "\(rendered)")
    let r = try Twvoice.run(["twiml", "validate", "-"], stdin: rendered.stdout)
    #expect(r.status == 0, "\(r)")
  }

  @Test func nounsKeepCommandLineOrderAndParamsTheirClient() throws {
    let r = try Twvoice.run([
      "twiml", "render", "dial", "--queue", "q", "--client", "a", "--number", "+15550001111", "--client", "b",
      "--client-param", "x=1", "--sip=sip:s@example.com",
    ])
    #expect(
      r.stdout.contains(
        #"<Dial><Queue>q</Queue><Client>a</Client><Number>+15550001111</Number><Client><Identity>b</Identity><Parameter name="x" value="1" /></Client><Sip>sip:s@example.com</Sip></Dial>"#
      ), "\(r)")
    let orphan = try Twvoice.run(["twiml", "render", "dial", "--client-param", "x=1", "--client", "a"])
    #expect(orphan.status == 64)
    #expect(orphan.stderr.contains("--client-param 'x=1' needs a --client before it."))
  }

  @Test func fromJSONRendersAnyDocument() throws {
    let json =
      #"[{"name":"Gather","attributes":{"input":["dtmf","speech"],"num_digits":1,"action":"/menu"},"children":[{"name":"Say","attributes":{"voice":"Polly.Joanna"},"text":"Press 1"}]},{"name":"Redirect","text":"/again"}]"#
    let r = try Twvoice.run(["twiml", "render", "--from", "-"], stdin: json)
    #expect(r.status == 0, "\(r)")
    #expect(
      r.stdout
        == #"<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/menu" input="dtmf speech" numDigits="1"><Say voice="Polly.Joanna">Press 1</Say></Gather><Redirect>/again</Redirect></Response>"#
        + "\n")
    #expect(r.stderr.isEmpty, "\(r)")
    // Rendered as described, as twilio-python would, with what Twilio would refuse said aside.
    let refused = try Twvoice.run(
      ["twiml", "render", "--from", "-"],
      stdin:
        #"[{"name":"Connect","children":[{"name":"Stream","attributes":{"url":"wss://x.example/ws","track":"outbound_track"}}]}]"#
    )
    #expect(refused.status == 0, "\(refused)")
    #expect(
      refused.stdout.contains(#"<Stream track="outbound_track" url="wss://x.example/ws" />"#), "\(refused)")
    #expect(refused.stderr.hasPrefix("twvoice: warning: standard input: "), "\(refused)")
    #expect(refused.stderr.contains("(Twilio error 31941)"), "\(refused)")
    let bad = try Twvoice.run(
      ["twiml", "render", "--from", "-"], stdin: #"[{"name":"Gather","children":[{"name":"Dial"}]}]"#)
    #expect(bad.status == 65)
    #expect(
      bad.stderr
        == "twvoice: error: standard input: Response[0]/Gather[0]/Dial: <Dial> is not allowed in <Gather> (allowed: Pause, Play, Say)\n"
    )
    let notJSON = try Twvoice.run(["twiml", "render", "--from", "-"], stdin: "<Response/>")
    #expect(notJSON.status == 65)
  }

  @Test func prettyAndWithoutDeclaration() throws {
    let r = try Twvoice.run(["twiml", "render", "dial", "--client", "alice", "--pretty", "--no-declaration"])
    #expect(r.stdout == "<Response>\n  <Dial>\n    <Client>alice</Client>\n  </Dial>\n</Response>\n")
  }
}

struct TwiMLValidateTests {
  @Test func renderedDocumentsAreValid() throws {
    let rendered = try Twvoice.run([
      "twiml", "render", "start", "--url", "wss://bot/ws", "--param", "a=b", "--pause", "10",
    ])
    let r = try Twvoice.run(["twiml", "validate", "-"], stdin: rendered.stdout)
    #expect(r.status == 0)
    #expect(r.stderr == "twvoice: standard input: valid TwiML\n")
  }

  @Test func findingsWithLineColumnAndCode() throws {
    let xml =
      "<Response>\n  <Connect>\n    <Stream url=\"wss://bot/ws\" track=\"both_tracks\"/>\n  </Connect>\n  <Dial><Say>x</Say></Dial>\n</Response>\n"
    let dir = try TemporaryDirectory.with(["answer.xml": xml])
    defer { TemporaryDirectory.remove(dir) }
    let r = try Twvoice.run(["twiml", "validate", "answer.xml"], in: dir)
    #expect(r.status == 1)
    #expect(
      r.stdout == """
        answer.xml:3:5: error: <Connect><Stream> takes only track="inbound_track" (got "both_tracks"); use <Start><Stream> (--unidirectional) for other tracks (Twilio error 31941)
        answer.xml:5:9: error: <Say> is not allowed in <Dial> (allowed in <Dial>: Application, Client, Conference, Number, Queue, Sim, Sip, WhatsApp) (Twilio error 12200)

        """)
    let json = try Twvoice.run(["twiml", "validate", "answer.xml", "--json"], in: dir)
    let report = try JSONParser.parse(json.stdout)
    #expect(report["valid"] == .bool(false))
    guard case .array(let findings) = report["findings"] else {
      Issue.record("no findings")
      return
    }
    #expect(findings.map { $0["twilio_error"]?.intValue } == [31941, 12200])
    #expect(findings.first?["line"]?.intValue == 3)
  }

  @Test func malformedXMLIs12100() throws {
    let r = try Twvoice.run(["twiml", "validate", "-"], stdin: "<Response><Say>unclosed</Response>")
    #expect(r.status == 1)
    #expect(
      r.stdout
        == "standard input:1:24: error: </Response> closes <Say> opened at line 1, column 11 (Twilio error 12100)\n"
    )
    #expect(try Twvoice.run(["twiml", "validate", "missing.xml"]).status == 66)
  }
}
