import FuzzDriver
import Glibc
import TwvoiceCore

/// Core's JSONParser on arbitrary bytes; what it accepts must survive a write and a re-parse.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  guard let value = try? JSONParser.parse(bytes: bytes) else { return 0 }
  // Pretty output grows with the square of the nesting depth (500 levels: 500 KB), so deep
  // inputs are checked compact only, keeping each run short.
  var writers = [JSONWriter(style: .compact, asciiOnly: true), JSONWriter(style: .compact, asciiOnly: false)]
  if size <= 256 { writers.append(JSONWriter(style: .pretty, asciiOnly: false)) }
  for writer in writers {
    let text = writer.bytes(value)
    let again: JSONValue
    do { again = try JSONParser.parse(bytes: text) } catch {
      fatalError("written JSON does not parse (\(error)): \(String(decoding: text, as: UTF8.self))")
    }
    if again != value {
      fatalError("written JSON parses to another value: \(String(decoding: text, as: UTF8.self))")
    }
  }
  return 0
}

exit(twvoice_fuzz_run(CommandLine.argc, CommandLine.unsafeArgv) { fuzzJSON($0, $1) })
