import Glibc

/// Turns signals into bytes on a pipe, so a stage's single `poll(2)` loop sees them like input.
///
/// The watched signals are blocked in the calling thread before anything else happens, so from then
/// on none can be lost or act on its own: each stays pending until a dedicated thread takes it with
/// `sigwait(2)` and writes its number to the pipe. Threads started later (Dispatch's included) inherit
/// the blocked mask, so the signal is never delivered elsewhere. Create the watcher first thing in
/// `main`, before any other thread exists. No code runs in signal-handler context.
///
/// (Dispatch signal sources, used before, install their handling asynchronously on another thread:
/// a signal sent in the first moments after start, or on a loaded machine, could be lost.)
public final class SignalWatcher: @unchecked Sendable {
    /// The descriptor to poll for readability; read signals with `pendingSignals()`.
    public let descriptor: Int32

    /// What the waiting thread needs; it lives as long as the process.
    private final class Waiter {
        var mask: sigset_t
        let writeEnd: Int32
        let alsoNotify: (@Sendable (Int32) -> Void)?

        init(mask: sigset_t, writeEnd: Int32, alsoNotify: (@Sendable (Int32) -> Void)?) {
            self.mask = mask
            self.writeEnd = writeEnd
            self.alsoNotify = alsoNotify
        }

        func run() -> Never {
            while true {
                var number: Int32 = 0
                guard sigwait(&mask, &number) == 0 else { continue }
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(writeEnd, &byte, 1)
                alsoNotify?(number)
            }
        }
    }

    /// Starts watching `signals`; `alsoNotify` is called on the waiting thread for each one (for a
    /// watchdog that must act even while the main loop is stuck).
    public init(_ signals: [Int32], alsoNotify: (@Sendable (Int32) -> Void)? = nil) {
        var mask = sigset_t()
        sigemptyset(&mask)
        for number in signals { sigaddset(&mask, number) }
        pthread_sigmask(SIG_BLOCK, &mask, nil)
        var ends: [Int32] = [0, 0]
        _ = pipe(&ends)
        for end in ends {
            // Non-blocking so that neither draining the pipe nor a burst of signals can stall anyone.
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        descriptor = ends[0]
        let waiter = Waiter(mask: mask, writeEnd: ends[1], alsoNotify: alsoNotify)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(waiter).toOpaque()
        let started = pthread_create(
            &thread, nil,
            { context in
                Unmanaged<Waiter>.fromOpaque(context!).takeUnretainedValue().run()
            }, context)
        if started == 0 { pthread_detach(thread) }
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
