/// `X-Twilio-Signature`: how Twilio signs the requests it makes, webhooks and Media Streams
/// WebSocket upgrades alike — base64 of HMAC-SHA1 keyed by the account's auth token over the full
/// URL followed by each POST parameter's name and value, sorted by name. A WebSocket upgrade has
/// no parameters, and its URL is signed exactly as dialed, `wss://` scheme included
/// (media-streams.md §1.2).
public enum TwilioSignature {
  /// The signature of `url` (and POST `parameters`) under `authToken`.
  public static func compute(url: String, parameters: [(name: String, value: String)] = [], authToken: String)
    -> String
  {
    var data = url
    // Sorted by code point, name then value, as twilio-python's RequestValidator sorts them
    // (Swift's `<` on String compares canonical equivalents, which is not the same order).
    let sorted = parameters.sorted {
      $0.name == $1.name
        ? $0.value.unicodeScalars.lexicographicallyPrecedes($1.value.unicodeScalars)
        : $0.name.unicodeScalars.lexicographicallyPrecedes($1.name.unicodeScalars)
    }
    for (name, value) in sorted { data += name + value }
    return Base64.encode(Crypto.hmac(.sha1, key: Array(authToken.utf8), message: Array(data.utf8)))
  }

  /// Whether `signature` is right for `url` and `parameters`, compared in constant time.
  public static func isValid(
    _ signature: String, url: String, parameters: [(name: String, value: String)] = [], authToken: String
  ) -> Bool {
    let expected = compute(url: url, parameters: parameters, authToken: authToken)
    return Crypto.constantTimeEquals(Array(expected.utf8), Array(signature.utf8))
  }
}
