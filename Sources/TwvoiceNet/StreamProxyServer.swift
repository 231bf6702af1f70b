import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import TwvoiceCore

/// Sits between Twilio (or any Media Streams client) and a bot: each upgrade is checked as
/// `StreamCaptureServer` checks it, then dialed through to the upstream bot the way Twilio dials
/// (re-signed for it when given its auth token); only once the bot has accepted is the client
/// upgraded, so a bot's refusal reaches the client with the bot's status, and an unreachable bot
/// is a 502. Every frame then goes across unchanged (opcode, fragmentation, payload), both ways,
/// and both directions are recorded in the session-log format through a `CaptureSink`.
public final class StreamProxyServer: Sendable {
  public struct Options: Sendable {
    /// What the client side must satisfy: `path`, `authToken` (its `echo` is not used).
    public var accepting: StreamCaptureServer.Options
    public var upstream: StreamReplayClient.Target
    /// Signs the upstream upgrade with this auth token; without it the client's
    /// `X-Twilio-Signature`, if any, is passed on as it came.
    public var upstreamAuthToken: String?
    public var insecure: Bool
    public var connectTimeoutSeconds: Double
    public init(
      accepting: StreamCaptureServer.Options, upstream: StreamReplayClient.Target,
      upstreamAuthToken: String? = nil, insecure: Bool = false, connectTimeoutSeconds: Double = 10
    ) {
      self.accepting = accepting
      self.upstream = upstream
      self.upstreamAuthToken = upstreamAuthToken
      self.insecure = insecure
      self.connectTimeoutSeconds = connectTimeoutSeconds
    }
  }

  private let server: WebSocketServer
  private let registry: StreamCaptureServer.Registry
  public var port: Int { server.port }
  /// Streams open now.
  public var openStreams: Int { registry.count }

  public init(host: String, port: Int, options: Options, sink: any CaptureSink) throws {
    let registry = StreamCaptureServer.Registry()
    self.registry = registry
    let tls: NIOSSLContext?
    if options.upstream.secure {
      var configuration = TLSConfiguration.makeClientConfiguration()
      if options.insecure { configuration.certificateVerification = .none }
      tls = try NIOSSLContext(configuration: configuration)
    } else {
      tls = nil
    }
    // Upstream connections made for an upgrade, until its handler takes them.
    let dialed = Locked<[ObjectIdentifier: (channel: any Channel, release: @Sendable () -> Void)]>([:])
    do {
      server = try WebSocketServer(
        host: host, port: port, maxFrameSize: StreamReplayClient.maxMessageBytes,
        plain: { request in StreamCaptureServer.decide(request, options: options.accepting) },
        decideUpgrade: { request, channel in
          let decision = StreamCaptureServer.decide(request, options: options.accepting)
          guard case .upgrade = decision else { return channel.eventLoop.makeSucceededFuture(decision) }
          return Upstream.dial(request: request, options: options, tls: tls, on: channel.eventLoop).map {
            result in
            switch result {
            case .upgraded(let upstream, let release):
              let key = ObjectIdentifier(channel)
              dialed.withLock { $0[key] = (upstream, release) }
              // A client that goes before it is upgraded leaves no bot connection behind.
              channel.closeFuture.whenComplete { _ in
                dialed.withLock { $0.removeValue(forKey: key) }?.channel.close(promise: nil)
              }
              return .upgrade
            case .refused(let status, let line):
              return .refuse(status: status, body: "the upstream refused the WebSocket upgrade: \(line)\n")
            case .failed(let message):
              return .refuse(status: 502, body: "the upstream cannot be reached: \(message)\n")
            }
          }
        },
        handlerFor: { request, channel in
          let id = registry.nextID()
          guard let upstream = dialed.withLock({ $0.removeValue(forKey: ObjectIdentifier(channel)) }) else {
            return ClosingProxyHandler()
          }
          let stream = sink.opened(id, request: request)
          return ProxyClientSide(
            id: id, upstream: upstream.channel, release: upstream.release, stream: stream, registry: registry)
        })
    } catch let error as IOError {
      throw StreamCaptureServer.ListenError(description: String(cString: strerror(error.errnoCode)))
    }
  }

  /// Stops taking connections, closes every open stream with `code` on the client side (the
  /// upstream side is closed with it), and waits up to `seconds` for them to be gone.
  public func shutdown(closeCode code: UInt16 = 1001, waitSeconds seconds: Double = 5) {
    server.stop()
    registry.closeAll(code: code, waitSeconds: seconds)
  }
}

