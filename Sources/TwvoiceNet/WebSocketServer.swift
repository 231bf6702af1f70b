import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// The server side of a WebSocket, the way twvoice's peers are written: an HTTP/1 listener that
/// hands each upgrade request to a hook (which may refuse it with a status before anything is
/// upgraded) and gives each accepted connection its own frame handler. A plain request (no
/// upgrade) gets the answer the hook gives, so one server is a whole voice backend: webhook and
/// WebSocket. Used by the tests' bots and backends today; `stream capture` and `stream proxy`
/// are meant to sit on it.
public final class WebSocketServer: Sendable {
  /// The upgrade request as it arrived.
  public struct Request: Sendable {
    public var method: String
    public var uri: String
    public var headers: [(name: String, value: String)]
    /// The body of a plain request (empty for an upgrade).
    public var body: [UInt8] = []

    public func header(_ name: String) -> String? {
      headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
  }

  /// What to do with a request.
  public enum Decision: Sendable {
    case upgrade
    /// Answer with this status and body and close; nothing is upgraded.
    case refuse(status: Int, body: String)
    /// Answer a plain request with this status, these headers and this body, and close.
    case respond(status: Int, headers: [(name: String, value: String)], body: [UInt8])
  }

  /// The port bound (the one asked for, or the one the system chose for 0).
  public let port: Int
  private let channel: any Channel

  /// Listens on `host:port` (0: any free port). `decide` sees every request first (on the
  /// event loop: keep it quick); `makeHandler` builds the frame handler of each connection it
  /// upgrades. Frames up to `maxFrameSize` bytes.
  public convenience init(
    host: String = "127.0.0.1", port: Int = 0, maxFrameSize: Int = 1 << 24,
    decide: @escaping @Sendable (Request) -> Decision,
    makeHandler: @escaping @Sendable () -> any ChannelHandler
  ) throws {
    try self.init(
      host: host, port: port, maxFrameSize: maxFrameSize, decide: decide,
      handlerFor: { _ in makeHandler() })
  }

  /// As above; `handlerFor` is given the upgrade request it answers.
  public convenience init(
    host: String = "127.0.0.1", port: Int = 0, maxFrameSize: Int = 1 << 24,
    decide: @escaping @Sendable (Request) -> Decision,
    handlerFor: @escaping @Sendable (Request) -> any ChannelHandler
  ) throws {
    try self.init(
      host: host, port: port, maxFrameSize: maxFrameSize, plain: decide,
      decideUpgrade: { request, channel in channel.eventLoop.makeSucceededFuture(decide(request)) },
      handlerFor: { request, _ in handlerFor(request) })
  }

