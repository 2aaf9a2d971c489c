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

@Suite("The timestamp minute cache")
struct CommonLogStampCacheTests {
    @Test("a run of timestamps through one cache gives what parsing each alone gives")
    func cacheAgreesWithParsing() {
        var random = SplitMix64(seed: 28)
        var cache = CommonLogStampCache()
        let zones = ["+0000", "-0700", "+0530", "+2359", "+2400", "-0060"]
        var checked = 0
        var minute = 0
        var zone = zones[0]
        for _ in 0..<50_000 {
            // Mostly the same minute and zone, as in a log; now and then a change, or a damaged stamp.
            if random.next(below: 20) == 0 { minute = random.next(below: 61) }
            if random.next(below: 50) == 0 { zone = zones[random.next(below: zones.count)] }
            let second = random.next(below: 10) == 0 ? random.next(below: 100) : random.next(below: 60)
            var stamp = Array(
                "[28/Feb/2024:23:\(minute < 10 ? "0" : "")\(minute):\(second < 10 ? "0" : "")\(second) \(zone)]".utf8)
            if random.next(below: 30) == 0 {
                stamp[random.next(below: stamp.count)] = [0x00, 0x20, 0x3A, 0x39, 0x2D, 0x78][random.next(below: 6)]
            }
            stamp.withUnsafeBufferPointer { bytes in
                #expect(cache.time(bytes, at: 0) == LogTimestamp.parseCommonLog(bytes, at: 0), "\(stamp)")
            }
            checked += 1
        }
        #expect(checked == 50_000)
    }

    @Test("the first timestamp of a line is the one at its first bracket, as parsing it there gives")
    func firstTimeOfALineAgreesWithParsingAtItsFirstBracket() {
        var random = SplitMix64(seed: 29)
        var cache = CommonLogStampCache()
        let prefixes = [
            "", "a", "192.0.2.7 - - ", "x [", "[[", "2001:db8::1 - frank ", String(repeating: "y", count: 40),
        ]
        for _ in 0..<20_000 {
            let second = random.next(below: 64)
            let stamp = "[14/Nov/2023:22:1\(random.next(below: 3)):\(second < 10 ? "0" : "")\(second) +0000]"
            var line = Array((prefixes[random.next(below: prefixes.count)] + stamp + " \"GET / HTTP/1.1\" 200 5").utf8)
            if random.next(below: 4) == 0 { line = Array(line.prefix(random.next(below: line.count + 1))) }
            line.withUnsafeBufferPointer { bytes in
                let expected = bytes.firstIndex(of: UInt8(ascii: "[")).flatMap {
                    LogTimestamp.parseCommonLog(bytes, at: $0)
                }
                #expect(cache.firstTime(in: bytes) == expected, "\(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }

    @Test("second 60 of a cached minute is the first second of the next, and 61 is rejected")
    func leapSecondOfACachedMinute() {
        var cache = CommonLogStampCache()
        func time(_ text: String) -> Int64? {
            Array(text.utf8).withUnsafeBufferPointer { cache.time($0, at: 0) }
        }
        #expect(time("[31/Dec/2016:23:59:58 +0000]") == 1_483_228_798)
        #expect(time("[31/Dec/2016:23:59:60 +0000]") == 1_483_228_800)
        #expect(time("[31/Dec/2016:23:59:61 +0000]") == nil)
        #expect(time("[31/Dec/2016:23:59:6x +0000]") == nil)
        #expect(time("[31/Dec/2016:23:59:59 +0100]") == 1_483_225_199)
    }
}