/// The upstream half: dialing the bot as Twilio does.
enum Upstream {
  enum Result {
    /// Upgraded; what the bot sent after its 101 is held back until `release` runs (on the
    /// channel's event loop), once the frames have somewhere to go.
    case upgraded(any Channel, release: @Sendable () -> Void)
    /// The bot answered the upgrade with another status (and this first line).
    case refused(status: Int, line: String)
    case failed(String)
  }

  static func dial(
    request: WebSocketServer.Request, options: StreamProxyServer.Options, tls: NIOSSLContext?,
    on loop: any EventLoop
  ) -> EventLoopFuture<Result> {
    let target = options.upstream
    var headers = HTTPHeaders()
    headers.add(name: "Host", value: target.hostHeader)
    headers.add(name: "User-Agent", value: request.header("User-Agent") ?? "Twilio.TmeWs/1.0")
    if let token = options.upstreamAuthToken {
      headers.add(
        name: "X-Twilio-Signature", value: TwilioSignature.compute(url: target.url, authToken: token))
    } else if let signature = request.header("X-Twilio-Signature") {
      headers.add(name: "X-Twilio-Signature", value: signature)
    }
    let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target.requestURI, headers: headers)
    let peeker = NIOLoopBound(StatusLinePeeker(), eventLoop: loop)
    let timeout = TimeAmount.nanoseconds(Int64(options.connectTimeoutSeconds * 1_000_000_000))
    let bootstrap = ClientBootstrap(group: loop)
      .connectTimeout(timeout)
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          let sync = channel.pipeline.syncOperations
          if let tls {
            try sync.addHandler(
              NIOSSLClientHandler(context: tls, serverHostname: target.hostIsIPAddress ? nil : target.host))
          }
          try sync.addHandler(peeker.value)
        }
      }
    return bootstrap.connect(host: target.host, port: target.port).flatMap {
      channel -> EventLoopFuture<Result> in
      let upgrader = NIOTypedWebSocketClientUpgrader<Bool>(
        maxFrameSize: StreamReplayClient.maxMessageBytes, enableAutomaticErrorHandling: false,
        upgradePipelineHandler: { channel, _ in channel.eventLoop.makeSucceededFuture(true) })
      let configuration = NIOUpgradableHTTPClientPipelineConfiguration(
        upgradeConfiguration: NIOTypedHTTPClientUpgradeConfiguration<Bool>(
          upgradeRequestHead: head, upgraders: [upgrader],
          notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(false) }))
      let upgraded: EventLoopFuture<Bool>
      do {
        upgraded = try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
          configuration: configuration)
      } catch {
        channel.close(promise: nil)
        return loop.makeSucceededFuture(.failed("\(error)"))
      }
      let deadline = loop.scheduleTask(in: timeout) { channel.close(promise: nil) }
      return upgraded.hop(to: loop).map { done -> Result in
        deadline.cancel()
        if done {
          return .upgraded(channel, release: { peeker.value.release(context: channel) })
        }
        channel.close(promise: nil)
        let line = peeker.value.firstLine ?? "no HTTP status"
        let status = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 502
        return .refused(status: (100...599).contains(status) ? status : 502, line: line)
      }.flatMapErrorThrowing { error in
        deadline.cancel()
        channel.close(promise: nil)
        return .failed("\(error)".escapingControlCharacters)
      }
    }.flatMapErrorThrowing { error in
      .failed("\(target.host):\(target.port): \(error)".escapingControlCharacters)
    }
  }
}

/// The client's side of one proxied stream: its frames go to the upstream as they came (masked
/// again, as a client's must be) and into the recording; the upstream's frames come back
/// through `ProxyUpstreamSide`. Either side closing closes both.
final class ProxyClientSide: ChannelInboundHandler {
  typealias InboundIn = WebSocketFrame
  typealias OutboundOut = WebSocketFrame

  private let id: Int
  private let upstream: any Channel
  private let release: @Sendable () -> Void
  private let stream: any CaptureStream
  private let registry: StreamCaptureServer.Registry
  private var start = NIODeadline.now()
  private var arrival = ArrivalTiming()
  private var ended = false
  /// A fragmented message from each side, gathered for the recording (the frames themselves go
  /// across as they come).
  private var pending: [Bool: (opcode: WebSocketOpcode, bytes: [UInt8])] = [:]

  init(
    id: Int, upstream: any Channel, release: @escaping @Sendable () -> Void, stream: any CaptureStream,
    registry: StreamCaptureServer.Registry
  ) {
    self.id = id
    self.upstream = upstream
    self.release = release
    self.stream = stream
    self.registry = registry
  }

