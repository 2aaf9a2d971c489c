/// How many requests the traffic generator writes in each second: a rate in requests per second as a
/// function of the second, counted from 0 at the start of generation.
///
/// A profile is a sum of segments, each adding a constant rate over a half-open span of seconds
/// `[start, end)`:
/// - `steady(rate:)`: one segment `[0, ∞)`.
/// - `burst(...)`: the base rate over `[0, ∞)` plus the burst rate over
///   `[burstStart, burstStart + burstDuration)`; the burst rate is *added* to the base rate.
/// - `phases(_:)`: consecutive segments, one per `(rate, seconds)` phase, then no traffic.
///
/// **Exact line counts.** Rates are held in thousandths of a request per second, so arithmetic is exact.
/// With `C(t)` the integral of the rate over `[0, t)` (in requests), second `s` holds exactly
/// `floor(C(s + 1)) - floor(C(s))` requests. For whole-number rates this is simply the rate in force
/// during second `s`: a steady 7 req/s writes 7 lines every second; a burst profile writes
/// `base + (burstStart <= s < burstStart + burstDuration ? burstRate : 0)`. A fractional rate spreads
/// the remainder evenly: 2.5 req/s writes 2, 3, 2, 3, ... (5 lines every 2 seconds).
public struct TrafficProfile: Sendable, Equatable {
    /// A constant rate added over the seconds `[start, end)`.
    public struct Segment: Sendable, Equatable {
        /// First second of the segment.
        public var start: Int
        /// First second after the segment, or nil when it never ends.
        public var end: Int?
        /// Requests per second, in thousandths (`2500` is 2.5 req/s).
        public var milliRate: Int64

        /// Creates a segment.
        public init(start: Int, end: Int?, milliRate: Int64) {
            self.start = start
            self.end = end
            self.milliRate = milliRate
        }
    }

    /// The segments whose rates add up to the profile.
    public var segments: [Segment]
    /// How long the profile lasts by itself (the sum of the phases), or nil when it goes on forever.
    public var naturalLength: Int?

    /// Creates a profile from segments.
    public init(segments: [Segment], naturalLength: Int?) {
        self.segments = segments
        self.naturalLength = naturalLength
    }

    /// The same rate every second.
    /// - Parameter rate: requests per second, at least 0; kept to thousandths.
    public static func steady(rate: Double) -> TrafficProfile {
        TrafficProfile(segments: [Segment(start: 0, end: nil, milliRate: milli(rate))], naturalLength: nil)
    }

    /// A base rate with a burst added over `[burstStart, burstStart + burstDuration)` seconds.
    /// - Parameters:
    ///   - baseRate: requests per second all the time.
    ///   - burstRate: extra requests per second during the burst.
    ///   - burstStart: the first second of the burst, from the start of generation.
    ///   - burstDuration: the burst's length in seconds.
    public static func burst(baseRate: Double, burstRate: Double, burstStart: Int, burstDuration: Int)
        -> TrafficProfile
    {
        TrafficProfile(
            segments: [
                Segment(start: 0, end: nil, milliRate: milli(baseRate)),
                Segment(start: burstStart, end: burstStart + burstDuration, milliRate: milli(burstRate)),
            ], naturalLength: nil)
    }

    /// Consecutive phases, each a rate held for a number of seconds; no traffic after the last one.
    public static func phases(_ phases: [(rate: Double, seconds: Int)]) -> TrafficProfile {
        var segments: [Segment] = []
        var start = 0
        for phase in phases {
            segments.append(Segment(start: start, end: start + phase.seconds, milliRate: milli(phase.rate)))
            start += phase.seconds
        }
        return TrafficProfile(segments: segments, naturalLength: start)
    }

    /// The number of requests in second `second` (0 is the first second); 0 before the start.
    public func hits(inSecond second: Int) -> Int {
        guard second >= 0 else { return 0 }
        return Int(milliHits(before: second + 1) / 1000 - milliHits(before: second) / 1000)
    }

    /// The number of requests in the seconds `[0, seconds)`: the lines a run of that length writes.
    public func totalHits(inFirst seconds: Int) -> Int {
        guard seconds > 0 else { return 0 }
        return Int(milliHits(before: seconds) / 1000)
    }

    /// The integral of the rate over `[0, time)`, in thousandths of a request.
    private func milliHits(before time: Int) -> Int64 {
        var total: Int64 = 0
        for segment in segments {
            let end = min(time, segment.end ?? Int.max)
            if end > segment.start { total += segment.milliRate * Int64(end - segment.start) }
        }
        return total
    }

    /// When, within its second, the line `index` of `count` is due: spread evenly from the second's
    /// start, in nanoseconds (`index * 10^9 / count`).
    public static func offsetWithinSecond(line index: Int, of count: Int) -> Int64 {
        guard count > 0 else { return 0 }
        return Int64(index) * 1_000_000_000 / Int64(count)
    }

    private static func milli(_ rate: Double) -> Int64 {
        Int64((max(0, rate) * 1000).rounded())
    }
}
