import ArgumentParser
import TwvoiceCore
import TwvoiceNet

/// How the simulated Twilio dials a WebSocket server, shared by `stream replay` and `relay`: the
/// URL Twilio would have dialed (signed instead of `--url` behind a tunnel), an address to connect
/// to instead of resolving the host, and the auth token that signs the upgrade (never printed).
struct DialOptions: ParsableArguments {
  @Option(
    name: .customLong("signed-url"),
    help: ArgumentHelp(
      "The URL Twilio would dial (the public wss:// address behind a tunnel): signed for X-Twilio-Signature instead of --url.",
      valueName: "url"))
  var signedURL: String?

  @Option(
    help: ArgumentHelp(
      "Connect to ADDRESS for HOST:PORT, keeping HOST for Host, TLS SNI and the signature (as curl --resolve).",
      valueName: "host:port:address"))
  var resolve: String?

  @Option(
    name: .customLong("auth-token"),
    help:
      "Sign the upgrade with X-Twilio-Signature. Default: $TWILIO_AUTH_TOKEN. Visible in ps: prefer the variable."
  )
  var authToken: String?

  func validate() throws {
    if let signedURL {
      do { _ = try StreamReplayClient.Target(url: signedURL) } catch {
        throw ValidationError("--signed-url: \(error.message)")
      }
    }
    if let resolve { _ = try Self.parseResolve(resolve) }
  }

  /// `--resolve`, checked to name the host and port of `target`.
  func resolved(for target: StreamReplayClient.Target) throws -> (host: String, port: Int, address: String)? {
    guard let resolved = try resolve.map({ try Self.parseResolve($0) }) else { return nil }
    if resolved.host.lowercased() != target.host.lowercased() || resolved.port != target.port {
      throw ValidationError(
        "--resolve \(resolved.host):\(resolved.port) does not match the URL's \(target.host):\(target.port).")
    }
    return resolved
  }

  /// How the client dials, from these flags and the caller's clock.
  func clientOptions(resolvedAddress: String?, clock: CallerClockOptions, environment: [String: String])
    -> StreamReplayClient.Options
  {
    .init(
      authToken: authToken ?? environment[EnvironmentVariable.authToken], signedURL: signedURL,
      connectAddress: resolvedAddress, insecure: clock.insecure, speed: clock.effectiveSpeed,
      connectTimeoutSeconds: clock.connectTimeout)
  }

  /// `HOST:PORT:ADDRESS` (ADDRESS may be a bracketed IPv6 address).
  static func parseResolve(_ text: String) throws -> (host: String, port: Int, address: String) {
    let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count == 3, !parts[0].isEmpty, let port = Int(parts[1]), (1...65535).contains(port) else {
      throw ValidationError(
        "--resolve '\(text)': expected HOST:PORT:ADDRESS, e.g. bot.example.com:443:127.0.0.1")
    }
    var address = String(parts[2])
    if address.hasPrefix("[") && address.hasSuffix("]") { address = String(address.dropFirst().dropLast()) }
    guard StreamReplayClient.Target.isIPAddress(address) else {
      throw ValidationError("--resolve '\(text)': \(address) is not an IP address")
    }
    return (String(parts[0]), port, address)
  }
}
