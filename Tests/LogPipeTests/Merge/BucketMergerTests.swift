import Testing

@testable import LogPipe

/// A source's bucket with `perSecond` hits, section `/s`, client `source`, status 200, 1 byte a hit.
private func bucket(_ source: String, _ start: Int64, _ perSecond: [Int], observedEnd: Int64? = nil) -> BucketRecord {
    var record = BucketRecord(start: start, end: start + Int64(perSecond.count))
    record.source = source
    record.perSecond = perSecond
    record.hits = perSecond.reduce(0, +)
    record.sections = record.hits > 0 ? [RankedCount(name: "/\(source)", hits: record.hits)] : []
    record.distinctSections = record.sections.count
    record.statusClasses.count(status: 200, hits: record.hits)
    record.bytes = Int64(record.hits)
    record.observedEnd = observedEnd
    return record
}

/// One input event of the merge.
private enum Input {
    case bucket(BucketRecord)
    case gap(GapRecord)
    case tick(Int64)
}

/// Drives a merge and collects its output.
private struct MergeHarness {
    var merger: BucketMerger
    var output = BucketMerger.Output()

    init(sources: [String] = [], timeout: Int64 = 30_000) {
        var configuration = BucketMerger.Configuration()
        configuration.expectedSources = sources
        configuration.sourceTimeout = timeout
        merger = BucketMerger(configuration: configuration)
    }

    mutating func feed(_ inputs: [Input], now: Int64 = 0) {
        for input in inputs {
            switch input {
            case .bucket(let record): merger.observe(record, source: record.source!, lane: 0, now: now, into: &output)
            case .gap(let gap): merger.observe(gap, source: gap.source!, lane: 0, now: now, into: &output)
            case .tick(let time): merger.tick(now: time, into: &output)
            }
        }
    }

    mutating func finish() { merger.finish(into: &output) }

    var buckets: [BucketRecord] { output.records.compactMap { if case .bucket(let b) = $0 { b } else { nil } } }
    var gaps: [GapRecord] { output.records.compactMap { if case .gap(let g) = $0 { g } else { nil } } }
}

