import Dispatch
import Glibc

/// Turns signals into bytes on a pipe, so a stage's single `poll(2)` loop sees them like input.
///
/// A dispatch signal source installs no handler of its own, so each signal is first ignored with
/// `signal(2)` and then observed on a dispatch queue, which writes the signal number to the pipe.
/// No code runs in signal-handler context.
public final class SignalWatcher: @unchecked Sendable {
    /// The descriptor to poll for readability; read signals with `pendingSignals()`.
    public let descriptor: Int32
    private let writeEnd: Int32
    // Kept alive for as long as the watcher; only touched at init.
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "logpipe.signals")

    /// Starts watching `signals`.
    public init(_ signals: [Int32]) {
        var ends: [Int32] = [0, 0]
        _ = pipe(&ends)
        for end in ends {
            // Non-blocking so that neither draining the pipe nor a burst of signals can stall anyone.
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        descriptor = ends[0]
        writeEnd = ends[1]
        let writeEnd = self.writeEnd
        // A parent may have started us with these signals blocked (a test runner's thread does);
        // blocked, they would never reach the dispatch sources below. See sigprocmask(2).
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for number in signals { sigaddset(&unblock, number) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(writeEnd, &byte, 1)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The signals received since the last call, in order, without blocking.
    public func pendingSignals() -> [Int32] {
        var received: [Int32] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            guard count > 0 else { break }
            received.append(contentsOf: buffer[0..<count].map { Int32($0) })
        }
        return received
    }

    /// Ignores SIGPIPE, so that a closed pipe is an `EPIPE` error from `write(2)` rather than death.
    public static func ignoreBrokenPipe() {
        signal(SIGPIPE, SIG_IGN)
    }
}
