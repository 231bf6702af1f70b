/// `X-Twilio-Signature`: how Twilio signs the requests it makes, webhooks and Media Streams
/// WebSocket upgrades alike — base64 of an HMAC over the full URL followed by each POST
/// parameter's name and value, sorted by name. A WebSocket upgrade has no parameters, and its
/// URL is signed exactly as dialed, `wss://` scheme included (media-streams.md §1.2).
///
/// The key is the account's auth token (HMAC-SHA1), or, for accounts that sign webhooks with a
/// shared key, that key's secret (HMAC-SHA256, announced by the header
/// `X-Twilio-Webhooks-Signature-Settings: key=<id>,algorithm=HMAC_SHA256`). A JSON body is
/// signed through the URL: Twilio appends `bodySHA256=<hex SHA-256 of the body>` to the query
/// and signs the URL alone.
///
/// Computed and checked as twilio-python's `RequestValidator` (twilio 9.13,
/// `twilio/request_validator.py`: `compute_signature`, `validate`, `compute_hash`,
/// `get_signature_algorithm`) and twilio-node's `validateRequest`/`validateRequestWithBody`
/// define it; vectors from the former in `Tests/TwvoiceCoreTests/Fixtures/`.
public enum TwilioSignature {
  public enum Algorithm: String, Sendable, CaseIterable {
    case hmacSHA1 = "HMAC_SHA1"
    case hmacSHA256 = "HMAC_SHA256"

    var hash: Crypto.HashFunction { self == .hmacSHA1 ? .sha1 : .sha256 }

    /// The algorithm `X-Twilio-Webhooks-Signature-Settings` names; nil for one twvoice does not
    /// know. No header (or no `algorithm=`) means the auth token's HMAC-SHA1.
    public init?(settingsHeader: String?) {
      for part in (settingsHeader ?? "").split(separator: ",", omittingEmptySubsequences: false) {
        guard let (name, value) = String(part).splitOnce(at: "=") else { continue }
        let trimmed = value.trimmingASCIIWhitespace()
        if name.trimmingASCIIWhitespace() == "algorithm" && !trimmed.isEmpty {
          self.init(rawValue: trimmed.uppercased())
          return
        }
      }
      self = .hmacSHA1
    }
  }

  /// The signature of `url` (and POST `parameters`) under `key`: names sorted by code point,
  /// each name's distinct values sorted, as `compute_signature` does.
  public static func compute(
    url: String, parameters: [(name: String, value: String)] = [], key: String,
    algorithm: Algorithm = .hmacSHA1
  ) -> String {
    // Names and values compared as code points, as Python compares strings: Swift's String
    // equality would merge canonically equivalent ones ("é" and "e\u{301}"), which Python keeps
    // apart. UTF-8 bytes sort in code point order.
    var data = Array(url.utf8)
    var byName: [[UInt8]: Set<[UInt8]>] = [:]
    for (name, value) in parameters { byName[Array(name.utf8), default: []].insert(Array(value.utf8)) }
    for name in byName.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
      for value in byName[name]!.sorted(by: { $0.lexicographicallyPrecedes($1) }) { data += name + value }
    }
    return Base64.encode(Crypto.hmac(algorithm.hash, key: Array(key.utf8), message: data))
  }

  /// The auth token's signature (HMAC-SHA1), as Twilio signs for most accounts.
  public static func compute(url: String, parameters: [(name: String, value: String)] = [], authToken: String)
    -> String
  {
    compute(url: url, parameters: parameters, key: authToken, algorithm: .hmacSHA1)
  }

  /// Whether `signature` is right for `url` and `parameters`, compared in constant time.
  public static func isValid(
    _ signature: String, url: String, parameters: [(name: String, value: String)] = [], authToken: String
  ) -> Bool {
    let expected = compute(url: url, parameters: parameters, authToken: authToken)
    return Crypto.constantTimeEquals(Array(expected.utf8), Array(signature.utf8))
  }

  /// What a request carries for `validate`: form parameters, or a raw (JSON) body.
  public enum Content: Sendable {
    case form([NamedValue])
    case body([UInt8])
  }

  /// Checks a request as `RequestValidator.validate` does: the URL as given with its port
  /// removed and with the scheme's default port added (either may have been signed); a body is
  /// checked against the URL's `bodySHA256` (a URL without one does not validate a body).
  public static func validate(
    _ signature: String, url: String, content: Content, key: String, algorithm: Algorithm = .hmacSHA1
  ) -> Bool {
    var parameters: [(name: String, value: String)] = []
    var bodyHashValid = true
    switch content {
    case .form(let fields): parameters = fields.map { ($0.name, $0.value) }
    case .body(let bytes):
      // A body is covered only through the URL's bodySHA256; without one, nothing signed it.
      let expected = queryValue("bodySHA256", in: url) ?? ""
      bodyHashValid = Crypto.constantTimeEquals(Array(bodyHash(bytes).utf8), Array(expected.utf8))
    }
    let given = Array(signature.utf8)
    var matches = false
    for variant in portVariants(of: url) {
      let expected = compute(url: variant, parameters: parameters, key: key, algorithm: algorithm)
      matches = Crypto.constantTimeEquals(Array(expected.utf8), given) || matches
    }
    return bodyHashValid && matches
  }

  /// The lowercase hex SHA-256 of a body: the value of `bodySHA256`.
  public static func bodyHash(_ body: [UInt8]) -> String {
    let hex = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in Crypto.sha256(body) { out += [hex[Int(byte >> 4)], hex[Int(byte & 15)]] }
    return String(decoding: out, as: UTF8.self)
  }

  /// `url` with `bodySHA256` appended to its query, as Twilio requests a URL with a JSON body.
  public static func appendingBodyHash(_ body: [UInt8], to url: String) -> String {
    let base =
      url.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? url
    let separator = base.contains("?") ? (base.hasSuffix("?") || base.hasSuffix("&") ? "" : "&") : "?"
    return base + separator + "bodySHA256=" + bodyHash(body)
  }

  /// The URL without its port and with the default port, as twilio-python's `remove_port` and
  /// `add_port` write them (the netloc's host part kept as written).
  static func portVariants(of url: String) -> [String] {
    guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else { return [url] }
    let scheme = url[..<colon].lowercased()
    let head = url[...url.index(colon, offsetBy: 2)]
    let rest = url[url.index(colon, offsetBy: 3)...]
    let netloc = rest.prefix { (c: Character) -> Bool in c != "/" && c != "?" && c != "#" }
    let after = rest.dropFirst(netloc.count)
    let hostEnd = netloc.lastIndex(of: "]").map { netloc.index(after: $0) } ?? netloc.startIndex
    if let portColon = netloc[hostEnd...].lastIndex(of: ":"),
      Int(netloc[netloc.index(after: portColon)...]) != nil
    {
      // A port is written: the URL without it, and as is.
      return [String(head) + netloc[..<portColon] + after, url]
    }
    let port = scheme == "https" ? 443 : 80
    return [url, String(head) + netloc + ":\(port)" + after]
  }

  /// The first value of query parameter `name` in `url`, as twilio-python reads `bodySHA256`.
  public static func queryValue(_ name: String, in url: String) -> String? {
    guard let q = url.firstIndex(of: "?") else { return nil }
    let query = url[url.index(after: q)...].prefix { $0 != "#" }
    return FormEncoding.decode(String(query)).first { $0.name == name }?.value
  }
}
