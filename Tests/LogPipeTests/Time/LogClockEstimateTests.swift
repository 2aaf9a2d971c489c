import Testing

@testable import LogPipe

/// An estimate that claims a second as soon as the lag allows, so the tests below read in whole
/// seconds; `theDefaultWaitsHalfASecondPastEachSecond` covers the settling delay.
private func unsettled() -> LogClockEstimate {
    var configuration = LogClockEstimate.Configuration()
    configuration.settleMilliseconds = 0
    return LogClockEstimate(configuration: configuration)
}

@Suite("Log clock estimate: what a heartbeat carries")
struct LogClockEstimateTests {
    @Test func theDefaultWaitsHalfASecondPastEachSecond() {
        var clock = LogClockEstimate()
        clock.observe(lineTime: 1000, readAtMilliseconds: 1_000_300)
        // Lag 0.3 s, then 0.5 s to settle: second 1004 is complete from wall 1005.8 on.
        #expect(clock.heartbeatTime(atMilliseconds: 1_005_700) == 1004)
        #expect(clock.heartbeatTime(atMilliseconds: 1_005_800) == 1005)
    }

    @Test func withoutLinesAHeartbeatCarriesTheWallClock() {
        var clock = unsettled()
        #expect(clock.heartbeatTime(atMilliseconds: 1_700_000_000_700) == 1_700_000_000)
    }

    @Test func aLineReadWithinItsSecondBoundsTheLagByItsAge() {
        var clock = unsettled()
        clock.observe(lineTime: 1000, readAtMilliseconds: 1_000_300)
        // The log may run up to 0.3 s behind: second 1004's lines may still come until 1005.3.
        #expect(clock.heartbeatTime(atMilliseconds: 1_005_000) == 1004)
        #expect(clock.heartbeatTime(atMilliseconds: 1_005_300) == 1005)
        #expect(clock.lagMilliseconds == 300)
    }

    @Test func aLogThirtySecondsBehindTheMachineKeepsItsOwnClock() {
        var clock = unsettled()
        // Lines stamped 970..979 read during wall seconds 1000..1009, 300 ms into each.
        for offset in Int64(0)..<10 {
            clock.observe(lineTime: 970 + offset, readAtMilliseconds: (1000 + offset) * 1000 + 300)
        }
        // Lag: read at x.300, stamped x − 30: 30.3 s. At wall 1015.0 the log's clock is 984.7.
        #expect(clock.heartbeatTime(atMilliseconds: 1_015_000) == 984)
        #expect(clock.lagMilliseconds == 30_300)
    }

    @Test func theFastestLineShowsTheLagNotASlowRequestLoggedLate() {
        var clock = unsettled()
        clock.observe(lineTime: 1000, readAtMilliseconds: 1_001_200)  // lag 1.2 s
        clock.observe(lineTime: 940, readAtMilliseconds: 1_001_300)  // a request that took a minute
        #expect(clock.heartbeatTime(atMilliseconds: 1_002_000) == 1000)
    }

    @Test(arguments: [Int64(4_070_908_800), 1_000_003, 631_152_000])
    func linesFarAheadOrFarBehindTheWallClockAreIgnored(lineTime: Int64) {
        var clock = unsettled()
        #expect(!clock.observe(lineTime: lineTime, readAtMilliseconds: 1_000_000) || lineTime == 1_000_003)
        #expect(clock.heartbeatTime(atMilliseconds: 1_000_000) == 1000)
    }

    @Test func aHeartbeatIsNeverAheadOfTheWallClock() {
        var clock = unsettled()
        clock.observe(lineTime: 1001, readAtMilliseconds: 1_000_000)  // 1 s ahead: accepted, lag clamped at 0
        #expect(clock.heartbeatTime(atMilliseconds: 1_000_000) == 1000)
    }

    @Test func oneStrayOldLineCannotHoldHeartbeatsBackButTwoLinesShowANewLag() {
        var clock = unsettled()
        clock.observe(lineTime: 1000, readAtMilliseconds: 1_000_500)
        #expect(clock.heartbeatTime(atMilliseconds: 1_001_000) == 1000)
        // After five quiet minutes, one line ten minutes old.
        clock.observe(lineTime: 1_000 + 300 - 600, readAtMilliseconds: 1_301_000)
        #expect(clock.heartbeatTime(atMilliseconds: 1_302_000) == 1301)
        // A second one confirms the log now runs ten minutes (and a second) behind.
        clock.observe(lineTime: 1_000 + 302 - 600, readAtMilliseconds: 1_303_000)
        #expect(clock.heartbeatTime(atMilliseconds: 1_304_000) == 1304 - 601)
    }
}
