import TwvoiceCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A `ws://` or `wss://` URL taken apart: what to connect to and what to ask for.
extension StreamReplayClient {
  /// Where to connect.
  public struct Target: Sendable {
    public var url: String
    public var secure: Bool
    public var host: String
    public var port: Int
    /// Path and query, as sent in the request line.
    public var requestURI: String

    /// Parses `ws://` and `wss://` URLs.
    public init(url: String) throws(ReplayError) {
      self.url = url
      let lower = url.lowercased()
      if lower.hasPrefix("wss://") {
        secure = true
      } else if lower.hasPrefix("ws://") {
        secure = false
      } else {
        throw ReplayError(
          code: 31922,
          message:
            "\(url.escapingControlCharacters): the URL must start with wss:// (or ws:// for a local test)")
      }
      let shown = Self.withoutQuery(url)
      let rest = url.dropFirst(secure ? 6 : 5)
      let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
      requestURI = rest.dropFirst(authority.count).isEmpty ? "/" : String(rest.dropFirst(authority.count))
      if requestURI.hasPrefix("?") { requestURI = "/" + requestURI }
      if let hash = requestURI.firstIndex(of: "#") { requestURI = String(requestURI[..<hash]) }
      var hostPart = Substring(authority)
      if hostPart.contains("@") {
        throw ReplayError(code: 31923, message: "\(shown): user information in a Stream URL is not supported")
      }
      var portNumber = secure ? 443 : 80
      if hostPart.hasPrefix("[") {
        guard let close = hostPart.firstIndex(of: "]") else {
          throw ReplayError(code: 31923, message: "\(shown): malformed IPv6 host")
        }
        let after = hostPart[hostPart.index(after: close)...]
        if after.hasPrefix(":") {
          guard let p = Int(after.dropFirst()), (1...65535).contains(p) else {
            throw ReplayError(code: 31923, message: "\(shown): invalid port")
          }
          portNumber = p
        } else if !after.isEmpty {
          throw ReplayError(code: 31923, message: "\(shown): malformed IPv6 host")
        }
        hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
      } else if let colon = hostPart.lastIndex(of: ":") {
        guard let p = Int(hostPart[hostPart.index(after: colon)...]), (1...65535).contains(p) else {
          throw ReplayError(code: 31923, message: "\(shown): invalid port")
        }
        portNumber = p
        hostPart = hostPart[..<colon]
      }
      guard !hostPart.isEmpty else { throw ReplayError(code: 31923, message: "\(shown): no host") }
      host = String(hostPart)
      port = portNumber
    }

    /// The Host header value.
    var hostHeader: String {
      let shownHost = host.contains(":") ? "[\(host)]" : host
      return port == (secure ? 443 : 80) ? shownHost : "\(shownHost):\(port)"
    }

    /// Whether the URL carries a query string, which Twilio does not allow on `<Stream url>`.
    public var hasQuery: Bool { requestURI.contains("?") }

    /// The URL as shown in messages: without its query (it may hold a token) and escaped.
    public var displayURL: String { Self.withoutQuery(url) }

    /// `url` as it may be shown: no query (it may hold a token), no user information (it may
    /// hold a password), control characters escaped.
    static func withoutQuery(_ url: String) -> String {
      var shown = url
      if let q = url.firstIndex(where: { $0 == "?" || $0 == "#" }) {
        shown = String(url[..<q]) + (url[q] == "?" ? "?…" : "")
      }
      if let scheme = shown.firstRange(of: "://") {
        let authorityEnd = shown[scheme.upperBound...].firstIndex(of: "/") ?? shown.endIndex
        if let at = shown[scheme.upperBound..<authorityEnd].lastIndex(of: "@") {
          shown.replaceSubrange(scheme.upperBound..<at, with: "…")
        }
      }
      return shown.escapingControlCharacters
    }

    /// Whether `host` is an IPv4 or IPv6 address (parsed, not guessed from its first character):
    /// TLS sends a server name (SNI) for every other host, `1a2b-….ngrok-free.app` included.
    public var hostIsIPAddress: Bool { Self.isIPAddress(host) }

    public static func isIPAddress(_ text: String) -> Bool {
      var v4 = in_addr()
      var v6 = in6_addr()
      return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
  }
}
