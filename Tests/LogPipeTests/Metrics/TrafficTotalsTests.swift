import LogPipeTestSupport
import Testing

@testable import LogPipe

/// The counters of the textfile over long and hostile streams: never decreasing, never trapping, and
/// equal to sums computed independently (in 128 bits, clamped to the 64-bit bound).
@Suite("Metrics: counters since start")
struct TrafficTotalsTests {
    /// What the counters must be: exact sums, clamped where 64 bits end.
    private struct Reference {
        var classes = [Int128](repeating: 0, count: 6)
        var bytes: Int128 = 0
        var late: Int128 = 0
        var dropped: Int128 = 0
        var invalid: Int128 = 0
        var excluded = [Int128](repeating: 0, count: ExclusionReason.allCases.count)

        static func clamped(_ value: Int128) -> Int64 { value > Int128(Int64.max) ? .max : Int64(value) }
    }

    /// A count drawn to hit the edges: zero, small, the protocol's limit (10^12), and, outside what a
    /// decoder accepts but what a `BucketRecord` can hold, `Int.max`.
    private func hostileCount(_ random: inout SplitMix64, beyondLimits: Bool) -> Int {
        switch random.next(below: 5) {
        case 0: return 0
        case 1: return random.next(below: 1000)
        case 2: return 1_000_000_000_000
        case 3: return beyondLimits ? Int.max : 999_999_999_999
        default: return beyondLimits ? Int.max - random.next(below: 3) : random.next(below: 1_000_000_000_000)
        }
    }

