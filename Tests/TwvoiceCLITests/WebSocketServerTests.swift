import Foundation
import NIOCore
import Synchronization
import Testing
import TwvoiceCore
import TwvoiceNet

#if canImport(Glibc)
  import Glibc
#endif

/// TwvoiceNet's WebSocket server: the hook that can refuse before upgrading, and the
/// per-connection handler (the tests' bots run on it; these check the hook itself).
struct WebSocketServerTests {
  @Test func theHookRefusesWithItsStatusBeforeAnythingIsUpgraded() throws {
    let seen = Locked<[String]>([])
    let server = try WebSocketServer(
      decide: { request in
        seen.withLock { $0.append(request.uri + " " + (request.header("user-agent") ?? "")) }
        return request.uri == "/private" ? .refuse(status: 403, body: "no") : .upgrade
      },
      makeHandler: { Ignore() })
    defer { server.stop() }
    let r = try Twvoice.run([
      "stream", "replay", "--silence", "100ms", "--url", "ws://127.0.0.1:\(server.port)/private", "-q",
    ])
    #expect(r.status == 1, "\(r)")
    #expect(r.stderr.contains("HTTP/1.1 403") && r.stderr.contains("31920"), "\(r)")
    // The hook saw the request as Twilio makes it.
    #expect(seen.withLock { $0 } == ["/private Twilio.TmeWs/1.0"])
  }

  @Test func aPlainRequestIsAnswered426() throws {
    let server = try WebSocketServer(decide: { _ in .upgrade }, makeHandler: { Ignore() })
    defer { server.stop() }
    let answer = try Self.exchange(port: server.port, "GET /ws HTTP/1.1\r\nHost: x\r\n\r\n")
    #expect(answer.hasPrefix("HTTP/1.1 426"), "\(answer)")
  }

  /// Sends `request` over TCP to loopback and reads the answer until the server closes.
  static func exchange(port: Int, _ request: String) throws -> String {
    let fd = try #require(connectToLoopback(port: port))
    defer { close(fd) }
    _ = request.withCString { send(fd, $0, strlen($0), 0) }
    var answer: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = recv(fd, &buffer, buffer.count, 0)
      if n <= 0 { break }
      answer += buffer[0..<n]
    }
    return String(decoding: answer, as: UTF8.self)
  }
}

/// A frame handler that does nothing.
private final class Ignore: ChannelInboundHandler, Sendable {
  typealias InboundIn = Any
}
