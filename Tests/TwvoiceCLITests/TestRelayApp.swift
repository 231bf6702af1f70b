import Foundation
import NIOCore
import NIOWebSocket
import TwvoiceCore
import TwvoiceNet

/// A ConversationRelay app on loopback, written the way Twilio's samples write one: it answers
/// each final prompt by streaming the tokens of a reply in pieces, closed with an empty
/// `last: true` token, and reacts to keywords:
/// - "agent please": `end` with hand-off data (JSON, stringified)
/// - "transfer": `sendDigits` "1234#" after a short reply
/// - "music": a `play` of a media URL
/// - "look up": a preemptible filler, then the real answer 600 ms later
/// - "story": a long reply, one sentence every 50 ms; stops streaming on `interrupt`
/// - "garbage N": N frames Twilio refuses
/// - "hang up": closes the socket (1000)
/// - "spanish": `language` to es-ES, then a reply
/// Keys are answered with "You pressed D." It records the upgrade and every frame it receives,
/// and the close it gets.
final class TestRelayApp: @unchecked Sendable {
  private var server: WebSocketServer?
  private let lock = NSLock()
  private var _received: [String] = []
  private var _upgrades: [TestBot.Upgrade] = []
  private var _close: (code: Int, reason: String)?
  /// Sends nothing at all (an app that never answers).
  let silent: Bool

  var received: [String] { lock.withLock { _received } }
  var upgrades: [TestBot.Upgrade] { lock.withLock { _upgrades } }
  var close: (code: Int, reason: String)? { lock.withLock { _close } }
  var port: Int { server?.port ?? 0 }
  var url: String { "ws://127.0.0.1:\(port)/relay" }

  static let handoff = #"{"reasonCode":"live-agent-handoff","reason":"The caller asked for a person"}"#
  static let story = [
    "Once upon a time there was a voice bot.", " It answered every call.",
    " One day a caller asked it a question that took a long time to answer.", " The bot kept talking.",
    " And talking.", " The end.",
  ]

  init(silent: Bool = false) throws {
    self.silent = silent
    let app = self
    server = try WebSocketServer(
      decide: { request in
        app.lock.withLock {
          app._upgrades.append(
            TestBot.Upgrade(uri: request.uri, headers: request.headers.map { ($0.name, $0.value) }))
        }
        return .upgrade
      },
      makeHandler: { RelayAppHandler(app: app) })
  }

  func stop() { server?.stop() }

  /// Frames received of `type`, parsed.
  func frames(_ type: String) -> [JSONValue] {
    received.compactMap { try? JSONParser.parse($0) }.filter { $0["type"]?.stringValue == type }
  }

  /// Waits up to `limit` seconds for the close frame (the app's loop may trail the process).
  func waitForClose(limit: Double = 10) -> (code: Int, reason: String)? {
    let deadline = Date().addingTimeInterval(limit)
    while Date() < deadline {
      if let close { return close }
      usleep(2000)
    }
    return nil
  }

  fileprivate func record(_ text: String) { lock.withLock { _received.append(text) } }
  fileprivate func recordClose(_ code: Int, _ reason: String) { lock.withLock { _close = (code, reason) } }
}

private final class RelayAppHandler: ChannelInboundHandler, @unchecked Sendable {
  typealias InboundIn = WebSocketFrame
  typealias OutboundOut = WebSocketFrame
  let app: TestRelayApp
  /// Set by `interrupt`: a streaming reply stops.
  var interrupted = false

  init(app: TestRelayApp) { self.app = app }

