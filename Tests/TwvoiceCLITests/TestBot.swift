import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import TwvoiceCore

/// A Media Streams bot on loopback, inside the test process, scripted per test. It records the
/// upgrade request and every message Twilio's side sends, and answers as its script says.
final class TestBot: @unchecked Sendable {
  /// How the bot behaves.
  enum Script: Sendable {
    /// After every `everyFrames` media frames, reply with `replyBytes` of audio and a mark.
    case replyWithMark(everyFrames: Int, replyBytes: Int)
    /// Reply with 2 s of audio and a mark right away, then clear when a DTMF key arrives.
    case clearOnDTMF
    /// Send a binary frame, invalid JSON, an unknown event and a wrong streamSid.
    case misbehave
    /// Close the socket after this many messages.
    case closeAfter(Int)
    /// Say nothing.
    case silent
    /// Not a WebSocket server: answer every request 404.
    case notFound
  }

  struct Upgrade: Sendable {
    var uri: String
    var headers: [(String, String)]
    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
  }

  let script: Script
  private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
  private var channel: (any Channel)?
  private let lock = NSLock()
  private var _received: [String] = []
  private var _upgrades: [Upgrade] = []
  private var _receivedAt: [Date] = []

  var received: [String] { lock.withLock { _received } }
  var upgrades: [Upgrade] { lock.withLock { _upgrades } }
  var port: Int { channel?.localAddress?.port ?? 0 }
  var url: String { "ws://127.0.0.1:\(port)/ws" }

  /// Messages received, parsed.
  var messages: [JSONValue] { received.compactMap { try? JSONParser.parse($0) } }

  init(_ script: Script) throws {
    self.script = script
    let bot = self
    let bootstrap = ServerBootstrap(group: group)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelInitializer { channel in
        if case .notFound = script {
          return channel.pipeline.configureHTTPServerPipeline().flatMap {
            channel.pipeline.addHandler(NotFoundHandler())
          }
        }
        let upgrader = NIOWebSocketServerUpgrader(
          maxFrameSize: 1 << 24,
          shouldUpgrade: { channel, head in
            bot.lock.withLock {
              bot._upgrades.append(Upgrade(uri: head.uri, headers: head.headers.map { ($0.name, $0.value) }))
            }
            return channel.eventLoop.makeSucceededFuture(HTTPHeaders())
          },
          upgradePipelineHandler: { channel, _ in
            channel.pipeline.addHandler(BotHandler(bot: bot))
          })
        return channel.pipeline.configureHTTPServerPipeline(
          withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
      }
    channel = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
  }

  private var stopped = false

  /// Closes the server; safe to call more than once.
  func stop() {
    let first = lock.withLock {
      defer { stopped = true }
      return !stopped
    }
    guard first else { return }
    try? channel?.close().wait()
    try? group.syncShutdownGracefully()
  }

  fileprivate func record(_ text: String) {
    lock.withLock {
      _received.append(text)
      _receivedAt.append(Date())
    }
  }
}

/// Answers 404 to any plain HTTP request (a wrong path: the upgrade was refused).
private final class NotFoundHandler: ChannelInboundHandler, @unchecked Sendable {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart
  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard case .end = Self.unwrapInboundIn(data) else { return }
    var headers = HTTPHeaders()
    headers.add(name: "Content-Length", value: "0")
    context.write(
      Self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .notFound, headers: headers))),
      promise: nil)
    context.writeAndFlush(Self.wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
  }
}

private final class BotHandler: ChannelInboundHandler, @unchecked Sendable {
  typealias InboundIn = WebSocketFrame
  typealias OutboundOut = WebSocketFrame
  let bot: TestBot
  var frames = 0
  var replies = 0
  var count = 0
  var streamSid = ""

  init(bot: TestBot) { self.bot = bot }

  func send(_ text: String, context: ChannelHandlerContext) {
    var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
    buffer.writeString(text)
    context.writeAndFlush(
      Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: buffer)), promise: nil)
  }

  func media(_ bytes: Int) -> String {
    #"{"event":"media","streamSid":"\#(streamSid)","media":{"payload":"\#(Base64.encode([UInt8](repeating: 0x55, count: bytes)))"}}"#
  }
  func mark(_ name: String) -> String {
    #"{"event":"mark","streamSid":"\#(streamSid)","mark":{"name":"\#(name)"}}"#
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let frame = Self.unwrapInboundIn(data)
    switch frame.opcode {
    case .connectionClose:
      var reply = context.channel.allocator.buffer(capacity: 2)
      reply.write(webSocketErrorCode: .normalClosure)
      context.writeAndFlush(
        Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: reply))
      ).whenComplete { _ in
        context.close(promise: nil)
      }
      return
    case .text: break
    default: return
    }
    var payload = frame.unmaskedData
    let text = payload.readString(length: payload.readableBytes) ?? ""
    bot.record(text)
    count += 1
    guard let message = try? JSONParser.parse(text), let event = message["event"]?.stringValue else { return }
    if let sid = message["streamSid"]?.stringValue { streamSid = sid }
    switch bot.script {
    case .replyWithMark(let every, let bytes):
      if event == "media" {
        frames += 1
        // Replies to the first second of the caller's audio only, so the call can end.
        if frames % every == 0 && frames <= 50 {
          replies += 1
          send(media(bytes), context: context)
          send(mark("reply-\(replies)"), context: context)
        }
      }
    case .clearOnDTMF:
      if event == "start" {
        send(media(16000), context: context)
        send(mark("greeting"), context: context)
      }
      if event == "dtmf" { send(#"{"event":"clear","streamSid":"\#(streamSid)"}"#, context: context) }
    case .misbehave:
      if event == "start" {
        var binary = context.channel.allocator.buffer(capacity: 4)
        binary.writeBytes([1, 2, 3, 4])
        context.writeAndFlush(
          Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .binary, data: binary)), promise: nil)
        send("not json", context: context)
        send(#"{"event":"speak","streamSid":"\#(streamSid)"}"#, context: context)
        send(#"{"event":"clear","streamSid":"MZ00000000000000000000000000000000"}"#, context: context)
      }
    case .closeAfter(let n):
      if count == n {
        var reply = context.channel.allocator.buffer(capacity: 2)
        reply.write(webSocketErrorCode: .init(codeNumber: 4000))
        context.writeAndFlush(
          Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: reply))
        ).whenComplete { _ in
          context.close(promise: nil)
        }
      }
    case .silent, .notFound:
      break
    }
  }
}
