import Testing

@testable import LogPipe

private func commonLog(_ text: String) -> Int64? {
    Array(text.utf8).withUnsafeBufferPointer { LogTimestamp.parseCommonLog($0, at: 0) }
}

private func w3c(_ date: String, _ time: String) -> Int64? {
    Array(date.utf8).withUnsafeBufferPointer { date in
        Array(time.utf8).withUnsafeBufferPointer { time in LogTimestamp.parseW3C(date: date, time: time) }
    }
}

/// Expected instants computed independently with Python's `datetime`.
@Suite("Log timestamps")
struct LogTimestampTests {
    static let valid: [(String, Int64)] = [
        ("[10/Oct/2000:13:55:36 -0700]", 971_211_336),
        ("[01/Jan/1970:00:00:00 +0000]", 0),
        ("[29/Feb/2024:23:59:59 +0000]", 1_709_251_199),
        ("[29/Feb/2000:12:00:00 +0000]", 951_825_600),
        ("[31/Dec/1999:23:59:59 -0100]", 946_688_399),
        ("[01/Jan/2024:05:30:00 +0530]", 1_704_067_200),
        ("[31/Dec/2023:23:00:00 -1400]", 1_704_114_000),
        ("[10/Nov/2016:00:01:02 +0800]", 1_478_707_262),
        // A leap second counts as the first second of the next minute.
        ("[31/Dec/2016:23:59:60 +0000]", 1_483_228_800),
    ]

    @Test("reads [dd/Mon/yyyy:HH:MM:SS ±zzzz] with its offset applied", arguments: valid)
    func readsCommonLogTimestamps(_ text: String, _ expected: Int64) {
        #expect(commonLog(text) == expected)
    }

    static let invalid: [String] = [
        "[29/Feb/2023:12:00:00 +0000]",  // not a leap year
        "[29/Feb/1900:12:00:00 +0000]",  // century, not a leap year
        "[31/Apr/2024:12:00:00 +0000]",
        "[00/Jan/2024:12:00:00 +0000]",
        "[32/Jan/2024:12:00:00 +0000]",
        "[10/Oct/2000:24:00:00 +0000]",
        "[10/Oct/2000:23:60:00 +0000]",
        "[10/Oct/2000:23:59:61 +0000]",
        "[10/oct/2000:13:55:36 +0000]",
        "[10/Oct/2000:13:55:36 +2400]",
        "[10/Oct/2000:13:55:36 +0060]",
        "[10/Oct/2000:13:55:36 0000 ]",
        "[1/Oct/2000:13:55:36 +0000] ",
        "[10/Oct/2000 13:55:36 +0000]",
        "[10/Oct/2000:13:55:36 +0000",
        "[10/Oct/20x0:13:55:36 +0000]",
        "",
    ]

    @Test("rejects malformed and impossible timestamps", arguments: invalid)
    func rejectsCommonLogTimestamps(_ text: String) {
        #expect(commonLog(text) == nil)
    }

    @Test func readsAtAnOffsetInsideALine() {
        let line = Array("1.2.3.4 - - [29/Feb/2024:10:00:00 +0100] \"GET /".utf8)
        #expect(line.withUnsafeBufferPointer { LogTimestamp.parseCommonLog($0, at: 12) } == 1_709_197_200)
        #expect(line.withUnsafeBufferPointer { LogTimestamp.parseCommonLog($0, at: 40) } == nil)
    }

    @Test func readsW3CDatesAndTimesInUTC() {
        #expect(w3c("2015-01-13", "00:32:17") == 1_421_109_137)
        #expect(w3c("2015-01-13", "00:32:17.999") == 1_421_109_137)
        #expect(w3c("2024-02-29", "23:59:59") == 1_709_251_199)
        #expect(w3c("2023-02-29", "00:00:00") == nil)
        #expect(w3c("2015-13-01", "00:00:00") == nil)
        #expect(w3c("2015-01-13", "24:00:00") == nil)
        #expect(w3c("2015/01/13", "00:00:00") == nil)
        #expect(w3c("2015-01-13", "00:00") == nil)
        #expect(w3c("2015-01-13", "00:00:00.") == nil)
        #expect(w3c("2015-01-13", "00:00:00Z") == nil)
    }
}