  private var now: Double { Double((NIODeadline.now() - start).nanoseconds) / 1_000_000 }

  func handlerAdded(context: ChannelHandlerContext) {
    start = NIODeadline.now()
    registry.add(id, context.channel)
    let client = context.channel
    let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
    // The upstream's frames, on its own event loop, are handed to this one.
    let onFrame: @Sendable (WebSocketFrame) -> Void = { frame in
      client.eventLoop.execute { bound.value.fromUpstream(frame, client: client) }
    }
    let onClose: @Sendable () -> Void = { client.eventLoop.execute { client.close(promise: nil) } }
    let release = self.release
    upstream.eventLoop.execute { [upstream] in
      do {
        try upstream.pipeline.syncOperations.addHandler(ProxyUpstreamSide(onFrame: onFrame, closed: onClose))
        release()
      } catch {
        upstream.close(promise: nil)
      }
    }
  }

  /// A frame from the bot: to the client unchanged (unmasked, as a server's are), and recorded.
  private func fromUpstream(_ frame: WebSocketFrame, client: any Channel) {
    let data = frame.unmaskedData
    record(frame, data: data, fromClient: false)
    client.writeAndFlush(WebSocketFrame(fin: frame.fin, opcode: frame.opcode, data: data), promise: nil)
    if frame.opcode == .connectionClose { client.close(promise: nil) }
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let frame = Self.unwrapInboundIn(data)
    let payload = frame.unmaskedData
    record(frame, data: payload, fromClient: true)
    let forwarded = WebSocketFrame(fin: frame.fin, opcode: frame.opcode, maskKey: .random(), data: payload)
    let upstream = self.upstream
    upstream.writeAndFlush(forwarded, promise: nil)
    if frame.opcode == .connectionClose {
      // The bot answers the close; whatever it does, both sides end soon after.
      upstream.eventLoop.scheduleTask(in: .seconds(2)) { upstream.close(promise: nil) }
    }
  }

  private func record(_ frame: WebSocketFrame, data: ByteBuffer, fromClient: Bool) {
    var opcode = frame.opcode
    var bytes = Array(data.readableBytesView)
    switch frame.opcode {
    case .text, .binary:
      if !frame.fin {
        pending[fromClient] = (frame.opcode, bytes)
        return
      }
    case .continuation:
      guard var gathered = pending[fromClient] else { return }
      gathered.bytes += bytes
      if !frame.fin {
        pending[fromClient] = gathered
        return
      }
      pending[fromClient] = nil
      opcode = gathered.opcode
      bytes = gathered.bytes
    default:
      return
    }
    let at = now
    let from: SessionLog.Sender = fromClient ? .twilio : .bot
    if opcode == .binary {
      stream.received([SessionLog.Entry(atMs: at, from: from, frame: .binary(bytes))], message: nil)
      return
    }
    let text = String(decoding: bytes, as: UTF8.self)
    var message: TwilioMessage?
    if fromClient {
      message = try? TwilioMessage.decode(text)
      if case .media(_, _, let media)? = message {
        arrival.media(timestampMs: media.timestamp, arrivedAtMs: at)
      }
    }
    let isJSON = message != nil || (try? JSONParser.parse(text)) != nil
    stream.received(
      [SessionLog.Entry(atMs: at, from: from, frame: .text(text, isJSON: isJSON))], message: message)
  }

  func channelInactive(context: ChannelHandlerContext) {
    end()
    upstream.close(promise: nil)
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    context.close(promise: nil)
  }

  func handlerRemoved(context: ChannelHandlerContext) { end() }

  private func end() {
    guard !ended else { return }
    ended = true
    stream.closed(arrival: arrival)
    registry.remove(id)
  }
}

/// The upstream connection's frames, handed to the client side; its end closes the client.
final class ProxyUpstreamSide: ChannelInboundHandler {
  typealias InboundIn = WebSocketFrame
  private let onFrame: (WebSocketFrame) -> Void
  private let onClose: () -> Void

  init(onFrame: @escaping (WebSocketFrame) -> Void, closed: @escaping () -> Void) {
    self.onFrame = onFrame
    onClose = closed
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) { onFrame(Self.unwrapInboundIn(data)) }

  func channelInactive(context: ChannelHandlerContext) {
    onClose()
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}

/// For an upgrade whose upstream went missing: closes at once.
final class ClosingProxyHandler: ChannelInboundHandler {
  typealias InboundIn = WebSocketFrame
  func handlerAdded(context: ChannelHandlerContext) { context.close(promise: nil) }
}
