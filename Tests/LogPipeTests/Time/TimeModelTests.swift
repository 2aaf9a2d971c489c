import Testing

@testable import LogPipe

/// One input event of logagg: a request at a second, or a heartbeat carrying a time.
private enum Event: Equatable {
    case request(Int64)
    case heartbeat(Int64)
}

/// Requests at `second`, `count` of them.
private func requests(_ count: Int, at second: Int64) -> [Event] {
    Array(repeating: .request(second), count: count)
}

/// `perSecond` requests in every second of `seconds`.
private func steady(_ perSecond: Int, _ seconds: ClosedRange<Int64>) -> [Event] {
    seconds.flatMap { requests(perSecond, at: $0) }
}

/// A heartbeat at every second of `seconds`.
private func heartbeats(_ seconds: ClosedRange<Int64>) -> [Event] {
    seconds.map { .heartbeat($0) }
}

/// logagg's and logalert's cores wired together, recording what comes out after each event.
private struct Pipeline {
    var aggregator: BucketAggregator
    var rule: AlertRule
    var buckets: [BucketRecord] = []
    var gaps: [GapRecord] = []
    var transitions: [AlertRule.Transition] = []
    var notices: [BucketAggregator.Notice] = []
    /// For each transition, the index of the input event whose processing produced it.
    var producedBy: [Int] = []
    private var eventIndex = 0

    /// Lateness 2 s (`logagg --lateness 2`): these tests feed lines up to a second out of order, as
    /// Apache writes them, and check where they land.
    init(interval: Int = 10, window: Int = 20, threshold: Double = 1, lateness: Int = 2) {
        var aggregation = BucketAggregator.Configuration()
        aggregation.interval = interval
        aggregation.allowedLateness = lateness
        aggregator = BucketAggregator(configuration: aggregation)
        var alerting = AlertRule.Configuration()
        alerting.window = window
        alerting.threshold = threshold
        rule = AlertRule(configuration: alerting)
    }

    mutating func feed(_ events: [Event]) {
        for event in events {
            var output = AggregatorOutput()
            switch event {
            case .request(let time):
                let request = RequestObservation(time: time, status: 200, bytes: 1, section: "/a", client: "c")
                aggregator.observe(request, into: &output)
            case .heartbeat(let time):
                aggregator.advance(to: time, into: &output)
            }
            take(output)
            eventIndex += 1
        }
    }

    mutating func finish() {
        var output = AggregatorOutput()
        aggregator.finish(into: &output)
        take(output)
    }

    private mutating func take(_ output: AggregatorOutput) {
        notices += output.notices
        for record in output.records {
            let produced: [AlertRule.Transition]
            switch record {
            case .bucket(let bucket):
                buckets.append(bucket)
                produced = rule.consume(bucket)
            case .gap(let gap):
                gaps.append(gap)
                produced = rule.consume(gap)
            }
            for transition in produced {
                transitions.append(transition)
                producedBy.append(eventIndex)
            }
        }
    }

    /// Transitions as (kind, at, hits), the form the tables use.
    var transcript: [Step] { transitions.map { Step($0.kind, $0.at, $0.hits) } }
}

/// One expected transition.
private struct Step: Equatable, CustomStringConvertible {
    var kind: AlertRecord.Kind
    var at: Int64
    var hits: Int
    init(_ kind: AlertRecord.Kind, _ at: Int64, _ hits: Int) {
        self.kind = kind
        self.at = at
        self.hits = hits
    }
    var description: String { "\(kind) at \(at) hits \(hits)" }
}

/// The rule computed from scratch: a plain per-second tally of `seconds` (hit times), evaluated at every
/// boundary of `boundaries`. Independent of `TrafficWindow` and `BucketAggregator`.
private func reference(
    _ seconds: [Int64], boundaries: ClosedRange<Int64>, window: Int64, threshold: Double
) -> [Step] {
    var alerting = false
    var steps: [Step] = []
    for t in boundaries {
        let hits = seconds.filter { $0 >= t - window && $0 < t }.count
        let average = Double(hits) / Double(window)
        if !alerting && average > threshold {
            alerting = true
            steps.append(Step(.alert, t, hits))
        } else if alerting && average < threshold {
            alerting = false
            steps.append(Step(.recovery, t, hits))
        }
    }
    return steps
}

