/// Twilio's side of one WebSocket session as a transport-free state machine: a driver (Net's
/// `StreamReplayClient`) owns the socket and the clock, tells the session the time and what
/// arrived, and sends what it answers. A Media Stream (`StreamSession`) and a ConversationRelay
/// session (`RelaySession`) are both driven this way, by the same code.
///
/// Times are milliseconds of session time since the socket opened.
public protocol DrivenSession: Sendable {
  /// The frames to send as the socket opens.
  mutating func open(at now: Double) -> [String]
  /// Everything due by `now`; call it at `nextDueMs`.
  mutating func tick(now: Double) -> [String]
  /// A text frame from the peer; returns what to send at once.
  mutating func receive(text: String, at now: Double) -> [String]
  /// A binary frame from the peer; returns what to send at once.
  mutating func receive(binary bytes: [UInt8], at now: Double) -> [String]
  /// The caller hangs up now (a signal): the frames that say so.
  mutating func hangUp(at now: Double) -> [String]
  /// The session is over at `now` for a reason outside it: the peer closed or the socket broke.
  mutating func callEnded(at now: Double, botHungUp: Bool, reason: String)
  /// A WebSocket protocol violation by the peer, which ends the session.
  mutating func report(_ violation: ProtocolViolation, at now: Double)
  /// The log entries since the last call, oldest first.
  mutating func takeLog() -> [SessionLog.Entry]
  /// Whether the session is over: the driver then sends `closing` and closes the socket.
  var stopped: Bool { get }
  /// When `tick` next has something to do, as of the last `tick` or `receive`.
  var nextDueMs: Double { get }
  /// The close frame Twilio sends when the session is over: code and reason.
  var closing: (code: UInt16, reason: String) { get }
  /// Whether the peer closing with `code` is how such a session normally ends.
  func peerCloseIsNormalEnd(code: Int?) -> Bool
}
