/// The traffic of one interval, as kept for the chart: what remains of a bucket once its rankings are
/// no longer needed.
public struct TrafficSample: Sendable, Equatable {
    /// First second of the interval (seconds since the epoch).
    public var start: Int64
    /// End of the interval, exclusive.
    public var end: Int64
    /// Hits in each second; `perSecond[i]` is the second `start + i`. Late hits are added when known.
    public var perSecond: [Int]

    /// Creates a sample.
    public init(start: Int64, end: Int64, perSecond: [Int]) {
        self.start = start
        self.end = end
        self.perSecond = perSecond
    }

    /// Hits in the interval, saturating at `Int.max` (late hits added to a second may have saturated).
    public var hits: Int { perSecond.saturatingSum() }

    /// Requests per second over the interval.
    public var rate: Double { end > start ? Double(hits) / Double(end - start) : 0 }
}
