import Synchronization
import TwvoiceCore

#if canImport(Glibc)
  import Glibc
#endif

/// What happens on SIGINT, SIGTERM and SIGHUP while a command writes output.
///
/// **Discard (the default).** `OutputFile` registers its temporary file with `register(_:)` and
/// deregisters it once renamed into place or removed. On a signal the handler unlinks every
/// registered path (async-signal-safe: fixed buffers, `unlink`, no allocation), restores the
/// default disposition and re-raises, so the process exits *by* the signal and a shell sees
/// 130/143/129. `install()` is idempotent and called by `OutputFile`; it takes over only signals
/// whose disposition is still the default (an ignored SIGHUP under `nohup`, or the REPL's own
/// SIGINT handler, is left alone).
///
/// **Finalise instead of discard.** A long-running command that can end cleanly (close a
/// recording, write a summary) opts in around its main loop:
///
///     Signals.beginFinalising()
///     defer { Signals.endFinalising() }
///     while running {
///       if let signal = Signals.pending { finish(); Signals.exit(bySignal: signal) }
///       …   // or watch Signals.notificationDescriptor (readable once a signal came)
///     }
///
/// While finalising, a signal only sets `pending` and makes `notificationDescriptor` readable;
/// registered files are kept. A second signal before the command ends falls back to discard and
/// exit, so a stuck finalisation can still be interrupted.
enum Signals {
  /// The signals handled: interrupt, terminate, hang-up.
  static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP]

  /// Takes over the handled signals that still have their default disposition (idempotent).
  /// Also unblocks them: a signal mask is inherited across exec, and a blocked SIGTERM would
  /// otherwise stay pending for ever.
  static func install() {
    let wasInstalled = installed.exchange(true, ordering: .sequentiallyConsistent)
    guard !wasInstalled else { return }
    prepare()
    var set = sigset_t()
    sigemptyset(&set)
    for signal in handled {
      var old = sigaction()
      sigaction(signal, nil, &old)
      guard old.__sigaction_handler.sa_handler == nil else { continue }  // SIG_DFL is nil
      var action = sigaction()
      action.__sigaction_handler.sa_handler = signalsHandler
      sigemptyset(&action.sa_mask)
      for other in handled { sigaddset(&action.sa_mask, other) }
      action.sa_flags = SA_RESTART
      sigaction(signal, &action, nil)
      sigaddset(&set, signal)
    }
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
  }

  /// Remembers `path` (a temporary file) to be unlinked if a signal ends the process. Returns
  /// false when the path is too long or every slot is in use (the file is then not protected).
  @discardableResult
  static func register(_ path: String) -> Bool {
    install()
    let bytes = Array(path.utf8)
    guard bytes.count < slotLength, !bytes.contains(0) else { return false }
    return registry.withLock { _ in claimSlot(bytes) }
  }

  private static func claimSlot(_ bytes: [UInt8]) -> Bool {
    for slot in 0..<slotCount {
      let state = slotStates.advanced(by: slot)
      guard state.pointee == 0 else { continue }
      let buffer = slotBuffers.advanced(by: slot * slotLength)
      bytes.withUnsafeBytes { raw in
        raw.withMemoryRebound(to: CChar.self) { buffer.update(from: $0.baseAddress!, count: bytes.count) }
      }
      buffer[bytes.count] = 0
      atomicMemoryFence(ordering: .sequentiallyConsistent)
      state.pointee = 1
      atomicMemoryFence(ordering: .sequentiallyConsistent)
      return true
    }
    return false
  }

  /// Forgets `path` (renamed into place or already removed).
  static func deregister(_ path: String) {
    install()
    registry.withLock { _ in
      for slot in 0..<slotCount where slotStates[slot] != 0 {
        if String(cString: slotBuffers.advanced(by: slot * slotLength)) == path {
          slotStates[slot] = 0
          atomicMemoryFence(ordering: .sequentiallyConsistent)
        }
      }
    }
  }

  /// Runs `body` with the handled signals blocked in this thread, so a file created and
  /// registered inside cannot be left behind by a signal arriving in between.
  static func withSignalsBlocked<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
    install()
    var set = sigset_t()
    var old = sigset_t()
    sigemptyset(&set)
    for signal in handled { sigaddset(&set, signal) }
    pthread_sigmask(SIG_BLOCK, &set, &old)
    defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
    return try body()
  }

  /// Switches to "finalise": a signal is recorded in `pending` instead of ending the process.
  static func beginFinalising() {
    install()
    pendingSignal.store(0, ordering: .sequentiallyConsistent)
    finalising.store(1, ordering: .sequentiallyConsistent)
  }

  /// Back to the default (discard and exit by the signal).
  static func endFinalising() {
    finalising.store(0, ordering: .sequentiallyConsistent)
  }

  /// The signal received while finalising, if any.
  static var pending: Int32? {
    let signal = pendingSignal.load(ordering: .sequentiallyConsistent)
    return signal == 0 ? nil : signal
  }

  /// The name a summary gives a signal: SIGINT, SIGTERM or SIGHUP.
  static func name(_ signal: Int32) -> String {
    switch signal {
    case SIGTERM: "SIGTERM"
    case SIGHUP: "SIGHUP"
    default: "SIGINT"
    }
  }

  /// A descriptor that becomes readable when a signal arrives while finalising (a self-pipe),
  /// for a command that waits in poll(2), a DispatchSource or an event loop rather than polling.
  static var notificationDescriptor: Int32 {
    install()
    return notificationPipe[0]
  }

  /// Ends the process by `signal` with its default disposition, after the command has finished
  /// its own clean-up: the parent sees "killed by SIGINT" (a shell prints 130).
  static func exit(bySignal signal: Int32) -> Never {
    Glibc.signal(signal, SIG_DFL)
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, signal)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    raise(signal)
    Glibc.exit(128 + signal)
  }

  // State the handler reads: plain memory allocated once, never freed, never reallocated.
  private static let slotCount = 16  // the handler's loop says 16 too
  private static let slotLength = Int(PATH_MAX)
  private static let installed = Atomic<Bool>(false)
  /// Serialises register and deregister (the handler does not take it).
  private static let registry = Locked<Void>(())
}