@Suite("Time model: event time, heartbeats, late and absurd lines, through logagg's and logalert's cores")
struct TimeModelTests {
    // Window 20 s, threshold 1/s: fires above 20 hits in [t-20, t), recovers below 20.

    @Test func trafficStoppingRecoversAtTheExactSecondDrivenByHeartbeatsAlone() {
        var pipeline = Pipeline()
        pipeline.feed(steady(3, 1000...1019))
        // 3 hits/s: [987, 1007) holds 21 hits, the first boundary above 20.
        #expect(pipeline.transcript == [Step(.alert, 1007, 21)])
        pipeline.feed(heartbeats(1020...1041))
        // Recovery at 1034 ([1014, 1034) holds 6 seconds of 3 = 18) needs bucket [1030, 1040), which
        // closes when the clock reaches 1040 + 2 s of lateness: not yet.
        #expect(pipeline.transcript == [Step(.alert, 1007, 21)])
        pipeline.feed([.heartbeat(1042)])
        #expect(pipeline.transcript == [Step(.alert, 1007, 21), Step(.recovery, 1034, 18)])
        #expect(pipeline.buckets.map(\.start) == [1000, 1010, 1020, 1030])
        #expect(pipeline.buckets.map(\.hits) == [30, 30, 0, 0])
    }

    @Test func aLineLateWithinTheLatenessLandsInItsOwnBucketAndSecond() {
        var pipeline = Pipeline()
        pipeline.feed([.request(1003), .request(1011), .request(1005)])  // 1005 after 1011: bucket still open
        pipeline.feed([.heartbeat(1012)])
        #expect(pipeline.buckets.count == 1)
        #expect(pipeline.buckets[0].perSecond == [0, 0, 0, 1, 0, 1, 0, 0, 0, 0])
        #expect(pipeline.buckets[0].late == 0)
    }

    @Test func aLineLateBeyondItsBucketButInsideTheWindowAddsHitsCorrectToTheSecond() {
        var pipeline = Pipeline()
        pipeline.feed(steady(2, 1000...1009))  // 20 hits: at 1010 the average equals the threshold
        pipeline.feed([.request(1013)])  // closes [1000, 1010)
        #expect(pipeline.buckets.map(\.start) == [1000])
        #expect(pipeline.transcript.isEmpty)
        pipeline.feed([.request(1001)])  // its bucket is gone: late, by its own second
        pipeline.feed(heartbeats(1014...1032))
        // Bucket [1010, 1020) carries the late hit; with it [991, 1011) holds 21 hits. It leaves the window
        // at 1022: [1002, 1022) holds 8 × 2 + 1 (1013) = 17.
        #expect(pipeline.buckets[1].late == 1)
        #expect(pipeline.buckets[1].lateSeconds == [SecondCount(at: 1001, hits: 1)])
        #expect(pipeline.buckets[1].hits == 1)
        #expect(pipeline.transcript == [Step(.alert, 1011, 21), Step(.recovery, 1022, 17)])
    }

    @Test func aLineOlderThanTheWindowIsCountedLateButNotByTheRuleAndOneBeyondTheHorizonIsDropped() {
        var pipeline = Pipeline()
        pipeline.feed(steady(1, 10_000...10_030))
        pipeline.feed(requests(30, at: 9_900))  // 130 s behind: late, outside the 20 s window
        pipeline.feed([.request(10_030 - 3601)])  // beyond the 1-hour late horizon
        pipeline.feed(heartbeats(10_031...10_045))
        // Late and dropped lines go to the oldest open bucket (lateness 2 keeps [10020, 10030) open):
        // logalert reads it next, so they count at every boundary evaluated after they arrived.
        let current = pipeline.buckets.first { $0.start == 10_020 }!
        #expect(current.late == 30)
        #expect(current.lateSeconds == [SecondCount(at: 9_900, hits: 30)])
        #expect(current.dropped == 1)
        #expect(pipeline.notices == [.droppedPast(time: 10_030 - 3601, watermark: 10_030)])
        #expect(pipeline.transcript.isEmpty)  // 30 hits in a 20 s window would have fired, had they counted
        #expect(pipeline.rule.hitsTooLate == 30)
    }

