import ArgumentParser
import Testing

@testable import TwvoiceCLI

/// The command tree parsed in process, without a binary: every documented command line reaches
/// the command it names, and bad ones fail in parsing or validation with a usage error (64),
/// before any command runs.
struct CommandTreeParsingTests {
  @Test(
    arguments: [
      (["token", "mint", "--identity", "alice"], "TokenMint"),
      (["token", "decode", "-"], "TokenDecode"),
      (["twiml", "render", "start", "--url", "wss://example.com/ws"], "TwiMLRenderStart"),
      (["twiml", "render", "dial", "--client", "bob"], "TwiMLRenderDial"),
      (["twiml", "validate", "doc.xml"], "TwiMLValidate"),
      (["codec", "decode", "capture.jsonl", "-o", "out.wav"], "CodecDecode"),
      (["codec", "encode", "in.wav", "--format", "payloads"], "CodecEncode"),
      (["codec", "info", "in.wav", "--json"], "CodecInfo"),
      (["stream", "replay", "in.wav", "--url", "ws://127.0.0.1:8080/ws", "--dtmf", "5@2s"], "StreamReplay"),
    ] as [([String], String)])
  func everyDocumentedCommandLineReachesItsCommand(arguments: [String], command: String) throws {
    let parsed = try TwvoiceCommand.parseAsRoot(arguments)
    #expect(String(describing: type(of: parsed)) == command)
  }

  @Test(arguments: [
    ["tokens", "mint"],  // no such subcommand
    ["token", "mint", "--no-such-flag"],
    ["codec", "decode", "c.jsonl", "--track", "sideways"],  // not one of the values
    ["codec", "decode", "c.jsonl", "--rate", "12"],  // out of range (validate)
    ["codec", "decode", "c.jsonl", "--rate", "16000", "--encoding", "mulaw"],  // G.711 is 8 kHz
    ["stream", "replay", "--url", "ws://h/ws", "--speed", "1000"],
    ["stream", "replay", "--url", "ws://h/ws", "--track", "both_tracks"],  // needs --unidirectional
    ["codec", "encode", "in.wav", "--frame", "20"],  // a duration needs its unit
  ])
  func badCommandLinesAreUsageErrorsBeforeAnythingRuns(arguments: [String]) {
    do {
      var command = try TwvoiceCommand.parseAsRoot(arguments)
      try command.validate()
      // Some checks run at the start of run(); parsing must at least have produced the command.
      Issue.record("\(arguments) parsed as \(type(of: command))")
    } catch {
      #expect(TwvoiceCommand.exitCode(for: error).rawValue == 64, "\(arguments): \(error)")
      #expect(!TwvoiceCommand.message(for: error).isEmpty)
    }
  }

  @Test func theHelpHintNamesTheDeepestCommandGiven() {
    #expect(
      CommandRunner.helpCommand(for: ["codec", "decode", "x", "--bad"]) == "twvoice codec decode --help")
    #expect(CommandRunner.helpCommand(for: ["token", "nope"]) == "twvoice token --help")
    #expect(CommandRunner.helpCommand(for: []) == "twvoice --help")
  }

  @Test func aListOfAllowedValuesBecomesOneLine() {
    let message = "Please provide one of the following:\n  - inbound\n  - outbound\n  - both"
    #expect(CommandRunner.oneLine(message) == "Please provide one of the following: inbound, outbound, both")
    #expect(CommandRunner.oneLine("bad \u{1B}]0;x\u{07}") == "bad U+001B]0;xU+0007")
  }
}
