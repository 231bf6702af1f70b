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

// The opening of a stream: TCP, TLS and the HTTP upgrade, bounded by --connect-timeout, and
// what a failure there is called in Twilio's terms.

extension StreamReplayClient {
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
final class OpeningState {
  /// The opening has been decided: upgraded, refused, failed, timed out or cancelled.
  var over = false
  var channel: (any Channel)?
  /// How the pipeline failed before the connect was settled; used only if the connect succeeded.
  var pipelineFailure: (any Error)?
}

/// Counts the bytes the peer sent before TLS, to tell "no answer at all" from "the handshake
/// stalled".
final class ByteCounter: ChannelInboundHandler {
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
final class StatusLinePeeker: ChannelInboundHandler {
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