    @Test func aLineDatedIn2099NeitherMovesTheClockNorClosesBucketsNorFiresAndIsReported() {
        let far: Int64 = 4_070_908_800  // 2099-01-01
        var pipeline = Pipeline()
        pipeline.feed(steady(3, 1000...1009))  // 30 hits: alert at 1007
        pipeline.feed([.heartbeat(1010), .request(far)])
        #expect(pipeline.aggregator.watermark == 1010)
        #expect(pipeline.buckets.isEmpty)
        pipeline.feed([.heartbeat(1011)])  // the next heartbeat shows the line was absurd
        #expect(pipeline.notices == [.droppedFuture(time: far, watermark: 1010)])
        pipeline.feed(heartbeats(1012...1040))
        #expect(pipeline.buckets.map(\.start) == [1000, 1010, 1020])
        #expect(pipeline.buckets.map(\.dropped) == [1, 0, 0], "counted in the oldest open bucket")
        #expect(pipeline.buckets.allSatisfy { $0.hits <= 30 })
        // Recovery exactly where the rule puts it without the absurd line: [1004, 1024) holds 6 × 3 = 18.
        #expect(pipeline.transcript == [Step(.alert, 1007, 21), Step(.recovery, 1024, 18)])
    }

    @Test func aLineDatedIn2099DuringAReplayIsDroppedByTheNextLineAndStallsNothing() {
        var pipeline = Pipeline()
        pipeline.feed(steady(3, 1000...1009) + [.request(4_070_908_800)] + steady(0, 1010...1010) + [.request(1030)])
        pipeline.finish()
        #expect(pipeline.buckets.map(\.start) == [1000, 1010, 1020, 1030])
        #expect(pipeline.buckets.map(\.dropped).reduce(0, +) == 1)
        #expect(pipeline.transcript == [Step(.alert, 1007, 21), Step(.recovery, 1024, 18)])
    }

    @Test func pastGarbageMidStreamIsDroppedWithAReason() {
        var pipeline = Pipeline()
        pipeline.feed(steady(1, 1_700_000_000...1_700_000_005) + [.request(631_152_000)])  // 1990
        pipeline.feed(heartbeats(1_700_000_006...1_700_000_020))
        #expect(pipeline.notices == [.droppedPast(time: 631_152_000, watermark: 1_700_000_005)])
        #expect(pipeline.buckets.map(\.dropped).reduce(0, +) == 1)
        #expect(pipeline.transcript.isEmpty)
    }

    /// A first line dated 1990 cannot be told from the first line of a sparse log (nothing came before
    /// it), so it is counted in its own bucket; the decades after it cost one gap record, not decades
    /// of empty buckets, and the rule is not disturbed.
    @Test(arguments: [false, true])
    func aLoneFirstLineDatedIn1990IsCountedAndTheDecadesAfterItAreOneGap(live: Bool) {
        var pipeline = Pipeline()
        pipeline.feed([.request(631_152_000)])
        if live {
            pipeline.feed(heartbeats(1_700_000_000...1_700_000_013))
        } else {
            pipeline.feed(steady(1, 1_700_000_000...1_700_000_013))
            pipeline.finish()
        }
        #expect(pipeline.notices.isEmpty)
        #expect(pipeline.buckets.first?.start == 631_152_000)
        #expect(pipeline.buckets.first?.hits == 1)
        // Lateness 2 keeps [1_699_999_990, 1_700_000_000) open at 1_700_000_000: the gap ends before it.
        #expect(pipeline.gaps == [GapRecord(start: 631_152_010, end: 1_699_999_990)])
        #expect(pipeline.buckets.count <= 4)
        #expect(pipeline.buckets.map(\.dropped).reduce(0, +) == 0)
        #expect(pipeline.transcript.isEmpty)
    }

