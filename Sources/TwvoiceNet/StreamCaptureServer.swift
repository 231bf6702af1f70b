import NIOCore
import NIOPosix
import NIOWebSocket
import Synchronization
import TwvoiceCore

#if canImport(Glibc)
  import Glibc
#endif

/// Where a capture server's streams go: told of each connection, which it answers with the
/// `CaptureStream` that connection's frames go to.
public protocol CaptureSink: Sendable {
  func opened(_ connection: Int, request: WebSocketServer.Request) -> any CaptureStream
}

/// One connection's frames, as session-log entries, on the connection's event loop and in order;
/// then its end, exactly once, with how late its media frames arrived.
public protocol CaptureStream: AnyObject {
  /// `entries` are one frame from Twilio's side and the echo bot's answers to it; `message` is
  /// that frame read as Twilio's, when it is one.
  func received(_ entries: [SessionLog.Entry], message: TwilioMessage?)
  func closed(arrival: ArrivalTiming)
}

/// A WebSocket server that Twilio (or anything that speaks Media Streams) connects to: every
/// frame of every stream goes to a `CaptureSink` as a session-log entry, timed from the upgrade.
/// Upgrades can be required to carry a valid `X-Twilio-Signature`, and limited to one path; with
/// `echo`, each stream is answered by an `EchoBot`.
public final class StreamCaptureServer: Sendable {
  public struct Options: Sendable {
    /// Only upgrades to this path (query ignored) are taken; others get 404.
    public var path: String?
    /// The auth token `X-Twilio-Signature` must be computed with; nil takes every upgrade.
    public var authToken: String?
    public var echo: Bool
    public init(path: String? = nil, authToken: String? = nil, echo: Bool = false) {
      self.path = path
      self.authToken = authToken
      self.echo = echo
    }
  }

  private let server: WebSocketServer
  private let registry: Registry
  public var port: Int { server.port }

  /// Why listening failed, in a few words (the system's: "Address already in use").
  public struct ListenError: Error, CustomStringConvertible {
    public var description: String
  }

  /// Listens on `host:port` (0: any free port).
  public init(host: String, port: Int, options: Options, sink: any CaptureSink) throws {
    let registry = Registry()
    self.registry = registry
    do {
      server = try Self.listen(host: host, port: port, options: options, sink: sink, registry: registry)
    } catch let error as IOError {
      throw ListenError(description: String(cString: strerror(error.errnoCode)))
    }
  }

  private static func listen(
    host: String, port: Int, options: Options, sink: any CaptureSink, registry: Registry
  ) throws -> WebSocketServer {
    try WebSocketServer(
      host: host, port: port,
      decide: { request in Self.decide(request, options: options) },
      handlerFor: { request in
        let id = registry.nextID()
        let stream = sink.opened(id, request: request)
        return CaptureHandler(id: id, echo: options.echo, stream: stream, registry: registry)
      })
  }

  /// Streams open now.
  public var openStreams: Int { registry.count }

  /// Stops taking connections, closes every open stream with `code` (1001, going away), and
  /// waits up to `seconds` for them to be gone (their sinks told).
  public func shutdown(closeCode code: UInt16 = 1001, waitSeconds seconds: Double = 5) {
    server.stop()
    registry.closeAll(code: code, waitSeconds: seconds)
  }

