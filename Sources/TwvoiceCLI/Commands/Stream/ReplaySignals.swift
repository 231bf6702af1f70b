import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// SIGINT, SIGTERM and SIGHUP during a replay: the caller hangs up, the recording and the log
/// are finished, and the command exits 128 + the signal (130, 143, 129; SIGHUP is 129 like a
/// shell's, not folded into 143, so a script can tell a closed terminal from a kill).
///
/// Kept inside `stream replay` because the shared signal mechanism planned in Support/ was not
/// there in time; when it lands, this is the piece to replace.
enum ReplaySignals {
  /// Written by the handler on whichever thread the signal lands on, read by the replay's loop:
  /// an atomic (lock-free, so async-signal-safe), not a plain variable.
  private static let caught = Atomic<Int32>(0)

  static func install() {
    Interrupt.install()
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGTERM)
    sigaddset(&set, SIGHUP)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    caught.store(0, ordering: .sequentiallyConsistent)
    signal(SIGTERM) { ReplaySignals.caught.store($0, ordering: .sequentiallyConsistent) }
    signal(SIGHUP) { ReplaySignals.caught.store($0, ordering: .sequentiallyConsistent) }
  }

  static func uninstall() {
    signal(SIGTERM, SIG_DFL)
    signal(SIGHUP, SIG_DFL)
  }

  /// The signal received, if any.
  static var received: Int32? {
    let signal = caught.load(ordering: .sequentiallyConsistent)
    if signal != 0 { return signal }
    return Interrupt.isRequested ? SIGINT : nil
  }

  static func name(_ signal: Int32?) -> String {
    switch signal {
    case SIGTERM: "SIGTERM"
    case SIGHUP: "SIGHUP"
    default: "SIGINT"
    }
  }
}
