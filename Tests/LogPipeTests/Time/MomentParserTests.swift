import Testing

@testable import LogPipe

@Suite("Moment parser: logtail --since")
struct MomentParserTests {
    static let utcPlusOne: UTCOffsetProvider = { _ in 3600 }

    @Test(arguments: [
        ("1700000000", Int64(1_700_000_000)),
        ("@1700000000", 1_700_000_000),
        ("2023-11-14T22:13:20Z", 1_700_000_000),
        ("2023-11-14T23:13:20+01:00", 1_700_000_000),
        ("2023-11-14T23:13:20+0100", 1_700_000_000),
        ("2023-11-14T17:13:20-05", 1_700_000_000),
        ("2023-11-14T22:13Z", 1_699_999_980),
        ("2023-11-14 22:13:20.75Z", 1_700_000_000),
        ("2023-11-14T23:13:20", 1_700_000_000),  // local time, here UTC+1
        ("2023-11-14 23:13", 1_699_999_980),
        ("2023-11-15", 1_700_002_800),  // local midnight
    ])
    func readsEpochSecondsAndISO8601(text: String, expected: Int64) {
        #expect(MomentParser.parse(text, offsetAt: Self.utcPlusOne) == expected)
    }

    @Test(arguments: [
        "", "yesterday", "2023-13-01", "2023-02-30T00:00Z", "2023-11-14T24:00Z", "2023-11-14T22:13:20+25:00",
        "2023-11-14T22:13:20 Z", "2023-11-14X22:13", "12-11-2023", "2023-11-14T22:13:20.Z",
    ])
    func rejectsWhatIsNotAMoment(text: String) {
        #expect(MomentParser.parse(text, offsetAt: Self.utcPlusOne) == nil)
    }
}
