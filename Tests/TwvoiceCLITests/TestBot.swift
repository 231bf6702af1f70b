import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import TwvoiceCore
import TwvoiceNet

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
    /// Close the WebSocket with `code` after this many messages.
    case closeAfter(Int, code: UInt16 = 4000)
    /// Drop the TCP connection, with no close frame, after this many messages.
    case dropAfter(Int)
    /// On `start`, send this many marks (a chatty bot; on a <Start> stream, each one is 31924).
    case chatter(Int)
    /// Answer the first media frame with audio this many real milliseconds later, like a bot
    /// that paces in real time.
    case replyAfterRealTime(ms: Int64)
    /// A voice bot: answers each caller turn (voiced frames, then 200 ms of quiet) with a reply
    /// and a mark, as `Conversation` says; `Conversation()` has no flaw.
    case conversation(Conversation)
    /// On `start`, close with 4000 when the stream SID ends in an odd hex digit: every other
    /// call of a `--calls` run (their SIDs end with the call's number) fails, the rest say nothing.
    case failOddStreams
    /// Say nothing.
    case silent
    /// Not a WebSocket server: answer every request 404.
    case notFound
  }

  /// How a `.conversation` bot behaves, each flag one of the bugs voice bots ship.
  struct Conversation: Sendable {
    /// Length of each reply.
    var replyMs = 1000
    /// Sends `clear` when the caller talks over its reply (the fix for talk-over).
    var clearsOnBargeIn = true
    /// Bytes sent before each reply's audio, as if a WAV or MP3 file were sent as µ-law.
    var header: [UInt8] = []
    /// After this many replies, hang up: once the last reply's mark comes back (no flaw), or
    /// at once while its audio is still buffered (`hangsUpEarly`).
    var hangUpAfterReplies: Int?
    var hangsUpEarly = false
    /// Sends each reply in 20 ms chunks, sleeping 21 ms between them (pacing with relative
    /// sleeps: the caller hears gaps).
    var pacesWithSleeps = false
    /// Answers a DTMF key with a reply: every key, or only # (`waitsForHash`).
    var answersDTMF = true
    var waitsForHash = false
    /// Sends every reply in one burst of this many seconds of audio instead.
    var burstSeconds: Int?
    /// Takes its last reply's mark coming back as the reply played, and sends the next one at
    /// once, even when the mark came back because of a clear.
    var continuesOnMark = false
  }

  struct Upgrade: Sendable {
    var uri: String
    var headers: [(String, String)]
    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
  }

  let script: Script
  /// The product's own WebSocket server, as `stream capture` and `stream proxy` use it.
  private var server: WebSocketServer?
  private let lock = NSLock()
  private var _received: [String] = []
  private var _upgrades: [Upgrade] = []
  private var _receivedAt: [Date] = []

  var received: [String] { lock.withLock { _received } }
  var upgrades: [Upgrade] { lock.withLock { _upgrades } }
  var port: Int { server?.port ?? 0 }
  var url: String { "ws://127.0.0.1:\(port)/ws" }

  /// Waits up to `limit` seconds for a message containing `text`: the bot's event loop may
  /// still be reading what the replay sent when the replay has already exited.
  @discardableResult
  func waitForMessage(containing text: String, limit: Double = 10) -> Bool {
    let deadline = Date().addingTimeInterval(limit)
    while Date() < deadline {
      if received.contains(where: { $0.contains(text) }) { return true }
      usleep(2000)
    }
    return false
  }

  /// Messages received, parsed.
  var messages: [JSONValue] { received.compactMap { try? JSONParser.parse($0) } }

  /// `http` answers the plain requests (no upgrade), as a voice backend's webhook does on the
  /// same host and port as its WebSocket.
  init(_ script: Script, http: (@Sendable (WebSocketServer.Request) -> WebSocketServer.Decision)? = nil)
    throws
  {
    self.script = script
    let bot = self
    server = try WebSocketServer(
      decide: { request in
        if let http, request.header("Upgrade") == nil { return http(request) }
        if case .notFound = script { return .refuse(status: 404, body: "") }
        bot.lock.withLock {
          bot._upgrades.append(
            Upgrade(uri: request.uri, headers: request.headers.map { ($0.name, $0.value) }))
        }
        return .upgrade
      },
      makeHandler: { BotHandler(bot: bot) })
  }

  private var stopped = false

  /// Closes the server; safe to call more than once.
  func stop() {
    let first = lock.withLock {
      defer { stopped = true }
      return !stopped
    }
    guard first else { return }
    server?.stop()
  }

  fileprivate func record(_ text: String) {
    lock.withLock {
      _received.append(text)
      _receivedAt.append(Date())
    }
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
  // The conversation bot's view of the call, counted in the caller's 20 ms frames.
  var voicedRun = 0
  var quietRun = 0
  var callerSpeaking = false
  var replyEndsAtFrame = 0

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
      close(context: context)
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
    case .closeAfter(let n, let code):
      if count == n { close(context: context, code: code) }
    case .dropAfter(let n):
      if count == n { context.close(promise: nil) }
    case .chatter(let n):
      if event == "start" { for k in 0..<n { send(mark("m\(k)"), context: context) } }
    case .replyAfterRealTime(let ms):
      if event == "media" && frames == 0 {
        frames += 1
        let reply = media(1600)
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .milliseconds(ms)) {
          let (handler, context) = bound.value
          handler.send(reply, context: context)
        }
      }
    case .conversation(let c):
      converse(c, event: event, message: message, context: context)
    case .failOddStreams:
      if event == "start", let last = streamSid.last?.hexDigitValue, last % 2 == 1 {
        close(context: context, code: 4000)
      }
    case .silent, .notFound:
      break
    }
  }

  func converse(_ c: TestBot.Conversation, event: String, message: JSONValue, context: ChannelHandlerContext)
  {
    switch event {
    case "media":
      frames += 1
      let payload = message["media"]?["payload"]?.stringValue.flatMap { try? Base64.decode($0) } ?? []
      if SpeechActivity.isVoiced(payload) {
        voicedRun += 1
        quietRun = 0
        if voicedRun >= 3 {
          callerSpeaking = true
          if frames < replyEndsAtFrame && c.clearsOnBargeIn {
            send(#"{"event":"clear","streamSid":"\#(streamSid)"}"#, context: context)
            replyEndsAtFrame = frames
          }
        }
      } else {
        voicedRun = 0
        quietRun += 1
        if callerSpeaking && quietRun >= 10 {
          callerSpeaking = false
          reply(c, context: context)
        }
      }
    case "dtmf":
      // An IVR-style menu: the entry ends with #, or is a single key.
      let digit = message["dtmf"]?["digit"]?.stringValue
      if c.answersDTMF && (digit == "#" || !c.waitsForHash) { reply(c, context: context) }
    case "mark":
      if c.continuesOnMark && message["mark"]?["name"]?.stringValue == "reply-\(replies)" && replies < 3 {
        reply(c, context: context)
      }
      if let last = c.hangUpAfterReplies, !c.hangsUpEarly,
        message["mark"]?["name"]?.stringValue == "reply-\(last)"
      {
        close(context: context)
      }
    default:
      break
    }
  }

  func reply(_ c: TestBot.Conversation, context: ChannelHandlerContext) {
    replies += 1
    let bytes = c.burstSeconds.map { $0 * 8000 } ?? c.replyMs * 8
    replyEndsAtFrame = frames + bytes / 160
    let name = "reply-\(replies)"
    let audio = c.header + [UInt8](repeating: 0x55, count: bytes)
    if c.pacesWithSleeps {
      sendPaced(ArraySlice(audio), mark: name, context: context)
    } else {
      send(
        #"{"event":"media","streamSid":"\#(streamSid)","media":{"payload":"\#(Base64.encode(audio))"}}"#,
        context: context)
      send(mark(name), context: context)
    }
    if c.hangsUpEarly, replies == c.hangUpAfterReplies { close(context: context) }
  }

  func sendPaced(_ audio: ArraySlice<UInt8>, mark name: String, context: ChannelHandlerContext) {
    guard !audio.isEmpty else {
      send(mark(name), context: context)
      return
    }
    let chunk = Array(audio.prefix(160))
    send(
      #"{"event":"media","streamSid":"\#(streamSid)","media":{"payload":"\#(Base64.encode(chunk))"}}"#,
      context: context)
    let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
    context.eventLoop.scheduleTask(in: .milliseconds(21)) {
      let (handler, context) = bound.value
      handler.sendPaced(audio.dropFirst(160), mark: name, context: context)
    }
  }

  /// Sends a close frame with `code`, then closes the connection.
  func close(context: ChannelHandlerContext, code: UInt16 = 1000) {
    var reply = context.channel.allocator.buffer(capacity: 2)
    reply.write(webSocketErrorCode: .init(codeNumber: Int(code)))
    context.writeAndFlush(
      Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: reply))
    ).whenComplete { _ in
      context.close(promise: nil)
    }
  }
}