    @Test func aDaylightSavingSwitchInTheLogGivesContinuousBuckets() throws {
        // New York falls back at 2026-11-01 06:00 UTC: 01:59:59 -0400 is followed by 01:00:00 -0500.
        let lines = [
            "1.2.3.4 - - [01/Nov/2026:01:59:57 -0400] \"GET /a HTTP/1.1\" 200 1",
            "1.2.3.4 - - [01/Nov/2026:01:59:58 -0400] \"GET /a HTTP/1.1\" 200 1",
            "1.2.3.4 - - [01/Nov/2026:01:59:59 -0400] \"GET /a HTTP/1.1\" 200 1",
            "1.2.3.4 - - [01/Nov/2026:01:00:00 -0500] \"GET /a HTTP/1.1\" 200 1",
            "1.2.3.4 - - [01/Nov/2026:01:00:01 -0500] \"GET /a HTTP/1.1\" 200 1",
            "1.2.3.4 - - [01/Nov/2026:01:00:15 -0500] \"GET /a HTTP/1.1\" 200 1",
        ]
        var parser = AccessLogParser()
        var times: [Int64] = []
        for line in lines {
            var bytes = Array(line.utf8)
            let time: Int64? = bytes.withUnsafeMutableBufferPointer { buffer in
                if case .request(let request) = parser.parse(UnsafeBufferPointer(buffer)) { return request.time }
                return nil
            }
            times.append(try #require(time))
        }
        let switchover: Int64 = 1_793_512_800  // 2026-11-01T06:00:00Z
        #expect(times == [switchover - 3, switchover - 2, switchover - 1, switchover, switchover + 1, switchover + 15])
        var pipeline = Pipeline()
        pipeline.feed(times.map { .request($0) })
        pipeline.finish()
        #expect(pipeline.buckets.map(\.start) == [switchover - 10, switchover, switchover + 10])
        #expect(pipeline.buckets.map(\.hits) == [3, 2, 1])
        #expect(pipeline.buckets[0].perSecond.suffix(3) == [1, 1, 1])
        #expect(pipeline.buckets.map(\.late).reduce(0, +) == 0)
    }

    /// Live, heartbeats cover the silence second by second and every empty bucket is written; a replay
    /// writes the same silence as one gap record. The transitions are the same.
    @Test(arguments: [false, true])
    func aGapOfHoursGivesTheExactRecoveryLiveAndReplayed(live: Bool) {
        var pipeline = Pipeline()
        let resume: Int64 = 1000 + 3 * 3600
        pipeline.feed(steady(3, 1000...1019))
        if live { pipeline.feed(heartbeats(1020...(resume - 1))) }
        pipeline.feed(steady(1, resume...(resume + 4)))
        pipeline.finish()
        #expect(pipeline.transcript == [Step(.alert, 1007, 21), Step(.recovery, 1034, 18)])
        if live {
            #expect(pipeline.buckets.count == Int((resume + 10 - 1000) / 10))
            #expect(zip(pipeline.buckets, pipeline.buckets.dropFirst()).allSatisfy { $0.end == $1.start })
            #expect(pipeline.buckets.dropFirst(2).dropLast().allSatisfy { $0.hits == 0 })
            #expect(pipeline.gaps.isEmpty)
        } else {
            // Lateness 2 keeps [1010, 1020) open until 1022, so the silence written as a gap starts at 1020.
            #expect(pipeline.buckets.map(\.start) == [1000, 1010, resume - 10, resume])
            #expect(pipeline.gaps == [GapRecord(start: 1020, end: resume - 10)])
        }
    }

    /// A log with bursts, silences and slightly out-of-order lines, replayed (requests only, then the end
    /// of input) and followed live (the same requests with a heartbeat at every second where the log is
    /// silent, as logtail writes them): the buckets and transitions agree wherever replay has data.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func replayEqualsLive(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var times: [Int64] = []
        var second: Int64 = 50_000
        for _ in 0..<40 {
            let rate = Int(random.next() % 4)
            let length = Int64(5 + random.next() % 40)
            for _ in 0..<length {
                for _ in 0..<rate { times.append(second - Int64(random.next() % 2)) }  // up to 1 s out of order
                second += 1
            }
        }
        let replayEvents = times.map { Event.request($0) }
        var liveEvents: [Event] = []
        var clock = times[0]
        for time in times {
            // Silence between the previous line and this one: logtail's heartbeats fill it.
            while clock + 1 < time {
                clock += 1
                liveEvents.append(.heartbeat(clock))
            }
            clock = max(clock, time)
            liveEvents.append(.request(time))
        }
        var replay = Pipeline()
        replay.feed(replayEvents)
        replay.finish()
        var live = Pipeline()
        live.feed(liveEvents)
        live.feed(heartbeats((clock + 1)...(clock + 200)))
        // The replay's last bucket ends where the log ends (`observedEnd`); live goes on after it.
        let lastEnd = replay.buckets.last!.coveredEnd
        var replayBuckets = replay.buckets
        replayBuckets[replayBuckets.count - 1].observedEnd = nil
        #expect(Array(live.buckets.prefix(replay.buckets.count)) == replayBuckets)
        #expect(live.transcript.filter { $0.at <= lastEnd } == replay.transcript)
        #expect(
            replay.transcript
                == reference(times, boundaries: times.min()!...lastEnd, window: 20, threshold: 1))
    }
}

