/// An absolute `http`, `https`, `ws` or `wss` URL taken apart, and relative references
/// resolved against one as RFC 3986 §5.2 defines (a `<Redirect>`'s `/next`, a `<Stream url>`
/// of `media`, a `<Gather>` with no `action`: all resolve against the document that holds them).
///
/// The text is kept as written (`description`): Twilio signs a URL as it requests it, so the
/// bytes matter. User information (`user:pass@`) is refused: it would be a secret in every
/// message that names the URL.
public struct WebURL: Sendable, Equatable, CustomStringConvertible {
  /// Lowercased: `http`, `https`, `ws` or `wss`.
  public let scheme: String
  /// The host as written, without brackets for an IPv6 address.
  public let host: String
  public let port: Int
  /// Whether the port was written (`:8080`), even when it is the default.
  public let explicitPort: Bool
  /// Starts with `/`.
  public let path: String
  /// After `?`, without it; nil when there is no `?`.
  public let query: String?
  /// The URL as written (without a fragment) or as resolved.
  public let description: String

  public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
  }

  public var secure: Bool { scheme == "https" || scheme == "wss" }

  /// Path and query, as the request line carries them.
  public var requestTarget: String { query.map { path + "?" + $0 } ?? path }

  /// The `Host` header: the port only when it is not the scheme's default.
  public var hostHeader: String {
    let shown = host.contains(":") ? "[\(host)]" : host
    return port == Self.defaultPort(scheme) ? shown : "\(shown):\(port)"
  }

  /// The URL for messages: without its query (it may carry a token), control characters escaped.
  public var displayText: String {
    let text =
      description.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
      ?? ""
    return text.escapingControlCharacters
  }

  static func defaultPort(_ scheme: String) -> Int { scheme == "https" || scheme == "wss" ? 443 : 80 }

  public init(parsing text: String) throws(ParseError) {
    let withoutFragment =
      text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first
      .map(String.init) ?? ""
    guard let colon = withoutFragment.firstIndex(of: ":") else {
      throw ParseError(
        message: "\(text.escapingControlCharacters): not an absolute URL (http:// or https://)")
    }
    let scheme = withoutFragment[..<colon].lowercased()
    guard ["http", "https", "ws", "wss"].contains(scheme) else {
      throw ParseError(
        message: "\(text.escapingControlCharacters): the scheme must be http, https, ws or wss, not \(scheme)"
      )
    }
    let afterScheme = withoutFragment[withoutFragment.index(after: colon)...]
    guard afterScheme.hasPrefix("//") else {
      throw ParseError(message: "\(text.escapingControlCharacters): no host (expected \(scheme)://HOST/…)")
    }
    let rest = afterScheme.dropFirst(2)
    let authority = rest.prefix { $0 != "/" && $0 != "?" }
    let pathAndQuery = rest.dropFirst(authority.count)
    // For messages: no query (it may hold a token) and no user information (a password).
    var shown = withoutFragment.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
    if let at = authority.lastIndex(of: "@") {
      shown = scheme + "://…@" + authority[authority.index(after: at)...] + pathAndQuery.prefix { $0 != "?" }
    }
    if authority.contains("@") {
      throw ParseError(
        message: "\(shown.escapingControlCharacters): user information in a URL is not supported")
    }
    if authority.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true })
    {
      throw ParseError(
        message: "\(shown.escapingControlCharacters): the host holds a space or a control character")
    }
    var hostPart = Substring(authority)
    var port = Self.defaultPort(scheme)
    var explicitPort = false
    if hostPart.hasPrefix("[") {
      guard let close = hostPart.firstIndex(of: "]") else {
        throw ParseError(message: "\(shown.escapingControlCharacters): malformed IPv6 host")
      }
      let after = hostPart[hostPart.index(after: close)...]
      if after.hasPrefix(":") {
        guard let p = Int(after.dropFirst()), (1...65535).contains(p) else {
          throw ParseError(message: "\(shown.escapingControlCharacters): invalid port")
        }
        port = p
        explicitPort = true
      } else if !after.isEmpty {
        throw ParseError(message: "\(shown.escapingControlCharacters): malformed IPv6 host")
      }
      hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
    } else if let portColon = hostPart.lastIndex(of: ":") {
      guard let p = Int(hostPart[hostPart.index(after: portColon)...]), (1...65535).contains(p) else {
        throw ParseError(message: "\(shown.escapingControlCharacters): invalid port")
      }
      port = p
      explicitPort = true
      hostPart = hostPart[..<portColon]
    }
    guard !hostPart.isEmpty else { throw ParseError(message: "\(shown.escapingControlCharacters): no host") }
    var path = pathAndQuery.prefix { $0 != "?" }
    let queryPart = pathAndQuery.dropFirst(path.count)
    if path.isEmpty { path = "/" }
    self.scheme = scheme
    self.host = String(hostPart)
    self.port = port
    self.explicitPort = explicitPort
    self.path = String(path)
    self.query = queryPart.isEmpty ? nil : String(queryPart.dropFirst())
    self.description = withoutFragment
  }

  private init(scheme: String, authority: String, path: String, query: String?) throws(ParseError) {
    try self.init(parsing: scheme + "://" + authority + path + (query.map { "?" + $0 } ?? ""))
  }

  /// The authority as it is written in the URL (`host:port`, brackets kept).
  var authorityText: String {
    let afterScheme = description.dropFirst(scheme.count + 3)
    return String(afterScheme.prefix { $0 != "/" && $0 != "?" })
  }

  /// `reference` resolved against this URL (RFC 3986 §5.2.2): absolute references stand alone,
  /// `//host/…` keeps the scheme, `/path` keeps the authority, `path` merges with this path's
  /// directory, `?q` keeps the path, and dot segments are removed.
  public func resolving(_ reference: String) throws(ParseError) -> WebURL {
    let ref =
      reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first
      .map(String.init) ?? ""
    if let colon = ref.firstIndex(of: ":"),
      ref[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }),
      ref[..<colon].first?.isLetter == true
    {
      return try WebURL(parsing: ref)
    }
    if ref.hasPrefix("//") { return try WebURL(parsing: scheme + ":" + ref) }
    if ref.isEmpty { return self }
    let refPath = String(ref.prefix { $0 != "?" })
    let refQuery: String? = ref.count > refPath.count ? String(ref.dropFirst(refPath.count + 1)) : nil
    let newPath: String
    let newQuery: String?
    if refPath.isEmpty {
      newPath = path
      newQuery = refQuery ?? query
    } else if refPath.hasPrefix("/") {
      newPath = Self.removingDotSegments(refPath)
      newQuery = refQuery
    } else {
      let directory = path.lastIndex(of: "/").map { String(path[...$0]) } ?? "/"
      newPath = Self.removingDotSegments(directory + refPath)
      newQuery = refQuery
    }
    return try WebURL(scheme: scheme, authority: authorityText, path: newPath, query: newQuery)
  }

  /// RFC 3986 §5.2.4.
  static func removingDotSegments(_ path: String) -> String {
    var output: [Substring] = []
    let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
    for (index, segment) in segments.enumerated() {
      let last = index == segments.count - 1
      switch segment {
      case ".":
        if last { output.append("") }
      case "..":
        if !output.isEmpty { output.removeLast() }
        if last { output.append("") }
      default: output.append(segment)
      }
    }
    return "/" + output.joined(separator: "/")
  }

  /// This URL with `query` (form-encoded) added to any query it has, as a GET request carries
  /// its parameters.
  public func appendingQuery(_ extra: String) -> WebURL {
    guard !extra.isEmpty else { return self }
    let joined = (query.map { $0.isEmpty ? "" : $0 + "&" } ?? "") + extra
    // The result of joining two valid parts parses: only the query changed.
    return (try? WebURL(scheme: scheme, authority: authorityText, path: path, query: joined)) ?? self
  }
}