/// A hostile peer on loopback that speaks raw bytes: it reads the upgrade request and answers
/// whatever its script says (nothing, garbage, a 101 with frames in the same write, floods),
/// and records everything the client sends. Each connection runs its script once.
final class RawPeer: @unchecked Sendable {
  /// What to do once the request (or, for TLS, the first bytes) has arrived.
  enum Script: Sendable {
    /// Accept the connection and never answer.
    case silent
    /// Answer with these bytes, and keep the connection open.
    case answer([UInt8])
    /// A valid 101, with these bytes in the same write, then keep reading.
    case upgrade(then: [UInt8])
    /// A valid 101, then, once the client has had time to set up, `count` copies of `frame`
    /// and then `then`, written in one go.
    case upgradeAndFlood(frame: [UInt8], count: Int, then: [UInt8])
    /// Record the first bytes (a TLS ClientHello) and close.
    case recordHello
  }

  let script: Script
  private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
  private var channel: (any Channel)?
  private let lock = NSLock()
  private var _received: [UInt8] = []
  private var stopped = false

  /// Everything the client sent, request included.
  var received: [UInt8] { lock.withLock { _received } }
  var port: Int { channel?.localAddress?.port ?? 0 }
  var url: String { "ws://127.0.0.1:\(port)/ws" }

