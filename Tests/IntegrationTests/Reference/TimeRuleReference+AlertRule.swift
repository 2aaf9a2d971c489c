extension TimeRuleReference {
    /// logalert as TIME-RULE.md describes it ("logalert: the boundaries"), with the window summed from
    /// scratch at every boundary: hits(b) is the sum of the hits delivered so far at the seconds of
    /// [b - W, b), and a boundary is evaluated once, when the document says, so hits delivered after
    /// it never change it.
    struct AlertRule {
        /// W, seconds.
        let window: Int64
        /// T, requests per second.
        let threshold: Double
        /// The recovery threshold (--recover-below, T by default).
        let recoverBelow: Double
        /// --for, seconds: the average must be above T at every boundary of [p, p + D] to fire at p + D.
        let holdFor: Int64

        /// Hits delivered so far, by second.
        private var delivered: [Int64: Int] = [:]
        /// The latest second with delivered hits: a window ending before it is empty.
        private var latestDelivered: Int64?
        /// lb, the last boundary evaluated; nil before the first record.
        private(set) var lastBoundary: Int64?
        private var alerting = false
        /// The first boundary of the current run above T while not alerting (for --for).
        private var pendingSince: Int64?
        /// A record more than J after lb, waiting for the next one to confirm it.
        private var held: AggregateRecord?
        /// The records added to the stream, in order.
        private(set) var output: [RuleRecord] = []
        /// The records dropped as unconfirmed jumps: not evaluated, and not forwarded (the reading is
        /// noted in REF-FINDINGS.md).
        private(set) var dropped: [AggregateRecord] = []
        /// Late seconds at or after the last boundary evaluated in a bucket starting after it (never from
        /// logagg, whose late seconds are before its last boundary): they count from boundary a + 1 on.
        private(set) var lateSecondsAhead = 0
        /// Boundaries evaluated one by one (the rest were skipped as a window of zeros).
        private(set) var boundariesEvaluated = 0

        init(window: Int64, threshold: Double, recoverBelow: Double? = nil, holdFor: Int64 = 0) {
            self.window = window
            self.threshold = threshold
            self.recoverBelow = recoverBelow ?? threshold
            self.holdFor = holdFor
        }

        /// The reference records for a whole stream of buckets and gaps, and the records it dropped.
        static func runDroppingJumps(
            _ records: [AggregateRecord], window: Int64, threshold: Double, recoverBelow: Double? = nil,
            holdFor: Int64 = 0
        ) -> (output: [RuleRecord], dropped: [AggregateRecord], lateSecondsAhead: Int) {
            var rule = AlertRule(window: window, threshold: threshold, recoverBelow: recoverBelow, holdFor: holdFor)
            for record in records { rule.consume(record) }
            rule.finish()
            return (rule.output, rule.dropped, rule.lateSecondsAhead)
        }

        /// The reference records for a whole stream of buckets and gaps.
        static func run(
            _ records: [AggregateRecord], window: Int64, threshold: Double, recoverBelow: Double? = nil,
            holdFor: Int64 = 0
        ) -> [RuleRecord] {
            var rule = AlertRule(window: window, threshold: threshold, recoverBelow: recoverBelow, holdFor: holdFor)
            for record in records { rule.consume(record) }
            rule.finish()
            return rule.output
        }

        /// The hits at the seconds of [boundary - W, boundary) delivered so far, summed one by one.
        func hits(at boundary: Int64) -> Int {
            guard let latestDelivered, latestDelivered >= boundary - window else { return 0 }
            var total = 0
            for second in (boundary - window)..<boundary { total += delivered[second, default: 0] }
            return total
        }

        private mutating func deliver(_ hits: Int, at second: Int64) {
            guard hits > 0 else { return }
            delivered[second, default: 0] += hits
            latestDelivered = max(latestDelivered ?? second, second)
        }

        private mutating func evaluate(_ boundary: Int64) {
            boundariesEvaluated += 1
            let hits = hits(at: boundary)
            let average = Double(hits) / Double(window)
            if !alerting {
                if average > threshold {
                    let since = pendingSince ?? boundary
                    pendingSince = since
                    if boundary - since >= holdFor {
                        alerting = true
                        pendingSince = nil
                        output.append(.transition(kind: "alert", at: boundary, hits: hits))
                    }
                } else {
                    pendingSince = nil
                }
            } else if average < recoverBelow {
                alerting = false
                output.append(.transition(kind: "recovery", at: boundary, hits: hits))
            }
            lastBoundary = boundary
        }

        /// Evaluates the boundaries lastBoundary + 1 ... last with no new per-second hits (a late second
        /// delivered ahead of them counts once its boundary comes). Once a boundary has been evaluated
        /// over an empty window with nothing pending, every later one is the same zero, which changes
        /// nothing, until the next second with delivered hits: those boundaries are skipped.
        private mutating func evaluateSilence(through last: Int64) {
            guard var boundary = lastBoundary.map({ $0 + 1 }) else { return }
            while boundary <= last {
                evaluate(boundary)
                if hits(at: boundary) == 0 && pendingSince == nil {
                    // The window [boundary - W, boundary) is empty: the next boundary that can see a hit
                    // is the one after the next delivered second at or after `boundary`.
                    guard let ahead = delivered.keys.filter({ $0 >= boundary }).min(), ahead + 1 <= last else {
                        lastBoundary = last
                        return
                    }
                    boundary = ahead + 1
                    continue
                }
                boundary += 1
            }
        }

        private var stateName: String { alerting ? "alert" : "ok" }

        private mutating func appendWindow(at boundary: Int64) {
            output.append(.window(at: boundary, hits: hits(at: boundary), state: stateName))
        }

        /// One bucket or gap from logagg, in stream order.
        mutating func consume(_ record: AggregateRecord) {
            // "A bucket or gap whose start is more than J after lb is held: it is accepted when the
            // next bucket or gap starts at or after held.start - J (then both are processed in
            // order), or at end of input; otherwise it is dropped."
            if let waiting = held {
                held = nil
                if record.start >= waiting.start - TimeRuleReference.maximumJump {
                    process(waiting)
                } else {
                    dropped.append(waiting)
                }
            }
            if let lastBoundary, record.start > lastBoundary + TimeRuleReference.maximumJump {
                held = record
                return
            }
            process(record)
        }

        /// End of input: a held record is accepted.
        mutating func finish() {
            if let waiting = held {
                held = nil
                process(waiting)
            }
        }

        private mutating func process(_ record: AggregateRecord) {
            switch record {
            case .bucket(let bucket):
                // 1. late seconds join the window (one that has left it, a < lb - W, can never be counted
                // again); (REVISED) "except, when s > lb, an entry with a >= lb: that one is an ordinary hit
                // at second a, counted only from boundary a + 1 on (it is added during step 2, just before
                // boundary a + 1 is evaluated)". The window is summed by second at each boundary, so a hit
                // delivered now at second a counts from boundary a + 1 on either way.
                for late in bucket.lateSeconds {
                    if let lastBoundary, bucket.start > lastBoundary, late.at >= lastBoundary { lateSecondsAhead += 1 }
                    deliver(late.hits, at: late.at)
                }
                // 2. boundaries lb+1 ... s as silence.
                if let lastBoundary, bucket.start > lastBoundary { evaluateSilence(through: bucket.start) }
                // 3. each second, then its boundary, "skipping seconds whose boundary x+1 <= lb, already
                // evaluated": such a second's hits are not added either ("A bucket that ends at or
                // before lb: its late seconds still count; its seconds were already evaluated"; the
                // reading is noted in REF-FINDINGS.md).
                let end = bucket.observedEnd ?? bucket.end
                for second in bucket.start..<end where lastBoundary.map({ second + 1 > $0 }) ?? true {
                    deliver(bucket.perSecond[Int(second - bucket.start)], at: second)
                    evaluate(second + 1)
                }
                if let lastBoundary { appendWindow(at: lastBoundary) }
            case .gap(_, let end):
                // "the boundaries lb+1 ... E are evaluated with zero hits; ... then one window record
                // with at = E". A gap ending at or before lb evaluates nothing, and its window record
                // is at lb, "the boundary evaluated last" (PROTOCOL.md; noted in REF-FINDINGS.md).
                if let lastBoundary {
                    if end > lastBoundary { evaluateSilence(through: end) }
                } else {
                    lastBoundary = end
                }
                appendWindow(at: lastBoundary!)
            }
        }
    }
}