@Suite("Bucket merger: one exact bucket per interval for a fleet of sources")
struct BucketMergerTests {
    @Test func sumsEverySecondAndWritesAnIntervalOnlyWhenEverySourceDeliveredIt() {
        var harness = MergeHarness(sources: ["a", "b"])
        harness.feed([
            .bucket(bucket("a", 100, [1, 2, 0, 0, 0, 0, 0, 0, 0, 1])),
            .bucket(bucket("b", 100, [3, 0, 0, 0, 0, 0, 0, 0, 0, 0])),
        ])
        #expect(harness.buckets.map(\.start) == [100], "a and b both delivered [100, 110)")
        harness.feed([.bucket(bucket("a", 110, Array(repeating: 1, count: 10)))])
        #expect(harness.buckets.count == 1, "b has not delivered [110, 120)")
        harness.feed([.bucket(bucket("b", 110, Array(repeating: 2, count: 10)))])
        #expect(harness.buckets.count == 2)
        let first = harness.buckets[0]
        #expect(first.perSecond == [4, 2, 0, 0, 0, 0, 0, 0, 0, 1])
        #expect(first.hits == 7)
        #expect(first.statusClasses[2] == 7)
        #expect(first.bytes == 7)
        #expect(first.sections == [RankedCount(name: "/a", hits: 4), RankedCount(name: "/b", hits: 3)])
        #expect(
            first.sources == [
                SourceShare(source: "a", hits: 4, state: .live), SourceShare(source: "b", hits: 3, state: .live),
            ])
        #expect(harness.buckets[1].hits == 30)
    }

    /// With `--sources`, the merged stream depends only on the buckets: every interleaving of the
    /// sources' records, one source after another included, gives the same output.
    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func theOrderTheSourcesArriveInDoesNotChangeTheMerge(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let names = ["a", "b", "c"]
        var perSource: [[Input]] = names.map { name in
            (0..<30).map { index in
                .bucket(bucket(name, 1000 + Int64(index) * 10, (0..<10).map { _ in Int(random.next() % 5) }))
            }
        }
        perSource[1].insert(.gap(GapRecord(start: 1300, end: 9300, source: "b")), at: 30)
        perSource[1].append(.bucket(bucket("b", 9300, Array(repeating: 1, count: 10))))
        func merged(_ inputs: [Input]) -> [AggregatorOutput.Record] {
            var harness = MergeHarness(sources: names)
            harness.feed(inputs)
            harness.finish()
            return harness.output.records
        }
        let oneAfterAnother = merged(perSource.flatMap { $0 })
        var queues = perSource
        var interleaved: [Input] = []
        while queues.contains(where: { !$0.isEmpty }) {
            let index = Int(random.next() % 3)
            if !queues[index].isEmpty { interleaved.append(queues[index].removeFirst()) }
        }
        #expect(merged(interleaved) == oneAfterAnother)
        #expect(merged(perSource.reversed().flatMap { $0 }) == oneAfterAnother)
        #expect(oneAfterAnother.count == 32, "30 buckets, then b's silence as one gap and its last bucket")
    }

    @Test func aReSentBucketIsRecognisedAndNotCountedTwice() {
        var harness = MergeHarness(sources: ["a"])
        let first = bucket("a", 100, Array(repeating: 1, count: 10))
        harness.feed([
            .bucket(first), .bucket(first), .bucket(bucket("a", 110, Array(repeating: 1, count: 10))), .bucket(first),
        ])
        harness.finish()
        #expect(harness.buckets.map(\.hits) == [10, 10])
        #expect(harness.output.notices == [.duplicate(source: "a", start: 100), .duplicate(source: "a", start: 100)])
    }

    @Test func aSilentSourceBecomesStaleAndItsLateBucketsAreCountedLateBySecond() {
        var harness = MergeHarness(sources: ["a", "b"], timeout: 5_000)
        harness.feed(
            [
                .bucket(bucket("a", 100, Array(repeating: 1, count: 10))),
                .bucket(bucket("b", 100, Array(repeating: 1, count: 10))),
            ], now: 0)
        harness.feed(
            [
                .bucket(bucket("a", 110, Array(repeating: 1, count: 10))),
                .bucket(bucket("a", 120, Array(repeating: 1, count: 10))),
            ], now: 4_000)
        #expect(harness.buckets.count == 1, "b is still live: waited for")
        harness.feed([.tick(6_000)])
        #expect(harness.output.notices == [.stale(source: "b")])
        #expect(harness.buckets.map(\.start) == [100, 110, 120])
        #expect(harness.buckets[1].sources?.first { $0.source == "b" }?.state == .stale)
        harness.feed([.bucket(bucket("b", 110, [0, 0, 0, 0, 0, 0, 0, 0, 0, 7]))], now: 7_000)
        #expect(harness.output.notices.suffix(2) == [.resumed(source: "b"), .late(source: "b", start: 110, hits: 7)])
        harness.feed(
            [.bucket(bucket("a", 130, Array(repeating: 1, count: 10))), .bucket(bucket("b", 120, []))], now: 7_000)
        harness.finish()
        let next = harness.buckets.first { $0.start == 130 }
        #expect(next?.late == 7)
        #expect(next?.lateSeconds == [SecondCount(at: 119, hits: 7)])
        let totalHits = harness.buckets.reduce(0) { $0 + $1.hits + $1.late }
        #expect(totalHits == 10 + 10 + 10 + 10 + 10 + 7, "nothing lost, nothing counted twice")
    }

    @Test func excludedCountsAddUpAcrossSourcesAndTravelWithLateBuckets() {
        func excluded(_ record: BucketRecord, _ pairs: (ExclusionReason, Int)...) -> BucketRecord {
            var record = record
            for (reason, count) in pairs { record.excluded[reason] = count }
            return record
        }
        var harness = MergeHarness(sources: ["a", "b"], timeout: 5_000)
        harness.feed(
            [
                .bucket(excluded(bucket("a", 100, Array(repeating: 1, count: 10)), (.path, 3), (.agent, 1))),
                .bucket(excluded(bucket("b", 100, Array(repeating: 1, count: 10)), (.path, 2), (.vhost, 1_000_000))),
                .bucket(bucket("a", 110, Array(repeating: 1, count: 10))),
                .bucket(bucket("a", 120, Array(repeating: 1, count: 10))),
            ], now: 0)
        harness.feed([.tick(6_000)])
        #expect(harness.buckets.map(\.start) == [100, 110, 120], "b is stale")
        // b's late bucket for [110, 120): its hits become late, its excluded counts go with them.
        harness.feed([.bucket(excluded(bucket("b", 110, Array(repeating: 1, count: 10)), (.client, 5)))], now: 7_000)
        harness.feed([.bucket(bucket("a", 130, Array(repeating: 1, count: 10)))], now: 7_000)
        harness.finish()
        var first = ExclusionCounts()
        first[.path] = 5
        first[.agent] = 1
        first[.vhost] = 1_000_000
        #expect(harness.buckets[0].excluded == first)
        #expect(harness.buckets[1].excluded.isZero)
        var total = ExclusionCounts()
        for bucket in harness.buckets { total.add(bucket.excluded) }
        #expect(total.total == 5 + 1 + 1_000_000 + 5, "nothing lost, nothing counted twice")
        #expect(harness.buckets.first { $0.start == 130 }?.excluded[.client] == 5)
    }

    @Test func aLongSilenceOfTheWholeFleetIsOneGap() {
        var harness = MergeHarness(sources: ["a", "b"])
        harness.feed([
            .bucket(bucket("a", 100, Array(repeating: 1, count: 10))),
            .gap(GapRecord(start: 110, end: 90_110, source: "a")),
            .bucket(bucket("a", 90_110, Array(repeating: 1, count: 10))),
            .bucket(bucket("b", 100, Array(repeating: 1, count: 10))),
            .gap(GapRecord(start: 110, end: 90_110, source: "b")),
            .bucket(bucket("b", 90_110, Array(repeating: 1, count: 10))),
        ])
        #expect(harness.buckets.map(\.start) == [100, 90_110])
        #expect(harness.gaps == [GapRecord(start: 110, end: 90_110)])
    }

    @Test func toldOfNoSourceTheMergeLearnsTheSourcesForOneTimeoutBeforeWriting() {
        var harness = MergeHarness(timeout: 5_000)
        harness.feed([.tick(0), .bucket(bucket("a", 100, Array(repeating: 1, count: 10)))], now: 1_000)
        harness.feed([.bucket(bucket("b", 100, Array(repeating: 2, count: 10)))], now: 3_000)
        #expect(harness.buckets.isEmpty)
        harness.feed(
            [
                .bucket(bucket("a", 110, Array(repeating: 1, count: 10))),
                .bucket(bucket("b", 110, Array(repeating: 1, count: 10))),
            ], now: 4_000)
        harness.feed([.tick(5_001)])
        #expect(harness.buckets.map(\.hits) == [30, 20], "both sources in every interval, none late")
    }

    @Test func aBucketOfAnotherLengthIsSkippedWithANotice() {
        var harness = MergeHarness()
        harness.feed([
            .bucket(bucket("a", 100, Array(repeating: 1, count: 10))),
            .bucket(bucket("b", 100, Array(repeating: 1, count: 60))),
        ])
        #expect(harness.output.notices == [.wrongInterval(source: "b", start: 100, length: 60, interval: 10)])
    }

    @Test func theLastMergedIntervalEndsWhereTheLastSourceEnded() {
        var harness = MergeHarness(sources: ["a", "b"])
        harness.feed([
            .bucket(bucket("a", 100, [1, 1, 1, 0, 0, 0, 0, 0, 0, 0], observedEnd: 103)),
            .bucket(bucket("b", 100, [1, 1, 1, 1, 1, 0, 0, 0, 0, 0], observedEnd: 105)),
        ])
        harness.finish()
        #expect(harness.buckets.map(\.observedEnd) == [105])
    }

    @Test func anExpectedSourceThatNeverSpeaksIsWaitedForOnlyUntilTheTimeout() {
        var harness = MergeHarness(sources: ["a", "z"], timeout: 5_000)
        harness.feed([.tick(0), .bucket(bucket("a", 100, Array(repeating: 1, count: 10)))], now: 1_000)
        #expect(harness.buckets.isEmpty)
        harness.feed([.tick(6_000)])
        #expect(harness.output.notices == [.missing(name: "z")])
        #expect(harness.buckets.map(\.start) == [100])
    }
}