  init(_ script: Script) throws {
    self.script = script
    let peer = self
    channel = try ServerBootstrap(group: group)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelInitializer { channel in channel.pipeline.addHandler(RawPeerHandler(peer: peer)) }
      .bind(host: "127.0.0.1", port: 0).wait()
  }

  func stop() {
    let first = lock.withLock {
      defer { stopped = true }
      return !stopped
    }
    guard first else { return }
    try? channel?.close().wait()
    try? group.syncShutdownGracefully()
  }

  fileprivate func record(_ bytes: some Sequence<UInt8>) { lock.withLock { _received += bytes } }

  /// The frames the client sent after the upgrade request, unmasked: (opcode, payload).
  var clientFrames: [(opcode: UInt8, payload: [UInt8])] {
    let bytes = received
    guard let end = RawPeer.headerEnd(bytes) else { return [] }
    var frames: [(UInt8, [UInt8])] = []
    var i = end
    while i + 2 <= bytes.count {
      let opcode = bytes[i] & 0x0F
      var length = Int(bytes[i + 1] & 0x7F)
      var at = i + 2
      if length == 126 {
        guard at + 2 <= bytes.count else { break }
        length = Int(bytes[at]) << 8 | Int(bytes[at + 1])
        at += 2
      } else if length == 127 {
        guard at + 8 <= bytes.count else { break }
        length = bytes[at..<at + 8].reduce(0) { $0 << 8 | Int($1) }
        at += 8
      }
      guard at + 4 + length <= bytes.count else { break }
      let mask = Array(bytes[at..<at + 4])
      let payload = (0..<length).map { bytes[at + 4 + $0] ^ mask[$0 % 4] }
      frames.append((opcode, payload))
      i = at + 4 + length
    }
    return frames
  }

  static func headerEnd(_ bytes: [UInt8]) -> Int? {
    guard bytes.count >= 4 else { return nil }
    for i in 0...(bytes.count - 4) where bytes[i..<i + 4].elementsEqual([13, 10, 13, 10]) { return i + 4 }
    return nil
  }

  /// A server frame (unmasked) with a text payload.
  static func frame(opcode: UInt8, fin: Bool = true, _ payload: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [(fin ? 0x80 : 0) | opcode]
    if payload.count < 126 {
      out.append(UInt8(payload.count))
    } else if payload.count < 65536 {
      out += [126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
    } else {
      out.append(127)
      out += (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) }
    }
    return out + payload
  }

  static func text(_ text: String, fin: Bool = true) -> [UInt8] {
    frame(opcode: 1, fin: fin, Array(text.utf8))
  }
  static func close(_ code: UInt16) -> [UInt8] { frame(opcode: 8, [UInt8(code >> 8), UInt8(code & 0xFF)]) }