  /// The general form: `decideUpgrade` may take its time (a proxy asks its upstream first) and
  /// is given the connection; `handlerFor` builds the frame handler of a connection it upgraded;
  /// `plain` answers requests that ask for no upgrade.
  public init(
    host: String = "127.0.0.1", port: Int = 0, maxFrameSize: Int = 1 << 24,
    plain: @escaping @Sendable (Request) -> Decision,
    decideUpgrade: @escaping @Sendable (Request, any Channel) -> EventLoopFuture<Decision>,
    handlerFor: @escaping @Sendable (Request, any Channel) -> any ChannelHandler
  ) throws {
    let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelInitializer { channel in
        let refusal = RefusalHandler(decide: plain)
        let upgrader = NIOWebSocketServerUpgrader(
          maxFrameSize: maxFrameSize,
          shouldUpgrade: { channel, head in
            // Asked once per request: a refusal is kept for the handler that answers it.
            decideUpgrade(Self.request(head), channel).hop(to: channel.eventLoop).map { decision in
              refusal.decided(decision)
              switch decision {
              case .upgrade: return HTTPHeaders()
              case .refuse, .respond: return nil
              }
            }
          },
          upgradePipelineHandler: { channel, head in
            // The refusal handler speaks HTTP: it goes before the frames start.
            channel.pipeline.removeHandler(refusal).flatMapThrowing {
              try channel.pipeline.syncOperations.addHandler(handlerFor(Self.request(head), channel))
            }
          })
        return channel.pipeline.configureHTTPServerPipeline(
          withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in })
        ).flatMapThrowing {
          // A request that is not upgraded (refused, or not an upgrade at all) is answered here.
          try channel.pipeline.syncOperations.addHandler(refusal)
        }
      }
    channel = try bootstrap.bind(host: host, port: port).wait()
    self.port = channel.localAddress?.port ?? port
  }

  /// A plain HTTP server on the same machinery: every request goes to `respond`; WebSocket
  /// upgrades are refused with 400.
  public static func http(
    host: String = "127.0.0.1", port: Int = 0, respond: @escaping @Sendable (Request) -> Decision
  ) throws -> WebSocketServer {
    try WebSocketServer(
      host: host, port: port,
      decide: { request in
        if request.header("Upgrade") != nil {
          return .refuse(status: 400, body: "not a WebSocket endpoint\n")
        }
        return respond(request)
      },
      makeHandler: { ClosingHandler() })
  }

  /// Stops listening; connections already upgraded go on until their peers close them.
  public func stop() {
    try? channel.close().wait()
  }

  static func request(_ head: HTTPRequestHead) -> Request {
    Request(
      method: head.method.rawValue, uri: head.uri,
      headers: head.headers.map { (name: $0.name, value: $0.value) })
  }
}

/// Answers a request that was not upgraded: the refusal `decide` gave, or 426 when it would
/// have upgraded a request that did not ask for a WebSocket.
private final class RefusalHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart
  let decide: @Sendable (WebSocketServer.Request) -> WebSocketServer.Decision
  // Touched on the channel's event loop only.
  nonisolated(unsafe) private var head: HTTPRequestHead?
  nonisolated(unsafe) private var body: [UInt8] = []
  nonisolated(unsafe) private var decision: WebSocketServer.Decision?

  /// The decision already taken for the request under way (an upgrade request).
  func decided(_ decision: WebSocketServer.Decision) { self.decision = decision }

  init(decide: @escaping @Sendable (WebSocketServer.Request) -> WebSocketServer.Decision) {
    self.decide = decide
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch Self.unwrapInboundIn(data) {
    case .head(let head):
      self.head = head
      body = []
    case .body(var buffer):
      // A test backend's requests are small; a body past 1 MiB is cut, not kept.
      if body.count < 1 << 20 { body += buffer.readBytes(length: buffer.readableBytes) ?? [] }
    case .end:
      guard let head else { return }
      var request = WebSocketServer.request(head)
      request.body = self.body
      let status: Int
      let body: [UInt8]
      var headers = HTTPHeaders()
      let decision = self.decision ?? decide(request)
      self.head = nil
      self.body = []
      self.decision = nil
      switch decision {
      case .refuse(let s, let b): (status, body) = (s, Array(b.utf8))
      case .upgrade: (status, body) = (426, Array("a WebSocket upgrade is expected here\n".utf8))
      case .respond(let s, let h, let b):
        (status, body) = (s, b)
        for (name, value) in h { headers.add(name: name, value: value) }
      }
      headers.add(name: "Content-Length", value: String(body.count))
      headers.add(name: "Connection", value: "close")
      context.write(
        Self.wrapOutboundOut(
          .head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers))),
        promise: nil)
      var buffer = context.channel.allocator.buffer(capacity: body.count)
      buffer.writeBytes(body)
      context.write(Self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
      let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
      context.writeAndFlush(Self.wrapOutboundOut(.end(nil))).whenComplete { _ in
        loopBound.value.close(promise: nil)
      }
    }
  }
}

/// The frame handler of a server that never upgrades (`WebSocketServer.http`): closes at once.
private final class ClosingHandler: ChannelInboundHandler, Sendable {
  typealias InboundIn = WebSocketFrame
  func handlerAdded(context: ChannelHandlerContext) { context.close(promise: nil) }
}
