import Glibc

/// Waits for any of several descriptors to become readable: a thin wrapper of `poll(2)`.
public enum Poller {
    /// Which of the given descriptors are ready.
    public struct Readiness {
        /// Per descriptor, in the order given: readable, or at end (hang-up or error).
        public var ready: [Bool]
    }

    /// Waits until one of `descriptors` is readable or has hung up, or until `timeoutMilliseconds` pass
    /// (-1 waits indefinitely). EINTR counts as a timeout.
    public static func wait(for descriptors: [Int32], timeoutMilliseconds: Int32) -> Readiness {
        var entries = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let count = poll(&entries, nfds_t(entries.count), timeoutMilliseconds)
        guard count > 0 else { return Readiness(ready: Array(repeating: false, count: descriptors.count)) }
        return Readiness(ready: entries.map { $0.revents != 0 })
    }
}
