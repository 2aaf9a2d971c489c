import LogPipe
import Testing

@Suite("TextBuffer")
struct TextBufferTests {
    @Test("integers are written as String(value) writes them, at the bounds of Int64 too")
    func writesIntegersLikeString() {
        var random = SplitMix64(seed: 16)
        var values: [Int64] = [0, 1, -1, 9, 10, 99, 100, -100, 1_000_000_000_000, Int64.max, Int64.min, Int64.min + 1]
        for _ in 0..<2000 {
            // Every magnitude: shift a random word right by a random amount, then pick a sign.
            let word = Int64(bitPattern: random.next() >> UInt64(random.next(below: 64)))
            values.append(random.next(below: 2) == 0 ? word : 0 &- word)
        }
        var text = TextBuffer()
        var expected = ""
        for value in values {
            text.append(decimal: value)
            text.append(UInt8(ascii: " "))
            expected += String(value) + " "
        }
        let written = text.string
        #expect(written == expected)
        var small = TextBuffer()
        small.append(decimal: Int.min)
        let smallest = small.string
        #expect(smallest == String(Int.min))
    }

    @Test(
        "digits are padded with zeros to the width asked, never cut",
        arguments: [
            (UInt64(0), 1, "0"), (0, 2, "00"), (7, 2, "07"), (7, 4, "0007"), (42, 1, "42"), (42, 2, "42"),
            (123, 2, "123"), (5, 0, "5"), (UInt64.max, 1, "18446744073709551615"),
        ])
    func padsDigits(value: UInt64, width: Int, expected: String) {
        var text = TextBuffer()
        text.append(digitsOf: value, minimumCount: width)
        let written = text.string
        #expect(written == expected)
    }

    @Test("fixed decimals follow ViewFormat's rule: half away from zero, - and huge at the edges")
    func writesFixedDecimals() {
        let cases: [(Double, Int, String)] = [
            (1.25, 1, "1.3"), (-0.04, 1, "0.0"), (-0.05, 1, "-0.1"), (0.005, 2, "0.01"), (10.005, 2, "10.01"),
            (1e300, 2, "huge"), (-1e300, 1, "-huge"), (.nan, 1, "-"), (.infinity, 0, "-"),
            (8.99e17, 1, "899000000000000000.0"),
            (123.0, 0, "123"), (0.5, 0, "1"),
        ]
        for (value, decimals, expected) in cases {
            var text = TextBuffer()
            text.append(fixed: value, decimals: decimals)
            let written = text.string
            #expect(written == expected, "\(value) with \(decimals) decimals")
            #expect(ViewFormat.fixed(value, decimals: decimals) == expected)
        }
    }

    @Test("a reused buffer grows past its capacity, keeps every byte, and starts over after removeAll")
    func growsAndResets() {
        var text = TextBuffer(capacity: 1)
        let long = String(repeating: "é日x", count: 500)
        text.append("a literal ")
        text.append(text: long)
        text.append(UInt8(ascii: "\n"))
        let grown = text.string
        #expect(grown == "a literal " + long + "\n")
        text.removeAll()
        let emptied = text.isEmpty
        #expect(emptied)
        text.append(text: "")
        text.append("")
        let stillEmpty = text.isEmpty
        #expect(stillEmpty)
        text.append("again")
        let again = text.string
        let bytes = text.withBytes { Array($0) }
        #expect(again == "again")
        #expect(bytes == Array("again".utf8))
    }
}
