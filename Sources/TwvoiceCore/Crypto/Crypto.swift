import COpenSSL

/// Message authentication, comparison and randomness, through the system's OpenSSL libcrypto.
///
/// HMAC-SHA256 signs Access Tokens (RFC 7518 §3.2, "HS256"); HMAC-SHA1 is what Twilio uses for
/// `X-Twilio-Signature` on webhooks and stream handshakes. Known answers: RFC 4231 and RFC 2202.
public enum Crypto {
  /// Initialises libcrypto once without reading openssl.cnf: twvoice needs only the built-in
  /// default provider, and parsing the system configuration costs start-up time on every run.
  private static let initialized: Bool = {
    OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_LOAD_CONFIG), nil) == 1
  }()

  /// The hash functions HMAC is offered over.
  public enum HashFunction: Sendable {
    case sha1
    case sha256

    /// Digest length in bytes.
    public var digestLength: Int {
      switch self {
      case .sha1: 20
      case .sha256: 32
      }
    }
  }

  /// HMAC of `message` under `key` (RFC 2104), over OpenSSL's SHA-1/SHA-256.
  public static func hmac(
    _ function: HashFunction, key: some Collection<UInt8>, message: some Collection<UInt8>
  ) -> [UInt8] {
    let keyBytes = Array(key)
    let messageBytes = Array(message)
    var digest = [UInt8](repeating: 0, count: function.digestLength)
    keyBytes.withUnsafeBufferPointer { k in
      messageBytes.withUnsafeBufferPointer { m in
        digest.withUnsafeMutableBufferPointer { out in
          twvoice_hmac(
            function == .sha256 ? 1 : 0, k.baseAddress, k.count, m.baseAddress, m.count,
            out.baseAddress)
        }
      }
    }
    return digest
  }

  /// HMAC through OpenSSL's EVP `HMAC()`: the reference `hmac(_:key:message:)` is tested
  /// against. Its first call in a process costs ~0.7 ms of algorithm fetching.
  public static func opensslHMAC(
    _ function: HashFunction, key: some Collection<UInt8>, message: some Collection<UInt8>
  ) -> [UInt8] {
    _ = initialized
    // OpenSSL rejects a NULL pointer even with length 0, so empty input gets a dummy byte.
    let keyCount = key.count
    let messageCount = message.count
    let keyBytes = keyCount == 0 ? [0] : Array(key)
    let messageBytes = messageCount == 0 ? [0] : Array(message)
    var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    let md = function == .sha1 ? EVP_sha1() : EVP_sha256()
    let result = keyBytes.withUnsafeBufferPointer { keyBuffer in
      messageBytes.withUnsafeBufferPointer { messageBuffer in
        digest.withUnsafeMutableBufferPointer { out in
          HMAC(
            md, keyBuffer.baseAddress, Int32(keyCount), messageBuffer.baseAddress, messageCount,
            out.baseAddress, &length)
        }
      }
    }
    // HMAC() fails only when libcrypto cannot allocate; there is nothing sensible to return.
    precondition(result != nil, "OpenSSL HMAC failed")
    return Array(digest.prefix(Int(length)))
  }

  /// SHA-256 of `bytes` (OpenSSL's one-call digest).
  public static func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
    let input = Array(bytes)
    var digest = [UInt8](repeating: 0, count: 32)
    input.withUnsafeBufferPointer { i in
      digest.withUnsafeMutableBufferPointer { o in _ = SHA256(i.baseAddress, i.count, o.baseAddress) }
    }
    return digest
  }

  /// Compares two byte strings in time that depends only on their lengths, never on where
  /// they first differ (OpenSSL `CRYPTO_memcmp`). Use it for every signature check.
  public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    return a.withUnsafeBytes { pa in
      b.withUnsafeBytes { pb in
        CRYPTO_memcmp(pa.baseAddress, pb.baseAddress, a.count) == 0
      }
    }
  }

  /// `count` bytes from OpenSSL's CSPRNG.
  public static func randomBytes(count: Int) -> [UInt8] {
    _ = initialized
    var bytes = [UInt8](repeating: 0, count: count)
    guard count > 0 else { return bytes }
    let ok = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
    precondition(ok == 1, "OpenSSL RAND_bytes failed")
    return bytes
  }

  /// The OpenSSL version string the binary runs against, e.g. "OpenSSL 3.0.17 1 Jul 2025".
  public static var libraryVersion: String {
    String(cString: OpenSSL_version(Int32(OPENSSL_VERSION)))
  }
}

/// A random number generator seeded from OpenSSL, or from a fixed seed for reproducible runs.
///
/// With a seed it is SplitMix64 (Steele, Lea, Flood 2014): small, fast, and the same sequence on
/// every platform, so `--seed N` output is stable across machines.
public struct TwvoiceRandom: RandomNumberGenerator, Sendable {
  private var state: UInt64

  /// A generator with the given seed; the same seed gives the same sequence.
  public init(seed: UInt64) { state = seed }

  /// A generator seeded from the kernel (`getrandom`, through the standard library). Not
  /// OpenSSL's DRBG: instantiating it costs 7 M instructions, a quarter of a `token mint` run.
  public init() {
    var system = SystemRandomNumberGenerator()
    state = system.next()
  }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
