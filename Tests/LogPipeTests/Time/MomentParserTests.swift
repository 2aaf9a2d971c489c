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

    /// Issue 11: offsets with seconds, as Python and Java write historic zones' local mean time.
    @Test(arguments: [
        ("1971-05-26T23:15:30-00:44:30", Int64(44_150_400)),
        ("1971-05-26T23:15:30-004430", 44_150_400),
        ("1922-06-20T22:39:32+01:19:32", -1_500_000_000),
        ("1971-05-26T23:15:00-00:45", 44_150_400),
    ])
    func readsOffsetsWithSeconds(text: String, expected: Int64) {
        #expect(MomentParser.parse(text, offsetAt: Self.utcPlusOne) == expected)
    }

    /// A local time in a zone whose offset has seconds is read with that offset, to the second.
    @Test func readsALocalTimeInAZoneWhoseOffsetHasSeconds() {
        let monrovia: UTCOffsetProvider = { epoch in epoch < 63_593_070 ? -2670 : 0 }
        #expect(MomentParser.parse("1971-05-26T23:15:30", offsetAt: monrovia) == 44_150_400)
        #expect(MomentParser.parse("1971-05-26", offsetAt: monrovia) == 44_066_670)
    }

    @Test(arguments: [
        "2023-11-14T22:13:20+01:00:60", "2023-11-14T22:13:20+01:00:5", "2023-11-14T22:13:20+010060",
        "2023-11-14T22:13:20+01:0030", "2023-11-14T22:13:20+0100:30",
    ])
    func rejectsMalformedOffsetsWithSeconds(text: String) {
        #expect(MomentParser.parse(text, offsetAt: Self.utcPlusOne) == nil)
    }

    @Test(arguments: [
        "", "yesterday", "2023-13-01", "2023-02-30T00:00Z", "2023-11-14T24:00Z", "2023-11-14T22:13:20+25:00",
        "2023-11-14T22:13:20 Z", "2023-11-14X22:13", "12-11-2023", "2023-11-14T22:13:20.Z",
    ])
    func rejectsWhatIsNotAMoment(text: String) {
        #expect(MomentParser.parse(text, offsetAt: Self.utcPlusOne) == nil)
    }
}
