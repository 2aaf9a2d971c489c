/// The high-traffic rule, as a value-type state machine: the core of logalert.
///
/// At every second boundary `t` the rule looks at the hits in `[t - window, t)` and divides them by
/// `window` (also while fewer than `window` seconds have been seen, so a burst right after start-up
/// counts). It fires when that average is strictly greater than `threshold` and recovers when it is
/// strictly below the recovery threshold (`recoverBelow`, the threshold itself by default); an average
/// exactly at the threshold keeps a normal or an active alert as it is, while a pending alert (`holdFor`)
/// drops back to normal, because its condition, an average above the threshold, no longer holds (as a
/// Prometheus `for:` clause restarts when its expression is false once). Each transition is reported
/// once, at the boundary where it happens. Options, all off by default: `holdFor` (the condition must hold that many seconds
/// before firing, like Prometheus `for:`) and `requireFullWindow` (no alert before a whole window of
/// data has been seen).
///
/// Time comes only from the seconds fed in (`record`) and the boundaries evaluated (`evaluate`): the
/// rule never reads a clock, so replaying a log gives the same transitions as following it live.
public struct AlertRule: Sendable {
    /// The rule's parameters.
    public struct Configuration: Sendable, Equatable {
        /// Requests per second that must be exceeded to fire.
        public var threshold: Double = 10
        /// The averaging window in seconds.
        public var window: Int = 120
        /// Requests per second the average must fall below to recover; nil means `threshold`.
        public var recoverBelow: Double?
        /// Seconds the condition must hold before the alert fires; 0 fires at once.
        public var holdFor: Int = 0
        /// Whether to wait for a whole window of data before any alert.
        public var requireFullWindow = false

        /// The mission's rule: more than 10 requests/s over 2 minutes.
        public init() {}

        /// The threshold below which an active alert recovers.
        public var recoveryThreshold: Double { recoverBelow ?? threshold }
    }

    /// Where the rule stands.
    public enum State: Sendable, Equatable {
        /// Below the threshold (or at it, never having exceeded it).
        case normal
        /// Above the threshold since `since`, waiting out `holdFor`.
        case pending(since: Int64)
        /// Alert active since `since`.
        case alerting(since: Int64)
    }

    /// A change of state to announce.
    public struct Transition: Sendable, Equatable {
        /// `.alert` or `.recovery`.
        public var kind: AlertRecord.Kind
        /// The boundary at which it happened.
        public var at: Int64
        /// Hits in the window `[at - window, at)`.
        public var hits: Int
        /// `hits / window`.
        public var average: Double
    }

    /// What feeding a bucket or a gap did: the transitions, and the late hits that came too late to
    /// count (their second had already left the window).
    public struct Outcome: Sendable, Equatable {
        /// The transitions, oldest first.
        public var transitions: [Transition] = []
        /// Late hits not counted by the rule (they stay in their bucket's `late`).
        public var hitsTooLate = 0
        /// The oldest second of those hits.
        public var oldestTooLate: Int64?

        /// Nothing happened.
        public init() {}
    }

    /// The rule's parameters.
    public let configuration: Configuration
    /// The current state.
    public private(set) var state: State = .normal
    /// The hits per second of the last `window` seconds.
    public private(set) var traffic: TrafficWindow
    /// The first second with data, for `requireFullWindow`.
    private var firstSecond: Int64?
    /// The last boundary evaluated.
    public private(set) var lastBoundary: Int64?
    /// Late hits whose second had already left the window when they arrived: shown in their bucket's
    /// `late`, not counted by the rule.
    public private(set) var hitsTooLate = 0

