import Testing

@testable import LogPipe

private func request(
    _ time: Int64, section: String = "/pages", client: String = "10.0.0.1", status: Int = 200, bytes: Int64 = 100
) -> RequestObservation {
    RequestObservation(time: time, status: status, bytes: bytes, section: section, client: client)
}

/// Collects what an aggregator emits.
private struct Harness {
    var aggregator: BucketAggregator
    var output = AggregatorOutput()

    /// Lateness 2 s unless `configure` says otherwise: most tests here feed out-of-order lines.
    init(_ configure: (inout BucketAggregator.Configuration) -> Void = { _ in }) {
        var configuration = BucketAggregator.Configuration()
        configuration.allowedLateness = 2
        configure(&configuration)
        aggregator = BucketAggregator(configuration: configuration)
    }

    var buckets: [BucketRecord] { output.buckets }
    var notices: [BucketAggregator.Notice] { output.notices }
    var gaps: [GapRecord] { output.records.compactMap { if case .gap(let gap) = $0 { gap } else { nil } } }

    mutating func observe(_ request: RequestObservation) {
        aggregator.observe(request, into: &output)
    }

    mutating func heartbeat(_ time: Int64) {
        aggregator.advance(to: time, into: &output)
    }

    mutating func finish() {
        aggregator.finish(into: &output)
    }
}

@Suite("Bucket aggregator: 10-second buckets in event time")
struct BucketAggregatorTests {
    @Test func alignsBucketsToMultiplesOfTheInterval() {
        var harness = Harness()
        harness.observe(request(1_000_003))
        harness.observe(request(1_000_007))
        harness.observe(request(1_000_012))
        harness.finish()
        #expect(harness.buckets.map(\.start) == [1_000_000, 1_000_010])
        #expect(harness.buckets.map(\.end) == [1_000_010, 1_000_020])
        #expect(harness.buckets.map(\.hits) == [2, 1])
        #expect(harness.buckets[0].perSecond == [0, 0, 0, 1, 0, 0, 0, 1, 0, 0])
    }

    @Test func emitsABucketOnlyOnceTimeHasPassedItsEndPlusTheLateness() {
        var harness = Harness()
        harness.observe(request(100))
        harness.observe(request(111))
        #expect(harness.buckets.isEmpty, "110 + 2 s lateness not reached at 111")
        harness.observe(request(112))
        #expect(harness.buckets.map(\.start) == [100])
    }

    @Test func byDefaultTheFirstLineOrHeartbeatAtABucketsEndClosesIt() {
        var harness = Harness { $0.allowedLateness = 0 }
        harness.observe(request(100))
        harness.observe(request(109))
        #expect(harness.buckets.isEmpty)
        harness.observe(request(110))
        #expect(harness.buckets.map(\.start) == [100])
        harness.observe(request(109))
        harness.heartbeat(120)
        #expect(harness.buckets.map(\.start) == [100, 110])
        #expect(harness.buckets.map(\.hits) == [2, 1])
        #expect(harness.buckets[1].late == 1, "a line for a closed bucket is counted as late, not lost")
        #expect(harness.buckets[1].lateSeconds == [SecondCount(at: 109, hits: 1)])
    }

    @Test func emitsEmptyBucketsAcrossAQuietStretch() {
        var harness = Harness()
        harness.observe(request(100))
        harness.observe(request(155))
        #expect(harness.buckets.map(\.start) == [100, 110, 120, 130, 140])
        #expect(harness.buckets.map(\.hits) == [1, 0, 0, 0, 0])
        #expect(harness.buckets[1].perSecond == Array(repeating: 0, count: 10))
    }

    @Test func heartbeatsCloseBucketsWhenNoRequestsArrive() {
        var harness = Harness()
        harness.heartbeat(100)
        harness.heartbeat(105)
        #expect(harness.buckets.isEmpty)
        harness.heartbeat(132)
        #expect(harness.buckets.map(\.start) == [100, 110, 120])
        #expect(harness.buckets.allSatisfy { $0.hits == 0 })
    }

    @Test func aRequestForAnOpenBucketLandsInItsOwnSecond() {
        var harness = Harness()
        harness.observe(request(109))
        harness.observe(request(111))
        harness.observe(request(108))  // earlier bucket still open (lateness)
        harness.finish()
        #expect(harness.buckets[0].perSecond[8] == 1)
        #expect(harness.buckets[0].hits == 2)
        #expect(harness.buckets[0].late == 0)
    }

