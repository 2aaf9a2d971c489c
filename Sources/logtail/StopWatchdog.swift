import Dispatch
import Glibc

/// Makes SIGINT and SIGTERM end logtail within a grace period even when its loop cannot act on them.
///
/// The loop handles a stop signal between two passes: it flushes what is complete and exits. But
/// while downstream is alive and not reading, the loop is stuck in `write(2)` to a full pipe and
/// never gets there. `SignalWatcher` tells this watchdog of each signal from its own thread; if the
/// process is still running `grace` seconds after a stop signal, it exits with status 0 without the
/// unwritable output.
final class StopWatchdog: Sendable {
    private let queue = DispatchQueue(label: "logtail.stop-watchdog")
    private let grace: DispatchTimeInterval

    init(grace: DispatchTimeInterval = .seconds(2)) {
        self.grace = grace
    }

    /// Called by `SignalWatcher` for every signal it takes.
    func signalArrived(_ number: Int32) {
        guard number == SIGINT || number == SIGTERM else { return }
        queue.asyncAfter(deadline: .now() + grace) { _exit(0) }
    }
}