    /// Creates the rule in the normal state.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        traffic = TrafficWindow(length: configuration.window)
    }

    /// Whether an alert is active.
    public var isAlerting: Bool {
        if case .alerting = state { return true }
        return false
    }

    /// Hits in the current window.
    public var windowHits: Int { traffic.total }

    /// The current window's average, requests per second.
    public var average: Double { Double(traffic.total) / Double(configuration.window) }

    // MARK: - Events

    /// Counts `hits` in `second`. Seconds are normally fed in order; an older second still inside the
    /// window (a late line) is added to it, an older one is ignored.
    /// - Returns: false when the hits were too old to count.
    @discardableResult
    public mutating func record(hits: Int, at second: Int64) -> Bool {
        if firstSecond == nil { firstSecond = second }
        let counted = traffic.add(hits, at: second)
        if !counted { hitsTooLate = hitsTooLate.saturatingAdding(hits) }
        return counted
    }

    /// Evaluates the rule at boundary `boundary`: the window is `[boundary - window, boundary)`.
    /// Seconds between the last one recorded and `boundary` count zero.
    /// - Returns: the transition that happens at this boundary, if any.
    public mutating func evaluate(at boundary: Int64) -> Transition? {
        if firstSecond == nil { firstSecond = boundary - 1 }
        traffic.moveForward(to: boundary - 1)
        lastBoundary = boundary
        let average = self.average
        let above = average > configuration.threshold
        switch state {
        case .normal:
            guard above, fullWindowRequirementMet(at: boundary) else { return nil }
            if configuration.holdFor > 0 {
                state = .pending(since: boundary)
                return nil
            }
            return fire(at: boundary)
        case .pending(let since):
            guard above else {
                state = .normal
                return nil
            }
            guard boundary - since >= Int64(configuration.holdFor) else { return nil }
            return fire(at: boundary)
        case .alerting:
            guard average < configuration.recoveryThreshold else { return nil }
            state = .normal
            return Transition(kind: .recovery, at: boundary, hits: traffic.total, average: average)
        }
    }

    /// Feeds a whole bucket: its late seconds, then each second it covers followed by the boundary
    /// after it. A gap since the previous bucket counts as seconds of zero hits. The seconds from the
    /// bucket's `observedEnd` on (the input ended there) are not evaluated: a replay ends where the
    /// log ends.
    public mutating func consume(_ bucket: BucketRecord) -> Outcome {
        var outcome = Outcome()
        // A late second before the last boundary joins the window now: it counts at every boundary
        // from here on. One at or after it (a producer other than logagg, a bucket after a jump) is
        // an ordinary second of the silence evaluated below, counted from its own boundary on.
        var ahead: [SecondCount] = []
        for late in bucket.lateSeconds {
            if let last = lastBoundary, late.at >= last, bucket.start > last {
                ahead.append(late)
            } else if !record(hits: late.hits, at: late.at) {
                outcome.hitsTooLate = outcome.hitsTooLate.saturatingAdding(late.hits)
                outcome.oldestTooLate = min(outcome.oldestTooLate ?? late.at, late.at)
            }
        }
        if let last = lastBoundary, bucket.start > last {
            var next = last + 1
            for late in ahead.sorted(by: { $0.at < $1.at }) {
                if late.at >= next { evaluateGap(from: next, through: late.at, into: &outcome.transitions) }
                record(hits: late.hits, at: late.at)
                next = max(next, late.at + 1)
            }
            if bucket.start >= next { evaluateGap(from: next, through: bucket.start, into: &outcome.transitions) }
        }
        let covered = Int(bucket.coveredEnd - bucket.start)
        for (offset, hits) in bucket.perSecond.prefix(covered).enumerated() {
            let second = bucket.start + Int64(offset)
            if let last = lastBoundary, second + 1 <= last { continue }
            record(hits: hits, at: second)
            if let transition = evaluate(at: second + 1) { outcome.transitions.append(transition) }
        }
        return outcome
    }

    /// Feeds a run of empty intervals (a `gap` record): every boundary up to `gap.end` not yet
    /// evaluated is evaluated as silence, in work bounded by the window, not by the gap's length.
    public mutating func consume(_ gap: GapRecord) -> Outcome {
        var outcome = Outcome()
        guard let last = lastBoundary else {
            // The stream starts with silence: nothing to evaluate before it, the clock starts at its end.
            _ = evaluate(at: gap.end)
            return outcome
        }
        if gap.end > last { evaluateGap(from: last + 1, through: gap.end, into: &outcome.transitions) }
        return outcome
    }

    /// Evaluates every boundary in `first...last` as silence, quickly skipping the stretch where
    /// nothing can change: once the window is empty it stays empty, so the first boundary after that
    /// settles the state (an active alert recovers, a pending one drops back) and later ones repeat it.
    /// The work is bounded by the window's length, whatever the length of the silence.
    private mutating func evaluateGap(from first: Int64, through last: Int64, into transitions: inout [Transition]) {
        var boundary = first
        while boundary <= last {
            if let transition = evaluate(at: boundary) { transitions.append(transition) }
            if traffic.total == 0 && boundary < last {
                if let transition = evaluate(at: last) { transitions.append(transition) }
                return
            }
            boundary += 1
        }
    }

    private mutating func fire(at boundary: Int64) -> Transition {
        state = .alerting(since: boundary)
        return Transition(kind: .alert, at: boundary, hits: traffic.total, average: average)
    }

    private func fullWindowRequirementMet(at boundary: Int64) -> Bool {
        guard configuration.requireFullWindow, let firstSecond else { return true }
        return boundary - firstSecond >= Int64(configuration.window)
    }
}
