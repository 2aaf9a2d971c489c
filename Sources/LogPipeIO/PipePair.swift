import Glibc

/// An anonymous pipe whose ends are close-on-exec (pipe2(2) with O_CLOEXEC is not visible to
/// Swift; the launcher creates pipes and starts processes on one thread, so no start can slip in
/// between pipe(2) and fcntl(2)).
public enum PipePair {
    /// Creates a pipe; nil when pipe(2) fails (out of descriptors).
    public static func make() -> (read: Int32, write: Int32)? {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return nil }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return (ends[0], ends[1])
    }
}
