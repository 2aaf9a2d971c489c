import Testing

/// The reference checked by hand on the document's own cases, so that a disagreement in
/// `DifferentialTests` can be blamed on the tool with some confidence.
@Suite("The time rule's reference follows TIME-RULE.md on hand-worked cases")
struct TimeRuleReferenceTests {
    private typealias Reference = TimeRuleReference

    private func bucket(
        _ start: Int64, _ interval: Int64 = 10, hits: [Int64] = [], late: [Int64] = [], dropped: Int = 0,
        invalid: Int = 0, excluded: [String: Int] = [:], observedEnd: Int64? = nil
    ) -> Reference.AggregateRecord {
        var bucket = Reference.Bucket(start: start, end: start + interval)
        for time in hits {
            bucket.hits += 1
            bucket.perSecond[Int(time - start)] += 1
        }
        for time in late {
            bucket.late += 1
            if let index = bucket.lateSeconds.firstIndex(where: { $0.at == time }) {
                bucket.lateSeconds[index].hits += 1
            } else {
                bucket.lateSeconds.append(Reference.LateSecond(at: time, hits: 1))
            }
        }
        bucket.dropped = dropped
        bucket.invalid = invalid
        bucket.excluded = excluded
        bucket.observedEnd = observedEnd
        return .bucket(bucket)
    }

    private func aggregate(_ inputs: [Reference.Input], interval: Int64 = 10, lateness: Int64 = 0) -> [Reference
        .AggregateRecord]
    {
        Reference.Aggregator.run(inputs, interval: interval, lateness: lateness, lateHorizon: 3600)
    }

    @Test func bucketStartsAreFlooredAlsoBeforeTheEpoch() {
        #expect(Reference.bucketStart(-1, interval: 10) == -10)
        #expect(Reference.bucketStart(-10, interval: 10) == -10)
        #expect(Reference.bucketStart(19, interval: 10) == 10)
    }

