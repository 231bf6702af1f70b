import FuzzDriver
import Glibc
import TwvoiceCore

/// `twiml validate` on arbitrary bytes: the parser, the validator, and a serializer round trip.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTwiML(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let findings = TwiMLValidator.validate(bytes)
  for finding in findings {
    precondition(finding.line >= 1 && finding.column >= 1, "finding at \(finding.line):\(finding.column)")
  }
  guard let parsed = try? TwiMLParser.parse(bytes) else { return 0 }
  // What the serializer writes must parse back to the same tree.
  let text = TwiMLSerializer().string(parsed.element)
  let again: TwiMLParser.Located
  do { again = try TwiMLParser.parse(Array(text.utf8)) } catch {
    fatalError("serialized TwiML does not parse (\(error)):\n\(text)")
  }
  if again.element != parsed.element {
    fatalError("serialized TwiML parses to another tree:\n\(text)")
  }
  return 0
}

exit(twvoice_fuzz_run(CommandLine.argc, CommandLine.unsafeArgv) { fuzzTwiML($0, $1) })