// The handler's state: allocated and initialised once, never freed. Swift initialises globals
// lazily; `install()` touches them all before it sets the handler, so none is first touched
// inside the handler.
private func allocateZeroed(_ count: Int) -> UnsafeMutablePointer<sig_atomic_t> {
  let pointer = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: count)
  pointer.initialize(repeating: 0, count: count)
  return pointer
}
private nonisolated(unsafe) let slotStates = allocateZeroed(16)
private nonisolated(unsafe) let slotBuffers: UnsafeMutablePointer<CChar> = {
  let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: 16 * Int(PATH_MAX))
  pointer.initialize(repeating: 0, count: 16 * Int(PATH_MAX))
  return pointer
}()
// The handler runs on whichever thread takes the signal while others read these: atomics
// (lock-free, so async-signal-safe), not plain memory.
private let finalising = Atomic<Int32>(0)
private let pendingSignal = Atomic<Int32>(0)
private nonisolated(unsafe) let notificationPipe: UnsafeMutablePointer<Int32> = {
  let fds = UnsafeMutablePointer<Int32>.allocate(capacity: 2)
  fds.initialize(repeating: -1, count: 2)
  if pipe(fds) == 0 {
    for fd in [fds[0], fds[1]] {
      _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
      _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }
  }
  return fds
}()

extension Signals {
  fileprivate static func prepare() {
    _ = (slotStates, slotBuffers, notificationPipe, signalsHandler)
    _ = (finalising.load(ordering: .relaxed), pendingSignal.load(ordering: .relaxed))
  }
}

/// The handler: async-signal-safe calls only (write, unlink, signal, sigprocmask, raise).
private let signalsHandler: @convention(c) (Int32) -> Void = { signal in
  let savedErrno = errno
  defer { errno = savedErrno }
  if finalising.load(ordering: .sequentiallyConsistent) != 0
    && pendingSignal.compareExchange(expected: 0, desired: signal, ordering: .sequentiallyConsistent)
      .exchanged
  {
    var byte: UInt8 = 1
    _ = write(notificationPipe[1], &byte, 1)
    return
  }
  for slot in 0..<16 where slotStates[slot] != 0 {
    unlink(slotBuffers.advanced(by: slot * Int(PATH_MAX)))
  }
  Glibc.signal(signal, SIG_DFL)
  var set = sigset_t()
  sigemptyset(&set)
  sigaddset(&set, signal)
  sigprocmask(SIG_UNBLOCK, &set, nil)
  raise(signal)
}