    @Test(arguments: [false, true])
    func countersNeverDecreaseAndEqualTheClampedSums(beyondLimits: Bool) throws {
        var random = SplitMix64(seed: beyondLimits ? 77 : 76)
        var totals = TrafficTotals()
        var reference = Reference()
        var previous: PrometheusExposition?
        for index in 0..<2000 {
            var bucket = BucketRecord(start: 1_700_000_000 + Int64(index) * 10, end: 1_700_000_010 + Int64(index) * 10)
            for digit in 1...5 {
                let count = hostileCount(&random, beyondLimits: beyondLimits)
                bucket.statusClasses.classes[digit - 1] = count
                reference.classes[digit - 1] += Int128(count)
            }
            bucket.statusClasses.other = hostileCount(&random, beyondLimits: beyondLimits)
            reference.classes[5] += Int128(bucket.statusClasses.other)
            bucket.hits = bucket.statusClasses.total
            bucket.bytes = random.next(below: 3) == 0 ? .max : Int64(random.next(below: 1 << 40))
            reference.bytes += Int128(bucket.bytes)
            bucket.late = hostileCount(&random, beyondLimits: beyondLimits)
            reference.late += Int128(bucket.late)
            bucket.dropped = hostileCount(&random, beyondLimits: beyondLimits)
            reference.dropped += Int128(bucket.dropped)
            bucket.invalid = hostileCount(&random, beyondLimits: beyondLimits)
            reference.invalid += Int128(bucket.invalid)
            for reason in ExclusionReason.allCases {
                bucket.excluded[reason] = hostileCount(&random, beyondLimits: beyondLimits)
                reference.excluded[Int(reason.rawValue)] += Int128(bucket.excluded[reason])
            }
            bucket.source = "web\(random.next(below: 3))"
            totals.add(bucket)

            // Every 50th state, and the last, through the renderer and an independent reader.
            guard index % 50 == 0 || index == 1999 else { continue }
            let file = try PrometheusExposition(
                PrometheusTextfile(version: "1", configuration: AlertRule.Configuration(), totals: totals).render())
            let classes = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"]
            for (slot, name) in classes.enumerated() {
                #expect(
                    file.integer("logpipe_requests_total", ["status_class": name])
                        == Reference.clamped(reference.classes[slot]))
            }
            #expect(file.integer("logpipe_response_bytes_total") == Reference.clamped(reference.bytes))
            #expect(file.integer("logpipe_late_requests_total") == Reference.clamped(reference.late))
            #expect(file.integer("logpipe_dropped_requests_total") == Reference.clamped(reference.dropped))
            #expect(file.integer("logpipe_invalid_lines_total") == Reference.clamped(reference.invalid))
            for reason in ExclusionReason.allCases {
                #expect(
                    file.integer("logpipe_excluded_requests_total", ["reason": reason.description])
                        == Reference.clamped(reference.excluded[Int(reason.rawValue)]))
            }
            if let previous {
                for family in file.families where family.type == "counter" {
                    for sample in family.samples {
                        let before = previous[family.name]?.samples.first { $0.labels == sample.labels }
                        let now = try #require(Int64(sample.text), "a counter is an integer: \(sample)")
                        #expect(now >= Int64(before?.text ?? "0") ?? 0, "\(family.name) \(sample.labels) went down")
                    }
                }
            }
            previous = file
        }
        if beyondLimits {
            #expect(totals.late == .max, "saturated, not wrapped")
            #expect(totals.bytes == .max)
            #expect(totals.excluded[.client] == .max)
        }
    }

    @Test func boundsTheSourcesItNamesAndKeepsTheirStates() throws {
        var totals = TrafficTotals()
        var bucket = BucketRecord(start: 1_700_000_000, end: 1_700_000_010)
        bucket.sources = (0..<(TrafficTotals.maximumSources + 6)).map { index in
            SourceShare(source: String(format: "web%05d", index), hits: 2, state: index == 0 ? .stale : .live)
        }
        totals.add(bucket)
        bucket.sources = [SourceShare(source: "web00000", hits: 3, state: .ended)]
        totals.add(bucket)
        let file = try PrometheusExposition(
            PrometheusTextfile(version: "1", configuration: AlertRule.Configuration(), totals: totals).render())
        #expect(file["logpipe_source_requests_total"]?.samples.count == TrafficTotals.maximumSources)
        #expect(file.value("logpipe_source_requests_total", ["source": "web00000"]) == 5)
        #expect(file.value("logpipe_untracked_source_requests_total") == 12)
        #expect(file.value("logpipe_source_state", ["source": "web00000", "state": "ended"]) == 1)
        #expect(file.value("logpipe_source_state", ["source": "web00000", "state": "stale"]) == 0)
        #expect(file.value("logpipe_source_state", ["source": "web00001", "state": "live"]) == 1)
        #expect(file["logpipe_source_state"]?.samples.count == TrafficTotals.maximumSources * 3)
    }

    @Test func aBucketNotNewerThanTheLastNeverMovesTheTimestampBack() {
        var totals = TrafficTotals()
        totals.add(BucketRecord(start: 1_700_000_100, end: 1_700_000_110))
        totals.add(BucketRecord(start: 1_700_000_000, end: 1_700_000_010))
        #expect(totals.lastEnd == 1_700_000_110)
    }

    @Test func hitsTheStatusClassesDoNotCoverAreCountedAsUnknown() throws {
        var totals = TrafficTotals()
        var bucket = BucketRecord(start: 1_700_000_000, end: 1_700_000_010)
        bucket.hits = 7
        bucket.statusClasses.count(status: 200, hits: 3)
        totals.add(bucket)
        let file = try PrometheusExposition(
            PrometheusTextfile(version: "1", configuration: AlertRule.Configuration(), totals: totals).render())
        #expect(file.value("logpipe_requests_total", ["status_class": "unknown"]) == 4)
        #expect(file["logpipe_requests_total"]?.samples.map(\.value).reduce(0, +) == 7)
    }

    @Test func excludedRequestsAreCountedByReasonAndKeptOutOfTheRequests() throws {
        var totals = TrafficTotals()
        var bucket = BucketRecord(start: 1_700_000_000, end: 1_700_000_010)
        bucket.hits = 5
        bucket.statusClasses.count(status: 200, hits: 5)
        bucket.excluded[.path] = 40
        bucket.excluded[.agent] = 3
        totals.add(bucket)
        bucket.excluded = ExclusionCounts()
        bucket.excluded[.path] = 2
        totals.add(bucket)
        let text = PrometheusTextfile(version: "1", configuration: AlertRule.Configuration(), totals: totals).render()
        let file = try PrometheusExposition(text)
        #expect(file["logpipe_excluded_requests_total"]?.type == "counter")
        #expect(text.contains("# HELP logpipe_excluded_requests_total "))
        #expect(file.value("logpipe_excluded_requests_total", ["reason": "path"]) == 42)
        #expect(file.value("logpipe_excluded_requests_total", ["reason": "agent"]) == 3)
        // Every reason has a series from the start, so rate() sees the first exclusion.
        #expect(file.value("logpipe_excluded_requests_total", ["reason": "client"]) == 0)
        #expect(file.value("logpipe_excluded_requests_total", ["reason": "vhost"]) == 0)
        #expect(file["logpipe_excluded_requests_total"]?.samples.count == 4)
        #expect(file.value("logpipe_requests_total", ["status_class": "2xx"]) == 10)
    }
}
