/// JSON Web Tokens in compact serialisation with HMAC-SHA256 (RFC 7515, RFC 7518 §3.2).
public enum JWT {
  /// `base64url(header) "." base64url(payload) "." base64url(HMAC-SHA256(secret, first two))`,
  /// with the JSON written compact and ASCII-only, as PyJWT writes it.
  public static func sign(header: JSONValue, payload: JSONValue, secret: String) -> String {
    let writer = JSONWriter(style: .compact, asciiOnly: true)
    var token: [UInt8] = []
    token.reserveCapacity(1024)
    Base64.encode(writer.bytes(header), alphabet: .url, padding: false, appendingTo: &token)
    token.append(UInt8(ascii: "."))
    Base64.encode(writer.bytes(payload), alphabet: .url, padding: false, appendingTo: &token)
    let signature = Crypto.hmac(.sha256, key: Array(secret.utf8), message: token)
    token.append(UInt8(ascii: "."))
    Base64.encode(signature, alphabet: .url, padding: false, appendingTo: &token)
    return String(decoding: token, as: UTF8.self)
  }

  /// Why a string is not a JWT at all.
  public enum DecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case wrongNumberOfParts(Int)
    case invalidBase64(part: String)
    case invalidJSON(part: String, JSONParser.Error)
    case notAnObject(part: String)

    public var description: String {
      switch self {
      case .empty: "no token given"
      case .wrongNumberOfParts(let n):
        "not a JWT: expected 3 parts separated by '.', found \(n)"
      case .invalidBase64(let part): "not a JWT: the \(part) is not base64url"
      case .invalidJSON(let part, let error): "not a JWT: the \(part) is not JSON (\(error))"
      case .notAnObject(let part): "not a JWT: the \(part) is not a JSON object"
      }
    }
  }

  /// A JWT split into its parts, nothing verified yet.
  public struct Decoded: Sendable {
    /// The header's JSON text, exactly as encoded.
    public var headerText: String
    /// The payload's JSON text, exactly as encoded.
    public var payloadText: String
    public var header: JSONValue
    public var payload: JSONValue
    /// `header "." payload`: the bytes the signature covers.
    public var signingInput: String
    public var signature: [UInt8]

    /// Whether `signature` is HMAC-SHA256 of the signing input under `secret`, compared in
    /// constant time.
    public func hasValidSignature(secret: String) -> Bool {
      let expected = Crypto.hmac(
        .sha256, key: Array(secret.utf8), message: Array(signingInput.utf8))
      return Crypto.constantTimeEquals(expected, signature)
    }
  }

  /// Splits and decodes `token` (surrounding whitespace ignored).
  public static func decode(_ token: String) throws(DecodingError) -> Decoded {
    let trimmed = token.trimmingASCIIWhitespace()
    if trimmed.isEmpty { throw .empty }
    let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3 else { throw .wrongNumberOfParts(parts.count) }
    func json(_ text: Substring, _ name: String) throws(DecodingError) -> (String, JSONValue) {
      let bytes: [UInt8]
      do { bytes = try Base64.decode(text, alphabet: .url) } catch {
        throw .invalidBase64(part: name)
      }
      let value: JSONValue
      do { value = try JSONParser.parse(bytes: bytes) } catch {
        throw .invalidJSON(part: name, error)
      }
      guard case .object = value else { throw .notAnObject(part: name) }
      return (String(decoding: bytes, as: UTF8.self), value)
    }
    let (headerText, header) = try json(parts[0], "header")
    let (payloadText, payload) = try json(parts[1], "payload")
    let signature: [UInt8]
    do { signature = try Base64.decode(parts[2], alphabet: .url) } catch {
      throw .invalidBase64(part: "signature")
    }
    return Decoded(
      headerText: headerText, payloadText: payloadText, header: header, payload: payload,
      signingInput: parts[0] + "." + parts[1], signature: signature)
  }
}

extension String {
  /// The string without leading and trailing spaces, tabs, CR and LF.
  public func trimmingASCIIWhitespace() -> String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
    guard let first = firstIndex(where: { !isSpace($0) }),
      let last = lastIndex(where: { !isSpace($0) })
    else { return "" }
    return String(self[first...last])
  }
}
