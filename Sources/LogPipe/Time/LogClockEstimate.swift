/// The time a heartbeat carries: the log's own clock, estimated from the wall clock and the lag
/// observed between fresh lines' timestamps and the moment logtail read them.
///
/// A log whose timestamps run behind the machine's clock (a skewed server clock, a log shipped over a
/// slow link) would make every line "late" if heartbeats carried the raw wall clock: a heartbeat would
/// close buckets the log has not reached yet. So a heartbeat carries `wall clock − lag`, where
///
/// - the lag of one line is `read time − timestamp`: a line stamped `T` read at `T + 0.3` shows that
///   the log may run up to 0.3 s behind, so a heartbeat at wall time `w` carries `⌊w − 0.3⌋`, the last
///   second whose lines can all have been written. (Measuring from `T + 1` instead took the most
///   hopeful reading and ran up to a second ahead of the log, which logagg then had to cover with a
///   second or two of lateness before closing a bucket.) With lines arriving steadily the smallest lag
///   is a few milliseconds above the true skew;
/// - only *fresh* lines count: lines read while following, after logtail first caught up (never a
///   backlog), whose timestamp is at most `maximumLead` seconds ahead of the wall clock (a line dated
///   in the future never pulls heartbeats forward) and at most `maximumLag` behind it (a line dated in
///   the past, or a log skewed beyond that, is not a clock to follow);
/// - the estimate is the smallest lag of the fresh lines read in the last `memory` seconds (the line
///   written fastest shows the skew; a slow request logged late does not), clamped at 0, so a heartbeat
///   is never ahead of the wall clock. While no line arrives the last estimate is kept, and a larger
///   lag replaces a smaller one only when at least two lines show it, so one stray old line cannot hold
///   heartbeats back.
///
/// The estimate is a pure value: the shell passes the times in.
public struct LogClockEstimate: Sendable {
    /// Tunables.
    public struct Configuration: Sendable {
        /// Lines further behind the wall clock than this (seconds) are not used.
        public var maximumLag: Int64 = 3600
        /// Lines further ahead of the wall clock than this (seconds) are not used.
        public var maximumLead: Int64 = 2
        /// Seconds of wall time over which the smallest lag is taken.
        public var memory: Int64 = 300
        /// Milliseconds a heartbeat waits past a second's end (after the lag) before claiming it: a
        /// line stamped just before the boundary may be written, or read, a moment after it (a
        /// server stamps, then writes; logtail looks at idle files every 200 ms).
        public var settleMilliseconds: Int64 = 500

        /// The defaults.
        public init() {}
    }

    /// One second of wall time: the smallest lag seen in it and how many lines showed a lag.
    private struct Bin: Sendable {
        var second: Int64
        var smallestLag: Int64
        var lines: Int
    }

    /// The configuration in force.
    public let configuration: Configuration
    private var bins: [Bin?]
    /// The lag in milliseconds that heartbeats subtract from the wall clock.
    public private(set) var lagMilliseconds: Int64 = 0

    /// Creates an estimate with no lag.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        bins = Array(repeating: nil, count: Int(max(1, configuration.memory)))
    }

    /// Notes a fresh line stamped `lineTime` (epoch seconds), read at `wallMilliseconds` (epoch ms).
    /// - Returns: whether the line was used (false when too far ahead or behind the wall clock).
    @discardableResult
    public mutating func observe(lineTime: Int64, readAtMilliseconds wallMilliseconds: Int64) -> Bool {
        let lineStart = lineTime * 1000
        guard lineStart <= wallMilliseconds + configuration.maximumLead * 1000,
            wallMilliseconds - lineStart - 1000 <= configuration.maximumLag * 1000
        else { return false }
        let lag = max(0, wallMilliseconds - lineStart)
        let second = floorDivide(wallMilliseconds, 1000)
        let slot = Int(((second % Int64(bins.count)) + Int64(bins.count)) % Int64(bins.count))
        if let bin = bins[slot], bin.second == second {
            bins[slot] = Bin(second: second, smallestLag: min(bin.smallestLag, lag), lines: bin.lines + 1)
        } else {
            bins[slot] = Bin(second: second, smallestLag: lag, lines: 1)
        }
        return true
    }

    /// The time a heartbeat written at `wallMilliseconds` carries, in epoch seconds; updates the lag
    /// from the lines of the last `memory` seconds.
    public mutating func heartbeatTime(atMilliseconds wallMilliseconds: Int64) -> Int64 {
        let now = floorDivide(wallMilliseconds, 1000)
        var smallest: Int64?
        var lines = 0
        for bin in bins {
            guard let bin, bin.second <= now, now - bin.second < configuration.memory else { continue }
            smallest = min(smallest ?? bin.smallestLag, bin.smallestLag)
            lines += bin.lines
        }
        // A lag under a second is a line read within its own second: fresh, never a stray old line.
        if let smallest, smallest <= lagMilliseconds || lines >= 2 || smallest < 1000 {
            lagMilliseconds = smallest
        }
        return floorDivide(wallMilliseconds - lagMilliseconds - configuration.settleMilliseconds, 1000)
    }

    private func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }
}