  func send(_ text: String, context: ChannelHandlerContext) {
    var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
    buffer.writeString(text)
    context.writeAndFlush(
      Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: buffer)), promise: nil)
  }

  static func token(_ text: String, last: Bool = false, extra: String = "") -> String {
    let w = JSONWriter()
    return #"{"type":"text","token":"# + w.string(.string(text)) + #","last":\#(last)\#(extra)}"#
  }

  /// Streams `pieces` one every `gapMs`, then the closing empty token.
  func stream(_ pieces: [String], gapMs: Int64, extra: String = "", context: ChannelHandlerContext) {
    interrupted = false
    let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
    for (index, piece) in pieces.enumerated() {
      context.eventLoop.scheduleTask(in: .milliseconds(gapMs * Int64(index))) {
        let (handler, context) = bound.value
        guard !handler.interrupted else { return }
        handler.send(Self.token(piece, extra: extra), context: context)
        if index == pieces.count - 1 {
          handler.send(Self.token("", last: true, extra: extra), context: context)
        }
      }
    }
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let frame = Self.unwrapInboundIn(data)
    switch frame.opcode {
    case .connectionClose:
      var body = frame.unmaskedData
      let code = body.readInteger(as: UInt16.self).map(Int.init) ?? 0
      app.recordClose(code, body.readString(length: body.readableBytes) ?? "")
      var reply = context.channel.allocator.buffer(capacity: 2)
      reply.write(webSocketErrorCode: .normalClosure)
      context.writeAndFlush(
        Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: reply))
      )
      .whenComplete { _ in context.close(promise: nil) }
      return
    case .text:
      break
    default:
      return
    }
    var buffer = frame.unmaskedData
    let text = buffer.readString(length: buffer.readableBytes) ?? ""
    app.record(text)
    guard !app.silent, let message = try? JSONParser.parse(text) else { return }
    switch message["type"]?.stringValue {
    case "interrupt":
      interrupted = true
    case "dtmf":
      stream(["You pressed \(message["digit"]?.stringValue ?? "?")."], gapMs: 0, context: context)
    case "prompt" where message["last"] == .bool(true):
      answer(message["voicePrompt"]?.stringValue ?? "", context: context)
    default:
      break
    }
  }

  func answer(_ prompt: String, context: ChannelHandlerContext) {
    let lower = prompt.lowercased()
    if lower.contains("agent please") {
      let w = JSONWriter()
      send(#"{"type":"end","handoffData":"# + w.string(.string(TestRelayApp.handoff)) + "}", context: context)
    } else if lower.contains("transfer") {
      stream(["Transferring", " you now."], gapMs: 10, context: context)
      send(#"{"type":"sendDigits","digits":"1234#"}"#, context: context)
    } else if lower.contains("music") {
      send(
        #"{"type":"play","source":"https://api.twilio.com/cowbell.mp3","loop":1,"preemptible":false,"interruptible":true}"#,
        context: context)
    } else if lower.contains("look up") {
      stream(
        ["One moment while I look that up for you."], gapMs: 0, extra: #","preemptible":true"#,
        context: context)
      let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
      context.eventLoop.scheduleTask(in: .milliseconds(600)) {
        bound.value.0.stream(["Your order ships", " tomorrow."], gapMs: 10, context: bound.value.1)
      }
    } else if lower.contains("story") {
      stream(TestRelayApp.story, gapMs: 50, context: context)
    } else if lower.hasPrefix("garbage") {
      let count = Int(lower.split(separator: " ").last ?? "") ?? 1
      for n in 1...count { send("this is not json #\(n)", context: context) }
    } else if lower.contains("hang up") {
      var reply = context.channel.allocator.buffer(capacity: 2)
      reply.write(webSocketErrorCode: .normalClosure)
      context.writeAndFlush(
        Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: reply))
      )
      .whenComplete { _ in context.close(promise: nil) }
    } else if lower.contains("spanish") {
      send(#"{"type":"language","ttsLanguage":"es-ES","transcriptionLanguage":"es-ES"}"#, context: context)
      stream(["Claro."], gapMs: 0, context: context)
    } else {
      let words = "You said: \(prompt)".split(separator: " ").enumerated().map {
        $0.offset == 0 ? String($0.element) : " " + $0.element
      }
      stream(words, gapMs: 5, context: context)
    }
  }
}
