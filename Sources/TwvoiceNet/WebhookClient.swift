import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import TwvoiceCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Makes the HTTP requests Twilio makes during a call (webhooks, actions, callbacks), one at a
/// time, blocking: HTTP/1.1 over TCP or TLS, the whole exchange (connect, TLS, request, answer)
/// bounded by one timeout as Twilio bounds it, 3xx redirects followed (re-signed for the new
/// URL), the answer's body bounded.
public struct WebhookClient: Sendable {
  /// Why no answer came, with the code Twilio logs (11205 for all of them; 11750 for a body
  /// over the limit).
  public struct Failure: Error, Sendable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var description: String { "\(message) (Twilio error \(code))" }
  }

  public var timeoutSeconds: Double
  public var insecure: Bool
  /// Connect here instead of resolving the URL's host (as curl's --resolve), for every request.
  public var connectAddress: String?
  /// The largest answer body taken: Twilio's TwiML size limit, 64 kB (error 11750).
  public var maximumBodyBytes: Int
  public static let maximumRedirects = 10

  public init(
    timeoutSeconds: Double = 15, insecure: Bool = false, connectAddress: String? = nil,
    maximumBodyBytes: Int = 64 * 1024
  ) {
    self.timeoutSeconds = timeoutSeconds
    self.insecure = insecure
    self.connectAddress = connectAddress
    self.maximumBodyBytes = maximumBodyBytes
  }

  /// Sends `request` and follows redirects. `resign` builds the request for a redirect's
  /// Location, as given, and method (with its own signature); 301, 302 and 303 turn a POST into a GET as browsers and
  /// curl do, 307 and 308 keep it. `redirected` hears each hop.
  public func send(
    _ request: WebhookRequest,
    resign: (WebURL, WebhookRequest.Method) -> WebhookRequest,
    redirected: (WebhookRequest, Int) -> Void = { _, _ in }
  ) -> Result<WebhookResponse, Failure> {
    var current = request
    for _ in 0...Self.maximumRedirects {
      let start = Self.monotonicMs()
      let answer: RawAnswer
      switch exchange(current) {
      case .failure(let failure): return .failure(failure)
      case .success(let raw): answer = raw
      }
      let latency = Self.monotonicMs() - start
      if [301, 302, 303, 307, 308].contains(answer.status), let location = answer.location {
        guard let next = try? current.url.resolving(location) else {
          return .failure(
            Failure(
              code: 11205,
              message: "\(current.url.displayText): HTTP \(answer.status) to an invalid Location"))
        }
        redirected(current, answer.status)
        let method: WebhookRequest.Method = [307, 308].contains(answer.status) ? current.method : .get
        current = resign(next, method)
        continue
      }
      return .success(
        WebhookResponse(
          status: answer.status, contentType: answer.contentType, body: answer.body, url: current.url,
          latencyMs: latency))
    }
    return .failure(
      Failure(
        code: 11205, message: "\(request.url.displayText): more than \(Self.maximumRedirects) redirects"))
  }

  static func monotonicMs() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
  }

  struct RawAnswer: Sendable {
    var status: Int
    var contentType: String?
    var location: String?
    var body: [UInt8]
  }

  /// One request and its answer, bounded by the timeout.
  func exchange(_ request: WebhookRequest) -> Result<RawAnswer, Failure> {
    let url = request.url
    let shown = url.displayText
    let loop = MultiThreadedEventLoopGroup.singleton.next()
    let done = loop.makePromise(of: RawAnswer.self)
    var tls: NIOSSLContext?
    if url.secure {
      var configuration = TLSConfiguration.makeClientConfiguration()
      if insecure { configuration.certificateVerification = .none }
      do { tls = try NIOSSLContext(configuration: configuration) } catch {
        return .failure(Failure(code: 11205, message: "\(shown): TLS setup failed: \(error)"))
      }
    }
    let tlsContext = tls
    let limit = maximumBodyBytes
    let hostIsAddress = StreamReplayClient.Target.isIPAddress(url.host)
    let timeout = TimeAmount.nanoseconds(Int64(timeoutSeconds * 1_000_000_000))
    let bootstrap = ClientBootstrap(group: loop)
      .connectTimeout(timeout)
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          let sync = channel.pipeline.syncOperations
          if let tlsContext {
            try sync.addHandler(
              NIOSSLClientHandler(context: tlsContext, serverHostname: hostIsAddress ? nil : url.host))
          }
          try sync.addHTTPClientHandlers()
          try sync.addHandler(AnswerCollector(done: done, limit: limit, shown: shown))
        }
      }
    let timer = loop.scheduleTask(in: timeout) {
      done.fail(Failure(code: 11205, message: "\(shown): no answer within \(Self.format(timeoutSeconds)) s"))
    }
    let connecting =
      connectAddress.map { bootstrap.connect(host: $0, port: url.port) }
      ?? bootstrap.connect(host: url.host, port: url.port)
    connecting.whenComplete { result in
      switch result {
      case .failure(let error):
        done.fail(Self.classify(error, url: url))
      case .success(let channel):
        done.futureResult.whenComplete { _ in channel.close(promise: nil) }
        var headers = HTTPHeaders()
        for header in request.headers { headers.add(name: header.name, value: header.value) }
        let head = HTTPRequestHead(
          version: .http1_1, method: request.method == .get ? .GET : .POST, uri: url.requestTarget,
          headers: headers)
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if !request.body.isEmpty {
          var buffer = channel.allocator.buffer(capacity: request.body.count)
          buffer.writeBytes(request.body)
          channel.write(HTTPClientRequestPart.body(.byteBuffer(buffer)), promise: nil)
        }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { error in
          done.fail(Self.classify(error, url: url))
        }
      }
    }
    let result: Result<RawAnswer, Failure>
    do { result = .success(try done.futureResult.wait()) } catch let failure as Failure {
      result = .failure(failure)
    } catch {
      result = .failure(Self.classify(error, url: url))
    }
    timer.cancel()
    return result
  }

  static func format(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
  }

  static func classify(_ error: any Error, url: WebURL) -> Failure {
    if let failure = error as? Failure { return failure }
    let shown = url.displayText
    let endpoint = "\(url.host):\(url.port)"
    if error is NIOSSLError || error is BoringSSLError {
      return Failure(code: 11205, message: "\(shown): TLS failed: \(error)")
    }
    if let error = error as? ChannelError, case .connectTimeout = error {
      return Failure(code: 11205, message: "\(shown): no answer from \(endpoint) (connection timed out)")
    }
    var errnos: [CInt] = []
    if let error = error as? IOError { errnos.append(error.errnoCode) }
    if let error = error as? NIOConnectionError {
      errnos += error.connectionErrors.compactMap { ($0.error as? IOError)?.errnoCode }
      if error.connectionErrors.isEmpty && (error.dnsAError != nil || error.dnsAAAAError != nil) {
        return Failure(code: 11205, message: "\(shown): host \(url.host.escapingControlCharacters) not found")
      }
    }
    if errnos.contains(ECONNREFUSED) {
      return Failure(code: 11205, message: "\(shown): connection refused by \(endpoint)")
    }
    if errnos.contains(where: { [ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL].contains($0) }) {
      return Failure(code: 11205, message: "\(shown): host \(endpoint) unreachable")
    }
    if error is SocketAddressError {
      return Failure(code: 11205, message: "\(shown): host \(url.host.escapingControlCharacters) not found")
    }
    if let error = error as? HTTPParserError {
      return Failure(code: 11205, message: "\(shown): the answer is not HTTP (\(error))")
    }
    return Failure(code: 11205, message: "\(shown): \(error)")
  }
}

