import Testing

@testable import LogPipe

/// Runs `rule` over `hitsPerSecond` starting at second `start`, evaluating each boundary after its second,
/// and returns the transitions.
private func run(_ rule: inout AlertRule, _ hitsPerSecond: [Int], start: Int64 = 0) -> [AlertRule.Transition] {
    var transitions: [AlertRule.Transition] = []
    for (offset, hits) in hitsPerSecond.enumerated() {
        let second = start + Int64(offset)
        rule.record(hits: hits, at: second)
        if let transition = rule.evaluate(at: second + 1) { transitions.append(transition) }
    }
    return transitions
}

/// The rule written as plainly as possible, for comparison: at each boundary t, sum the hits of
/// [t - window, t) from the full series.
private func referenceTransitions(_ series: [Int], configuration: AlertRule.Configuration) -> [(
    AlertRecord.Kind, Int64, Int
)] {
    var alerting = false
    var result: [(AlertRecord.Kind, Int64, Int)] = []
    for boundary in 1...series.count {
        let low = max(0, boundary - configuration.window)
        let hits = series[low..<boundary].reduce(0, +)
        let average = Double(hits) / Double(configuration.window)
        if !alerting && average > configuration.threshold {
            alerting = true
            result.append((.alert, Int64(boundary), hits))
        } else if alerting && average < configuration.recoveryThreshold {
            alerting = false
            result.append((.recovery, Int64(boundary), hits))
        }
    }
    return result
}

@Suite("Alert rule: the 2-minute high-traffic rule")
struct AlertRuleTests {
    @Test func firesAtTheFirstBoundaryWhereTheAverageExceedsTheThreshold() {
        var rule = AlertRule()
        let transitions = run(&rule, [1201])
        #expect(transitions == [AlertRule.Transition(kind: .alert, at: 1, hits: 1201, average: 1201.0 / 120)])
        #expect(rule.isAlerting)
    }

    @Test func anAverageExactlyAtTheThresholdDoesNotFire() {
        var rule = AlertRule()
        #expect(run(&rule, [1200] + Array(repeating: 0, count: 10)).isEmpty)
        #expect(!rule.isAlerting)
        #expect(rule.windowHits == 1200)
    }

    @Test func anAverageExactlyAtTheThresholdKeepsAnActiveAlert() {
        var rule = AlertRule()
        // 1201 hits at second 0 fires; one more hit at second 1 and at second 120 the window [1, 121)
        // holds... build a window of exactly 1200 while alerting: 600 + 601 fires at 2, then when the
        // 600 leaves (t = 121) the window holds 601 + 599 = 1200: equal, so no recovery.
        var series = [600, 601] + Array(repeating: 0, count: 118)
        series.append(599)  // second 120
        let transitions = run(&rule, series)
        #expect(transitions.map(\.kind) == [.alert])
        #expect(transitions.first?.at == 2)
        #expect(rule.isAlerting)
        #expect(rule.windowHits == 1200)
    }

    @Test func recoversAtTheFirstBoundaryWhereTheAverageDropsBelowTheThreshold() {
        var rule = AlertRule()
        let transitions = run(&rule, [1201] + Array(repeating: 0, count: 200))
        #expect(transitions.map(\.kind) == [.alert, .recovery])
        // Second 0 stays in [t - 120, t) up to t = 120; at t = 121 the window is [1, 121) and empty.
        #expect(transitions[1] == AlertRule.Transition(kind: .recovery, at: 121, hits: 0, average: 0))
    }

    @Test func dividesByTheWholeWindowDuringWarmUp() {
        var rule = AlertRule()
        // 11 requests/s is above 10, but over 120 s the average passes 10 only once 11 * n > 1200,
        // that is after n = 110 seconds: the boundary t = 110.
        let transitions = run(&rule, Array(repeating: 11, count: 200))
        #expect(transitions == [AlertRule.Transition(kind: .alert, at: 110, hits: 1210, average: 1210.0 / 120)])
    }

