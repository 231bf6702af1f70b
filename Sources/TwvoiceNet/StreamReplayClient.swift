import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import TwvoiceCore

/// Dials a Media Streams WebSocket server the way Twilio does and runs a `StreamSession` over it
/// in real time: the upgrade request carries `User-Agent: Twilio.TmeWs/1.0`, no `Origin`, and an
/// `X-Twilio-Signature` over the URL as dialed when an auth token is given; frames are paced on
/// the event loop's monotonic clock against an absolute schedule.
public final class StreamReplayClient: @unchecked Sendable {
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
          code: 31922, message: "\(url): the URL must start with wss:// (or ws:// for a local test)")
      }
      let rest = url.dropFirst(secure ? 6 : 5)
      let authority = rest.prefix { $0 != "/" && $0 != "?" }
      requestURI = rest.dropFirst(authority.count).isEmpty ? "/" : String(rest.dropFirst(authority.count))
      if requestURI.hasPrefix("?") { requestURI = "/" + requestURI }
      var hostPart = Substring(authority)
      var portNumber = secure ? 443 : 80
      if hostPart.hasPrefix("[") {
        guard let close = hostPart.firstIndex(of: "]") else {
          throw ReplayError(code: 31923, message: "\(url): malformed IPv6 host")
        }
        let after = hostPart[hostPart.index(after: close)...]
        if after.hasPrefix(":") {
          guard let p = Int(after.dropFirst()), (1...65535).contains(p) else {
            throw ReplayError(code: 31923, message: "\(url): invalid port")
          }
          portNumber = p
        }
        hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
      } else if let colon = hostPart.lastIndex(of: ":") {
        guard let p = Int(hostPart[hostPart.index(after: colon)...]), (1...65535).contains(p) else {
          throw ReplayError(code: 31923, message: "\(url): invalid port")
        }
        portNumber = p
        hostPart = hostPart[..<colon]
      }
      guard !hostPart.isEmpty else { throw ReplayError(code: 31923, message: "\(url): no host") }
      host = String(hostPart)
      port = portNumber
    }

    /// The Host header value.
    var hostHeader: String {
      let shownHost = host.contains(":") ? "[\(host)]" : host
      return port == (secure ? 443 : 80) ? shownHost : "\(shownHost):\(port)"
    }
  }

  /// A failure, with the Twilio error a real stream would log.
  public struct ReplayError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public init(code: Int, message: String) {
      self.code = code
      self.message = message
    }
    public var description: String { "\(message) (Twilio error \(code))" }
  }

  /// How the session ended.
  public enum Outcome: Sendable {
    /// The session ran to its end: `stop` sent and the socket closed.
    case completed
    /// The server closed the socket before the call ended (31921), with its close code.
    case serverClosed(code: Int?)
    /// The connection failed or broke.
    case failed(ReplayError)
  }

  public struct Options: Sendable {
    public var authToken: String?
    public var insecure: Bool
    /// Session time runs this many times faster than real time.
    public var speed: Double
    public var connectTimeoutSeconds: Int64
    public init(
      authToken: String? = nil, insecure: Bool = false, speed: Double = 1, connectTimeoutSeconds: Int64 = 10
    ) {
      self.authToken = authToken
      self.insecure = insecure
      self.speed = speed
      self.connectTimeoutSeconds = connectTimeoutSeconds
    }
  }

  private let target: Target
  private let options: Options
  private let group: MultiThreadedEventLoopGroup
  /// Called on the event loop after every step, for a progress line.
  public var onProgress: (@Sendable (StreamSession) -> Void)?
  /// Polled before every step: true hangs up at once (Ctrl-C), keeping everything so far.
  public var stopRequested: (@Sendable () -> Bool)?

  public init(target: Target, options: Options) {
    self.target = target
    self.options = options
    group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
  }

  deinit { try? group.syncShutdownGracefully() }

  /// Runs `session` against the server and blocks until it ends; returns the session as it ended
  /// (everything sent, received, played and recorded) and how it ended.
  public func run(_ session: StreamSession) -> (StreamSession, Outcome) {
    let loop = group.next()
    let done = loop.makePromise(of: Outcome.self)
    let handler = ReplayHandler(
      session: session, speed: options.speed, done: done, onProgress: onProgress, stopRequested: stopRequested
    )
    let statusPeeker = StatusLinePeeker()
    let target = self.target
    let options = self.options
    var headers = HTTPHeaders()
    headers.add(name: "Host", value: target.hostHeader)
    headers.add(name: "User-Agent", value: "Twilio.TmeWs/1.0")
    if let token = options.authToken {
      headers.add(
        name: "X-Twilio-Signature", value: TwilioSignature.compute(url: target.url, authToken: token))
    }
    headers.add(name: "Accept-Encoding", value: "gzip")
    let requestHead = HTTPRequestHead(
      version: .http1_1, method: .GET, uri: target.requestURI, headers: headers)

    var tls: NIOSSLContext?
    if target.secure {
      var configuration = TLSConfiguration.makeClientConfiguration()
      if options.insecure { configuration.certificateVerification = .none }
      do { tls = try NIOSSLContext(configuration: configuration) } catch {
        return (session, .failed(ReplayError(code: 31910, message: "TLS setup failed: \(error)")))
      }
    }

    let tlsContext = tls
    let bootstrap = ClientBootstrap(group: loop)
      .connectTimeout(.seconds(options.connectTimeoutSeconds))
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          let sync = channel.pipeline.syncOperations
          if let tlsContext {
            let sslHandler = try NIOSSLClientHandler(
              context: tlsContext, serverHostname: target.host.first?.isNumber == true ? nil : target.host)
            try sync.addHandler(sslHandler)
          }
          try sync.addHandler(statusPeeker)
          let upgrader = NIOTypedWebSocketClientUpgrader<Bool>(
            maxFrameSize: 1 << 24,
            upgradePipelineHandler: { channel, _ in
              channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(handler)
                return true
              }
            })
          let configuration = NIOTypedHTTPClientUpgradeConfiguration<Bool>(
            upgradeRequestHead: requestHead, upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(false) })
          let upgraded = try sync.configureUpgradableHTTPClientPipeline(
            configuration: .init(upgradeConfiguration: configuration))
          upgraded.whenComplete { result in
            switch result {
            case .success(true):
              // Only now may frames be written: until the upgrade handler has gone, writes fail.
              handler.begin()
            case .success(false):
              let status = statusPeeker.statusLine ?? "no HTTP status"
              done.succeed(
                .failed(
                  ReplayError(
                    code: 31920, message: "\(target.url): the server refused the WebSocket upgrade: \(status)"
                  )))
              channel.close(promise: nil)
            case .failure(let error):
              done.succeed(.failed(Self.classify(error, target: target, statusLine: statusPeeker.statusLine)))
              channel.close(promise: nil)
            }
          }
        }
      }
    let connect = bootstrap.connect(host: target.host, port: target.port)
    connect.whenFailure { error in
      done.succeed(.failed(Self.classify(error, target: target, statusLine: nil)))
    }
    connect.whenSuccess { channel in
      channel.closeFuture.whenComplete { _ in
        // A socket that goes away before the session decided how it ended.
        done.succeed(handler.outcomeOnClose())
      }
    }
    let outcome: Outcome
    do { outcome = try done.futureResult.wait() } catch {
      outcome = .failed(ReplayError(code: 31900, message: "\(error)"))
    }
    if let channel = try? connect.wait() { try? channel.close().wait() }
    let finalSession = (try? loop.submit { handler.session }.wait()) ?? session
    return (finalSession, outcome)
  }

  static func classify(_ error: any Error, target: Target, statusLine: String?) -> ReplayError {
    if let status = statusLine {
      return ReplayError(
        code: 31920, message: "\(target.url): the server refused the WebSocket upgrade: \(status)")
    }
    if let error = error as? ChannelError, case .connectTimeout = error {
      return ReplayError(
        code: 31901,
        message: "\(target.url): no answer from \(target.host):\(target.port) (connection timed out)")
    }
    if error is NIOSSLError || String(describing: type(of: error)).contains("SSL") {
      return ReplayError(code: 31910, message: "\(target.url): TLS failed: \(error)")
    }
    let text = String(describing: error)
    if text.contains("refused") || text.contains("ECONNREFUSED") || text.contains("errno: 111") {
      return ReplayError(
        code: 31902, message: "\(target.url): connection refused by \(target.host):\(target.port)")
    }
    if text.contains("resolve") || text.contains("NXDOMAIN") || text.contains("getaddrinfo")
      || text.contains("unreachable")
    {
      return ReplayError(code: 31904, message: "\(target.url): host \(target.host) unreachable (\(text))")
    }
    return ReplayError(code: 31900, message: "\(target.url): \(text)")
  }
}

