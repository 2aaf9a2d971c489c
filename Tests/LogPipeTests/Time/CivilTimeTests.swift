import Testing

@testable import LogPipe

@Suite("Civil time arithmetic")
struct CivilTimeTests {
    static let knownInstants: [(CivilTime, Int64)] = [
        (CivilTime(year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, utcOffset: 0), Int64(0)),
        (
            CivilTime(year: 2000, month: 10, day: 10, hour: 13, minute: 55, second: 36, utcOffset: -7 * 3600),
            971_211_336
        ),
        (CivilTime(year: 2016, month: 11, day: 10, hour: 0, minute: 1, second: 2, utcOffset: 8 * 3600), 1_478_707_262),
        (CivilTime(year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59, utcOffset: 0), 1_709_251_199),
        (CivilTime(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59, utcOffset: 0), -1),
        (
            CivilTime(year: 2019, month: 1, day: 22, hour: 3, minute: 56, second: 14, utcOffset: 3 * 3600 + 1800),
            1_548_116_774
        ),
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

    /// Issue 11: an offset with seconds (historic local mean time) must still name the exact instant.
    /// (epoch seconds, offset, the string written)
    @Test(arguments: [
        // Africa/Monrovia until 1972: -0:44:30, a half minute, rounded away from zero to -00:45.
        (Int64(44_150_400), -2670, "1971-05-26T23:15:00-00:45"),
        (44_150_430, -2670, "1971-05-26T23:15:30-00:45"),
        // Europe/Amsterdam's summer time until 1937: +1:19:32, rounded to +01:20.
        (-1_500_000_000, 4772, "1922-06-20T22:40:00+01:20"),
        // +0:19:32: rounded to +00:20; -0:19:29: rounded to -00:19.
        (0, 1172, "1970-01-01T00:20:00+00:20"), (0, -1169, "1969-12-31T23:41:00-00:19"),
        // Whole minutes are untouched.
        (0, -2640, "1969-12-31T23:16:00-00:44"),
    ])
    func anOffsetWithSecondsIsWrittenInTheNearestWholeMinuteOffsetNamingTheSameInstant(
        epoch: Int64, offset: Int, expected: String
    ) {
        let text = CivilTime(epochSeconds: epoch, utcOffset: offset).iso8601
        #expect(text == expected)
        #expect(MomentParser.parse(text, offsetAt: { _ in 0 }) == epoch)
    }

    @Test func everyOffsetWithSecondsNamesTheExactInstant() {
        for offset in stride(from: -14 * 3600, through: 14 * 3600, by: 7) {
            for epoch in [Int64(-1_500_000_000), -1, 0, 59, 44_150_430, 1_700_000_000] {
                let text = CivilTime(epochSeconds: epoch, utcOffset: offset).iso8601
                #expect(MomentParser.parse(text, offsetAt: { _ in 0 }) == epoch, "\(epoch) at \(offset): \(text)")
            }
        }
    }

    @Test func knowsWhichDatesExist() {
        #expect(CivilTime(year: 2024, month: 2, day: 29, hour: 0, minute: 0, second: 0, utcOffset: 0).isValid)
        #expect(!CivilTime(year: 2023, month: 2, day: 29, hour: 0, minute: 0, second: 0, utcOffset: 0).isValid)
        #expect(!CivilTime(year: 1900, month: 2, day: 29, hour: 0, minute: 0, second: 0, utcOffset: 0).isValid)
        #expect(!CivilTime(year: 2023, month: 4, day: 31, hour: 0, minute: 0, second: 0, utcOffset: 0).isValid)
        #expect(!CivilTime(year: 2023, month: 1, day: 1, hour: 24, minute: 0, second: 0, utcOffset: 0).isValid)
    }
}
