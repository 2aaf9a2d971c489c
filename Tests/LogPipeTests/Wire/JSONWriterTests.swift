import Testing

@testable import LogPipe

private func encodedString(_ bytes: [UInt8]) -> String {
    var writer = JSONWriter()
    bytes.withUnsafeBufferPointer { writer.string($0) }
    return String(decoding: writer.bytes, as: UTF8.self)
}

@Suite("JSON writer: hostile text always gives one valid JSON string")
struct JSONWriterTests {
    @Test(
        "escapes what JSON and terminals require",
        arguments: [
            ("plain /path", "\"plain /path\""),
            ("quote\"in", "\"quote\\\"in\""),
            ("back\\slash", "\"back\\\\slash\""),
            ("new\nline\r\t", "\"new\\nline\\r\\t\""),
            ("\u{1B}[2J", "\"\\u001b[2J\""),
            ("bell\u{07}del\u{7F}", "\"bell\\u0007del\\u007f\""),
            ("line\u{2028}sep\u{2029}", "\"line\\u2028sep\\u2029\""),
            ("ünïcödé 日本", "\"ünïcödé 日本\""),
        ])
    func escapes(input: String, expected: String) {
        #expect(encodedString(Array(input.utf8)) == expected)
    }

    @Test(
        "replaces invalid UTF-8 with U+FFFD",
        arguments: [
            [0x2F, 0xFF, 0x2F] as [UInt8],
            [0xC3],  // truncated two-byte sequence
            [0xE2, 0x82],  // truncated three-byte sequence
            [0xC0, 0xAF],  // overlong slash
            [0xED, 0xA0, 0x80],  // UTF-16 surrogate
            [0xF4, 0x90, 0x80, 0x80],  // beyond U+10FFFF
            [0x80, 0x80],
        ])
    func replacesInvalidUTF8(bytes: [UInt8]) throws {
        var writer = JSONWriter()
        bytes.withUnsafeBufferPointer { writer.string($0) }
        let decoded = try JSONParser.parse(writer.bytes)
        let text = try #require(decoded.stringValue)
        #expect(text.contains("\u{FFFD}"))
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test func everyByteValueRoundTripsThroughTheParser() throws {
        var writer = JSONWriter()
        let allBytes = (0...255).map { UInt8($0) }
        allBytes.withUnsafeBufferPointer { writer.string($0) }
        let decoded = try #require(try JSONParser.parse(writer.bytes).stringValue)
        // ASCII survives exactly; the lone high bytes become replacement characters.
        #expect(decoded.unicodeScalars.prefix(128).map(\.value) == (0..<128).map { UInt32($0) })
        #expect(decoded.unicodeScalars.dropFirst(128).allSatisfy { $0 == "\u{FFFD}" })
        #expect(!writer.bytes.contains(0x0A), "a record must stay on one line")
    }

    @Test(arguments: [
        (0.0, "0"), (10.0, "10"), (10.5, "10.5"), (10.0083, "10.008"), (-2.25, "-2.25"), (1.0 / 3.0, "0.333"),
    ])
    func writesDecimalsCompactly(value: Double, expected: String) {
        var writer = JSONWriter()
        writer.decimal(value)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
    }

    /// Issue 11: a threshold is carried as given, in the shortest decimal that reads back the same.
    @Test(arguments: [
        (0.0001, "0.0001"), (2.25, "2.25"), (10.0, "10"), (0.0, "0"), (-0.0, "0"), (1e9, "1000000000"),
        (0.1 + 0.2, "0.30000000000000004"), (1.0 / 3.0, "0.3333333333333333"), (-2.5, "-2.5"),
        (0.000001, "0.000001"), (0.0000001, "1e-7"), (1.5e-10, "1.5e-10"), (123e18, "123000000000000000000"),
        (1e21, "1e+21"), (1.25e300, "1.25e+300"), (Double.leastNonzeroMagnitude, "5e-324"),
        (Double.greatestFiniteMagnitude, "1.7976931348623157e+308"),
        (9_007_199_254_740_993.0, "9007199254740992"), (Double.infinity, "null"), (Double.nan, "null"),
    ])
    func writesTheShortestDecimalThatReadsBackTheSame(value: Double, expected: String) throws {
        var writer = JSONWriter()
        writer.shortestDecimal(value)
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(text == expected)
        guard value.isFinite else { return }
        #expect(Double(text) == value)
        // And the project's own parser reads it back exactly.
        let parsed = try JSONParser.parse(Array("[\(text)]".utf8))
        guard case .array(let items) = parsed, let number = items.first else {
            Issue.record("not an array")
            return
        }
        #expect(number.doubleValue == value || (value == 0 && number.doubleValue == 0))
    }

    @Test func theShortestDecimalOfRandomDoublesReadsBackExactly() {
        var random = SplitMix64(seed: 11)
        for _ in 0..<20_000 {
            let value = Double(
                bitPattern: random.next() & ~(UInt64(0x7FF) << 52) | (UInt64(random.next() % 2046 + 1) << 52))
            let text = JSONWriter.shortestDecimalText(value)
            #expect(Double(text) == value, "\(value) written as \(text)")
            // The longest: a sign, "0.", five zeros and 17 digits.
            #expect(text.utf8.count <= 25)
        }
    }

    @Test(arguments: [Int64(0), 7, -7, 1_700_000_000, Int64.max, Int64.min])
    func writesIntegers(value: Int64) {
        var writer = JSONWriter()
        writer.integer(value)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == String(value))
    }
}
