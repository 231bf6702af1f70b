import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import TwvoiceCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Dials a Media Streams WebSocket server the way Twilio does and runs a `StreamSession` over it
/// in real time: the upgrade request carries `User-Agent: Twilio.TmeWs/1.0`, no `Origin`, and an
/// `X-Twilio-Signature` over the URL Twilio would have dialed when an auth token is given;
/// frames are paced on the event loop's monotonic clock against an absolute schedule.
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

    static func withoutQuery(_ url: String) -> String {
      guard let q = url.firstIndex(where: { $0 == "?" || $0 == "#" }) else {
        return url.escapingControlCharacters
      }
      return (String(url[..<q]) + (url[q] == "?" ? "?…" : "")).escapingControlCharacters
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
    /// The session ran to its end: `stop` sent and the socket closed (or the caller hung up).
    case completed
    /// The bot closed a `<Connect><Stream>` normally (1000, 1001 or no code): how such a stream
    /// ends; TwiML would continue after `</Connect>`.
    case botEnded(code: Int?, reason: String)
    /// The server closed the socket with another code, or closed a `<Start>` stream (31921).
    case serverClosed(code: Int?, reason: String)
    /// The connection failed or broke.
    case failed(ReplayError)
    /// A stop was requested (a signal) before the WebSocket was up: no call took place.
    case cancelled
  }

  public struct Options: Sendable {
    public var authToken: String?
    /// The URL Twilio would have dialed (the public `wss://` address behind a tunnel): signed
    /// for `X-Twilio-Signature` in place of the URL dialed.
    public var signedURL: String?
    /// Connect to this address instead of resolving the URL's host (Host, SNI and signature
    /// keep the host), like curl's `--resolve`.
    public var connectAddress: String?
    public var insecure: Bool
    /// Session time runs this many times faster than real time.
    public var speed: Double
    /// Bounds the whole opening: DNS, TCP connect, TLS handshake and the HTTP upgrade.
    public var connectTimeoutSeconds: Double
    /// The largest message (after reassembling fragments) taken from the bot; larger is refused
    /// with close 1009 and reported as 31924.
    public var maxMessageBytes: Int
    public init(
      authToken: String? = nil, signedURL: String? = nil, connectAddress: String? = nil,
      insecure: Bool = false,
      speed: Double = 1, connectTimeoutSeconds: Double = 10,
      maxMessageBytes: Int = StreamReplayClient.maxMessageBytes
    ) {
      self.authToken = authToken
      self.signedURL = signedURL
      self.connectAddress = connectAddress
      self.insecure = insecure
      self.speed = speed
      self.connectTimeoutSeconds = connectTimeoutSeconds
      self.maxMessageBytes = maxMessageBytes
    }
  }

  /// 16 MiB: 10 minutes of µ-law (Twilio's playback cap, 31931) is 4.8 MB, 6.4 MB in base64,
  /// so no valid message comes near it.
  public static let maxMessageBytes = 16 << 20
  /// Fragments per message: enough for any sane sender, bounded for one that never ends.
  public static let maxFragments = 1 << 16

  private let target: Target
  private let options: Options
  private let group: MultiThreadedEventLoopGroup
  /// Called on the event loop after every step, for a progress line.
  public var onProgress: (@Sendable (StreamSession) -> Void)?
  /// Called on the event loop with every message both ways as it happens, oldest first: the
  /// session keeps no log of its own.
  public var onLog: (@Sendable ([StreamSession.LogEntry]) -> Void)?
  /// Polled every 50 ms, from the first connection attempt on: true hangs up at once (a
  /// signal), keeping everything so far; before the WebSocket is up, ends with `.cancelled`.
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
      session: session, speed: options.speed, done: done, onProgress: onProgress, onLog: onLog,
      stopRequested: stopRequested)
    let opening = OpeningState()
    let rawBytes = ByteCounter()
    let statusPeeker = StatusLinePeeker()
    let target = self.target
    let options = self.options
    var headers = HTTPHeaders()
    headers.add(name: "Host", value: target.hostHeader)
    headers.add(name: "User-Agent", value: "Twilio.TmeWs/1.0")
    if let token = options.authToken {
      headers.add(
        name: "X-Twilio-Signature",
        value: TwilioSignature.compute(url: options.signedURL ?? target.url, authToken: token))
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

    let timeoutNanoseconds = Int64(options.connectTimeoutSeconds * 1_000_000_000)
    let tlsContext = tls
    let maxMessage = options.maxMessageBytes
    let bootstrap = ClientBootstrap(group: loop)
      .connectTimeout(.nanoseconds(timeoutNanoseconds))
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          let sync = channel.pipeline.syncOperations
          if let tlsContext {
            try sync.addHandler(rawBytes)
            let sslHandler = try NIOSSLClientHandler(
              context: tlsContext, serverHostname: target.hostIsIPAddress ? nil : target.host)
            try sync.addHandler(sslHandler)
          }
          try sync.addHandler(statusPeeker)
          let upgrader = NIOTypedWebSocketClientUpgrader<Bool>(
            maxFrameSize: maxMessage,
            // Protocol errors are answered by ReplayHandler, which also reports them.
            enableAutomaticErrorHandling: false,
            upgradePipelineHandler: { channel, _ in
              channel.eventLoop.makeCompletedFuture {
                // Fragmented messages are reassembled (RFC 6455 §5.4) up to the size limit.
                try channel.pipeline.syncOperations.addHandler(
                  NIOWebSocketFrameAggregator(
                    minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: StreamReplayClient.maxFragments,
                    maxAccumulatedFrameSize: maxMessage))
                try channel.pipeline.syncOperations.addHandler(handler)
                return true
              }
            })
          let upgradeConfiguration = NIOTypedHTTPClientUpgradeConfiguration<Bool>(
            upgradeRequestHead: requestHead, upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(false) })
          let configuration = NIOUpgradableHTTPClientPipelineConfiguration(
            upgradeConfiguration: upgradeConfiguration)
          let upgraded = try sync.configureUpgradableHTTPClientPipeline(configuration: configuration)
          upgraded.whenComplete { result in
            guard !opening.over else { return }
            switch result {
            case .success(true):
              opening.over = true
              // Frames that came with the 101 go to the WebSocket handlers, now in place; the
              // session takes them right after `connected` and `start`, before any media.
              statusPeeker.release(context: channel)
              // Only now may frames be written: until the upgrade handler has gone, writes fail.
              handler.begin()
            case .success(false):
              opening.over = true
              let status = statusPeeker.firstLine ?? "no HTTP status"
              done.succeed(
                .failed(
                  ReplayError(
                    code: 31920,
                    message: "\(target.displayURL): the server refused the WebSocket upgrade: \(status)")))
              channel.close(promise: nil)
            case .failure(let error):
              opening.over = true
              done.succeed(
                .failed(Self.classify(error, target: target, peeker: statusPeeker, rawBytes: rawBytes.count)))
              channel.close(promise: nil)
            }
          }
        }
      }

    // The whole opening is bounded by --connect-timeout, not just the TCP connect: a server
    // that accepts the connection and never answers must not hang the caller.
    let deadline = loop.scheduleTask(in: .nanoseconds(timeoutNanoseconds)) {
      guard !opening.over else { return }
      opening.over = true
      done.succeed(
        .failed(
          Self.openingTimeout(
            target: target, options: options, connected: opening.channel != nil, rawBytes: rawBytes.count,
            peeker: statusPeeker)))
      opening.channel?.close(promise: nil)
    }
    let stopRequested = self.stopRequested
    let watcher = loop.scheduleRepeatedTask(initialDelay: .milliseconds(20), delay: .milliseconds(50)) {
      task in
      if opening.over {
        task.cancel()
      } else if stopRequested?() == true {
        opening.over = true
        done.succeed(.cancelled)
        opening.channel?.close(promise: nil)
        task.cancel()
      }
    }

    let connect = bootstrap.connect(host: options.connectAddress ?? target.host, port: target.port)
    connect.whenComplete { result in
      switch result {
      case .failure(let error):
        guard !opening.over else { return }
        opening.over = true
        done.succeed(
          .failed(Self.classify(error, target: target, peeker: statusPeeker, rawBytes: rawBytes.count)))
      case .success(let channel):
        opening.channel = channel
        if opening.over && !handler.began { channel.close(promise: nil) }
        channel.closeFuture.whenComplete { _ in
          // A socket that goes away before the session decided how it ended.
          if !opening.over {
            opening.over = true
            done.succeed(
              .failed(
                Self.closedDuringOpening(target: target, rawBytes: rawBytes.count, peeker: statusPeeker)))
          } else {
            done.succeed(handler.outcomeOnClose())
          }
        }
      }
    }
    let outcome: Outcome
    do { outcome = try done.futureResult.wait() } catch {
      outcome = .failed(ReplayError(code: 31900, message: "\(error)"))
    }
    deadline.cancel()
    watcher.cancel()
    // Close the connection if there is one; never wait on a connection attempt still under way
    // (a name being resolved, a SYN unanswered) after a timeout or a signal.
    if let channel = try? loop.submit({ opening.channel }).wait() {
      try? channel.close().wait()
    } else {
      connect.whenSuccess { $0.close(promise: nil) }
    }
    let finalSession = (try? loop.submit { handler.finalSession() }.wait()) ?? session
    return (finalSession, outcome)
  }

  static func openingTimeout(
    target: Target, options: Options, connected: Bool, rawBytes: Int, peeker: StatusLinePeeker
  ) -> ReplayError {
    let limit = "\(format(options.connectTimeoutSeconds)) s (--connect-timeout)"
    let endpoint = "\(target.host):\(target.port)"
    if let line = peeker.firstLine {
      return ReplayError(
        code: 31920,
        message:
          "\(target.displayURL): the upgrade did not complete within \(limit); the server answered: \(line)")
    }
    if !connected {
      return ReplayError(
        code: 31901, message: "\(target.displayURL): no answer from \(endpoint) within \(limit) (TCP connect)"
      )
    }
    if target.secure && rawBytes == 0 {
      return ReplayError(
        code: 31901,
        message:
          "\(target.displayURL): \(endpoint) accepted the connection but never answered the TLS handshake within \(limit) (is it serving TLS on this port?)"
      )
    }
    if target.secure && peeker.bytes == 0 {
      return ReplayError(
        code: 31901,
        message: "\(target.displayURL): the TLS handshake with \(endpoint) did not complete within \(limit)")
    }
    return ReplayError(
      code: 31901,
      message:
        "\(target.displayURL): \(endpoint) accepted the connection but never answered the WebSocket upgrade within \(limit)"
    )
  }

  static func closedDuringOpening(target: Target, rawBytes: Int, peeker: StatusLinePeeker) -> ReplayError {
    if let line = peeker.firstLine {
      return ReplayError(
        code: 31920,
        message: "\(target.displayURL): the server closed the connection during the upgrade: \(line)")
    }
    if target.secure && peeker.bytes == 0 {
      return ReplayError(
        code: 31910,
        message: "\(target.displayURL): the server closed the connection during the TLS handshake")
    }
    return ReplayError(
      code: 31920,
      message: "\(target.displayURL): the server closed the connection without answering the upgrade")
  }

  static func format(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
  }

  /// Names a failure of the opening with the code Twilio would log, by the error's type.
  static func classify(_ error: any Error, target: Target, peeker: StatusLinePeeker, rawBytes: Int)
    -> ReplayError
  {
    let endpoint = "\(target.host):\(target.port)"
    if error is NIOSSLError || error is BoringSSLError {
      return ReplayError(code: 31910, message: "\(target.displayURL): TLS failed: \(error)")
    }
    if let line = peeker.firstLine {
      return ReplayError(
        code: 31920, message: "\(target.displayURL): the server refused the WebSocket upgrade: \(line)")
    }
    if peeker.bytes > 0 {
      return ReplayError(
        code: 31920,
        message: "\(target.displayURL): the server answered the upgrade with something that is not HTTP")
    }
    if let error = error as? ChannelError, case .connectTimeout = error {
      return ReplayError(
        code: 31901, message: "\(target.displayURL): no answer from \(endpoint) (connection timed out)")
    }
    var errnos: [CInt] = []
    if let error = error as? IOError { errnos.append(error.errnoCode) }
    if let error = error as? NIOConnectionError {
      errnos += error.connectionErrors.compactMap { ($0.error as? IOError)?.errnoCode }
      if error.connectionErrors.isEmpty && (error.dnsAError != nil || error.dnsAAAAError != nil) {
        return ReplayError(
          code: 31904,
          message: "\(target.displayURL): host \(target.host.escapingControlCharacters) not found")
      }
    }
    if errnos.contains(ECONNREFUSED) {
      return ReplayError(code: 31902, message: "\(target.displayURL): connection refused by \(endpoint)")
    }
    if errnos.contains(where: { [ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL].contains($0) }) {
      return ReplayError(code: 31904, message: "\(target.displayURL): host \(endpoint) unreachable")
    }
    if errnos.contains(ETIMEDOUT) {
      return ReplayError(
        code: 31901, message: "\(target.displayURL): no answer from \(endpoint) (connection timed out)")
    }
    if error is SocketAddressError {
      return ReplayError(code: 31904, message: "\(target.displayURL): host \(target.host) not found")
    }
    return ReplayError(code: 31900, message: "\(target.displayURL): \(error)")
  }
}

