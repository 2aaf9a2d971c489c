/// Reads a line that should have exactly the layout its writer gives it: `JSONWriter`'s output with no
/// white space, members in the written order, integers in plain decimal, strings without escapes. The
/// layout readers (`RequestLayoutReader`, `BucketLayoutReader`, `WindowLayoutReader`) are built on it.
///
/// Every read answers nil or false at the first byte that differs from that layout. A cursor never
/// decides that a line is invalid, only that it is not in the layout; the caller then hands the line
/// to the general path, which accepts or rejects it by the full rules. What a cursor does accept must
/// decode to what the general path gives for the same line (`LayoutReaderAgreementTests`).
struct LayoutCursor {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Whether the whole line has been read.
    var isAtEnd: Bool { position == bytes.count }

    /// Steps over `text` when the line continues with exactly those bytes.
    @inline(__always)
    mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard bytes.count - position >= count, Self.equal(bytes.baseAddress! + position, text.utf8Start, count)
        else { return false }
        position += count
        return true
    }

    /// Whether `count` bytes at `a` and `b` are equal. Most literals of a layout are 8 to 24 bytes
    /// (`,"hits":`, `{"section":"`, `,"distinct_sections":`): two or three word compares, the last one
    /// overlapping, instead of a loop with a byte-by-byte tail (callgrind: about 800 instructions a
    /// bucket line).
    @inline(__always)
    private static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let left = UnsafeRawPointer(a)
        let right = UnsafeRawPointer(b)
        if count >= 8 && count <= 16 {
            return left.loadUnaligned(as: UInt64.self) == right.loadUnaligned(as: UInt64.self)
                && left.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
                    == right.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
        }
        if count > 16 && count <= 24 {
            return left.loadUnaligned(as: UInt64.self) == right.loadUnaligned(as: UInt64.self)
                && left.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                    == right.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                && left.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
                    == right.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
        }
        return memcmpEqual(a, b, count)
    }

    /// Steps over `byte` when it is next.
    @inline(__always)
    mutating func byte(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// An integer in plain decimal that fits in `Int64` (so 19 digits at most, `Int64.max` for a
    /// byte count included; `Int64.min` is declined). What follows is left to the next read: `1.5`
    /// or `01` fail there, since no layout continues with `.` or a digit.
    @inline(__always)
    mutating func integer() -> Int64? {
        var index = position
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < bytes.count else { return nil }
        var value: Int64 = 0
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            let first = index
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 {
                let digit = Int64(bytes[index] &- UInt8(ascii: "0"))
                if index - first < 18 {
                    value = value * 10 + digit
                } else {
                    // The 19th digit may overflow, a 20th always does: checked, never trapped.
                    let (tens, overflowTens) = value.multipliedReportingOverflow(by: 10)
                    let (sum, overflowSum) = tens.addingReportingOverflow(digit)
                    guard !overflowTens, !overflowSum else { return nil }
                    value = sum
                }
                index += 1
            }
            guard index > first else { return nil }
        }
        position = index
        return negative ? -value : value
    }

    /// A number with an optional fraction and no exponent, as `JSONParser` would read it.
    mutating func number() -> JSONValue? {
        let start = position
        var index = position
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let first = index
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        // No leading zeros: `0` alone or a digit from 1 on.
        guard index > first, bytes[first] != UInt8(ascii: "0") || index == first + 1 else { return nil }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            let fraction = index
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            guard index > fraction else { return nil }
        }
        guard
            let value = JSONParser.numberValue(
                UnsafeBufferPointer(rebasing: bytes[start..<index]), isInteger: isInteger)
        else { return nil }
        position = index
        return value
    }

    /// The content of a string without escapes or control characters, in well-formed UTF-8, as
    /// bytes of the line; nil for any other string, which needs the general path's decoding.
    @inline(__always)
    mutating func unescapedBytes() -> UnsafeBufferPointer<UInt8>? {
        guard byte(UInt8(ascii: "\"")) else { return nil }
        var highBits: UInt64 = 0
        let end = ByteScan.first(ByteScan.JSONStringStop.self, in: bytes, from: position, passedOver: &highBits)
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return nil }
        let content = UnsafeBufferPointer(rebasing: bytes[position..<end])
        if highBits & ByteScan.highBits != 0 && !UTF8Validation.isValid(content) { return nil }
        position = end + 1
        return content
    }

    /// `unescapedBytes()` as a `String`.
    mutating func string() -> String? {
        unescapedBytes().map(Self.string)
    }

    /// The content `unescapedBytes()` gave (well-formed UTF-8) as a `String`.
    static func string(_ content: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: content, as: UTF8.self)
    }
}