/// Reads the HTTP status line of the upgrade response as it passes, so a refused upgrade can be
/// reported with the server's actual answer.
final class StatusLinePeeker: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
  typealias InboundIn = ByteBuffer
  typealias InboundOut = ByteBuffer
  private(set) var statusLine: String?
  private var seen: [UInt8] = []

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    if statusLine == nil && seen.count < 1024 {
      let buffer = Self.unwrapInboundIn(data)
      seen += buffer.readableBytesView
      if let end = seen.firstIndex(of: 0x0D) ?? seen.firstIndex(of: 0x0A) {
        statusLine = String(decoding: seen[..<end], as: UTF8.self)
      }
    }
    context.fireChannelRead(data)
  }
}

/// Runs the session once the WebSocket is up: paced sends, received frames, the end.
final class ReplayHandler: ChannelInboundHandler, @unchecked Sendable {
  typealias InboundIn = WebSocketFrame
  typealias OutboundOut = WebSocketFrame

  var session: StreamSession
  private let speed: Double
  private let done: EventLoopPromise<StreamReplayClient.Outcome>
  private let onProgress: (@Sendable (StreamSession) -> Void)?
  private let stopRequested: (@Sendable () -> Bool)?
  private var start = NIODeadline.now()
  private var finished = false
  private var closeCode: Int?
  private var sentClose = false
  private var scheduled: Scheduled<Void>?