    @Test func recoversOnTimeWhenTrafficStopsCompletely() {
        var rule = AlertRule()
        _ = run(&rule, Array(repeating: 20, count: 60))  // 1200 hits by t=60: not yet above; fires at 61
        #expect(!rule.isAlerting)
        rule.record(hits: 20, at: 60)
        #expect(rule.evaluate(at: 61)?.kind == .alert)
        // No more seconds are recorded at all: only boundaries are evaluated (heartbeats, empty buckets).
        var recovery: AlertRule.Transition?
        for boundary in Int64(62)...300 {
            if let transition = rule.evaluate(at: boundary) {
                recovery = transition
                break
            }
        }
        // Seconds 0...60 hold 1220 hits; the window drops below 1200 once second 1 has left it:
        // [t - 120, t) must start at 2 -> t = 122 holds seconds 2...60 = 59 * 20 = 1180 < 1200.
        #expect(recovery == AlertRule.Transition(kind: .recovery, at: 122, hits: 1180, average: 1180.0 / 120))
    }

    @Test func alertsAgainAfterARecovery() {
        var rule = AlertRule()
        let burst = [1201] + Array(repeating: 0, count: 199)
        let transitions = run(&rule, burst + burst)
        #expect(transitions.map(\.kind) == [.alert, .recovery, .alert, .recovery])
        #expect(transitions.map(\.at) == [1, 121, 201, 321])
    }

    @Test("matches a plain reference implementation over many cycles", arguments: [1, 2, 3, 4, 5])
    func matchesAPlainReferenceImplementationOverManyCycles(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        // Phases of quiet and busy traffic that cross the threshold repeatedly.
        var series: [Int] = []
        while series.count < 5000 {
            let rate = Int.random(in: 0...22, using: &generator)
            let length = Int.random(in: 5...150, using: &generator)
            series += (0..<length).map { _ in max(0, rate + Int.random(in: -3...3, using: &generator)) }
        }
        var configuration = AlertRule.Configuration()
        configuration.threshold = 10
        var rule = AlertRule(configuration: configuration)
        let transitions = run(&rule, series)
        let expected = referenceTransitions(series, configuration: configuration)
        #expect(transitions.count == expected.count)
        #expect(transitions.count >= 4, "the series should cross the threshold several times")
        for (actual, reference) in zip(transitions, expected) {
            #expect(actual.kind == reference.0)
            #expect(actual.at == reference.1)
            #expect(actual.hits == reference.2)
        }
    }

