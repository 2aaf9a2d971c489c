import Testing

@testable import LogPipe

@Suite("Civil time arithmetic")
struct CivilTimeTests {
    static let knownInstants: [(CivilTime, Int64)] = [
            (CivilTime(year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, utcOffset: 0), Int64(0)),
            (CivilTime(year: 2000, month: 10, day: 10, hour: 13, minute: 55, second: 36, utcOffset: -7 * 3600), 971_211_336),
            (CivilTime(year: 2016, month: 11, day: 10, hour: 0, minute: 1, second: 2, utcOffset: 8 * 3600), 1_478_707_262),
            (CivilTime(year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59, utcOffset: 0), 1_709_251_199),
            (CivilTime(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59, utcOffset: 0), -1),
            (CivilTime(year: 2019, month: 1, day: 22, hour: 3, minute: 56, second: 14, utcOffset: 3 * 3600 + 1800), 1_548_116_774),
        ]

    @Test(arguments: knownInstants)
    func convertsToEpochSecondsAndBack(civil: CivilTime, epoch: Int64) {
        #expect(civil.epochSeconds == epoch)
        #expect(CivilTime(epochSeconds: epoch, utcOffset: civil.utcOffset) == civil)
    }

    @Test func formatsISO8601WithTheOffset() {
        #expect(CivilTime(epochSeconds: 1_478_707_262, utcOffset: 8 * 3600).iso8601 == "2016-11-10T00:01:02+08:00")
        #expect(CivilTime(epochSeconds: 0, utcOffset: -(3 * 3600 + 1800)).iso8601 == "1969-12-31T20:30:00-03:30")
        #expect(CivilTime(epochSeconds: 0, utcOffset: 0).iso8601 == "1970-01-01T00:00:00+00:00")
    }

    @Test func knowsWhichDatesExist() {
        #expect(CivilTime(year: 2024, month: 2, day: 29, hour: 0, minute: 0, second: 0, utcOffset: 0).isValid)
        #expect(!CivilTime(year: 2023, month: 2, day: 29, hour: 0, minute: 0, second: 0, utcOffset: 0).isValid)
        #expect(!CivilTime(year: 1900, month: 2, day: 29, hour: 0, minute: 0, second: 0, utcOffset: 0).isValid)
        #expect(!CivilTime(year: 2023, month: 4, day: 31, hour: 0, minute: 0, second: 0, utcOffset: 0).isValid)
        #expect(!CivilTime(year: 2023, month: 1, day: 1, hour: 24, minute: 0, second: 0, utcOffset: 0).isValid)
    }
}
