import Testing

@testable import LogPipe

/// `JSONWriter.shortestDecimal` writes its digits straight into the writer's bytes (issue 16). Its text
/// must stay exactly what the earlier implementation, which built it through arrays and a `String`,
/// wrote for every Double: that implementation is kept here, unchanged, as the reference.
@Suite("shortestDecimal writes what the earlier implementation wrote")
struct ShortestDecimalReferenceTests {
    /// The earlier `JSONWriter.shortestDecimalText`, verbatim.
    static func referenceText(_ value: Double) -> String {
        if value == 0 { return "0" }
        // `description` gives the shortest round-trip digits as `d.ddd`, `ddd.d` or `d.ddde±x`.
        let described = Array(value.magnitude.description.utf8)
        var digits: [UInt8] = []
        var pointAt: Int?
        var exponent = 0
        var index = 0
        while index < described.count {
            let byte = described[index]
            if byte == UInt8(ascii: ".") {
                pointAt = digits.count
            } else if byte == UInt8(ascii: "e") {
                var sign = 1
                index += 1
                if described[index] == UInt8(ascii: "-") { sign = -1 }
                if described[index] == UInt8(ascii: "-") || described[index] == UInt8(ascii: "+") { index += 1 }
                for digit in described[index...] { exponent = exponent * 10 + Int(digit - UInt8(ascii: "0")) }
                exponent *= sign
                break
            } else {
                digits.append(byte)
            }
            index += 1
        }
        // value = 0.d1 d2 … dk × 10^n, with d1 not zero.
        var n = (pointAt ?? digits.count) + exponent
        while digits.first == UInt8(ascii: "0") {
            digits.removeFirst()
            n -= 1
        }
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        let k = digits.count
        var out: [UInt8] = value < 0 ? [UInt8(ascii: "-")] : []
        if k <= n && n <= 21 {
            out += digits + [UInt8](repeating: UInt8(ascii: "0"), count: n - k)
        } else if 0 < n && n <= 21 {
            out += digits[..<n] + [UInt8(ascii: ".")] + digits[n...]
        } else if -6 < n && n <= 0 {
            out += [UInt8(ascii: "0"), UInt8(ascii: ".")] + [UInt8](repeating: UInt8(ascii: "0"), count: -n) + digits
        } else {
            out.append(digits[0])
            if k > 1 { out += [UInt8(ascii: ".")] + digits[1...] }
            out += Array("e\(n - 1 < 0 ? "-" : "+")\(abs(n - 1))".utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// What the writer appends for `value`.
    private func written(_ value: Double) -> String {
        var writer = JSONWriter(capacity: 8)
        writer.raw("x")
        writer.shortestDecimal(value)
        return String(decoding: writer.bytes.dropFirst(), as: UTF8.self)
    }

    /// `value`, its negation, and its neighbours one unit in the last place away.
    private func family(_ value: Double) -> [Double] {
        [value, -value, value.nextUp, value.nextDown, -value.nextUp, -value.nextDown].filter(\.isFinite)
    }

    static let edges: [Double] =
        [
            0, -0.0, 1, 10, 0.1, 0.2, 0.1 + 0.2, 1.0 / 3.0, 2.0 / 3.0, 0.5, 0.25, 10.5, 123.456, 1e-6, 1e-7, 9.99e-7,
            1.5e-7, 1e-5, 0.000123, 1e20, 1e21, 1e22, 9.99e20, 1.5e21, 123e18, 1e15, 1e16, 1e17, 1e100, 1e-100, 1e300,
            1e-300, 1e308, 1.25e300, Double.greatestFiniteMagnitude, Double.leastNormalMagnitude,
            Double.leastNonzeroMagnitude, Double.leastNonzeroMagnitude * 2, Double.leastNormalMagnitude.nextDown,
            9_007_199_254_740_991, 9_007_199_254_740_992, 4_503_599_627_370_496, 4_503_599_627_370_495.5,
            18_014_398_509_481_984, 0.0001, 0.001, 2.25, 1e9, 999_999_999.999, 1_000_000_000.5, 100, 1000, 65_536,
            0.1 * 3, 1.1, 2.675,
        ]
        + [
            "9007199254740993", "2.2250738585072014e-308", "9.223372036854775807e18", "1.8446744073709552e19",
            "123456789012345680", "12345678901234567890", "1.7976931348623157e308", "4.9e-324", "1e-323",
        ].compactMap { Double($0) }

    @Test("edge values, their negations and neighbours")
    func edgeValuesAreWrittenAsBefore() {
        for edge in Self.edges {
            for value in family(edge) {
                let reference = value == 0 ? "0" : Self.referenceText(value)
                #expect(written(value) == reference, "\(value)")
                #expect(JSONWriter.shortestDecimalText(value) == reference, "\(value)")
            }
        }
    }

    @Test func nonFiniteValuesAreWrittenAsNull() {
        for value in [Double.nan, .infinity, -.infinity, -Double.nan, Double.signalingNaN] {
            #expect(written(value) == "null")
        }
    }

    @Test("random bit patterns, integers, decimals of a few digits and powers of ten")
    func randomValuesAreWrittenAsBefore() {
        var random = SplitMix64(seed: 0x5D16)
        var values: [Double] = []
        for _ in 0..<100_000 {
            // Any finite bit pattern, subnormals included.
            let bits = random.next()
            let value = Double(bitPattern: bits)
            if value.isFinite { values.append(value) }
        }
        for _ in 0..<30_000 {
            // Integers of every size around 2^53, where the integer shortcut ends.
            let magnitude = Double(random.next() >> UInt64(random.next(below: 64)))
            values.append(magnitude)
            values.append(magnitude + 0.5)
            values.append(Double(Int64(bitPattern: random.next())))
            // Thresholds as people give them: a few digits and a decimal point anywhere.
            let digits = Double(random.next(below: 1_000_000))
            var scale = 1.0
            for _ in 0..<random.next(below: 30) { scale *= 10 }
            values.append(digits / scale)
            values.append(digits * scale)
        }
        var differences: [String] = []
        for value in values {
            let reference = value == 0 ? "0" : Self.referenceText(value)
            let text = written(value)
            if text != reference && differences.count < 5 { differences.append("\(value): \(text), not \(reference)") }
        }
        #expect(differences.isEmpty, "\(differences)")
    }
}
