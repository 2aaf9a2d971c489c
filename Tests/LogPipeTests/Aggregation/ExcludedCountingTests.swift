import Testing

@testable import LogPipe

/// Requests logtail's filters excluded, as logagg counts them (docs/DESIGN.md, *Filters at the
/// source*): in the `excluded` counts of a bucket, never in `hits`, `late` or `dropped`; for the clock
/// they are requests like any other, so the buckets and gaps are those of the same stream unfiltered.
@Suite("Bucket aggregator: excluded requests")
struct ExcludedCountingTests {
    private struct Harness {
        var aggregator: BucketAggregator
        var output = AggregatorOutput()

        init(lateness: Int = 0) {
            var configuration = BucketAggregator.Configuration()
            configuration.allowedLateness = lateness
            aggregator = BucketAggregator(configuration: configuration)
        }

        var buckets: [BucketRecord] { output.buckets }

        mutating func request(_ time: Int64) {
            aggregator.observe(
                RequestObservation(time: time, status: 200, bytes: 1, section: "/", client: "c"), into: &output)
        }

        mutating func excluded(_ time: Int64, _ reason: ExclusionReason = .path) {
            aggregator.observeExcluded(time: time, reason: reason, into: &output)
        }

        mutating func finish() {
            aggregator.finish(into: &output)
        }
    }

    private func counts(_ pairs: (ExclusionReason, Int)...) -> ExclusionCounts {
        var counts = ExclusionCounts()
        for (reason, count) in pairs { counts[reason] = count }
        return counts
    }

    @Test func anExcludedRequestIsCountedByReasonInItsBucketAndNeverAsAHit() {
        var harness = Harness()
        harness.request(100)
        harness.excluded(101, .path)
        harness.excluded(102, .agent)
        harness.excluded(103, .agent)
        harness.request(104)
        harness.finish()
        #expect(harness.buckets.count == 1)
        let bucket = harness.buckets[0]
        #expect(bucket.hits == 2)
        #expect(bucket.perSecond.reduce(0, +) == 2)
        #expect(bucket.statusClasses.total == 2)
        #expect(bucket.excluded == counts((.path, 1), (.agent, 2)))
        #expect(bucket.late == 0 && bucket.dropped == 0)
    }

    @Test func anExcludedRequestMovesTheClockAsARequestWouldAndClosesBuckets() {
        var harness = Harness()
        harness.request(100)
        harness.excluded(112)
        #expect(harness.buckets.map(\.start) == [100], "the line at 112 closes [100, 110)")
        harness.request(105)
        harness.finish()
        #expect(harness.buckets.map(\.start) == [100, 110])
        #expect(harness.buckets[1].late == 1, "a request for the closed bucket is late, as after any line at 112")
        #expect(harness.buckets[1].excluded == counts((.path, 1)))
        #expect(harness.buckets[1].observedEnd == 113, "the replay covered the excluded line's second")
    }

    @Test func anExcludedRequestFarAheadIsHeldAndWhenShownAbsurdCountedAsExcludedNotDropped() {
        var harness = Harness()
        harness.request(100)
        harness.request(101)
        harness.excluded(101 + 3_601 + 100)
        harness.request(102)
        harness.finish()
        #expect(harness.buckets.count == 1)
        #expect(harness.buckets[0].hits == 3)
        #expect(harness.buckets[0].excluded == counts((.path, 1)))
        #expect(harness.buckets[0].dropped == 0)
        #expect(harness.output.notices.isEmpty, "a request excluded anyway is not warned about")
    }

    @Test func anExcludedRequestForAnEmittedBucketIsCountedInTheOldestOpenOneAndNotAsLate() {
        var harness = Harness(lateness: 2)
        harness.request(100)
        harness.request(113)
        harness.request(125)
        #expect(harness.buckets.map(\.start) == [100, 110])
        harness.excluded(101, .client)
        harness.excluded(121, .client)
        harness.finish()
        let last = harness.buckets.last!
        #expect(last.start == 120)
        #expect(last.excluded == counts((.client, 2)))
        #expect(last.late == 0)
    }

