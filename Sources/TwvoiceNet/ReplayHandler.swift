import NIOCore
import NIOWebSocket
import TwvoiceCore

/// Runs the session once the WebSocket is up: paced sends, received frames, the end. Any
/// `DrivenSession` (a Media Stream, a ConversationRelay session) runs the same way.
final class ReplayHandler<Session: DrivenSession>: ChannelInboundHandler, StepPacer.Stepped {
  typealias InboundIn = WebSocketFrame
  typealias OutboundOut = WebSocketFrame

  private var session: Session
  private let speed: Double
  /// Steps fall on ticks of this grid, shared by every session on the event loop; zero: each
  /// step exactly when due, on its own timer.
  private let pacingGrid: TimeAmount
  private var pacer: StepPacer?
  /// NIO's WebSocket frame encoder's place in the pipeline, and the writer of whole frames.
  private var wire: ChannelHandlerContext?
  private var frames = MaskedTextFrame()
  private let done: EventLoopPromise<StreamReplayClient.Outcome>
  private let onProgress: (@Sendable (Session) -> Void)?
  private let onLog: (@Sendable ([SessionLog.Entry]) -> Void)?
  private let stopRequested: (@Sendable () -> Bool)?
  private var start = NIODeadline.now()
  private(set) var began = false
  private var finished = false
  private var sentClose = false
  private var scheduled: Scheduled<Void>?
  /// Frames that arrived before `begin()` (NIO delivers buffered bytes right after the upgrade).
  private var early: [WebSocketFrame] = []

  init(
    session: Session, speed: Double, pacingGrid: TimeAmount = .zero,
    done: EventLoopPromise<StreamReplayClient.Outcome>,
    onProgress: (@Sendable (Session) -> Void)?, onLog: (@Sendable ([SessionLog.Entry]) -> Void)?,
    stopRequested: (@Sendable () -> Bool)?
  ) {
    self.stopRequested = stopRequested
    self.session = session
    self.speed = max(speed, 0.001)
    self.pacingGrid = pacingGrid
    self.done = done
    self.onProgress = onProgress
    self.onLog = onLog
  }

  /// Session time now, in ms.
  private var now: Double { Double((NIODeadline.now() - start).nanoseconds) / 1_000_000 * speed }

  private var context: ChannelHandlerContext?

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
    if pacingGrid > .zero { pacer = StepPacer.on(context.eventLoop, grid: pacingGrid) }
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    self.context = nil
    wire = nil
  }

  /// The session as it ended, with any log entries not yet handed over.
  func finalSession() -> Session {
    if began { session.callEnded(at: now, botHungUp: false, reason: "the stream ended") }
    flushLog()
    return session
  }

  private func flushLog() {
    // Taken in place (a getter on the session would copy it whole, every frame).
    let entries = session.takeLog()
    if !entries.isEmpty { onLog?(entries) }
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
    // Whole masked frames go straight to the socket's side of NIO's frame encoder (found once):
    // ordering with the frames written through it (pong, close) holds, as it writes at once.
    if wire == nil {
      wire = try? context.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self)
    }
    for text in texts {
      if let wire {
        wire.write(NIOAny(frames.frame(text, allocator: context.channel.allocator)), promise: nil)
      } else {
        var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        // Client frames are masked (RFC 6455 §5.3).
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: buffer)
        context.write(Self.wrapOutboundOut(frame), promise: nil)
      }
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
    let next = session.nextDueMs
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
    if let pacer {
      // Many sessions on one event loop step together on a shared grid (`StepPacer`).
      pacer.wake(self, at: deadline)
      return
    }
    let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
    scheduled = context.eventLoop.scheduleTask(deadline: deadline) {
      bound.value.handler.pump(context: bound.value.context)
    }
  }

  // NIO calls `channelRead` and the pacer calls `step` through protocols, which reach the
  // generic code; `@_specialize` sends them to the code compiled for each session kind, so the
  // hot path of a thousand calls makes no witness-table calls into the session.

  /// A step the pacer asked for.
  @_specialize(where Session == StreamSession)
  @_specialize(where Session == RelaySession)
  func step() {
    guard let context else { return }
    pump(context: context)
  }

  /// The least an overdue step waits so the event loop reads the socket in between.
  static var readYield: TimeAmount { .microseconds(100) }

  private func finish(
    _ outcome: StreamReplayClient.Outcome, closeCode: WebSocketErrorCode? = nil,
    context: ChannelHandlerContext
  ) {
    guard !finished else { return }
    finished = true
    scheduled?.cancel()
    flushLog()
    if !sentClose {
      sentClose = true
      let closing = session.closing
      var data = context.channel.allocator.buffer(capacity: 2 + closing.reason.utf8.count)
      if let closeCode {
        data.write(webSocketErrorCode: closeCode)
      } else {
        data.write(webSocketErrorCode: WebSocketErrorCode(codeNumber: Int(closing.code)))
        data.writeString(closing.reason)
      }
      let close = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
      let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
      context.writeAndFlush(Self.wrapOutboundOut(close)).whenComplete { _ in
        loopBoundContext.value.close(promise: nil)
      }
    }
    done.succeed(outcome)
  }

  @_specialize(where Session == StreamSession)
  @_specialize(where Session == RelaySession)
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
      if session.stopped { finish(.completed, context: context) }
    case .binary:
      send(session.receive(binary: Array(frame.unmaskedData.readableBytesView), at: now), context: context)
      if session.stopped { finish(.completed, context: context) }
    case .ping:
      let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
      context.writeAndFlush(Self.wrapOutboundOut(pong), promise: nil)
    case .connectionClose:
      var data = frame.unmaskedData
      let code = data.readInteger(as: UInt16.self).map(Int.init)
      let reason = String(decoding: data.readableBytesView, as: UTF8.self).escapingControlCharacters
      guard !session.stopped else { return }
      session.callEnded(at: now, botHungUp: true, reason: "the bot hung up")
      if session.peerCloseIsNormalEnd(code: code) {
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