/// Collects one HTTP answer; touched on its channel's event loop only.
private final class AnswerCollector: ChannelInboundHandler {
  typealias InboundIn = HTTPClientResponsePart
  let done: EventLoopPromise<WebhookClient.RawAnswer>
  let limit: Int
  /// The URL for messages.
  let shown: String
  private var answer: WebhookClient.RawAnswer?
  private var finished = false

  init(done: EventLoopPromise<WebhookClient.RawAnswer>, limit: Int, shown: String) {
    self.done = done
    self.limit = limit
    self.shown = shown
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard !finished else { return }
    switch Self.unwrapInboundIn(data) {
    case .head(let head):
      // 1xx answers (100 Continue) come before the real one.
      if (100...199).contains(Int(head.status.code)) { return }
      let type = head.headers.first(name: "Content-Type").map {
        String($0.split(separator: ";", maxSplits: 1).first ?? "").trimmingASCIIWhitespace().lowercased()
      }
      answer = .init(
        status: Int(head.status.code), contentType: type, location: head.headers.first(name: "Location"),
        body: [])
    case .body(var buffer):
      guard answer != nil else { return }
      if answer!.body.count + buffer.readableBytes > limit {
        finished = true
        done.fail(
          WebhookClient.Failure(
            code: 11750,
            message: "\(shown): the answer is larger than \(limit / 1024) kB, Twilio's limit for TwiML"))
        context.close(promise: nil)
        return
      }
      answer!.body += buffer.readBytes(length: buffer.readableBytes) ?? []
    case .end:
      guard let answer else { return }
      finished = true
      done.succeed(answer)
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    if !finished {
      finished = true
      done.fail(
        WebhookClient.Failure(
          code: 11205, message: "\(shown): the connection closed before a complete answer"))
    }
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    if !finished {
      finished = true
      done.fail(error)
    }
    context.close(promise: nil)
  }
}