    @Test func aRequestForAnEmittedBucketIsCountedAsLateWithItsSecond() {
        var harness = Harness()
        harness.observe(request(100))
        harness.observe(request(125))  // emits 100 and 110
        harness.observe(request(105))
        harness.observe(request(105))
        harness.finish()
        let current = harness.buckets.first { $0.start == 120 }
        #expect(current?.late == 2)
        #expect(current?.lateSeconds == [SecondCount(at: 105, hits: 2)])
        #expect(current?.hits == 1, "late requests are not hits of the current bucket")
        #expect(harness.buckets.first { $0.start == 100 }?.hits == 1)
    }

    @Test func aRequestOlderThanTheLateHorizonIsCountedAsDropped() {
        var harness = Harness { $0.lateHorizon = 60 }
        harness.observe(request(1000))
        harness.observe(request(900))
        harness.finish()
        #expect(harness.buckets.last?.dropped == 1)
        #expect(harness.buckets.last?.late == 0)
        #expect(harness.notices == [.droppedPast(time: 900, watermark: 1000)])
    }

    @Test func aLoneFarFutureTimestampNeitherMovesTheClockNorClosesBuckets() {
        var harness = Harness()
        harness.observe(request(1000))
        harness.observe(request(4_070_908_800))  // 2099
        harness.observe(request(1001))
        harness.observe(request(1013))
        #expect(harness.buckets.map(\.start) == [1000])
        #expect(harness.buckets[0].hits == 2)
        #expect(harness.buckets[0].dropped == 1)
        #expect(harness.notices == [.droppedFuture(time: 4_070_908_800, watermark: 1000)])
        #expect(harness.aggregator.watermark == 1013)
    }

    @Test func aConfirmedJumpAfterAQuietNightMovesTheClockAndWritesTheSilenceAsOneGap() {
        var harness = Harness { $0.allowedLateness = 0 }
        harness.observe(request(1000))
        harness.observe(request(1000 + 8 * 3600))
        harness.observe(request(1000 + 8 * 3600 + 1))
        harness.finish()
        #expect(harness.buckets.map(\.start) == [1000, 1000 + 8 * 3600])
        #expect(harness.gaps == [GapRecord(start: 1010, end: 1000 + 8 * 3600)])
        #expect(harness.buckets.reduce(0) { $0 + $1.hits } == 3)
        #expect(harness.buckets.allSatisfy { $0.dropped == 0 })
    }

    @Test func aLongSilenceBetweenOpenBucketsIsAGapWhereverItLies() {
        var harness = Harness {
            $0.allowedLateness = 0
            $0.interval = 1
            $0.lateHorizon = 86_400
        }
        harness.observe(request(100_000))
        harness.observe(request(100_000 - 80_000))  // before anything was emitted: the start moves back
        harness.observe(request(100_001))
        harness.finish()
        #expect(harness.buckets.map(\.start) == [20_000, 100_000, 100_001])
        #expect(harness.gaps == [GapRecord(start: 20_001, end: 100_000)])
        #expect(harness.buckets.map(\.hits) == [1, 1, 1])
    }

    /// An empty bucket the clock stood in (after a heartbeat) is part of the silence like any other;
    /// each advance of the clock writes the run it closes, so two jumps give two gaps in a row. The
    /// last bucket at the end of input is always a bucket, since it says where the input ended.
    @Test func aSilenceIsOneGapEvenThroughBucketsTheClockStoodIn() {
        var harness = Harness { $0.allowedLateness = 0 }
        harness.observe(request(1000))
        harness.heartbeat(100_000)
        harness.heartbeat(200_000)
        harness.finish()
        #expect(harness.gaps == [GapRecord(start: 1010, end: 100_000), GapRecord(start: 100_000, end: 200_000)])
        #expect(harness.buckets.map(\.start) == [1000, 200_000])
        #expect(harness.buckets.last?.observedEnd == 200_001)
    }