/// Issue 11's cases: sparse logs, long gaps, late lines with lateness, the end of a replay.
@Suite("Time model: sparse logs, gaps of any length, late lines and the end of a replay")
struct SparseAndGapTimeModelTests {
    @Test(arguments: [Int64(2 * 3600), Int64(26 * 3600), Int64(9 * 86_400), Int64(40 * 86_400)])
    func aSparseLogCountsEveryLineWhateverTheGapsItsLastLineIncluded(gap: Int64) {
        var pipeline = Pipeline(lateness: 0)
        let times = (0..<6).map { 1_600_000_000 + Int64($0) * gap + Int64($0 % 3) }
        pipeline.feed(times.map { .request($0) })
        pipeline.finish()
        #expect(pipeline.buckets.map(\.hits).reduce(0, +) == times.count)
        #expect(pipeline.buckets.map(\.dropped).reduce(0, +) == 0)
        #expect(pipeline.notices.isEmpty)
        #expect(pipeline.gaps.count == times.count - 1, "each silence is one gap record")
        #expect(pipeline.buckets.count <= 2 * times.count)
    }

    @Test func aLineDatedIn2099AmidASparseLogIsDroppedAndTheLinesAroundItCount() {
        var pipeline = Pipeline(lateness: 0)
        pipeline.feed([.request(1000), .request(1000 + 5 * 3600), .request(4_070_908_800), .request(1000 + 9 * 3600)])
        pipeline.finish()
        #expect(pipeline.buckets.map(\.hits).reduce(0, +) == 3)
        #expect(pipeline.buckets.map(\.dropped).reduce(0, +) == 1)
        #expect(pipeline.notices == [.droppedFuture(time: 4_070_908_800, watermark: 1000 + 5 * 3600)])
    }

    @Test func aLineDatedIn1971AmidNormalLinesIsDroppedAsPast() {
        var pipeline = Pipeline(lateness: 0)
        pipeline.feed([.request(1_700_000_000), .request(31_536_000), .request(1_700_000_001)])
        pipeline.finish()
        #expect(pipeline.buckets.map(\.hits).reduce(0, +) == 2)
        #expect(pipeline.buckets.map(\.dropped).reduce(0, +) == 1)
        #expect(pipeline.notices == [.droppedPast(time: 31_536_000, watermark: 1_700_000_000)])
    }

