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
public final class StreamReplayClient: Sendable {
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
    /// Sends fall on multiples of this much real time (rounded up): many calls on one event loop
    /// then wake it together, not each at its own instant. Zero (the default) sends each frame
    /// exactly when due; `--calls` uses a millisecond.
    public var pacingGrid: TimeAmount = .zero
    /// Whose handshake the upgrade request copies.
    public var handshake: Handshake = .mediaStreams
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

  /// The upgrade request Twilio sends, by product.
  public enum Handshake: Sendable, Equatable {
    /// Media Streams: `User-Agent: Twilio.TmeWs/1.0`, `Accept-Encoding: gzip`, the signature.
    case mediaStreams
    /// ConversationRelay (conversation-relay.md §2): Jetty's user agent, `Accept-Encoding`,
    /// `Cache-Control` and `Pragma`, and the signature under its two names. With
    /// `queryAsParameters`, a query string is signed as parameters over the URL without it
    /// (as Twilio's Agent Connect SDK checks it) rather than as part of the URL.
    case conversationRelay(queryAsParameters: Bool)
  }

  /// 16 MiB: 10 minutes of µ-law (Twilio's playback cap, 31931) is 4.8 MB, 6.4 MB in base64,
  /// so no valid message comes near it.
  public static let maxMessageBytes = 16 << 20
  /// Fragments per message: enough for any sane sender, bounded for one that never ends.
  public static let maxFragments = 1 << 16

  private let target: Target
  private let options: Options
  /// The process-wide event loops (SwiftNIO's shared group): a replay uses one of them, and
  /// the REPL's next replay reuses them instead of starting threads again.
  private let group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
  /// Called on the event loop after every step, for a progress line.
  private let onProgress: (@Sendable (StreamSession) -> Void)?
  /// Called on the event loop with every message both ways as it happens, oldest first: the
  /// session keeps no log of its own.
  private let onLog: (@Sendable ([StreamSession.LogEntry]) -> Void)?
  /// Polled every 50 ms, from the first connection attempt on: true hangs up at once (a
  /// signal), keeping everything so far; before the WebSocket is up, ends with `.cancelled`.
  private let stopRequested: (@Sendable () -> Bool)?

  public init(
    target: Target, options: Options, onProgress: (@Sendable (StreamSession) -> Void)? = nil,
    onLog: (@Sendable ([StreamSession.LogEntry]) -> Void)? = nil, stopRequested: (@Sendable () -> Bool)? = nil
  ) {
    self.target = target
    self.options = options
    self.onProgress = onProgress
    self.onLog = onLog
    self.stopRequested = stopRequested
  }

  /// Runs `session` against the server and blocks until it ends; returns the session as it ended
  /// (everything sent, received, played and recorded) and how it ended. Not on an event loop.
  public func run(_ session: StreamSession) -> (StreamSession, Outcome) {
    run(session, onProgress: onProgress)
  }

  /// `run` for any session kind, with its own progress callback.
  public func run<Session: DrivenSession>(_ session: Session, onProgress: (@Sendable (Session) -> Void)?) -> (
    Session, Outcome
  ) {
    do { return try start(session, onProgress: onProgress).wait() } catch {
      return (session, .failed(ReplayError(code: 31900, message: "\(error)")))
    }
  }

  /// Starts `session` against the server on one of the shared event loops; the future gives the
  /// session as it ended and how it ended. Many sessions run side by side this way, without a
  /// thread each.
  public func start(_ session: StreamSession) -> EventLoopFuture<(StreamSession, Outcome)> {
    start(session, onProgress: onProgress)
  }

