/// Figures summed over every bucket since logview started. Every sum saturates at the type's largest
/// value instead of trapping (`DashboardState` adds with `saturatingAdding`).
public struct DashboardTotals: Sendable, Equatable {
    /// Requests, late ones included (they are real requests counted after their bucket closed).
    public var hits = 0
    /// Requests that arrived after their bucket had been emitted.
    public var late = 0
    /// Requests too old to count anywhere.
    public var dropped = 0
    /// Invalid log lines.
    public var invalid = 0
    /// Requests logtail's filters left out, by reason (never in `hits`).
    public var excluded = ExclusionCounts()
    /// Response bytes.
    public var bytes: Int64 = 0
    /// Hits by status class.
    public var statusClasses = StatusClassCounts()
    /// Buckets received.
    public var buckets = 0
    /// Start of the first bucket, seconds since the epoch.
    public var firstStart: Int64?
    /// End of the latest bucket.
    public var lastEnd: Int64?

    /// Creates zero totals.
    public init() {}

    /// The seconds of traffic covered, from the first bucket's start to the latest bucket's end.
    public var seconds: Int64 {
        guard let firstStart, let lastEnd, lastEnd > firstStart else { return 0 }
        return lastEnd - firstStart
    }

    /// Requests per second since the first bucket.
    public var rate: Double {
        seconds > 0 ? Double(hits) / Double(seconds) : 0
    }
}
