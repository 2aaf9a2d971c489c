extension TimeRuleReference {
    /// logagg as TIME-RULE.md describes it: feed the inputs in arrival order, then `finish()`, and read
    /// `output`. Every comment quoting the document is the step the code below it implements.
    struct Aggregator {
        /// I, seconds.
        let interval: Int64
        /// L, seconds.
        let lateness: Int64
        /// H, seconds.
        let lateHorizon: Int64

        /// The clock w, the latest accepted time; nil before the first request or heartbeat is accepted.
        private(set) var clock: Int64?
        /// `next`, the start of the oldest bucket not yet emitted.
        private var next: Int64 = 0
        /// Whether any bucket (or gap, which stands for its empty buckets) has been written.
        private var emittedAny = false
        /// A request and the input line it came on (1 for the first input; a warning names it).
        struct Request: Equatable, Comparable, CustomStringConvertible {
            var time: Int64
            var line: Int
            /// The reason of an excluded request; nil for a request that counts.
            var exclusion: String? = nil
            static func < (a: Request, b: Request) -> Bool { (a.line, a.time) < (b.line, b.time) }
            var description: String { "line \(line): request dated \(time)" }
        }
        /// The held request c while the clock runs (request step 3).
        private(set) var held: Request?
        /// The held first request c, before any clock (request step 1).
        private(set) var firstHeld: Request?
        /// The request t held "behind" the first one when t < c - J (request step 1's held pair).
        private(set) var behind: Request?
        /// The input line being read.
        private var line = 0
        /// The requests counted as dropped, in the order they were decided: each has a warning naming
        /// its line ("a warning names c's line").
        private(set) var droppedRequests: [Request] = []
        /// The open buckets something was counted in, by start; the others are empty.
        private var open: [Int64: Bucket] = [:]
        /// Invalid lines before any clock: "held and added to the first bucket".
        private var invalidBeforeClock = 0
        /// First requests dropped before any clock: "counted in the first bucket's `dropped`".
        private var droppedBeforeClock = 0
        /// Excluded first requests dropped before any clock, by reason: in the first bucket's `excluded`.
        private var excludedBeforeClock: [String: Int] = [:]
        /// Everything written so far, in order.
        private(set) var output: [AggregateRecord] = []

        /// How often the revised steps were taken, so that the differential test can show it tried them.
        struct Coverage {
            /// Request step 1: two far-apart first requests held together.
            var heldPairs = 0
            /// First requests dropped before any clock (by a pair's third evidence or a heartbeat).
            var firstRequestsDropped = 0
            /// Gaps starting at or before the bucket the clock stood in (buckets it opened, F1).
            var gapsThroughOpenedBuckets = 0
        }
        private(set) var coverage = Coverage()
        /// The bucket holding the clock before the current advance: buckets up to it were opened.
        private var openedThrough: Int64 = 0

        init(interval: Int64, lateness: Int64, lateHorizon: Int64) {
            self.interval = interval
            self.lateness = lateness
            self.lateHorizon = lateHorizon
        }

        /// The reference output for a whole input.
        static func run(_ inputs: [Input], interval: Int64, lateness: Int64, lateHorizon: Int64) -> [AggregateRecord] {
            finished(inputs, interval: interval, lateness: lateness, lateHorizon: lateHorizon).output
        }

        /// The aggregator after a whole input: its `output` and `coverage`.
        static func finished(_ inputs: [Input], interval: Int64, lateness: Int64, lateHorizon: Int64) -> Aggregator {
            var aggregator = Aggregator(interval: interval, lateness: lateness, lateHorizon: lateHorizon)
            for input in inputs { aggregator.consume(input) }
            aggregator.finish()
            return aggregator
        }

        mutating func consume(_ input: Input) {
            line += 1
            switch input {
            case .request(let time): request(Request(time: time, line: line))
            case .heartbeat(let time): heartbeat(time)
            case .invalid(let time): invalid(time)
            case .excluded(let time, let reason): request(Request(time: time, line: line, exclusion: reason))
            }
        }

        private func start(_ time: Int64) -> Int64 {
            TimeRuleReference.bucketStart(time, interval: interval)
        }

        private mutating func withBucket(_ start: Int64, _ change: (inout Bucket) -> Void) {
            var bucket = open[start] ?? Bucket(start: start, end: start + interval)
            change(&bucket)
            open[start] = bucket
        }

        /// DESIGN.md, *Filters at the source*: "An excluded line is, for the clock, a request like any
        /// other ... Where the rule counts a request as a hit of its bucket, or as late or dropped in the
        /// oldest open bucket (or, before any clock, in the first bucket), an excluded line is counted in
        /// the `excluded` of that same bucket, by its reason, and nowhere else; no warning names it."
        /// Returns whether `request` was an excluded one, counted.
        private mutating func countExcluded(_ request: Request, in start: Int64) -> Bool {
            guard let reason = request.exclusion else { return false }
            withBucket(start) { $0.excluded[reason, default: 0] += 1 }
            return true
        }

        private mutating func countHit(_ request: Request) {
            let time = request.time
            let start = start(time)
            if countExcluded(request, in: start) { return }
            withBucket(start) {
                $0.hits += 1
                $0.perSecond[Int(time - start)] += 1
            }
        }

        private mutating func countLate(_ request: Request) {
            let time = request.time
            if countExcluded(request, in: next) { return }
            withBucket(next) {
                $0.late += 1
                if let index = $0.lateSeconds.firstIndex(where: { $0.at == time }) {
                    $0.lateSeconds[index].hits += 1
                } else {
                    $0.lateSeconds.append(LateSecond(at: time, hits: 1))
                    $0.lateSeconds.sort { $0.at < $1.at }
                }
            }
        }

        private mutating func countDropped(_ request: Request) {
            if countExcluded(request, in: next) { return }
            withBucket(next) { $0.dropped += 1 }
            droppedRequests.append(request)
        }

        /// A first request dropped before any clock: "counted in the first bucket's `dropped`".
        private mutating func dropBeforeClock(_ request: Request) {
            if let reason = request.exclusion {
                excludedBeforeClock[reason, default: 0] += 1
                return
            }
            droppedBeforeClock += 1
            coverage.firstRequestsDropped += 1
            droppedRequests.append(request)
        }

        /// Starts the clock at `time` (w = time, next = start(time)); what was held for "the first bucket"
        /// (invalid lines, dropped first requests) goes into the bucket holding `time`.
        private mutating func startClock(_ time: Int64) {
            clock = time
            next = start(time)
            if invalidBeforeClock > 0 {
                let count = invalidBeforeClock
                invalidBeforeClock = 0
                withBucket(next) { $0.invalid += count }
            }
            if droppedBeforeClock > 0 {
                let count = droppedBeforeClock
                droppedBeforeClock = 0
                withBucket(next) { $0.dropped += count }
            }
            if !excludedBeforeClock.isEmpty {
                let counts = excludedBeforeClock
                excludedBeforeClock = [:]
                withBucket(next) { $0.excluded.merge(counts, uniquingKeysWith: +) }
            }
        }

        /// "2. If a request c is held (clock running), t settles it first: if t >= c - J, c is accepted
        /// (the clock advances to c as in step 4 and c is counted in its bucket); otherwise c is dropped."
        private mutating func settleHeld(by time: Int64) {
            guard let c = held else { return }
            held = nil
            if time >= c.time - TimeRuleReference.maximumJump {
                advance(to: c.time)
                countHit(c)
            } else {
                countDropped(c)
            }
        }

        /// Request step 1 (REVISED), and heartbeat step 1 before any clock: the evidence `e` settles the
        /// held first request or pair. Returns whether `e` goes on (it does not when a request `e` is
        /// held behind the first one). When it goes on and the clock is still not started, `e` was a
        /// heartbeat that dropped everything held (or nothing was held).
        private mutating func settleFirst(
            by e: Int64, line: Int, exclusion: String? = nil, isHeartbeat: Bool
        ) -> Bool {
            let jump = TimeRuleReference.maximumJump
            while let c = firstHeld {
                if let t = behind {
                    // "If t < c - J, both are held (c, and t "behind" it) and the NEXT evidence e decides:"
                    if e >= c.time - jump {
                        // "e >= c - J: the clock starts at c, c counted, then t is handled as a request at
                        // or behind the clock (step 5 ...), then e continues normally"
                        firstHeld = nil
                        behind = nil
                        startClock(c.time)
                        countHit(c)
                        request(t)
                        return true
                    }
                    // "e < c - J: c is dropped (counted in the first bucket's `dropped`, warning), t
                    // becomes the held first request, and e settles it as above."
                    dropBeforeClock(c)
                    firstHeld = t
                    behind = nil
                    continue
                }
                // "No clock yet and a first request c held: if t >= c - J, c is accepted: the clock starts
                // at c (w = c, next = start(c)), c is counted in its bucket, and t continues with step 3."
                if e >= c.time - jump {
                    firstHeld = nil
                    startClock(c.time)
                    countHit(c)
                    return true
                }
                if isHeartbeat {
                    // Heartbeat step 1: "accepted if h >= c - J (with no clock yet, the clock starts at c),
                    // dropped otherwise"; step 2 then starts the clock at h.
                    firstHeld = nil
                    dropBeforeClock(c)
                    return true
                }
                // "If t < c - J, both are held (c, and t "behind" it)".
                behind = Request(time: e, line: line, exclusion: exclusion)
                coverage.heldPairs += 1
                return false
            }
            return true
        }

        mutating func request(_ request: Request) {
            let t = request.time
            if clock == nil {
                // "1. (REVISED) No clock yet and nothing held: t is held (the first request cannot be
                // judged alone)."
                guard firstHeld != nil else {
                    firstHeld = request
                    return
                }
                guard settleFirst(by: t, line: request.line, exclusion: request.exclusion, isHeartbeat: false) else {
                    return
                }
            }
            settleHeld(by: t)
            let w = clock!
            // "3. If t > w + J: t is held (nothing else happens: no clock move, no count yet)."
            if t > w + TimeRuleReference.maximumJump {
                held = request
                return
            }
            // "4. If w < t <= w + J: the clock advances to t ... then t is counted in its own bucket."
            if t > w {
                advance(to: t)
                countHit(request)
                return
            }
            // "5. If t <= w:"
            if t >= next {
                countHit(request)
            } else if !emittedAny && w - t <= lateHorizon {
                next = start(t)
                countHit(request)
            } else if emittedAny && w - t <= lateHorizon {
                countLate(request)
            } else {
                countDropped(request)
            }
        }

        mutating func heartbeat(_ h: Int64) {
            // "1. A held request c (or a held pair, see request step 1) is settled first, as by a request
            // at h: accepted if h >= c - J (with no clock yet, the clock starts at c), dropped otherwise."
            if clock == nil {
                _ = settleFirst(by: h, line: line, isHeartbeat: true)
            } else {
                settleHeld(by: h)
            }
            // "2. No clock yet (nothing accepted): the clock starts at h (w = h, next = start(h));
            // nothing counted."
            guard let w = clock else {
                startClock(h)
                return
            }
            // "3. If h > w: the clock advances to h (emitting as in step 4 of a request). No limit on
            // the jump."
            if h > w { advance(to: h) }
        }

        mutating func invalid(_ time: Int64?) {
            guard let w = clock else {
                invalidBeforeClock += 1
                return
            }
            if let time, next <= time, time <= w {
                withBucket(start(time)) { $0.invalid += 1 }
            } else {
                withBucket(next) { $0.invalid += 1 }
            }
        }

        private mutating func emit(_ start: Int64) {
            output.append(.bucket(open.removeValue(forKey: start) ?? Bucket(start: start, end: start + interval)))
            emittedAny = true
        }

        /// Writes the empty buckets [from, to): as ONE gap when they span more than Q seconds, else one
        /// by one.
        private mutating func emitEmptyRun(from: Int64, to: Int64) {
            guard to > from else { return }
            if to - from > TimeRuleReference.longestSilence {
                if from <= openedThrough { coverage.gapsThroughOpenedBuckets += 1 }
                output.append(.gap(start: from, end: to))
                emittedAny = true
            } else {
                var s = from
                while s < to {
                    emit(s)
                    s += interval
                }
            }
        }

        /// Writes the buckets [first, end) in order: "every maximal run of consecutive buckets in which
        /// nothing was counted (no hit, late, dropped or invalid; opened or not) whose total span is
        /// longer than Q seconds ... is written as ONE record instead".
        private mutating func emitBuckets(from first: Int64, to end: Int64) {
            var s = first
            for counted in open.keys.filter({ first <= $0 && $0 < end }).sorted() {
                emitEmptyRun(from: s, to: counted)
                emit(counted)
                s = counted + interval
            }
            emitEmptyRun(from: s, to: end)
        }

        /// "the clock advances to t (w = t), which emits every bucket [s, s+I) with s >= next and
        /// s + I + L <= t, in order"; (REVISED) "Each time the clock advances ... the buckets it closes
        /// are written in order", runs of empty ones longer than Q as one gap: two advances, two records.
        private mutating func advance(to t: Int64) {
            openedThrough = start(clock!)
            clock = t
            guard next + interval + lateness <= t else { return }
            let end = next + (t - interval - lateness - next) / interval * interval + interval
            emitBuckets(from: next, to: end)
            next = end
        }

        /// "End of input (finish)": accept a held request (a held pair in time order, the earlier
        /// starting the clock), emit every open bucket through the bucket holding w, "the last bucket
        /// (the one holding w) is always written as a bucket, never folded into a gap", and mark it
        /// with observed_end = w + 1 when that is before its end.
        mutating func finish() {
            if let c = firstHeld {
                firstHeld = nil
                if let t = behind {
                    behind = nil
                    startClock(t.time)
                    countHit(t)
                    advance(to: c.time)
                    countHit(c)
                } else {
                    startClock(c.time)
                    countHit(c)
                }
            }
            guard clock != nil else { return }
            if let c = held {
                held = nil
                advance(to: c.time)
                countHit(c)
            }
            let last = start(clock!)
            openedThrough = last
            emitBuckets(from: next, to: last)
            emit(last)
            next = last + interval
            if case .bucket(var bucket) = output.last, clock! + 1 < bucket.end {
                bucket.observedEnd = clock! + 1
                output[output.count - 1] = .bucket(bucket)
            }
        }
    }
}