/// What happened so far while opening; touched on the event loop only.
final class OpeningState: @unchecked Sendable {
  /// The opening has been decided: upgraded, refused, failed, timed out or cancelled.
  var over = false
  var channel: (any Channel)?
}

/// Counts the bytes the peer sent before TLS, to tell "no answer at all" from "the handshake
/// stalled".
final class ByteCounter: ChannelInboundHandler, @unchecked Sendable {
  typealias InboundIn = ByteBuffer
  private(set) var count = 0
  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    count += Self.unwrapInboundIn(data).readableBytes
    context.fireChannelRead(data)
  }
}

/// Sits before the HTTP decoder during the opening. It reads the first line of the server's
/// answer as it passes, so a refused or garbled upgrade can be reported with what the server
/// actually said, escaped (nothing a peer sends reaches the terminal raw). And it holds back
/// whatever follows a 101 answer's header (frames the bot sent in the same packet: an
/// immediate close, early messages) until the WebSocket handlers are in place, then passes it
/// on: NIO's HTTP decoder would otherwise drop those bytes with itself.
final class StatusLinePeeker: ChannelInboundHandler, @unchecked Sendable {
  typealias InboundIn = ByteBuffer
  typealias InboundOut = ByteBuffer
  private var seen: [UInt8] = []
  private(set) var bytes = 0
  private var headerDone = false
  private var heldBack: ByteBuffer?
  private var released = false
  static let shownBytes = 200
  /// A longer header is left to the HTTP decoder's own limits.
  static let maximumHeader = 1 << 16

