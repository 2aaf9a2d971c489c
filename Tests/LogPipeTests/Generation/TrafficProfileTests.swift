import LogPipe
import Testing

@Suite("TrafficProfile")
struct TrafficProfileTests {
    @Test func steadyProfileWritesTheRateEverySecond() {
        let profile = TrafficProfile.steady(rate: 7)
        #expect((0..<100).map { profile.hits(inSecond: $0) } == Array(repeating: 7, count: 100))
        #expect(profile.totalHits(inFirst: 3600) == 25_200)
        #expect(profile.naturalLength == nil)
    }

    @Test(arguments: [
        (second: 0, hits: 4), (second: 9, hits: 4), (second: 10, hits: 30), (second: 69, hits: 30),
        (second: 70, hits: 4), (second: 1000, hits: 4),
    ])
    func burstAddsItsRateToTheBaseDuringTheHalfOpenSpan(second: Int, hits: Int) {
        let profile = TrafficProfile.burst(baseRate: 4, burstRate: 26, burstStart: 10, burstDuration: 60)
        #expect(profile.hits(inSecond: second) == hits)
    }

    @Test func burstTotalsMatchTheSumOfBaseAndBurst() {
        let profile = TrafficProfile.burst(baseRate: 4, burstRate: 26, burstStart: 10, burstDuration: 60)
        #expect(profile.totalHits(inFirst: 400) == 400 * 4 + 60 * 26)
        #expect(profile.totalHits(inFirst: 400) == (0..<400).reduce(0) { $0 + profile.hits(inSecond: $1) })
    }

    @Test func phasesFollowEachOtherAndTrafficStopsAfterTheLast() {
        let profile = TrafficProfile.phases([(rate: 5, seconds: 3), (rate: 0, seconds: 2), (rate: 12, seconds: 1)])
        #expect((0..<8).map { profile.hits(inSecond: $0) } == [5, 5, 5, 0, 0, 12, 0, 0])
        #expect(profile.naturalLength == 6)
    }

    @Test func fractionalRatesSpreadTheirRemainderEvenly() {
        let profile = TrafficProfile.steady(rate: 2.5)
        #expect((0..<6).map { profile.hits(inSecond: $0) } == [2, 3, 2, 3, 2, 3])
        let slow = TrafficProfile.steady(rate: 0.25)
        #expect((0..<8).map { slow.hits(inSecond: $0) } == [0, 0, 0, 1, 0, 0, 0, 1])
    }

    @Test func everySecondCountsExactlyAgainstTheCumulativeTotal() {
        let profile = TrafficProfile.burst(baseRate: 3.3, burstRate: 0.7, burstStart: 5, burstDuration: 13)
        var running = 0
        for second in 0..<200 {
            running += profile.hits(inSecond: second)
            #expect(running == profile.totalHits(inFirst: second + 1))
        }
    }

    @Test func secondsBeforeTheStartAreEmpty() {
        #expect(TrafficProfile.steady(rate: 10).hits(inSecond: -1) == 0)
        #expect(TrafficProfile.steady(rate: 10).totalHits(inFirst: 0) == 0)
    }

    @Test(arguments: [
        (index: 0, count: 4, offset: 0), (index: 1, count: 4, offset: 250_000_000),
        (index: 3, count: 4, offset: 750_000_000), (index: 2, count: 3, offset: 666_666_666),
    ])
    func linesAreDueEvenlyWithinTheirSecond(index: Int, count: Int, offset: Int64) {
        #expect(TrafficProfile.offsetWithinSecond(line: index, of: count) == offset)
    }
}

@Suite("SplitMix64")
struct SplitMix64Tests {
    @Test func matchesTheReferenceSequence() {
        // The first outputs of the reference implementation (Vigna's splitmix64.c) for seed 1234567.
        var random = SplitMix64(seed: 1_234_567)
        #expect(
            [random.next(), random.next(), random.next()] == [
                6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
            ])
    }

    @Test func drawsStayInRange() {
        var random = SplitMix64(seed: 9)
        for bound in [1, 2, 3, 7, 100, 65_536] {
            for _ in 0..<1000 {
                #expect((0..<bound).contains(random.next(below: bound)))
            }
        }
        for _ in 0..<1000 {
            let unit = random.nextUnit()
            #expect(unit >= 0 && unit < 1)
        }
    }
}