    @Test func anExcludedFirstLineShownAbsurdGoesToTheFirstBucket() {
        var harness = Harness()
        harness.excluded(4_070_908_800, .vhost)
        harness.request(100)
        harness.request(101)
        harness.finish()
        #expect(harness.buckets.count == 1)
        #expect(harness.buckets[0].start == 100)
        #expect(harness.buckets[0].hits == 2)
        #expect(harness.buckets[0].excluded == counts((.vhost, 1)))
        #expect(harness.buckets[0].dropped == 0)
    }

    @Test func aRunOfBucketsWithOnlyExcludedRequestsIsNotASilence() {
        var harness = Harness()
        harness.request(0)
        // Two hours of health checks every 10 s, no traffic: no gap, every bucket says what it excluded.
        for time in stride(from: Int64(10), to: 7_200, by: 10) { harness.excluded(time) }
        harness.request(7_200)
        harness.finish()
        #expect(harness.output.records.allSatisfy { if case .bucket = $0 { true } else { false } })
        #expect(harness.buckets.count == 721)
        #expect(harness.buckets.dropFirst().dropLast().allSatisfy { $0.excluded == counts((.path, 1)) && $0.hits == 0 })
    }

    /// The stream of `times` with the lines at `excluded` positions excluded for `reasons`.
    private func run(_ times: [Int64], excluded: Set<Int>, lateness: Int) -> AggregatorOutput {
        var harness = Harness(lateness: lateness)
        for (index, time) in times.enumerated() {
            if excluded.contains(index) {
                harness.excluded(time, ExclusionReason.allCases[index % 4])
            } else {
                harness.request(time)
            }
        }
        harness.finish()
        return harness.output
    }

    @Test func filtersChangeWhatIsCountedNeverTheBucketsAndGaps() {
        var random = SplitMix64(seed: 0xE8)
        var exercised = (excluded: 0, held: 0, gaps: 0)
        for _ in 0..<400 {
            var times: [Int64] = []
            var now: Int64 = 1_000_000 + Int64(random.next(below: 1000))
            for _ in 0..<(1 + random.next(below: 300)) {
                now += Int64(random.next(below: 4))
                var time = now - Int64(random.next(below: 30))
                switch random.next(below: 60) {
                case 0: time = now + 3_601 + Int64(random.next(below: 10_000))  // held, then confirmed or absurd
                case 1: time = now - 4_000  // beyond the late horizon
                case 2: now += 7_200 + Int64(random.next(below: 100_000))  // a silence: a gap
                case 3: time = 4_070_908_800  // 2099
                default: break
                }
                times.append(time)
            }
            let excluded = Set(times.indices.filter { _ in random.next(below: 3) == 0 })
            let lateness = random.next(below: 3)
            let unfiltered = run(times, excluded: [], lateness: lateness)
            let filtered = run(times, excluded: excluded, lateness: lateness)
            func timeline(_ output: AggregatorOutput) -> [String] {
                output.records.map {
                    switch $0 {
                    case .bucket(let bucket): "bucket \(bucket.start) \(bucket.observedEnd.map(String.init) ?? "")"
                    case .gap(let gap): "gap \(gap.start) \(gap.end)"
                    }
                }
            }
            #expect(timeline(filtered) == timeline(unfiltered))
            for (before, after) in zip(unfiltered.buckets, filtered.buckets) {
                #expect(
                    before.hits + before.late + before.dropped
                        == after.hits + after.late + after.dropped + after.excluded.total)
            }
            var counted = ExclusionCounts()
            for bucket in filtered.buckets { counted.add(bucket.excluded) }
            var expected = ExclusionCounts()
            for index in excluded { expected.count(ExclusionReason.allCases[index % 4]) }
            #expect(counted == expected)
            let requests = filtered.buckets.reduce(0) { $0 + $1.hits + $1.late + $1.dropped }
            #expect(requests == times.count - excluded.count)
            exercised.excluded += excluded.count
            exercised.held += times.count { $0 > 4_000_000_000 }
            exercised.gaps += unfiltered.records.count { if case .gap = $0 { true } else { false } }
        }
        #expect(exercised.excluded > 10_000 && exercised.held > 100 && exercised.gaps > 100, "\(exercised)")
    }
}