  /// The answer's first line (or first bytes, without a line end), escaped and shortened.
  var firstLine: String? {
    guard !seen.isEmpty else { return nil }
    let end = seen.firstIndex(where: { $0 == 0x0D || $0 == 0x0A }) ?? seen.count
    var line = String(decoding: seen[..<min(end, Self.shownBytes)], as: UTF8.self).escapingControlCharacters
    if end > Self.shownBytes { line += "…" }
    return line.isEmpty ? "an empty line" : line
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    var buffer = Self.unwrapInboundIn(data)
    if released {
      context.fireChannelRead(data)
      return
    }
    if heldBack != nil {
      heldBack!.writeBuffer(&buffer)
      return
    }
    bytes += buffer.readableBytes
    let before = seen.count
    if before < Self.maximumHeader {
      seen += buffer.readableBytesView.prefix(Self.maximumHeader - before)
    }
    guard !headerDone, let end = Self.headerEnd(seen, from: max(0, before - 3)) else {
      context.fireChannelRead(data)
      return
    }
    headerDone = true
    // Only the answer to a successful upgrade is followed by WebSocket frames.
    let isSwitching =
      seen.starts(with: Array("HTTP/1.1 101".utf8)) || seen.starts(with: Array("HTTP/1.0 101".utf8))
    guard isSwitching else {
      context.fireChannelRead(data)
      return
    }
    // From here until `release`, nothing goes to the HTTP decoder.
    let header = buffer.readSlice(length: end - before)!
    heldBack = buffer
    context.fireChannelRead(Self.wrapInboundOut(header))
  }

