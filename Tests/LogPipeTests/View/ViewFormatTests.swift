import LogPipe
import Testing

@Suite("ViewFormat")
struct ViewFormatTests {
    @Test(
        "fixed decimals round half away from zero",
        arguments: [
            (1.25, 1, "1.3"), (0.0, 2, "0.00"), (-1.5, 0, "-2"), (10.005, 2, "10.01"), (-0.04, 1, "0.0"), (7.0, 0, "7"),
        ])
    func fixed(value: Double, decimals: Int, expected: String) {
        #expect(ViewFormat.fixed(value, decimals: decimals) == expected)
    }

    @Test(
        "durations use their two largest units",
        arguments: [
            (Int64(0), "0s"), (45, "45s"), (120, "2m"), (725, "12m05s"), (3600, "1h"), (11_220, "3h07m"),
            (187_200, "2d04h"),
        ])
    func durations(seconds: Int64, expected: String) {
        #expect(ViewFormat.duration(seconds) == expected)
    }

    @Test(
        "byte counts use binary units",
        arguments: [
            (512.0, "512 B"), (1536.0, "1.5 KiB"), (1_048_576.0, "1.0 MiB"), (3.5 * 1_073_741_824, "3.5 GiB"),
        ])
    func bytes(value: Double, expected: String) {
        #expect(ViewFormat.bytes(value) == expected)
    }

    @Test(
        "changes between intervals",
        arguments: [
            (Int?.none, 5, "new"), (Int?(0), 5, "new"), (Int?(10), 10, "="), (Int?(10), 15, "+50%"),
            (Int?(10), 5, "-50%"),
            (Int?(1), 100, "+999%+"),
        ])
    func changes(previous: Int?, current: Int, expected: String) {
        #expect(ViewFormat.change(from: previous, to: current) == expected)
    }

    @Test("rates and thresholds stay short")
    func rates() {
        #expect(ViewFormat.rate(3.04) == "3.0")
        #expect(ViewFormat.rate(123.4) == "123")
        #expect(ViewFormat.rate(12_345) == "12.3k")
        #expect(ViewFormat.threshold(10) == "10")
        #expect(ViewFormat.threshold(2.5) == "2.5")
        #expect(ViewFormat.percent(1, of: 3) == "33.3%")
        #expect(ViewFormat.percent(1, of: 0) == "-")
    }
}
