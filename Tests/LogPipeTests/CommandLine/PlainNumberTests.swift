import Testing

@testable import LogPipe

/// Issue 11: "`--threshold 0x10` is accepted as 16: reject it." Number options read plain decimal
/// notation only.
@Suite("Number options accept plain decimal notation only")
struct PlainNumberTests {
    @Test(arguments: [
        ("10", 10.0), ("0", 0), ("2.5", 2.5), ("0.0001", 0.0001), ("-0.25", -0.25), ("007", 7), ("1000000000", 1e9),
        ("0.30000000000000004", 0.30000000000000004), ("-0", 0),
    ])
    func readsPlainDecimals(text: String, value: Double) {
        #expect(PlainNumber.decimal(text) == value)
    }

    @Test(arguments: [
        "0x10", "0X10", "0x1p4", "inf", "-inf", "infinity", "Infinity", "nan", "NaN", "-nan", "1e3", "1E3", "1e-3",
        "+5", "+2.5", " 5", "5 ", "5\n", "\t5", "1 000", "1_000", "1,5", ".5", "5.", "-", "-.5", "", ".", "--5", "5-",
        "١٢", "５", "0b101", "0o17", "1.2.3", "10rps",
        // Overflow to infinity, and non-zero digits that underflow to 0.
        String(repeating: "9", count: 400), "0." + String(repeating: "0", count: 400) + "1",
    ])
    func rejectsEverythingElse(text: String) {
        #expect(PlainNumber.decimal(text) == nil, "'\(text)'")
    }

    @Test(arguments: [("10", 10), ("0", 0), ("-5", -5), ("007", 7), ("9223372036854775807", Int.max)])
    func readsPlainWholeNumbers(text: String, value: Int) {
        #expect(PlainNumber.integer(text) == value)
    }

    @Test(arguments: [
        "0x10", "+5", " 5", "5 ", "1e3", "2.5", "2.0", "inf", "nan", "", "-", "1_000", "9223372036854775808", "５",
    ])
    func rejectsWholeNumbersInAnyOtherNotation(text: String) {
        #expect(PlainNumber.integer(text) == nil, "'\(text)'")
    }

    @Test(arguments: [("0", UInt64(0)), ("18446744073709551615", UInt64.max)])
    func readsUnsignedWholeNumbers(text: String, value: UInt64) {
        #expect(PlainNumber.unsigned(text) == value)
    }

    @Test(arguments: ["-1", "+1", "0x10", "18446744073709551616", ""])
    func rejectsUnsignedWholeNumbersInAnyOtherNotation(text: String) {
        #expect(PlainNumber.unsigned(text) == nil, "'\(text)'")
    }

    @Test(arguments: ["0x10", "inf", "nan", "1e1", " 5", "+5"])
    func aNumberOptionInAnotherNotationIsAUsageErrorSayingWhatItNeeds(text: String) throws {
        var parsed = ParsedArguments()
        parsed.values["threshold"] = [text]
        #expect(
            throws: UsageError(
                "option '--threshold' needs a plain decimal number from 0 to 1000000000 (such as 2 or 0.5), got '\(text)'"
            )
        ) { try parsed.number("threshold", in: 0...1e9, default: 10) }
        parsed.values["window"] = [text]
        #expect(throws: UsageError.self) { try parsed.integer("window", in: 1...86_400, default: 120) }
    }

    @Test(arguments: ["0x10:5", "inf:5", "5:0x10", "1e1:5", "5: 5", "+5:5"])
    func loggenPhasesAcceptPlainNumbersOnly(text: String) {
        #expect(LogGenConfiguration.phase(text) == nil)
        #expect(LogGenConfiguration.phase("2.5:5")?.rate == 2.5)
    }
}