  /// Whether to take an upgrade: the path, then the signature.
  static func decide(_ request: WebSocketServer.Request, options: Options) -> WebSocketServer.Decision {
    let path = String(request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
    if let wanted = options.path, path != wanted {
      return .refuse(status: 404, body: "no stream endpoint at this path\n")
    }
    guard request.header("Upgrade")?.lowercased() == "websocket" else {
      return .refuse(status: 426, body: "a WebSocket upgrade is expected here\n")
    }
    if let token = options.authToken {
      guard let signature = request.header("X-Twilio-Signature"),
        signedURLs(request).contains(where: {
          TwilioSignature.isValid(signature, url: $0, parameters: [], authToken: token)
        })
      else {
        return .refuse(status: 403, body: "X-Twilio-Signature is missing or does not match\n")
      }
    }
    return .upgrade
  }

  /// The URLs Twilio may have signed: `wss://HOST/PATH` and `ws://HOST/PATH`, the host from
  /// `X-Forwarded-Host` behind a tunnel, else `Host`; the scheme `X-Forwarded-Proto` names first.
  static func signedURLs(_ request: WebSocketServer.Request) -> [String] {
    let host = request.header("X-Forwarded-Host") ?? request.header("Host") ?? "localhost"
    let proto = request.header("X-Forwarded-Proto")?.lowercased()
    let schemes = proto == "http" || proto == "ws" ? ["ws", "wss"] : ["wss", "ws"]
    return schemes.map { "\($0)://\(host)\(request.uri)" }
  }

  /// The open connections, by id, so a shutdown can close them.
  final class Registry: Sendable {
    private let state = Locked<(next: Int, channels: [Int: any Channel])>((0, [:]))

    func nextID() -> Int {
      state.withLock { s in
        s.next += 1
        return s.next
      }
    }
    func add(_ id: Int, _ channel: any Channel) { state.withLock { $0.channels[id] = channel } }
    func remove(_ id: Int) { state.withLock { _ = $0.channels.removeValue(forKey: id) } }
    var count: Int { state.withLock { $0.channels.count } }

    /// Closes every open connection with `code` and waits up to `seconds` for them to be gone.
    func closeAll(code: UInt16, waitSeconds seconds: Double) {
      closeAll(code: code)
      var waited = 0.0
      while count > 0 && waited < seconds {
        usleep(10_000)
        waited += 0.01
      }
    }

    func closeAll(code: UInt16) {
      let channels = state.withLock { Array($0.channels.values) }
      for channel in channels {
        channel.eventLoop.execute {
          var data = channel.allocator.buffer(capacity: 2)
          data.write(webSocketErrorCode: .init(codeNumber: Int(code)))
          let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
          channel.writeAndFlush(frame).whenComplete { _ in channel.close(promise: nil) }
        }
      }
    }
  }
}

/// One captured stream: frames in, session-log entries out, and the echo bot's answers.
final class CaptureHandler: ChannelInboundHandler {
  typealias InboundIn = WebSocketFrame
  typealias OutboundOut = WebSocketFrame

  private let id: Int
  private let stream: any CaptureStream
  private let registry: StreamCaptureServer.Registry
  private var echo: EchoBot?
  private var arrival = ArrivalTiming()
  private var start = NIODeadline.now()
  private var ended = false

  init(id: Int, echo: Bool, stream: any CaptureStream, registry: StreamCaptureServer.Registry) {
    self.id = id
    self.stream = stream
    self.registry = registry
    self.echo = echo ? EchoBot() : nil
  }

  private var now: Double { Double((NIODeadline.now() - start).nanoseconds) / 1_000_000 }

  func handlerAdded(context: ChannelHandlerContext) {
    start = NIODeadline.now()
    registry.add(id, context.channel)
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let frame = Self.unwrapInboundIn(data)
    switch frame.opcode {
    case .text:
      let text = MaskedTextFrame.text(of: frame)
      let at = now
      // Read once: for the log (is it JSON?), the arrival timing and the echo bot.
      let message = try? TwilioMessage.decode(text)
      if case .media(_, _, let media)? = message {
        arrival.media(timestampMs: media.timestamp, arrivedAtMs: at)
      }
      var entries = [
        SessionLog.Entry(
          atMs: at, from: .twilio, frame: .text(text, isJSON: message != nil || Self.isJSON(text)))
      ]
      if var bot = echo, let message {
        let answers = bot.receive(message)
        echo = bot
        for answer in answers {
          var out = context.channel.allocator.buffer(capacity: answer.utf8.count)
          out.writeString(answer)
          context.write(
            Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: out)), promise: nil)
          entries.append(SessionLog.Entry(atMs: at, from: .bot, frame: .text(answer, isJSON: true)))
        }
        if !answers.isEmpty { context.flush() }
      }
      stream.received(entries, message: message)
    case .binary:
      stream.received(
        [
          SessionLog.Entry(
            atMs: now, from: .twilio, frame: .binary(Array(frame.unmaskedData.readableBytesView)))
        ],
        message: nil)
    case .ping:
      let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
      context.writeAndFlush(Self.wrapOutboundOut(pong), promise: nil)
    case .connectionClose:
      // Answer the close with the same code, then hang up.
      var data = frame.unmaskedData
      let code = data.readInteger(as: UInt16.self) ?? 1000
      var reply = context.channel.allocator.buffer(capacity: 2)
      reply.write(webSocketErrorCode: .init(codeNumber: Int(code)))
      let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
      context.writeAndFlush(
        Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: reply))
      )
      .whenComplete { _ in bound.value.close(promise: nil) }
    default:
      break
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    end()
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    // A broken frame or connection ends the stream; what came before it is kept.
    context.close(promise: nil)
  }

  func handlerRemoved(context: ChannelHandlerContext) { end() }

  private func end() {
    guard !ended else { return }
    ended = true
    stream.closed(arrival: arrival)
    registry.remove(id)
  }

  static func isJSON(_ text: String) -> Bool { (try? JSONParser.parse(text)) != nil }
}
