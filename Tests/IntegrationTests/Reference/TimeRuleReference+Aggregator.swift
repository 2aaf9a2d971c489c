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

        /// The clock w, the latest accepted time; nil before the first request or heartbeat.
        private(set) var clock: Int64?
        /// `next`, the start of the oldest bucket not yet emitted.
        private var next: Int64 = 0
        private var emittedAny = false
        /// The held request c.
        private(set) var held: Int64?
        /// The open buckets something was counted in, by start; the others are empty.
        private var open: [Int64: Bucket] = [:]
        /// Invalid lines before any clock: "held and added to the first bucket".
        private var invalidBeforeClock = 0
        /// Everything written so far, in order.
        private(set) var output: [AggregateRecord] = []

        init(interval: Int64, lateness: Int64, lateHorizon: Int64) {
            self.interval = interval
            self.lateness = lateness
            self.lateHorizon = lateHorizon
        }

        /// The reference output for a whole input.
        static func run(_ inputs: [Input], interval: Int64, lateness: Int64, lateHorizon: Int64) -> [AggregateRecord] {
            var aggregator = Aggregator(interval: interval, lateness: lateness, lateHorizon: lateHorizon)
            for input in inputs { aggregator.consume(input) }
            aggregator.finish()
            return aggregator.output
        }

        mutating func consume(_ input: Input) {
            switch input {
            case .request(let time): request(time)
            case .heartbeat(let time): heartbeat(time)
            case .invalid(let time): invalid(time)
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

        private mutating func countHit(_ time: Int64) {
            let start = start(time)
            withBucket(start) {
                $0.hits += 1
                $0.perSecond[Int(time - start)] += 1
            }
        }

        private mutating func countLate(_ time: Int64) {
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

        private mutating func countDropped() {
            withBucket(next) { $0.dropped += 1 }
        }

        private mutating func startClock(_ time: Int64) {
            clock = time
            next = start(time)
            if invalidBeforeClock > 0 {
                let count = invalidBeforeClock
                invalidBeforeClock = 0
                withBucket(next) { $0.invalid += count }
            }
        }

        /// "2. If a request c is held, t settles it first: if t >= c - J, c is accepted (the clock
        /// advances to c as in step 4 and c is counted in its bucket); otherwise c is dropped."
        private mutating func settleHeld(by time: Int64) {
            guard let c = held else { return }
            held = nil
            if time >= c - TimeRuleReference.maximumJump {
                advance(to: c)
                countHit(c)
            } else {
                countDropped()
            }
        }

        mutating func request(_ t: Int64) {
            // "1. No clock yet: the clock starts at t: w = t, next = start(t). t is counted in its bucket."
            guard clock != nil else {
                startClock(t)
                countHit(t)
                return
            }
            settleHeld(by: t)
            let w = clock!
            // "3. If t > w + J: t is held."
            if t > w + TimeRuleReference.maximumJump {
                held = t
                return
            }
            // "4. If w < t <= w + J: the clock advances to t ... then t is counted in its own bucket."
            if t > w {
                advance(to: t)
                countHit(t)
                return
            }
            // "5. If t <= w:"
            if t >= next {
                countHit(t)
            } else if !emittedAny && w - t <= lateHorizon {
                next = start(t)
                countHit(t)
            } else if emittedAny && w - t <= lateHorizon {
                countLate(t)
            } else {
                countDropped()
            }
        }

        mutating func heartbeat(_ h: Int64) {
            // "1. No clock yet: the clock starts at h; nothing counted."
            guard clock != nil else {
                startClock(h)
                return
            }
            // "2. A held request c is settled: accepted if h >= c - J, dropped otherwise."
            settleHeld(by: h)
            // "3. If h > w: the clock advances to h. No limit on the jump."
            if h > clock! { advance(to: h) }
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

        /// Moves the clock to `t` (> w) and emits every bucket [s, s+I) with s >= next and
        /// s + I + L <= t: first the still-open ones (up to the bucket of the old clock), one record
        /// each, then the never-opened run after them, as one `gap` when it spans more than Q seconds.
        private mutating func advance(to t: Int64) {
            let oldStart = start(clock!)
            clock = t
            var s = next
            while s + interval + lateness <= t && s <= oldStart {
                emit(s)
                s += interval
            }
            if s + interval + lateness <= t {
                // Buckets after the old clock's: nothing can have been counted in them.
                precondition(open.keys.allSatisfy { $0 < s }, "a never-opened bucket had counts")
                let last = s + (t - interval - lateness - s) / interval * interval
                let count = (last - s) / interval + 1
                if count * interval > TimeRuleReference.longestSilence {
                    output.append(.gap(start: s, end: last + interval))
                    emittedAny = true
                } else {
                    var empty = s
                    while empty <= last {
                        emit(empty)
                        empty += interval
                    }
                }
                s = last + interval
            }
            next = s
        }

        /// "End of input (finish)": accept a held request, emit every open bucket through the bucket
        /// holding w, and mark the last one with observed_end = w + 1 when that is before its end.
        mutating func finish() {
            guard clock != nil else { return }
            if let c = held {
                held = nil
                advance(to: c)
                countHit(c)
            }
            let last = start(clock!)
            var s = next
            while s <= last {
                emit(s)
                s += interval
            }
            next = s
            if case .bucket(var bucket) = output.last, clock! + 1 < bucket.end {
                bucket.observedEnd = clock! + 1
                output[output.count - 1] = .bucket(bucket)
            }
        }
    }
}