    @Test func aShorterWindowAndLowerThresholdFollowTheSameRule() {
        var configuration = AlertRule.Configuration()
        configuration.threshold = 2
        configuration.window = 10
        var rule = AlertRule(configuration: configuration)
        // 21 hits in 10 s is 2.1/s > 2: fires at the boundary after the second that makes it 21.
        let transitions = run(&rule, [5, 5, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(transitions.map(\.kind) == [.alert, .recovery])
        #expect(transitions.map(\.at) == [4, 11])
    }

    // MARK: - Options

    @Test func holdForDelaysTheAlertUntilTheConditionHasHeldThatLong() {
        var configuration = AlertRule.Configuration()
        configuration.holdFor = 30
        var rule = AlertRule(configuration: configuration)
        let transitions = run(&rule, [1201] + Array(repeating: 0, count: 100))
        // Above from t = 1 on; fires at the first boundary 30 s later.
        #expect(transitions.map(\.kind) == [.alert])
        #expect(transitions.first?.at == 31)
    }

    @Test func holdForResetsWhenTheConditionLapses() {
        var configuration = AlertRule.Configuration()
        configuration.holdFor = 30
        configuration.window = 10
        configuration.threshold = 1
        var rule = AlertRule(configuration: configuration)
        // 11 hits at second 0 keep the 10 s window above 1/s for boundaries 1...10 only: 10 s < 30 s.
        let transitions = run(&rule, [11] + Array(repeating: 0, count: 60))
        #expect(transitions.isEmpty)
        #expect(rule.state == .normal)
    }

    @Test func recoverBelowAddsHysteresis() throws {
        var configuration = AlertRule.Configuration()
        configuration.recoverBelow = 5
        var rule = AlertRule(configuration: configuration)
        // 1201 then 9 requests/s: the average sinks from 10 towards 9 but stays above 5.
        let transitions = run(&rule, [1201] + Array(repeating: 9, count: 300))
        #expect(transitions.map(\.kind) == [.alert])
        // Then silence: recovery once the window holds fewer than 600 hits: 66 s of 9/s = 594.
        let silence = run(&rule, Array(repeating: 0, count: 120), start: 301)
        #expect(silence.map(\.kind) == [.recovery])
        let recovery = try #require(silence.first)
        #expect(recovery.at == 355)
        #expect(recovery.hits == 594)
    }

    @Test func requireFullWindowWaitsForAWholeWindowOfData() {
        var configuration = AlertRule.Configuration()
        configuration.requireFullWindow = true
        var rule = AlertRule(configuration: configuration)
        let transitions = run(&rule, [1300] + Array(repeating: 0, count: 130))
        // Data starts at second 0; the first boundary with a full window is t = 120, where second 0 is
        // still inside [0, 120).
        #expect(transitions.map(\.kind) == [.alert, .recovery])
        #expect(transitions.map(\.at) == [120, 121])
    }

    // MARK: - Buckets

    @Test func consumingBucketsGivesTheSameTransitionsAsSeconds() {
        var bySeconds = AlertRule()
        var byBuckets = AlertRule()
        let series = Array(repeating: 0, count: 30) + Array(repeating: 25, count: 70) + Array(repeating: 0, count: 200)
        let expected = run(&bySeconds, series, start: 1000)
        var transitions: [AlertRule.Transition] = []
        for bucketStart in stride(from: 0, to: series.count, by: 10) {
            var bucket = BucketRecord(start: 1000 + Int64(bucketStart), end: 1000 + Int64(bucketStart) + 10)
            bucket.perSecond = Array(series[bucketStart..<(bucketStart + 10)])
            transitions += byBuckets.consume(bucket).transitions
        }
        #expect(transitions == expected)
        #expect(expected.map(\.kind) == [.alert, .recovery])
    }

    @Test func aGapBetweenBucketsCountsAsSilenceAndStillRecoversOnTime() {
        var rule = AlertRule()
        var burst = BucketRecord(start: 0, end: 10)
        burst.perSecond = [1201, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        #expect(rule.consume(burst).transitions.map(\.at) == [1])
        // The next bucket comes an hour later: recovery happened at t = 121, inside the gap.
        var later = BucketRecord(start: 3600, end: 3610)
        later.perSecond = Array(repeating: 1, count: 10)
        let transitions = rule.consume(later).transitions
        #expect(transitions == [AlertRule.Transition(kind: .recovery, at: 121, hits: 0, average: 0)])
        #expect(rule.windowHits == 10)
    }

    @Test func lateSecondsInsideTheWindowCountTowardsLaterBoundaries() {
        var rule = AlertRule()
        var first = BucketRecord(start: 0, end: 10)
        first.perSecond[0] = 1000
        #expect(rule.consume(first).transitions.isEmpty)
        var second = BucketRecord(start: 10, end: 20)
        second.lateSeconds = [SecondCount(at: 5, hits: 201)]
        // 1000 + 201 late hits at second 5: above 1200 from the first boundary of this bucket, t = 11.
        #expect(rule.consume(second).transitions.map(\.at) == [11])
        #expect(rule.windowHits == 1201)
    }

    @Test func lateSecondsOlderThanTheWindowAreNotCounted() {
        var rule = AlertRule()
        var bucket = BucketRecord(start: 200, end: 210)
        bucket.perSecond = Array(repeating: 0, count: 10)
        _ = rule.consume(bucket)
        var next = BucketRecord(start: 210, end: 220)
        next.lateSeconds = [SecondCount(at: 10, hits: 5000)]
        #expect(rule.consume(next).transitions.isEmpty)
        #expect(rule.windowHits == 0)
    }
}
