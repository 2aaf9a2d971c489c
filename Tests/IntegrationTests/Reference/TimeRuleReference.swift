/// An independent reference of issue 11's time rule, written only from /work/spec/TIME-RULE.md (copied
/// into the comments of `TimeRuleReference.Aggregator` and `TimeRuleReference.AlertRule` where each
/// step is implemented), to be compared with the real `logagg` and `logalert` by
/// `DifferentialTests`; and of issue 15's rule for excluded requests, written from docs/DESIGN.md
/// (*Filters at the source*, quoted at `Aggregator.count`).
///
/// It shares no code with `Sources/`: plain values, plain loops, and the alert rule summed from
/// scratch at every boundary. Slow and obviously correct is the point.
enum TimeRuleReference {
    /// The document's J: the largest forward jump a request may make without confirmation.
    static let maximumJump: Int64 = 3600
    /// The document's Q: the longest silence written as individual empty buckets.
    static let longestSilence: Int64 = 3600

    /// The start of the interval of length `interval` holding `time`: floor division, also below zero.
    static func bucketStart(_ time: Int64, interval: Int64) -> Int64 {
        let quotient = time / interval
        let floored = (time % interval != 0 && time < 0) ? quotient - 1 : quotient
        return floored * interval
    }

    /// One input of logagg, in arrival order.
    enum Input: Equatable, CustomStringConvertible {
        /// A request at its event time.
        case request(Int64)
        /// A heartbeat at a time of logtail's clock.
        case heartbeat(Int64)
        /// An invalid line, with its time when one could be read.
        case invalid(Int64?)
        /// A request logtail's filters excluded (an `excluded` record): its time and reason.
        case excluded(Int64, String)

        var description: String {
            switch self {
            case .request(let time): "request \(time)"
            case .heartbeat(let time): "heartbeat \(time)"
            case .invalid(let time): "invalid \(time.map(String.init) ?? "-")"
            case .excluded(let time, let reason): "excluded \(time) \(reason)"
            }
        }
    }

    /// A late second of a bucket: `hits` late requests dated `at`.
    struct LateSecond: Equatable, CustomStringConvertible {
        var at: Int64
        var hits: Int
        var description: String { "\(at):\(hits)" }
    }

    /// The time-handling members of a `bucket` record.
    struct Bucket: Equatable, CustomStringConvertible {
        var start: Int64
        var end: Int64
        var hits = 0
        var perSecond: [Int]
        var late = 0
        var lateSeconds: [LateSecond] = []
        var dropped = 0
        var invalid = 0
        /// Excluded requests by reason; reasons with no count are absent.
        var excluded: [String: Int] = [:]
        var observedEnd: Int64?

        init(start: Int64, end: Int64) {
            self.start = start
            self.end = end
            perSecond = Array(repeating: 0, count: Int(end - start))
        }

        var description: String {
            var text = "bucket [\(start), \(end)) hits \(hits)"
            if perSecond.contains(where: { $0 != 0 }) { text += " per_second \(perSecond)" }
            if late != 0 || !lateSeconds.isEmpty { text += " late \(late) \(lateSeconds)" }
            if dropped != 0 { text += " dropped \(dropped)" }
            if invalid != 0 { text += " invalid \(invalid)" }
            if !excluded.isEmpty { text += " excluded \(excluded.sorted { $0.key < $1.key })" }
            if let observedEnd { text += " observed_end \(observedEnd)" }
            return text
        }
    }

    /// A record logagg writes and logalert forwards.
    enum AggregateRecord: Equatable, CustomStringConvertible {
        case bucket(Bucket)
        /// A run of empty buckets `[start, end)`.
        case gap(start: Int64, end: Int64)

        var start: Int64 {
            switch self {
            case .bucket(let bucket): bucket.start
            case .gap(let start, _): start
            }
        }

        var description: String {
            switch self {
            case .bucket(let bucket): bucket.description
            case .gap(let start, let end): "gap [\(start), \(end))"
            }
        }
    }

    /// A record logalert adds to the stream.
    enum RuleRecord: Equatable, CustomStringConvertible {
        /// `alert` or `recovery` at boundary `at` with the window's hits.
        case transition(kind: String, at: Int64, hits: Int)
        /// The `window` record after a bucket or gap.
        case window(at: Int64, hits: Int, state: String)

        var description: String {
            switch self {
            case .transition(let kind, let at, let hits): "\(kind) at \(at) hits \(hits)"
            case .window(let at, let hits, let state): "window at \(at) hits \(hits) \(state)"
            }
        }

        var isTransition: Bool {
            if case .transition = self { return true }
            return false
        }
    }
}
