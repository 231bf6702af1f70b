import Testing
import TwvoiceCore

struct Base64Tests {
  /// RFC 4648 §10.
  static let rfc4648: [(String, String)] = [
    ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
    ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
  ]

  @Test func rfc4648Vectors() throws {
    for (plain, encoded) in Self.rfc4648 {
      #expect(Base64.encode(Array(plain.utf8)) == encoded)
      #expect(try Base64.decode(encoded) == Array(plain.utf8))
      let unpadded = String(encoded.prefix { $0 != "=" })
      #expect(Base64.encode(Array(plain.utf8), padding: false) == unpadded)
      #expect(try Base64.decode(unpadded) == Array(plain.utf8))
    }
  }

  @Test func urlAlphabet() throws {
    let bytes: [UInt8] = [0xfb, 0xff, 0xbf]
    #expect(Base64.encode(bytes) == "+/+/")
    #expect(Base64.encode(bytes, alphabet: .url) == "-_-_")
    #expect(try Base64.decode("-_-_", alphabet: .url) == bytes)
    #expect(throws: Base64.DecodingError.invalidCharacter(offset: 0)) {
      try Base64.decode("-_-_", alphabet: .standard)
    }
  }

  @Test func everyByteValueRoundTrips() throws {
    let all = (0...255).map { UInt8($0) }
    for n in 0...all.count {
      let slice = Array(all.prefix(n))
      #expect(try Base64.decode(Base64.encode(slice)) == slice)
      #expect(
        try Base64.decode(Base64.encode(slice, alphabet: .url, padding: false), alphabet: .url) == slice)
    }
  }

  @Test func malformedInputIsRefused() {
    #expect(throws: Base64.DecodingError.invalidLength) { try Base64.decode("Zm9vY") }
    #expect(throws: Base64.DecodingError.invalidPadding) { try Base64.decode("Zg===") }
    #expect(throws: Base64.DecodingError.invalidPadding) { try Base64.decode("Zm8==") }
    #expect(throws: Base64.DecodingError.invalidCharacter(offset: 2)) { try Base64.decode("Zm 9") }
    #expect(throws: Base64.DecodingError.invalidCharacter(offset: 1)) { try Base64.decode("Z=9v") }
    #expect(throws: Base64.DecodingError.nonZeroTrailingBits) { try Base64.decode("Zh==") }
  }
}
