import LogPipe

/// A seeded stream of bucket and gap records written straight to logalert, for what logagg never
/// sends but the document still rules on: a bucket dated 2100 amid real ones, a forward jump confirmed
/// by the next record, a bucket repeated after its seconds were evaluated, an `observed_end` before the
/// last bucket, late seconds older than the window or dated after the last boundary evaluated (after a
/// skip). Every record is valid by PROTOCOL.md's limits (a late second is before its bucket's start).
struct AdversarialBuckets {
    var seed: UInt64
    var window: Int64
    var threshold: String
    var holdFor: Int64?
    var records: [TimeRuleReference.AggregateRecord] = []
    var features: [String] = []

    var alertArguments: [String] {
        ["--window", "\(window)", "--threshold", threshold] + (holdFor.map { ["--for", "\($0)"] } ?? [])
    }

    var summary: String {
        "bucket stream seed \(seed): logalert \(alertArguments.joined(separator: " ")); \(records.count) records; "
            + features.joined(separator: ", ")
    }

    static func make(seed: UInt64) -> AdversarialBuckets {
        var random = SplitMix64(seed: seed)
        func pick<T>(_ choices: [T]) -> T { choices[random.next(below: choices.count)] }
        func uniform(_ range: ClosedRange<Int64>) -> Int64 {
            range.lowerBound + Int64(random.next(below: Int(range.upperBound - range.lowerBound + 1)))
        }
        let jump = TimeRuleReference.maximumJump
        let interval: Int64 = pick([1, 5, 10, 60])
        var stream = AdversarialBuckets(
            seed: seed, window: pick([30, 120]), threshold: pick(["0.5", "1", "2.25"]),
            holdFor: random.next(below: 4) == 0 ? pick([2, 10]) : nil)
        let rate = Double(stream.threshold)!
        var start = TimeRuleReference.bucketStart(uniform(1_000_000_000...1_900_000_000), interval: interval)

        func bucket(at start: Int64, level: Double) -> TimeRuleReference.Bucket {
            var bucket = TimeRuleReference.Bucket(start: start, end: start + interval)
            for index in bucket.perSecond.indices {
                let whole = Int(level)
                bucket.perSecond[index] = whole + (random.nextUnit() < level - Double(whole) ? 1 : 0)
            }
            bucket.hits = bucket.perSecond.reduce(0, +)
            return bucket
        }
        func lateSeconds(before start: Int64) -> [TimeRuleReference.LateSecond] {
            let ages: [Int64] = [1, 2, stream.window - 1, stream.window, stream.window + 1, stream.window + 50]
            var seconds: [TimeRuleReference.LateSecond] = []
            for age in Set((0..<(1 + random.next(below: 3))).map { _ in pick(ages) + uniform(0...interval) }).sorted(
                by: >)
            {
                seconds.append(
                    TimeRuleReference.LateSecond(at: start - age, hits: 1 + random.next(below: Int(rate * 30) + 1)))
            }
            return seconds
        }

        for _ in 0..<(20 + random.next(below: 60)) {
            switch random.next(below: 12) {
            case 0:
                var late = bucket(at: start, level: rate * random.nextUnit())
                late.lateSeconds = lateSeconds(before: start)
                late.late = late.lateSeconds.map(\.hits).reduce(0, +)
                stream.records.append(.bucket(late))
                start += interval
                stream.features.append("late seconds")
            case 1:
                let absurd = TimeRuleReference.bucketStart(4_102_444_800 + uniform(0...1_000_000), interval: interval)
                stream.records.append(.bucket(bucket(at: absurd, level: rate * 3)))
                stream.features.append("absurd bucket")
            case 2:
                let ahead = start + TimeRuleReference.bucketStart(jump + uniform(1...jump), interval: interval)
                stream.records.append(.bucket(bucket(at: ahead, level: rate)))
                start = ahead + interval
                stream.features.append("jump ahead")
            case 3:
                let skip = TimeRuleReference.bucketStart(uniform(0...jump), interval: interval) + interval
                start += skip
                stream.features.append("skipped \(skip) s")
            case 4:
                let stale = max(
                    interval, TimeRuleReference.bucketStart(uniform(0...stream.window * 2), interval: interval))
                var old = bucket(at: start - stale, level: rate * 2)
                old.lateSeconds = random.next(below: 2) == 0 ? lateSeconds(before: old.start) : []
                old.late = old.lateSeconds.map(\.hits).reduce(0, +)
                stream.records.append(.bucket(old))
                stream.features.append("stale bucket")
            case 5:
                var cut = bucket(at: start, level: rate * 1.5)
                cut.observedEnd = start + uniform(1...interval)
                if cut.observedEnd! < cut.end {
                    for index in Int(cut.observedEnd! - start)..<cut.perSecond.count { cut.perSecond[index] = 0 }
                    cut.hits = cut.perSecond.reduce(0, +)
                } else {
                    cut.observedEnd = nil
                }
                stream.records.append(.bucket(cut))
                start += interval
                stream.features.append("observed_end")
            case 6:
                let end =
                    start + TimeRuleReference.bucketStart(uniform(interval...jump * 30), interval: interval) + interval
                stream.records.append(.gap(start: start, end: end))
                start = end
                stream.features.append("gap")
            default:
                let level = rate * pick([0.5, 0.95, 1.0, 1.05, 1.5, 3])
                for _ in 0..<(1 + random.next(below: Int(stream.window / interval) + 2)) {
                    stream.records.append(.bucket(bucket(at: start, level: level)))
                    start += interval
                }
            }
        }
        return stream
    }

    /// The records as logagg writes them.
    func ndjson() -> String {
        var text = ""
        for record in records {
            switch record {
            case .gap(let start, let end):
                text += "{\"type\":\"gap\",\"v\":2,\"start\":\(start),\"end\":\(end)}\n"
            case .bucket(let bucket):
                let perSecond = bucket.perSecond.map(String.init).joined(separator: ",")
                let late = bucket.lateSeconds.map { "{\"at\":\($0.at),\"hits\":\($0.hits)}" }.joined(separator: ",")
                text +=
                    "{\"type\":\"bucket\",\"v\":2,\"start\":\(bucket.start),\"end\":\(bucket.end),\"hits\":\(bucket.hits),"
                    + "\"per_second\":[\(perSecond)],\"sections\":[],\"distinct_sections\":0,"
                    + "\"status\":{\"1xx\":0,\"2xx\":\(bucket.hits),\"3xx\":0,\"4xx\":0,\"5xx\":0,\"other\":0},\"bytes\":0,"
                    + "\"clients\":[],\"distinct_clients\":0,\"invalid\":0,\"late\":\(bucket.late),\"late_seconds\":[\(late)],"
                    + "\"dropped\":0" + (bucket.observedEnd.map { ",\"observed_end\":\($0)" } ?? "") + "}\n"
            }
        }
        return text
    }
}
