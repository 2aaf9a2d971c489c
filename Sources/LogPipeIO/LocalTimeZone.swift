import Glibc
import LogPipe

/// The process's local time zone, as `localtime_r(3)` sees it: `TZ` when set, else /etc/localtime.
public enum LocalTimeZone {
    /// The UTC offset of the local zone at each instant (DST included).
    public static let offsetProvider: UTCOffsetProvider = { epochSeconds in
        var time = time_t(epochSeconds)
        var parts = tm()
        guard localtime_r(&time, &parts) != nil else { return 0 }
        return Int(parts.tm_gmtoff)
    }

    /// The current time in whole seconds since the epoch: the wall clock, read only by the shells.
    public static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec)
    }
}
