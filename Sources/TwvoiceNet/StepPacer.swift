import NIOCore
import TwvoiceCore

/// Wakes many replay sessions on one event loop together, on a shared grid of ticks, with one
/// timer instead of one scheduled task per session per frame. A thousand calls send 50,000
/// frames a second: scheduling each on its own costs a task, a promise and a wake-up apiece;
/// here a tick costs one wake-up and sends every session's due frames. Used when
/// `StreamReplayClient.Options.pacingGrid` is set (`stream replay --calls`); touched on its own
/// event loop only.
final class StepPacer {
  /// Something stepped on the grid (a session's handler).
  protocol Stepped: AnyObject {
    func step()
  }

  private let loop: any EventLoop
  private let grid: Int64
  /// Sessions to step, by tick (deadline in ns of the monotonic clock / grid, rounded up).
  private var due: [Int64: [any Stepped]] = [:]
  private var timer: (tick: Int64, task: Scheduled<Void>)?
  /// While a tick runs, new wakes wait for it to end to arm the timer once.
  private var firing = false

  private init(loop: any EventLoop, grid: Int64) {
    self.loop = loop
    self.grid = grid
  }

  /// Steps `handler` at the first tick at or after `deadline`.
  func wake(_ handler: any Stepped, at deadline: NIODeadline) {
    let tick = (Int64(deadline.uptimeNanoseconds) + grid - 1) / grid
    due[tick, default: []].append(handler)
    if firing { return }
    if let timer, timer.tick <= tick { return }
    arm(tick)
  }

  private func arm(_ tick: Int64) {
    timer?.task.cancel()
    let bound = NIOLoopBound(self, eventLoop: loop)
    timer = (
      tick, loop.scheduleTask(deadline: .uptimeNanoseconds(UInt64(tick * grid))) { bound.value.fire() }
    )
  }

  private func fire() {
    timer = nil
    firing = true
    let now = Int64(NIODeadline.now().uptimeNanoseconds) / grid
    // Every tick that has come; a session stepped here asks for a later tick meanwhile.
    let ready = due.keys.filter { $0 <= now }.sorted()
    for tick in ready {
      guard let handlers = due.removeValue(forKey: tick) else { continue }
      for handler in handlers { handler.step() }
    }
    firing = false
    // The earliest tick left, whoever asked for it and when.
    if let next = due.keys.min() { arm(next) }
  }

  /// The pacer of `loop` for `grid`, made on first use; call on `loop`.
  static func on(_ loop: any EventLoop, grid: TimeAmount) -> StepPacer {
    let key = Key(loop: ObjectIdentifier(loop), grid: grid.nanoseconds)
    if let pacer = pacers.withLock({ $0[key] }) { return pacer.value }
    let pacer = StepPacer(loop: loop, grid: grid.nanoseconds)
    pacers.withLock { $0[key] = NIOLoopBound(pacer, eventLoop: loop) }
    return pacer
  }

  private struct Key: Hashable {
    var loop: ObjectIdentifier
    var grid: Int64
  }
  private static let pacers = Locked<[Key: NIOLoopBound<StepPacer>]>([:])
}
