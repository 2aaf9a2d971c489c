import Dispatch
import Glibc

/// Makes SIGINT and SIGTERM end logtail within a grace period even when its loop cannot act on them.
///
/// The loop handles a stop signal between two passes: it flushes what is complete and exits. But
/// while downstream is alive and not reading, the loop is stuck in `write(2)` to a full pipe and
/// never gets there. This watchdog observes the same signals (a second dispatch source beside
/// `SignalWatcher`'s) and, if the process is still running `grace` seconds after one, exits with
/// status 0 without the unwritable output.
final class StopWatchdog: @unchecked Sendable {
    private let queue = DispatchQueue(label: "logtail.stop-watchdog")
    // Kept alive for as long as the watchdog; only touched at init.
    private var sources: [any DispatchSourceSignal] = []

    /// Starts watching `signals` (already ignored by `SignalWatcher`, so no handler is installed).
    init(signals: [Int32] = [SIGINT, SIGTERM], grace: DispatchTimeInterval = .seconds(2)) {
        for number in signals {
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            let queue = self.queue
            source.setEventHandler {
                queue.asyncAfter(deadline: .now() + grace) { _exit(0) }
            }
            source.resume()
            sources.append(source)
        }
    }
}