  /// Starts any session kind (a ConversationRelay session, say) the same way; `onProgress` is
  /// called on the event loop after every step.
  public func start<Session: DrivenSession>(
    _ session: Session, onProgress: (@Sendable (Session) -> Void)? = nil
  ) -> EventLoopFuture<(Session, Outcome)> {
    var tls: NIOSSLContext?
    if target.secure {
      var configuration = TLSConfiguration.makeClientConfiguration()
      if options.insecure { configuration.certificateVerification = .none }
      do { tls = try NIOSSLContext(configuration: configuration) } catch {
        return group.next().makeSucceededFuture(
          (session, .failed(ReplayError(code: 31910, message: "TLS setup failed: \(error)"))))
      }
    }
    let tlsContext = tls
    let loop = group.next()
    return loop.flatSubmit { self.open(session, tls: tlsContext, onProgress: onProgress, on: loop) }
  }

  /// The upgrade request's headers, as Twilio's product sends them.
  static func upgradeHeaders(target: Target, options: Options) -> HTTPHeaders {
    var headers = HTTPHeaders()
    headers.add(name: "Host", value: target.hostHeader)
    let signedURL = options.signedURL ?? target.url
    switch options.handshake {
    case .mediaStreams:
      headers.add(name: "User-Agent", value: "Twilio.TmeWs/1.0")
      if let token = options.authToken {
        headers.add(
          name: "X-Twilio-Signature", value: TwilioSignature.compute(url: signedURL, authToken: token))
      }
      headers.add(name: "Accept-Encoding", value: "gzip")
    case .conversationRelay(let queryAsParameters):
      headers.add(name: "User-Agent", value: "Jetty/11.0.24")
      headers.add(name: "Accept-Encoding", value: "gzip")
      headers.add(name: "Cache-Control", value: "no-cache")
      headers.add(name: "Pragma", value: "no-cache")
      if let token = options.authToken {
        var url = signedURL
        var parameters: [(name: String, value: String)] = []
        if queryAsParameters, let split = signedURL.splitOnce(at: "?") {
          url = split.before
          parameters = FormEncoding.decode(split.after).map { (name: $0.name, value: $0.value) }
        }
        let signature = TwilioSignature.compute(url: url, parameters: parameters, authToken: token)
        headers.add(name: "X-Twilio-Signature", value: signature)
        headers.add(name: "x-amzn-bedrock-agentcore-runtime-custom-twilio-signature", value: signature)
      }
    }
    return headers
  }

