import Glibc

/// The monotonic clock the followers use for intervals (poll pacing, grace periods, heartbeats):
/// it never jumps when the wall clock is set.
public enum FollowClock {
    /// Milliseconds on `CLOCK_MONOTONIC` (clock_gettime(2)), from an arbitrary origin.
    public static func milliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
