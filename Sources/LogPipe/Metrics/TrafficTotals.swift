/// What the buckets, gaps and alert transitions a stage has read add up to since it started: the
/// counters of `logalert --textfile` (Prometheus counters, which must never go down).
///
/// Every sum saturates at `Int.max` (`Int64.max` for bytes) instead of trapping or wrapping, so each
/// counter is non-decreasing over the process's lifetime however hostile the counts it is fed
/// (docs/PROTOCOL.md allows 10^12 per count and `Int64.max` bytes per bucket). They start at zero with
/// the process: a restart resets them, which Prometheus's `rate()` and `increase()` handle as a
/// counter reset.
public struct TrafficTotals: Sendable, Equatable {
    /// Requests counted in buckets (`hits`) by status class, saturating.
    public private(set) var statusClasses = StatusClassCounts()
    /// Hits not covered by the buckets' status classes: a bucket whose `status` is absent or adds up
    /// to less than its `hits` (never one written by logagg or logmerge).
    public private(set) var unclassified = 0
    /// Response bytes of the counted requests.
    public private(set) var bytes: Int64 = 0
    /// Late requests (`late`): counted by the alert rule while their second was in its window, not in
    /// the hits of any bucket.
    public private(set) var late = 0
    /// Requests counted nowhere (`dropped`).
    public private(set) var dropped = 0
    /// Invalid log lines (`invalid`).
    public private(set) var invalid = 0
    /// Requests logtail's filters kept out of the counts (`excluded`), by reason, saturating.
    public private(set) var excluded = ExclusionCounts()
    /// Buckets read.
    public private(set) var buckets = 0
    /// Gap records read.
    public private(set) var gaps = 0
    /// Alerts fired.
    public private(set) var alerts = 0
    /// Alerts recovered.
    public private(set) var recoveries = 0
    /// The end of the last bucket (its `observed_end` when it has one) or gap read: how far the stream's
    /// event time has come; nil before the first.
    public private(set) var lastEnd: Int64?
    /// The distinct clients and sections of the last bucket read (point values, not sums).
    public private(set) var lastDistinctClients = 0
    public private(set) var lastDistinctSections = 0
    /// Requests per source (a bucket's `source`, or a merged bucket's `sources` entries), for at most
    /// `maximumSources` names; the hits of any further source go to `untrackedSourceRequests`, so a
    /// stream that invents names cannot grow the file without bound.
    public private(set) var sourceRequests: [String: Int] = [:]
    /// Hits of sources beyond the first `maximumSources`.
    public private(set) var untrackedSourceRequests = 0
    /// Each source's state in the last merged bucket that listed it.
    public private(set) var sourceStates: [String: SourceShare.State] = [:]

    /// The most sources given series of their own.
    public static let maximumSources = 1024

    /// All zero.
    public init() {}

    /// Adds a bucket's counts.
    public mutating func add(_ bucket: BucketRecord) {
        statusClasses.add(bucket.statusClasses)
        let classified = bucket.statusClasses.total
        if bucket.hits > classified { unclassified = unclassified.saturatingAdding(bucket.hits - classified) }
        bytes = bytes.saturatingAdding(bucket.bytes)
        late = late.saturatingAdding(bucket.late)
        dropped = dropped.saturatingAdding(bucket.dropped)
        invalid = invalid.saturatingAdding(bucket.invalid)
        excluded.add(bucket.excluded)
        buckets = buckets.saturatingAdding(1)
        lastDistinctClients = bucket.distinctClients
        lastDistinctSections = bucket.distinctSections
        advance(to: bucket.coveredEnd)
        if let shares = bucket.sources {
            for share in shares {
                count(share.hits, for: share.source)
                if sourceStates[share.source] != nil || sourceStates.count < Self.maximumSources {
                    sourceStates[share.source] = share.state
                }
            }
        } else if let source = bucket.source {
            count(bucket.hits, for: source)
        }
    }

    /// Notes a gap: time has moved on with nothing to count.
    public mutating func add(_ gap: GapRecord) {
        gaps = gaps.saturatingAdding(1)
        advance(to: gap.end)
    }

    /// Counts the alerts and recoveries among `transitions`.
    public mutating func count(_ transitions: [AlertRule.Transition]) {
        for transition in transitions {
            switch transition.kind {
            case .alert: alerts = alerts.saturatingAdding(1)
            case .recovery: recoveries = recoveries.saturatingAdding(1)
            }
        }
    }

    /// The stream's time only moves forward here, so the gauge never jumps back for a bucket that
    /// logalert itself warns is not newer than the last one.
    private mutating func advance(to end: Int64) {
        lastEnd = max(lastEnd ?? end, end)
    }

    private mutating func count(_ hits: Int, for source: String) {
        // One hash of the name a bucket, not two (lookup, then store).
        if let index = sourceRequests.index(forKey: source) {
            sourceRequests.values[index] = sourceRequests.values[index].saturatingAdding(hits)
        } else if sourceRequests.count < Self.maximumSources {
            sourceRequests[source] = hits
        } else {
            untrackedSourceRequests = untrackedSourceRequests.saturatingAdding(hits)
        }
    }
}