  init(
    session: StreamSession, speed: Double, done: EventLoopPromise<StreamReplayClient.Outcome>,
    onProgress: (@Sendable (StreamSession) -> Void)?, stopRequested: (@Sendable () -> Bool)?
  ) {
    self.stopRequested = stopRequested
    self.session = session
    self.speed = max(speed, 0.001)
    self.done = done
    self.onProgress = onProgress
  }

  /// Session time now, in ms.
  private var now: Double { Double((NIODeadline.now() - start).nanoseconds) / 1_000_000 * speed }

  private var context: ChannelHandlerContext?

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    self.context = nil
  }

  /// Starts the session once the WebSocket is fully set up (on the event loop).
  func begin() {
    guard let context else { return }
    start = NIODeadline.now()
    send(session.open(at: 0), context: context)
    pump(context: context)
  }

  private func send(_ texts: [String], context: ChannelHandlerContext) {
    guard !texts.isEmpty else { return }
    for text in texts {
      var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
      buffer.writeString(text)
      // Client frames are masked (RFC 6455 §5.3).
      let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: buffer)
      context.write(Self.wrapOutboundOut(frame), promise: nil)
    }
    context.flush()
  }

  private func pump(context: ChannelHandlerContext) {
    guard !finished else { return }
    if stopRequested?() == true {
      send(session.hangUp(at: now), context: context)
      finish(.completed, context: context)
      return
    }
    send(session.tick(now: now), context: context)
    onProgress?(session)
    if session.stopped {
      finish(.completed, context: context)
      return
    }
    let next = session.nextDeadline()
    // At most 50 ms between steps, so a stop request is noticed promptly.
    let deadline = min(
      start + .nanoseconds(Int64(next / speed * 1_000_000)), NIODeadline.now() + .milliseconds(50))
    let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
    scheduled = context.eventLoop.scheduleTask(deadline: max(deadline, NIODeadline.now())) { [self] in
      self.pump(context: loopBoundContext.value)
    }
  }

  private func finish(_ outcome: StreamReplayClient.Outcome, context: ChannelHandlerContext) {
    guard !finished else { return }
    finished = true
    scheduled?.cancel()
    if !sentClose {
      sentClose = true
      var data = context.channel.allocator.buffer(capacity: 2)
      data.write(webSocketErrorCode: .normalClosure)
      let close = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
      let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
      context.writeAndFlush(Self.wrapOutboundOut(close)).whenComplete { _ in
        loopBoundContext.value.close(promise: nil)
      }
    }
    done.succeed(outcome)
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let frame = Self.unwrapInboundIn(data)
    switch frame.opcode {
    case .text:
      var buffer = frame.unmaskedData
      let text = buffer.readString(length: buffer.readableBytes) ?? ""
      send(session.receive(text: text, at: now), context: context)
    case .binary:
      session.receive(binary: frame.data.readableBytes, at: now)
    case .ping:
      let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
      context.writeAndFlush(Self.wrapOutboundOut(pong), promise: nil)
    case .connectionClose:
      var data = frame.unmaskedData
      closeCode = data.readInteger(as: UInt16.self).map(Int.init)
      if !session.stopped { finish(.serverClosed(code: closeCode), context: context) }
    default:
      break
    }
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    if !finished {
      finish(.failed(.init(code: 31924, message: "WebSocket protocol error: \(error)")), context: context)
    }
    context.close(promise: nil)
  }

  /// How the session ended if the socket closed without a close frame first.
  func outcomeOnClose() -> StreamReplayClient.Outcome {
    if session.stopped { return .completed }
    return .failed(.init(code: 31903, message: "the server closed the connection abruptly mid-stream"))
  }
}