  /// The server name a TLS ClientHello asks for (SNI, RFC 6066 §3), or nil without one.
  static func serverName(inClientHello bytes: [UInt8]) -> String? {
    // record header 5, handshake header 4, version 2, random 32
    var i = 5 + 4 + 2 + 32
    func u8() -> Int? { i < bytes.count ? Int(bytes[i]) : nil }
    func u16(_ at: Int) -> Int? { at + 1 < bytes.count ? Int(bytes[at]) << 8 | Int(bytes[at + 1]) : nil }
    guard let sessionLength = u8() else { return nil }
    i += 1 + sessionLength
    guard let suites = u16(i) else { return nil }
    i += 2 + suites
    guard let compression = u8() else { return nil }
    i += 1 + compression
    guard let extensionsLength = u16(i) else { return nil }
    i += 2
    let end = min(bytes.count, i + extensionsLength)
    while i + 4 <= end, let type = u16(i), let length = u16(i + 2) {
      if type == 0, let nameLength = u16(i + 7), i + 9 + nameLength <= bytes.count {
        return String(decoding: bytes[(i + 9)..<(i + 9 + nameLength)], as: UTF8.self)
      }
      i += 4 + length
    }
    return nil
  }
}

private final class RawPeerHandler: ChannelInboundHandler, @unchecked Sendable {
  typealias InboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer
  let peer: RawPeer
  var request: [UInt8] = []
  var answered = false

  init(peer: RawPeer) { self.peer = peer }

  func write(_ bytes: [UInt8], context: ChannelHandlerContext) {
    var buffer = context.channel.allocator.buffer(capacity: bytes.count)
    buffer.writeBytes(bytes)
    context.writeAndFlush(Self.wrapOutboundOut(buffer), promise: nil)
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let bytes = Array(Self.unwrapInboundIn(data).readableBytesView)
    peer.record(bytes)
    guard !answered else { return }
    request += bytes
    if case .recordHello = peer.script {
      answered = true
      context.close(promise: nil)
      return
    }
    guard let end = RawPeer.headerEnd(request) else { return }
    answered = true
    let head = String(decoding: request[..<end], as: UTF8.self)
    let key =
      head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("sec-websocket-key:") }
      .map { $0.dropFirst("sec-websocket-key:".count).trimmingCharacters(in: .whitespaces) } ?? ""
    let accept = Base64.encode(SHA1.hash(Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8)))
    let switching = Array(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: \(accept)\r\n\r\n"
        .utf8)
    switch peer.script {
    case .silent, .recordHello:
      break
    case .answer(let bytes):
      write(bytes, context: context)
    case .upgrade(let then):
      write(switching + then, context: context)
    case .upgradeAndFlood(let frame, let count, let then):
      write(switching, context: context)
      var buffer = context.channel.allocator.buffer(capacity: frame.count * count + then.count)
      for _ in 0..<count { buffer.writeBytes(frame) }
      buffer.writeBytes(then)
      let bound = NIOLoopBound((buffer, context), eventLoop: context.eventLoop)
      context.eventLoop.scheduleTask(in: .milliseconds(200)) {
        let (buffer, context) = bound.value
        context.writeAndFlush(Self.wrapOutboundOut(buffer), promise: nil)
      }
    }
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}

/// SHA-1 (FIPS 180-4), for the test peer's Sec-WebSocket-Accept only.
enum SHA1 {
  static func hash(_ message: [UInt8]) -> [UInt8] {
    var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
    var data = message + [0x80]
    while data.count % 64 != 56 { data.append(0) }
    let bits = UInt64(message.count) * 8
    data += (0..<8).reversed().map { UInt8((bits >> (UInt64($0) * 8)) & 0xFF) }
    for block in stride(from: 0, to: data.count, by: 64) {
      var w = (0..<16).map { i in
        (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(data[block + i * 4 + $1]) }
      }
      for i in 16..<80 {
        let x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]
        w.append(x << 1 | x >> 31)
      }
      var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
      for i in 0..<80 {
        let (f, k): (UInt32, UInt32) =
          switch i {
          case 0..<20: ((b & c) | (~b & d), 0x5A82_7999)
          case 20..<40: (b ^ c ^ d, 0x6ED9_EBA1)
          case 40..<60: ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
          default: (b ^ c ^ d, 0xCA62_C1D6)
          }
        let t = (a << 5 | a >> 27) &+ f &+ e &+ k &+ w[i]
        (e, d, c, b, a) = (d, c, b << 30 | b >> 2, a, t)
      }
      h = [h[0] &+ a, h[1] &+ b, h[2] &+ c, h[3] &+ d, h[4] &+ e]
    }
    return h.flatMap { v in (0..<4).reversed().map { UInt8((v >> (UInt32($0) * 8)) & 0xFF) } }
  }
}
