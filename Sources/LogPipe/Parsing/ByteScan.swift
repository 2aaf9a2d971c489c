/// Word-at-a-time byte searches for the parser's scans (quoted fields, space-separated fields),
/// eight bytes per step without leaving pure Swift.
enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The index of the first space in `bytes` at or after `start`, or `bytes.count`.
    @inline(__always)
    static func firstSpace(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let count = bytes.count
        var index = start
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index &+ 8 <= count {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                let spaces = word ^ 0x2020_2020_2020_2020
                let found = (spaces &- ones) & ~spaces & highBits
                if found != 0 { return index &+ found.trailingZeroBitCount &>> 3 }
                index &+= 8
            }
        }
        while index < count && bytes[index] != UInt8(ascii: " ") { index += 1 }
        return index
    }

    /// The index of the first `"` or `\` in `bytes` at or after `start`, or `bytes.count`.
    @inline(__always)
    static func firstQuoteOrBackslash(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let count = bytes.count
        var index = start
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index + 8 <= count {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                let quotes = word ^ 0x2222_2222_2222_2222
                let backslashes = word ^ 0x5C5C_5C5C_5C5C_5C5C
                // A byte of `quotes` or `backslashes` is zero where the word holds the byte sought; the
                // lowest flagged byte is always a true match (false flags only appear above one).
                let found = (((quotes &- ones) & ~quotes) | ((backslashes &- ones) & ~backslashes)) & highBits
                if found != 0 { return index + found.trailingZeroBitCount >> 3 }
                index += 8
            }
        }
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return index }
            index += 1
        }
        return count
    }
}