    @Test func theLastBucketCarriesObservedEndAndNoOtherDoes() {
        #expect(
            aggregate([.request(100), .request(111)]) == [
                bucket(100, hits: [100]), bucket(110, hits: [111], observedEnd: 112),
            ])
        #expect(aggregate([.request(109)]) == [bucket(100, hits: [109])], "w + 1 = end: no observed_end")
    }

    @Test func aLoneRequestDated2099IsDroppedByTheNextOneAndMovesNothing() {
        #expect(
            aggregate([.request(100), .request(4_070_908_800), .request(101)]) == [
                bucket(100, hits: [100, 101], dropped: 1, observedEnd: 102)
            ])
    }

    @Test func aJumpOfMoreThanAnHourIsConfirmedByTheNextLineAndWrittenAsAGap() {
        #expect(
            aggregate([.request(100), .request(5_000), .request(5_001)]) == [
                bucket(100, hits: [100]), .gap(start: 110, end: 5_000),
                bucket(5_000, hits: [5_000, 5_001], observedEnd: 5_002),
            ])
        #expect(
            aggregate([.request(100), .request(5_000)]).count == 3, "the last line is accepted at the end of input")
    }

    @Test func silenceOfExactlyQSecondsIsWrittenAsEmptyBuckets() {
        // Buckets 110 ..< 3710 are empty: 360 buckets, 3600 s, not more than Q.
        let records = aggregate([.request(100), .request(3_710)])
        #expect(records.count == 362)
        #expect(!records.contains { if case .gap = $0 { true } else { false } })
    }

    @Test func aRequestForAnEmittedBucketIsLateInTheOldestOpenBucket() {
        #expect(
            aggregate([.request(100), .request(111), .request(105)]) == [
                bucket(100, hits: [100]), bucket(110, hits: [111], late: [105], observedEnd: 112),
            ])
    }

    @Test func beforeAnyBucketIsEmittedAnEarlierRequestMovesTheStreamStartBack() {
        #expect(
            aggregate([.request(100), .request(85)]) == [
                bucket(80, hits: [85]), bucket(90), bucket(100, hits: [100], observedEnd: 101),
            ])
    }

    @Test func latenessKeepsABucketOpenForOutOfOrderLines() {
        #expect(
            aggregate([.request(100), .request(111), .request(105), .request(112), .request(106)], lateness: 2) == [
                bucket(100, hits: [100, 105]), bucket(110, hits: [111, 112], late: [106], observedEnd: 113),
            ])
    }

    @Test func aHeartbeatSettlesAHeldRequestAndMayJumpWithoutLimit() {
        #expect(
            aggregate([.request(100), .request(9_000), .heartbeat(101)]) == [
                bucket(100, hits: [100], dropped: 1, observedEnd: 102)
            ])
        #expect(
            aggregate([.request(100), .request(9_000), .heartbeat(5_400)]) == [
                bucket(100, hits: [100]), .gap(start: 110, end: 9_000),
                bucket(9_000, hits: [9_000], observedEnd: 9_001),
            ])
        // (REVISED) Silence: the empty bucket the heartbeat opened is part of the run the jump closes.
        #expect(
            aggregate([.heartbeat(100), .heartbeat(90_000)]) == [
                .gap(start: 100, end: 90_000), bucket(90_000, observedEnd: 90_001),
            ])
    }

    @Test func aFirstRequestDated2099IsDroppedByTheNextTwoLinesNotTheWholeLog() {
        // 2099 is held; 100 is far behind it: both held; 101 (far behind 2099 too) drops 2099 and settles 100.
        #expect(
            aggregate([.request(4_070_908_800), .request(100), .request(101)]) == [
                bucket(100, hits: [100, 101], dropped: 1, observedEnd: 102)
            ])
        // Two far-apart first lines: the third line sides with the later one, the earlier is then past.
        #expect(
            aggregate([.request(9_000), .request(100), .request(9_001)]) == [
                bucket(9_000, hits: [9_000, 9_001], dropped: 1, observedEnd: 9_002)
            ])
        // A first line dated 1971 is accepted and the next line is a held jump, confirmed by the one after.
        #expect(
            aggregate([.request(100), .request(9_000), .request(9_001)]) == [
                bucket(100, hits: [100]), .gap(start: 110, end: 9_000),
                bucket(9_000, hits: [9_000, 9_001], observedEnd: 9_002),
            ])
    }

    @Test func aFirstRequestAloneOrAHeldPairIsAcceptedAtTheEndOfInput() {
        #expect(
            aggregate([.request(4_070_908_805)]) == [
                bucket(4_070_908_800, hits: [4_070_908_805], observedEnd: 4_070_908_806)
            ])
        // The pair in time order: the earlier starts the clock, the later is a jump.
        #expect(
            aggregate([.request(9_000), .request(100)]) == [
                bucket(100, hits: [100]), .gap(start: 110, end: 9_000),
                bucket(9_000, hits: [9_000], observedEnd: 9_001),
            ])
        #expect(aggregate([.invalid(nil), .request(105)]) == [bucket(100, hits: [105], invalid: 1, observedEnd: 106)])
    }

    @Test func aHeartbeatSettlesTheHeldFirstRequestOrPair() {
        // Far behind the first request: it is dropped, and the heartbeat starts the clock.
        #expect(aggregate([.request(9_000), .heartbeat(100)]) == [bucket(100, dropped: 1, observedEnd: 101)])
        // Within J: the request starts the clock, the heartbeat moves it on.
        #expect(
            aggregate([.request(100), .heartbeat(125)]) == [
                bucket(100, hits: [100]), bucket(110), bucket(120, observedEnd: 126),
            ])
        // A pair: a heartbeat far behind the first drops it and settles the one behind.
        #expect(
            aggregate([.request(9_000), .request(100), .heartbeat(50)]) == [
                bucket(100, hits: [100], dropped: 1, observedEnd: 101)
            ])
        // A pair confirmed by a heartbeat: the one behind is past (w - t > H), dropped in the first bucket.
        #expect(
            aggregate([.request(9_000), .request(100), .heartbeat(9_003)]) == [
                bucket(9_000, hits: [9_000], dropped: 1, observedEnd: 9_004)
            ])
    }

    @Test func eachAdvanceWritesItsOwnRunsOfEmptyBucketsOpenedOrNot() {
        // F1's case: two heartbeat jumps give two gaps in a row; the bucket holding w at the end is a bucket.
        #expect(
            aggregate([.request(1_000), .heartbeat(100_000), .heartbeat(200_000)]) == [
                bucket(1_000, hits: [1_000]), .gap(start: 1_010, end: 100_000), .gap(start: 100_000, end: 200_000),
                bucket(200_000, observedEnd: 200_001),
            ])
        // A bucket with only an invalid line is not empty: the run starts after it.
        #expect(
            aggregate([.heartbeat(1_000), .invalid(nil), .heartbeat(5_000), .heartbeat(9_000)]) == [
                bucket(1_000, invalid: 1), .gap(start: 1_010, end: 5_000), .gap(start: 5_000, end: 9_000),
                bucket(9_000, observedEnd: 9_001),
            ])
        // A run of at most Q seconds stays empty buckets, even if the next advance closes a long one.
        let records = aggregate([.heartbeat(1_000), .heartbeat(4_000), .heartbeat(8_000)])
        #expect(records.count == 300 + 2)
        #expect(records[299] == bucket(3_990) && records[300] == .gap(start: 4_000, end: 8_000))
    }

    @Test func anExcludedRequestMovesTheClockLikeARequestAndCountsOnlyAsExcluded() {
        // DESIGN.md, *Filters at the source*: the 112 closes [100, 110) as a request would; 105 is late.
        #expect(
            aggregate([.request(100), .excluded(112, "path"), .request(105)]) == [
                bucket(100, hits: [100]), bucket(110, late: [105], excluded: ["path": 1], observedEnd: 113),
            ])
        // Held like a first request, and settled by the next line.
        #expect(
            aggregate([.excluded(100, "client"), .request(101)]) == [
                bucket(100, hits: [101], excluded: ["client": 1], observedEnd: 102)
            ])
    }

    @Test func anExcludedRequestWhereTheRuleWouldDropOrMakeItLateIsExcludedThereWithoutAWarning() {
        let far = aggregate([.request(100), .request(101), .excluded(9_000, "agent"), .request(102)])
        #expect(far == [bucket(100, hits: [100, 101, 102], excluded: ["agent": 1], observedEnd: 103)])
        let finished = Reference.Aggregator.finished(
            [.request(100), .request(101), .excluded(9_000, "agent"), .request(102), .excluded(-5_000, "vhost")],
            interval: 10, lateness: 0, lateHorizon: 3600)
        #expect(finished.droppedRequests.isEmpty)
        #expect(
            finished.output == [
                bucket(100, hits: [100, 101, 102], excluded: ["agent": 1, "vhost": 1], observedEnd: 103)
            ])
        // A first excluded line shown absurd goes to the first bucket.
        #expect(
            aggregate([.excluded(4_070_908_800, "vhost"), .request(100), .request(101)]) == [
                bucket(100, hits: [100, 101], excluded: ["vhost": 1], observedEnd: 102)
            ])
    }

    @Test func theAlertFiresAboveTheThresholdAndEqualKeepsTheState() {
        // W = 10, T = 1: two hits a second from 100 on; 10 hits in the window at 105 is equal, 12 at 106 is above.
        let first = bucket(100, hits: [100, 100, 101, 101, 102, 102, 103, 103, 104, 104, 105, 105])
        let second = bucket(110, hits: [], observedEnd: 117)
        let records = Reference.AlertRule.run([first, second], window: 10, threshold: 1)
        #expect(
            records.filter(\.isTransition) == [
                .transition(kind: "alert", at: 106, hits: 12),
                // The window falls to 10 hits at 111 (equal: the alert stays), to 8 at 112.
                .transition(kind: "recovery", at: 112, hits: 8),
            ])
        #expect(records.last == .window(at: 117, hits: 0, state: "ok"))
    }

    @Test func aGapIsEvaluatedAsSilenceAndHitsDeliveredLateDoNotReviseEvaluatedBoundaries() {
        let first = bucket(100, hits: Array(repeating: 105, count: 20))
        let records = Reference.AlertRule.run([first, .gap(start: 110, end: 100_000)], window: 10, threshold: 1)
        #expect(
            records == [
                .transition(kind: "alert", at: 106, hits: 20), .window(at: 110, hits: 20, state: "alert"),
                .transition(kind: "recovery", at: 116, hits: 0), .window(at: 100_000, hits: 0, state: "ok"),
            ])
        // Late seconds count for later boundaries only.
        let late = bucket(110, late: [109, 109, 109, 109, 109, 109, 109, 109, 109, 109, 109])
        let lateRecords = Reference.AlertRule.run([bucket(100), late], window: 10, threshold: 1)
        #expect(
            lateRecords.filter(\.isTransition) == [
                .transition(kind: "alert", at: 111, hits: 11), .transition(kind: "recovery", at: 120, hits: 0),
            ])
    }

    @Test func lateSecondsAtOrAfterTheLastBoundaryCountFromTheirOwnSecond() {
        // F2's case: lb = 110, then a bucket at 200 with 5 late hits at 150: they count at 151 ... 160 only.
        let records = Reference.AlertRule.run(
            [bucket(100), bucket(200, late: [150, 150, 150, 150, 150])], window: 10, threshold: 0.4)
        #expect(
            records == [
                .window(at: 110, hits: 0, state: "ok"), .transition(kind: "alert", at: 151, hits: 5),
                .transition(kind: "recovery", at: 161, hits: 0), .window(at: 210, hits: 0, state: "ok"),
            ])
        // A late second at lb itself counts from lb + 1 on, as before the revision.
        let atBoundary = Reference.AlertRule.run(
            [bucket(100), bucket(200, late: [110, 110, 110, 110, 110])], window: 10, threshold: 0.4)
        #expect(
            atBoundary.filter(\.isTransition) == [
                .transition(kind: "alert", at: 111, hits: 5), .transition(kind: "recovery", at: 121, hits: 0),
            ])
    }

    @Test func aStaleBucketAddsItsLateSecondsButNotItsSecondsAndAStaleGapEvaluatesNothing() {
        // A2: the bucket [100, 110) again after lb = 120: its per-second hits are skipped, its late ones count.
        let stale = Reference.AlertRule.run(
            [
                bucket(100), bucket(110),
                bucket(100, hits: Array(repeating: 105, count: 30), late: [95, 95, 95, 95, 95, 95]),
            ],
            window: 30, threshold: 0.4)
        #expect(stale.last == .window(at: 120, hits: 6, state: "ok"))
        // A3: a gap ending at or before lb: the window record is at lb.
        let gap = Reference.AlertRule.run(
            [bucket(100), bucket(110), .gap(start: 50, end: 100)], window: 10, threshold: 0.4)
        #expect(gap.last == .window(at: 120, hits: 0, state: "ok"))
    }

    @Test func anAbsurdBucketIsHeldAndDroppedWhenTheNextDoesNotConfirmIt() {
        let records = Reference.AlertRule.run(
            [bucket(100, hits: [100]), bucket(4_000_000_000, hits: [4_000_000_000]), bucket(110, hits: [110])],
            window: 10, threshold: 0.5)
        #expect(records == [.window(at: 110, hits: 1, state: "ok"), .window(at: 120, hits: 1, state: "ok")])
    }

    @Test func forHoldsTheConditionBeforeFiring() {
        let first = bucket(100, hits: Array(repeating: 100, count: 20))
        let records = Reference.AlertRule.run([first], window: 10, threshold: 1, holdFor: 3)
        #expect(records.filter(\.isTransition) == [.transition(kind: "alert", at: 104, hits: 20)])
    }
}