  /// Everything from the connection attempt to the end, on `loop`: the handlers and the opening's
  /// state live there and are reached only through `NIOLoopBound`.
  private func open<Session: DrivenSession>(
    _ session: Session, tls tlsContext: NIOSSLContext?, onProgress: (@Sendable (Session) -> Void)?,
    on loop: any EventLoop
  ) -> EventLoopFuture<(Session, Outcome)> {
    let done = loop.makePromise(of: Outcome.self)
    let handler = NIOLoopBound(
      ReplayHandler(
        session: session, speed: options.speed, pacingGrid: options.pacingGrid, done: done,
        onProgress: onProgress, onLog: onLog,
        stopRequested: stopRequested),
      eventLoop: loop)
    let opening = NIOLoopBound(OpeningState(), eventLoop: loop)
    let rawBytes = NIOLoopBound(ByteCounter(), eventLoop: loop)
    let statusPeeker = NIOLoopBound(StatusLinePeeker(), eventLoop: loop)
    let target = self.target
    let options = self.options
    let headers = Self.upgradeHeaders(target: target, options: options)
    let requestHead = HTTPRequestHead(
      version: .http1_1, method: .GET, uri: target.requestURI, headers: headers)

    let timeoutNanoseconds = Int64(options.connectTimeoutSeconds * 1_000_000_000)
    let maxMessage = options.maxMessageBytes
    let bootstrap = ClientBootstrap(group: loop)
      .connectTimeout(.nanoseconds(timeoutNanoseconds))
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          let sync = channel.pipeline.syncOperations
          if let tlsContext {
            try sync.addHandler(rawBytes.value)
            let sslHandler = try NIOSSLClientHandler(
              context: tlsContext, serverHostname: target.hostIsIPAddress ? nil : target.host)
            try sync.addHandler(sslHandler)
          }
          try sync.addHandler(statusPeeker.value)
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
                try channel.pipeline.syncOperations.addHandler(handler.value)
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
            let state = opening.value
            guard !state.over else { return }
            switch result {
            case .success(true):
              state.over = true
              // Frames that came with the 101 go to the WebSocket handlers, now in place; the
              // session takes them right after `connected` and `start`, before any media.
              statusPeeker.value.release(context: channel)
              // Only now may frames be written: until the upgrade handler has gone, writes fail.
              handler.value.begin()
            case .success(false):
              state.over = true
              let status = statusPeeker.value.firstLine ?? "no HTTP status"
              done.succeed(
                .failed(
                  ReplayError(
                    code: 31920,
                    message: "\(target.displayURL): the server refused the WebSocket upgrade: \(status)")))
              channel.close(promise: nil)
            case .failure(let error):
              guard state.channel != nil else {
                // The pipeline failed before the TCP connect was settled (a refused connect
                // closes the channel first, and TLS or the upgrade then fail with "inappropriate
                // operation for state"): the connect's own result names what happened.
                state.pipelineFailure = error
                return
              }
              state.over = true
              done.succeed(
                .failed(
                  Self.classify(
                    error, target: target, peeker: statusPeeker.value, rawBytes: rawBytes.value.count)))
              channel.close(promise: nil)
            }
          }
        }
      }

    // The whole opening is bounded by --connect-timeout, not just the TCP connect: a server
    // that accepts the connection and never answers must not hang the caller.
    let deadline = loop.scheduleTask(in: .nanoseconds(timeoutNanoseconds)) {
      let state = opening.value
      guard !state.over else { return }
      state.over = true
      done.succeed(
        .failed(
          Self.openingTimeout(
            target: target, options: options, connected: state.channel != nil, rawBytes: rawBytes.value.count,
            peeker: statusPeeker.value)))
      state.channel?.close(promise: nil)
    }
    let stopRequested = self.stopRequested
    let watcher = loop.scheduleRepeatedTask(initialDelay: .milliseconds(20), delay: .milliseconds(50)) {
      task in
      let state = opening.value
      if state.over {
        task.cancel()
      } else if stopRequested?() == true {
        state.over = true
        done.succeed(.cancelled)
        state.channel?.close(promise: nil)
        task.cancel()
      }
    }

    let connect = bootstrap.connect(host: options.connectAddress ?? target.host, port: target.port)
    connect.whenComplete { result in
      let state = opening.value
      switch result {
      case .failure(let error):
        guard !state.over else { return }
        state.over = true
        done.succeed(
          .failed(
            Self.classify(error, target: target, peeker: statusPeeker.value, rawBytes: rawBytes.value.count)))
      case .success(let channel):
        state.channel = channel
        if state.over && !handler.value.began { channel.close(promise: nil) }
        if let error = state.pipelineFailure, !state.over {
          state.over = true
          done.succeed(
            .failed(
              Self.classify(error, target: target, peeker: statusPeeker.value, rawBytes: rawBytes.value.count)
            ))
          channel.close(promise: nil)
        }
        channel.closeFuture.whenComplete { _ in
          let state = opening.value
          // A socket that goes away before the session decided how it ended.
          if !state.over {
            state.over = true
            done.succeed(
              .failed(
                Self.closedDuringOpening(
                  target: target, rawBytes: rawBytes.value.count, peeker: statusPeeker.value)))
          } else {
            done.succeed(handler.value.outcomeOnClose())
          }
        }
      }
    }
    return done.futureResult.flatMap { outcome in
      deadline.cancel()
      watcher.cancel()
      // Close the connection if there is one; never wait on a connection attempt still under
      // way (a name being resolved, a SYN unanswered) after a timeout or a signal.
      let closed: EventLoopFuture<Void>
      if let channel = opening.value.channel {
        closed = channel.close().recover { _ in }
      } else {
        connect.whenSuccess { $0.close(promise: nil) }
        closed = loop.makeSucceededVoidFuture()
      }
      return closed.map { (handler.value.finalSession(), outcome) }
    }
  }
}
