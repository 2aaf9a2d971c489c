import Glibc

/// Waiting for a condition that has no event of its own (a process gone from /proc, a file created by
/// a grandchild), with a deadline: checked every few milliseconds, true as soon as it holds.
public enum Deadline {
    /// Waits up to `timeout` seconds for `condition`; returns whether it came true.
    @discardableResult
    public static func waitUntil(timeout: Double = 20, _ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        var pause = 1
        while !condition() {
            guard ContinuousClock.now < deadline else { return condition() }
            usleep(UInt32(pause * 1000))
            pause = min(pause * 2, 20)
        }
        return true
    }
}
