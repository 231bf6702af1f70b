import FuzzDriver
import Glibc
import TwvoiceCore

/// `token decode` on arbitrary text: decode, check the signature with and without a secret, run
/// the access-token checks, and write the parts back as JSON.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWT(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  guard let decoded = try? JWT.decode(text) else { return 0 }
  let secret = "fuzz-secret-0123456789abcdef0123"
  _ = decoded.hasValidSignature(secret: secret)
  for (key, now) in [(nil, 1_700_000_000), (secret, 0), (secret, Int.max), (secret, Int.min)] {
    let check = AccessTokenCheck(decoded, secret: key, now: now)
    _ = check.isValid
    for finding in check.findings { _ = finding.message.count }
  }
  _ = AccessTokenCheck.issuedAt(decoded.payload)
  let writer = JSONWriter(style: .pretty, asciiOnly: false)
  _ = writer.string(.object([("header", decoded.header), ("payload", decoded.payload)]))
  // A token signed from the decoded parts decodes to the same parts and verifies.
  let resigned = JWT.sign(header: decoded.header, payload: decoded.payload, secret: secret)
  guard let again = try? JWT.decode(resigned) else {
    fatalError("a signed token does not decode: \(resigned)")
  }
  if again.header != decoded.header || again.payload != decoded.payload
    || !again.hasValidSignature(secret: secret)
  {
    fatalError("re-signed token differs: \(resigned)")
  }
  return 0
}

exit(twvoice_fuzz_run(CommandLine.argc, CommandLine.unsafeArgv) { fuzzJWT($0, $1) })