  /// Passes on what was held back, once the WebSocket handlers are in the pipeline.
  func release(context channel: any Channel) {
    guard !released else { return }
    released = true
    guard let held = heldBack else { return }
    heldBack = nil
    guard held.readableBytes > 0 else { return }
    guard let context = try? channel.pipeline.syncOperations.context(handler: self) else { return }
    context.fireChannelRead(Self.wrapInboundOut(held))
    context.fireChannelReadComplete()
  }

  static func headerEnd(_ bytes: [UInt8], from: Int) -> Int? {
    guard bytes.count >= 4 else { return nil }
    var i = from
    while i + 4 <= bytes.count {
      if bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 { return i + 4 }
      i += 1
    }
    return nil
  }
}

/// Runs the session once the WebSocket is up: paced sends, received frames, the end.
final class ReplayHandler: ChannelInboundHandler, @unchecked Sendable {
  typealias InboundIn = WebSocketFrame
  typealias OutboundOut = WebSocketFrame

  private var session: StreamSession
  private let speed: Double
  private let done: EventLoopPromise<StreamReplayClient.Outcome>
  private let onProgress: (@Sendable (StreamSession) -> Void)?
  private let onLog: (@Sendable ([StreamSession.LogEntry]) -> Void)?
  private let stopRequested: (@Sendable () -> Bool)?
  private var start = NIODeadline.now()
  private(set) var began = false
  private var finished = false
  private var sentClose = false
  private var scheduled: Scheduled<Void>?
  /// Frames that arrived before `begin()` (NIO delivers buffered bytes right after the upgrade).
  private var early: [WebSocketFrame] = []

