import FuzzDriver
import Glibc
import TwvoiceCore

/// `twiml validate` on arbitrary bytes: the parser, the validator, and a serializer round trip
/// that must keep both the tree and the validator's verdict.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTwiML(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let findings = TwiMLValidator.validate(bytes)
  for finding in findings {
    precondition(finding.line >= 1 && finding.column >= 1, "finding at \(finding.line):\(finding.column)")
  }
  guard let parsed = try? TwiMLParser.parse(bytes) else { return 0 }
  // What the serializer writes must parse back to a tree that serializes the same (attributes
  // are written sorted, so the trees themselves may differ in attribute order).
  let text = TwiMLSerializer().string(parsed.element)
  let again: TwiMLParser.Located
  do { again = try TwiMLParser.parse(Array(text.utf8)) } catch {
    fatalError("serialized TwiML does not parse (\(error)):\n\(text)")
  }
  let textAgain = TwiMLSerializer().string(again.element)
  if textAgain != text {
    fatalError("serialized TwiML parses to another tree:\n\(text)\n\(textAgain)")
  }
  // Writing a document out again changes no verdict: the same Twilio errors, the same messages.
  let verdict = findings.map { "\($0.twilioCode) \($0.severity) \($0.message)" }.sorted()
  let verdictAgain = TwiMLValidator.validate(Array(text.utf8)).map {
    "\($0.twilioCode) \($0.severity) \($0.message)"
  }.sorted()
  if verdict != verdictAgain {
    fatalError("validating the serialized TwiML gives other findings:\n\(text)\n\(verdict)\n\(verdictAgain)")
  }
  return 0
}

exit(twvoice_fuzz_run(CommandLine.argc, CommandLine.unsafeArgv) { fuzzTwiML($0, $1) })
