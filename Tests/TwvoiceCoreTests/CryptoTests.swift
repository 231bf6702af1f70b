import Testing
import TwvoiceCore

/// Known answers from RFC 4231 (HMAC-SHA256) and RFC 2202 (HMAC-SHA1).
struct CryptoTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var key: [UInt8]
    var data: [UInt8]
    var digest: String
    /// RFC 4231 case 5 truncates the output to 128 bits.
    var truncateTo: Int? = nil
    var testDescription: String { name }
  }

  static func bytes(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var chars = Array(hex.utf8).makeIterator()
    while let hi = chars.next(), let lo = chars.next() {
      out.append(UInt8(String(decoding: [hi, lo], as: UTF8.self), radix: 16) ?? 0)
    }
    return out
  }

  static func hex(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
  }

  static let rfc4231: [Case] = [
    Case(
      name: "RFC 4231 case 1", key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8),
      digest: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    Case(
      name: "RFC 4231 case 2", key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8),
      digest: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    Case(
      name: "RFC 4231 case 3", key: [UInt8](repeating: 0xaa, count: 20),
      data: [UInt8](repeating: 0xdd, count: 50),
      digest: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
    Case(
      name: "RFC 4231 case 4", key: bytes("0102030405060708090a0b0c0d0e0f10111213141516171819"),
      data: [UInt8](repeating: 0xcd, count: 50),
      digest: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
    Case(
      name: "RFC 4231 case 5", key: [UInt8](repeating: 0x0c, count: 20),
      data: Array("Test With Truncation".utf8),
      digest: "a3b6167473100ee06e0c796c2955552b", truncateTo: 16),
    Case(
      name: "RFC 4231 case 6", key: [UInt8](repeating: 0xaa, count: 131),
      data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
      digest: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    Case(
      name: "RFC 4231 case 7", key: [UInt8](repeating: 0xaa, count: 131),
      data: Array(
        "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."
          .utf8),
      digest: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
  ]

  static let rfc2202: [Case] = [
    Case(
      name: "RFC 2202 case 1", key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8),
      digest: "b617318655057264e28bc0b6fb378c8ef146be00"),
    Case(
      name: "RFC 2202 case 2", key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8),
      digest: "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
    Case(
      name: "RFC 2202 case 3", key: [UInt8](repeating: 0xaa, count: 20),
      data: [UInt8](repeating: 0xdd, count: 50), digest: "125d7342b9ac11cd91a39af48aa17b4f63f175d3"),
    Case(
      name: "RFC 2202 case 4", key: bytes("0102030405060708090a0b0c0d0e0f10111213141516171819"),
      data: [UInt8](repeating: 0xcd, count: 50), digest: "4c9007f4026250c6bc8414f9bf50c86c2d7235da"),
    Case(
      name: "RFC 2202 case 5", key: [UInt8](repeating: 0x0c, count: 20),
      data: Array("Test With Truncation".utf8), digest: "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"),
    Case(
      name: "RFC 2202 case 6", key: [UInt8](repeating: 0xaa, count: 80),
      data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
      digest: "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
    Case(
      name: "RFC 2202 case 7", key: [UInt8](repeating: 0xaa, count: 80),
      data: Array("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data".utf8),
      digest: "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"),
  ]

  @Test(arguments: rfc4231)
  func hmacSHA256(_ c: Case) {
    let mac = Crypto.hmac(.sha256, key: c.key, message: c.data)
    #expect(mac.count == 32)
    #expect(Self.hex(Array(mac.prefix(c.truncateTo ?? 32))) == c.digest)
  }

  @Test(arguments: rfc2202)
  func hmacSHA1(_ c: Case) {
    let mac = Crypto.hmac(.sha1, key: c.key, message: c.data)
    #expect(Self.hex(mac) == c.digest)
  }

  @Test func hmacOfEmptyKeyAndMessage() {
    // Python: hmac.new(b"", b"", "sha256").hexdigest()
    #expect(
      Self.hex(Crypto.hmac(.sha256, key: [], message: []))
        == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
  }

  @Test func constantTimeComparison() {
    #expect(Crypto.constantTimeEquals([1, 2, 3], [1, 2, 3]))
    #expect(!Crypto.constantTimeEquals([1, 2, 3], [1, 2, 4]))
    #expect(!Crypto.constantTimeEquals([1, 2, 3], [1, 2]))
    #expect(Crypto.constantTimeEquals([], []))
  }

  @Test func randomBytesAreRandom() {
    let a = Crypto.randomBytes(count: 32)
    let b = Crypto.randomBytes(count: 32)
    #expect(a.count == 32)
    #expect(a != b)
    #expect(Crypto.randomBytes(count: 0).isEmpty)
  }

  @Test func seededGeneratorIsReproducible() {
    var a = TwvoiceRandom(seed: 42)
    var b = TwvoiceRandom(seed: 42)
    var c = TwvoiceRandom(seed: 43)
    let sa = (0..<4).map { _ in a.next() }
    #expect(sa == (0..<4).map { _ in b.next() })
    #expect(sa != (0..<4).map { _ in c.next() })
    // SplitMix64's first output for seed 0 (reference implementation by S. Vigna).
    var zero = TwvoiceRandom(seed: 0)
    #expect(zero.next() == 0xE220_A839_7B1D_CDAF)
  }
}

struct HMACAgainstOpenSSLTests {
  /// twvoice's HMAC composition and OpenSSL's EVP HMAC() agree on random keys and messages of
  /// every length around the 64-byte block boundary.
  @Test(arguments: [Crypto.HashFunction.sha1, .sha256])
  func agreesWithEVP(_ function: Crypto.HashFunction) {
    var rng = TwvoiceRandom(seed: 2024)
    for keyLength in [0, 1, 20, 32, 63, 64, 65, 100, 200] {
      for messageLength in [0, 1, 55, 56, 63, 64, 65, 1000] {
        let key = (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let message = (0..<messageLength).map { _ in UInt8.random(in: 0...255, using: &rng) }
        #expect(
          Crypto.hmac(function, key: key, message: message)
            == Crypto.opensslHMAC(function, key: key, message: message),
          "key \(keyLength) message \(messageLength)")
      }
    }
  }
}

/// X-Twilio-Signature against twilio-python's RequestValidator (scripts/gen-signature-vectors.py).
struct TwilioSignatureTests {
  @Test func matchesTwilioPython() throws {
    let vectors = Fixtures.jsonLines("signature-vectors.jsonl")
    #expect(vectors.count >= 6)
    for v in vectors {
      let params = (v["params"]?.members ?? []).map { (name: $0.key, value: $0.value.stringValue ?? "") }
      let token = try #require(v["auth_token"]?.stringValue)
      let url = try #require(v["url"]?.stringValue)
      let expected = try #require(v["signature"]?.stringValue)
      #expect(TwilioSignature.compute(url: url, parameters: params, authToken: token) == expected, "\(url)")
      #expect(TwilioSignature.isValid(expected, url: url, parameters: params, authToken: token))
      #expect(!TwilioSignature.isValid(expected, url: url + "x", parameters: params, authToken: token))
    }
  }
}

/// `RequestValidator.validate`'s decisions (scripts/gen-signature-vectors.py): HMAC-SHA1 and the
/// shared key's HMAC-SHA256, the port variants it accepts, JSON bodies through bodySHA256.
struct WebhookValidationTests {
  @Test func decidesAsTwilioPython() throws {
    let vectors = Fixtures.jsonLines("webhook-validation-vectors.jsonl")
    #expect(vectors.count >= 16)
    for v in vectors {
      let key = try #require(v["key"]?.stringValue)
      let algorithm = try #require(TwilioSignature.Algorithm(rawValue: v["algorithm"]?.stringValue ?? ""))
      let signed = try #require(v["signed_url"]?.stringValue)
      let url = try #require(v["url"]?.stringValue)
      let signature = try #require(v["signature"]?.stringValue)
      let expected = try #require(v["valid"]?.boolValue)
      let content: TwilioSignature.Content
      if let body = v["body"]?.stringValue {
        content = .body(Array(body.utf8))
        #expect(TwilioSignature.compute(url: signed, key: key, algorithm: algorithm) == signature)
      } else {
        let params = (v["params"]?.members ?? []).map {
          NamedValue(name: $0.key, value: $0.value.stringValue ?? "")
        }
        content = .form(params)
        if expected && signed == url {
          #expect(
            TwilioSignature.compute(
              url: signed, parameters: params.map { ($0.name, $0.value) }, key: key, algorithm: algorithm)
              == signature)
        }
      }
      #expect(
        TwilioSignature.validate(signature, url: url, content: content, key: key, algorithm: algorithm)
          == expected,
        "\(signed) checked as \(url)")
    }
  }

  @Test func theSettingsHeaderNamesTheAlgorithm() {
    #expect(TwilioSignature.Algorithm(settingsHeader: nil) == .hmacSHA1)
    #expect(
      TwilioSignature.Algorithm(settingsHeader: "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256")
        == .hmacSHA256)
    #expect(TwilioSignature.Algorithm(settingsHeader: "key=k") == .hmacSHA1)
    #expect(TwilioSignature.Algorithm(settingsHeader: "algorithm=HMAC_MD5") == nil)
  }
}