    @Test func ranksSectionsByHitsThenByName() {
        var harness = Harness { $0.topSections = 3 }
        for section in ["/b", "/a", "/c", "/a", "/b", "/d", "/a"] {
            harness.observe(request(100, section: section))
        }
        harness.finish()
        let ranking = harness.buckets[0].sections
        #expect(
            ranking == [
                RankedCount(name: "/a", hits: 3), RankedCount(name: "/b", hits: 2), RankedCount(name: "/c", hits: 1),
            ])
        #expect(harness.buckets[0].distinctSections == 4)
    }

    @Test func countsStatusClassesBytesAndClients() {
        var harness = Harness()
        harness.observe(request(100, client: "a", status: 200, bytes: 10))
        harness.observe(request(101, client: "b", status: 404, bytes: 20))
        harness.observe(request(102, client: "a", status: 503, bytes: 30))
        harness.observe(request(103, client: "a", status: 999, bytes: 0))
        harness.finish()
        let bucket = harness.buckets[0]
        #expect(bucket.statusClasses[2] == 1)
        #expect(bucket.statusClasses[4] == 1)
        #expect(bucket.statusClasses[5] == 1)
        #expect(bucket.statusClasses.other == 1)
        #expect(bucket.bytes == 60)
        #expect(bucket.clients == [RankedCount(name: "a", hits: 3), RankedCount(name: "b", hits: 1)])
        #expect(bucket.distinctClients == 2)
    }

    @Test func countsInvalidLinesInTheirBucketOrTheOldestOpenOne() {
        var harness = Harness()
        harness.aggregator.observeInvalid(time: nil)  // before any time is known
        harness.observe(request(100))
        harness.observe(request(111))
        harness.aggregator.observeInvalid(time: 105)
        harness.aggregator.observeInvalid(time: nil)
        harness.finish()
        #expect(harness.buckets.map(\.invalid) == [3, 0], "lateness 2 keeps [100, 110) open at 111")
    }

    @Test func finishEmitsEveryOpenBucket() {
        var harness = Harness()
        harness.observe(request(100))
        harness.observe(request(121))
        harness.finish()
        #expect(harness.buckets.map(\.start) == [100, 110, 120])
    }

    @Test func memoryStaysBoundedWhenEveryRequestHasANewPathAndClient() {
        var harness = Harness { $0.trackedKeys = 64 }
        for index in 0..<10_000 {
            harness.observe(request(100, section: "/s\(index)", client: "c\(index)"))
        }
        for _ in 0..<500 { harness.observe(request(100, section: "/hot")) }
        harness.finish()
        let bucket = harness.buckets[0]
        #expect(bucket.hits == 10_500)
        #expect(bucket.sections.first?.name == "/hot", "a key above total/capacity is always kept")
        // The HyperLogLog estimate of 10,001 distinct sections is within a few percent.
        #expect(abs(bucket.distinctSections - 10_001) < 700)
    }
}

@Suite("Bucket aggregator: requests that alternate between open buckets")
struct BucketAggregatorInterleavingTests {
    @Test func countsEachRequestInItsOwnBucketWhenBucketsAlternate() {
        var harness = Harness()
        // 109 and 111 alternate: 109's bucket stays open until the clock reaches 112.
        var expected: [Int64: (hits: Int, sections: [String: Int])] = [100: (0, [:]), 110: (0, [:])]
        for index in 0..<40 {
            let time: Int64 = index % 2 == 0 ? 109 : 111
            let section = "/s\(index % 3)"
            harness.observe(request(time, section: section))
            let start: Int64 = time < 110 ? 100 : 110
            expected[start]!.hits += 1
            expected[start]!.sections[section, default: 0] += 1
        }
        harness.aggregator.observeInvalid(time: 105)
        harness.observe(request(108, section: "/open"))
        // Then the clock moves on: 100 and 110 are emitted, 105 is late, counted in 120.
        harness.observe(request(125))
        harness.observe(request(105))
        harness.aggregator.observeInvalid(time: 121)
        harness.finish()
        #expect(harness.buckets.map(\.start) == [100, 110, 120])
        for bucket in harness.buckets.prefix(2) {
            let want = expected[bucket.start]!
            let extra = bucket.start == 100 ? 1 : 0
            #expect(bucket.hits == want.hits + extra)
            #expect(bucket.distinctSections == want.sections.count + extra)
            #expect(bucket.late == 0)
        }
        #expect(harness.buckets.map(\.invalid) == [1, 0, 1])
        #expect(harness.buckets[0].perSecond[9] == 20)
        #expect(harness.buckets[0].perSecond[8] == 1)
        #expect(harness.buckets[1].perSecond[1] == 20)
        #expect(harness.buckets[2].hits == 1)
        #expect(harness.buckets[2].lateSeconds == [SecondCount(at: 105, hits: 1)])
    }
}