    @Test(arguments: [Int64(30 * 86_400), Int64(10 * 365 * 86_400)])
    func aGapOfAnyLengthCostsOneRecordAndTheAlertRecoversExactly(gap: Int64) {
        var pipeline = Pipeline(lateness: 0)
        pipeline.feed(steady(3, 1000...1019))  // alert at 1007 (window 20, threshold 1)
        pipeline.feed([.heartbeat(1020 + gap)])
        pipeline.feed(steady(1, (1020 + gap)...(1021 + gap)))
        pipeline.finish()
        #expect(pipeline.gaps == [GapRecord(start: 1020, end: 1020 + gap)])
        #expect(pipeline.buckets.map(\.start) == [1000, 1010, 1020 + gap])
        // [1014, 1034) holds 6 × 3 = 18 < 20: recovery at 1034 exactly, inside the gap.
        #expect(pipeline.transcript == [Step(.alert, 1007, 21), Step(.recovery, 1034, 18)])
    }

    /// With lateness 5 two buckets are open; a line for an emitted bucket goes to the oldest open one,
    /// which logalert reads next, so it counts at every boundary evaluated after it arrived.
    @Test func aLateLineWithLatenessCountsAtEveryBoundaryEvaluatedAfterItArrived() {
        var pipeline = Pipeline(window: 20, threshold: 1, lateness: 5)
        pipeline.feed(steady(2, 1000...1016))  // closes [1000, 1010) at 1015
        #expect(pipeline.buckets.map(\.start) == [1000])
        #expect(pipeline.transcript.isEmpty, "[990, 1010) holds 20 hits: exactly the threshold, no alert")
        pipeline.feed(requests(5, at: 1009))  // late: its bucket was emitted
        pipeline.feed(heartbeats(1017...1026))
        let oldest = pipeline.buckets[1]
        #expect(oldest.start == 1010, "the oldest open bucket, not the newest (1020)")
        #expect(oldest.late == 5)
        #expect(oldest.lateSeconds == [SecondCount(at: 1009, hits: 5)])
        // Every boundary after 1010 counts the 5 late hits: at 1011 the window [991, 1011) holds
        // 11 × 2 + 5 = 27 hits (22 without them, had they been put in the newest bucket).
        #expect(pipeline.transcript == [Step(.alert, 1011, 27)])
        #expect(pipeline.rule.lastBoundary == 1020)
    }

    @Test func aReplayEndsWhereTheLogEndsWithoutRecoveringOnImaginedSilence() {
        var pipeline = Pipeline(lateness: 0)
        pipeline.feed(steady(3, 1000...1012))  // alert at 1007; the log ends at 1012
        pipeline.finish()
        #expect(pipeline.transcript == [Step(.alert, 1007, 21)])
        #expect(pipeline.buckets.last?.observedEnd == 1013)
        #expect(pipeline.rule.lastBoundary == 1013, "no boundary after the last line's second + 1")
        #expect(pipeline.rule.isAlerting)
    }

    /// The first line cannot be judged alone: a second far before it leaves both held, and a third
    /// says which of the two was absurd.
    @Test(arguments: [true, false])
    func aFirstLineDatedIn2099IsDroppedAndTheLogCounts(heartbeatDecides: Bool) {
        var pipeline = Pipeline(lateness: 0)
        pipeline.feed([.request(4_070_908_800), .request(1_700_000_000)])
        pipeline.feed(heartbeatDecides ? [.heartbeat(1_700_000_001)] : [.request(1_700_000_001)])
        pipeline.feed([.request(1_700_000_002)])
        pipeline.finish()
        #expect(pipeline.notices == [.droppedFuture(time: 4_070_908_800, watermark: 1_700_000_001)])
        #expect(pipeline.buckets.map(\.hits).reduce(0, +) == (heartbeatDecides ? 2 : 3))
        #expect(pipeline.buckets.map(\.dropped).reduce(0, +) == 1)
        #expect(pipeline.gaps.isEmpty)
    }

    @Test func linesOutOfOrderBeforeTheFirstBucketAreHitsOfTheirOwnInterval() {
        var pipeline = Pipeline(lateness: 0)
        pipeline.feed([.request(1005), .request(995), .request(987), .request(1012)])
        pipeline.finish()
        #expect(pipeline.buckets.map(\.start) == [980, 990, 1000, 1010])
        #expect(pipeline.buckets.map(\.hits) == [1, 1, 1, 1])
        #expect(pipeline.buckets.map(\.late).reduce(0, +) == 0)
    }
}