  init(
    session: StreamSession, speed: Double, done: EventLoopPromise<StreamReplayClient.Outcome>,
    onProgress: (@Sendable (StreamSession) -> Void)?, onLog: (@Sendable ([StreamSession.LogEntry]) -> Void)?,
    stopRequested: (@Sendable () -> Bool)?
  ) {
    self.stopRequested = stopRequested
    self.session = session
    self.speed = max(speed, 0.001)
    self.done = done
    self.onProgress = onProgress
    self.onLog = onLog
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

  /// The session as it ended, with any log entries not yet handed over.
  func finalSession() -> StreamSession {
    flushLog()
    return session
  }

  private func flushLog() {
    guard !session.pendingLog.isEmpty else { return }
    let entries = session.takeLog()
    onLog?(entries)
  }

  /// Starts the session once the WebSocket is fully set up (on the event loop).
  func begin() {
    guard let context, !began, !finished else { return }
    began = true
    start = NIODeadline.now()
    send(session.open(at: 0), context: context)
    for frame in early where !finished { handle(frame, context: context) }
    early = []
    pump(context: context)
  }

  private func send(_ texts: [String], context: ChannelHandlerContext) {
    defer { flushLog() }
    guard !texts.isEmpty, !sentClose else { return }
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
    let stepStart = NIODeadline.now()
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
    let current = NIODeadline.now()
    var deadline = min(start + .nanoseconds(Int64(next / speed * 1_000_000)), current + .milliseconds(50))
    // A step that is already due when it is scheduled (the replay is behind: --fast, a high
    // --speed, a busy or instrumented build) still waits as long as this step took (at least
    // `readYield`): NIO runs every due task before it polls the socket again, so a step that
    // always reschedules itself overdue would starve the bot's messages for the whole call, and
    // a fixed short wait is already over on a slow enough machine by the time NIO looks. Each
    // step sends every frame due, so nothing is lost; behind schedule, half the time goes to
    // reading.
    if deadline <= current { deadline = current + max(Self.readYield, current - stepStart) }
    let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
    scheduled = context.eventLoop.scheduleTask(deadline: deadline) { [self] in
      self.pump(context: loopBoundContext.value)
    }
  }

  /// The least an overdue step waits so the event loop reads the socket in between.
  static let readYield = TimeAmount.microseconds(100)

  private func finish(
    _ outcome: StreamReplayClient.Outcome, closeCode: WebSocketErrorCode = .normalClosure,
    context: ChannelHandlerContext
  ) {
    guard !finished else { return }
    finished = true
    scheduled?.cancel()
    flushLog()
    if !sentClose {
      sentClose = true
      var data = context.channel.allocator.buffer(capacity: 2)
      data.write(webSocketErrorCode: closeCode)
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
    guard began else {
      early.append(frame)
      return
    }
    handle(frame, context: context)
  }

  private func handle(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
    guard !finished else { return }
    switch frame.opcode {
    case .text:
      var buffer = frame.unmaskedData
      let text = buffer.readString(length: buffer.readableBytes) ?? ""
      send(session.receive(text: text, at: now), context: context)
    case .binary:
      session.receive(binary: Array(frame.unmaskedData.readableBytesView), at: now)
      flushLog()
    case .ping:
      let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
      context.writeAndFlush(Self.wrapOutboundOut(pong), promise: nil)
    case .connectionClose:
      var data = frame.unmaskedData
      let code = data.readInteger(as: UInt16.self).map(Int.init)
      let reason = String(decoding: data.readableBytesView, as: UTF8.self).escapingControlCharacters
      guard !session.stopped else { return }
      // A <Connect><Stream> ends when the server closes it normally: TwiML goes on after
      // </Connect>. Any other code, or closing a <Start> stream, is Twilio's 31921.
      if session.configuration.bidirectional && (code == nil || code == 1000 || code == 1001) {
        finish(.botEnded(code: code, reason: reason), context: context)
      } else {
        finish(.serverClosed(code: code, reason: reason), context: context)
      }
    default:
      break
    }
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    guard !finished else {
      context.close(promise: nil)
      return
    }
    let limit = StreamReplayClient.maxMessageBytes
    var violation: (message: String, close: WebSocketErrorCode)?
    switch error {
    case NIOWebSocketError.invalidFrameLength:
      violation = (
        "the bot sent a frame longer than \(limit) bytes (RFC 6455 §10.4; closed with 1009)", .messageTooLarge
      )
    case NIOWebSocketError.fragmentedControlFrame:
      violation = ("the bot sent a fragmented control frame (RFC 6455 §5.5)", .protocolError)
    case NIOWebSocketError.multiByteControlFrameLength:
      violation = ("the bot sent a control frame over 125 bytes (RFC 6455 §5.5)", .protocolError)
    case NIOWebSocketFrameAggregator.Error.accumulatedFrameSizeIsTooLarge:
      violation = (
        "the bot sent a fragmented message longer than \(limit) bytes (closed with 1009)", .messageTooLarge
      )
    case NIOWebSocketFrameAggregator.Error.tooManyFragments:
      violation = (
        "the bot sent a message in more than \(StreamReplayClient.maxFragments) fragments (closed with 1009)",
        .messageTooLarge
      )
    case NIOWebSocketFrameAggregator.Error.receivedNewFrameWithoutFinishingPrevious:
      violation = (
        "the bot started a new message before finishing a fragmented one (RFC 6455 §5.4)", .protocolError
      )
    case NIOWebSocketFrameAggregator.Error.didReceiveFragmentBeforeReceivingTextOrBinaryFrame:
      violation = (
        "the bot sent a continuation frame with no message to continue (RFC 6455 §5.4)", .protocolError
      )
    case NIOWebSocketFrameAggregator.Error.nonFinalFragmentSizeIsTooSmall:
      violation = ("the bot sent a fragment that is too small", .protocolError)
    default:
      break
    }
    if let violation {
      let at = began ? now : 0
      session.report(.init(code: 31924, message: violation.message), at: at)
      finish(
        .failed(.init(code: 31924, message: "WebSocket protocol error: \(violation.message)")),
        closeCode: violation.close, context: context)
      return
    }
    if error is IOError {
      finish(
        .failed(.init(code: 31903, message: "the connection broke mid-stream (\(error))")), context: context)
    } else {
      finish(.failed(.init(code: 31900, message: "\(error)")), context: context)
    }
    context.close(promise: nil)
  }

  /// How the session ended if the socket closed without a close frame first.
  func outcomeOnClose() -> StreamReplayClient.Outcome {
    if session.stopped { return .completed }
    return .failed(.init(code: 31903, message: "the server closed the connection abruptly mid-stream"))
  }
}
