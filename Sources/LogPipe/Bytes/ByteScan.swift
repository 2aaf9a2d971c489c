/// A set of bytes at which a `ByteScan` stops, tested a word and a byte at a time.
///
/// Each set is a type, not a value or a closure, so that every scan is specialized for its set and
/// the word test is inlined: a per-byte call would cost more than the scan saves.
protocol ByteStops {
    /// The high bit of each of the 8 bytes of `word` (little-endian) that is in the set. A borrow or
    /// carry may also flag a byte above a real match, never below one, so the lowest flag is exact.
    static func flags(_ word: UInt64) -> UInt64
    /// Whether `byte` is in the set.
    static func contains(_ byte: UInt8) -> Bool
}

/// The one word-at-a-time byte scan: eight bytes per step, in pure Swift, with the classic "has a
/// zero byte" and "has a byte less than n" word tests. It serves the log parser (spaces, quotes), the
/// JSON parsers and the layout readers (the end of a string) and the JSON writer (what needs escaping).
enum ByteScan {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    // MARK: - Scans

    /// The index of the first byte in `Stops` at or after `start`, or `bytes.count` when there is none.
    @inline(__always)
    static func first<Stops: ByteStops>(_: Stops.Type, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var ignored: UInt64 = 0
        return first(Stops.self, in: bytes, from: start, passedOver: &ignored)
    }

    /// The index of the first byte in `Stops` at or after `start`, or `bytes.count` when there is none;
    /// every byte passed over is ORed into `passedOver`, whose high bits then tell whether any of them
    /// was non-ASCII (a string that is all ASCII needs no UTF-8 validation).
    @inline(__always)
    static func first<Stops: ByteStops>(
        _: Stops.Type, in bytes: UnsafeBufferPointer<UInt8>, from start: Int, passedOver: inout UInt64
    ) -> Int {
        let count = bytes.count
        var index = start
        guard let base = bytes.baseAddress else { return count }
        let raw = UnsafeRawPointer(base)
        while index &+ 8 <= count {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let flags = Stops.flags(word)
            if flags != 0 {
                // The lowest flag is exact: the bytes below it are passed over.
                let passed = flags.trailingZeroBitCount &>> 3
                passedOver |= word & ((UInt64(1) &<< (UInt64(passed) &* 8)) &- 1)
                return index &+ passed
            }
            passedOver |= word
            index &+= 8
        }
        while index < count {
            let byte = base[index]
            if Stops.contains(byte) { return index }
            passedOver |= UInt64(byte)
            index &+= 1
        }
        return count
    }

    /// Whether none of the `length` bytes at `source` is in `Stops`. Reads only those bytes, in words
    /// that may overlap (the last one ends at the last byte), so a short string costs one or two tests.
    @inline(__always)
    static func containsNone<Stops: ByteStops>(_: Stops.Type, _ source: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        let raw = UnsafeRawPointer(source)
        if length >= 8 {
            var index = 0
            var flags: UInt64 = 0
            while index &+ 8 < length {
                flags |= Stops.flags(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
                index &+= 8
            }
            flags |= Stops.flags(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: length &- 8, as: UInt64.self)))
            return flags == 0
        }
        if length >= 4 {
            let head = UInt64(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
            let tail = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: length &- 4, as: UInt32.self)))
            return Stops.flags(head | tail &<< 32) == 0
        }
        for index in 0..<length where Stops.contains(source[index]) { return false }
        return true
    }

    // MARK: - Word tests

    /// The high bit of each byte of `word` that equals `byte`.
    @inline(__always)
    static func equal(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let zeroWhereEqual = word ^ (ones &* UInt64(byte))
        return (zeroWhereEqual &- ones) & ~zeroWhereEqual & highBits
    }

    /// The high bit of each byte of `word` below `bound` (at most 0x80).
    @inline(__always)
    static func below(_ word: UInt64, _ bound: UInt8) -> UInt64 {
        (word &- ones &* UInt64(bound)) & ~word & highBits
    }

    /// The high bit of each byte of `word` that is DEL (0x7F) or non-ASCII.
    @inline(__always)
    static func deleteOrNonASCII(_ word: UInt64) -> UInt64 {
        ((word &+ ones) | word) & highBits
    }

    // MARK: - Stop sets

    /// A space: the log parser's field separator.
    enum Space: ByteStops {
        @inline(__always)
        static func flags(_ word: UInt64) -> UInt64 {
            equal(word, UInt8(ascii: " "))
        }
        @inline(__always)
        static func contains(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ")
        }
    }

    /// `"` or `\`: the end of a quoted log field, or an escape inside it.
    enum QuoteOrBackslash: ByteStops {
        @inline(__always)
        static func flags(_ word: UInt64) -> UInt64 {
            equal(word, UInt8(ascii: "\"")) | equal(word, UInt8(ascii: "\\"))
        }
        @inline(__always)
        static func contains(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
        }
    }

    /// What ends the plain run of a JSON string's content: its closing `"`, an escape `\`, or a control
    /// character (which JSON forbids unescaped).
    enum JSONStringStop: ByteStops {
        @inline(__always)
        static func flags(_ word: UInt64) -> UInt64 {
            equal(word, UInt8(ascii: "\"")) | equal(word, UInt8(ascii: "\\")) | below(word, 0x20)
        }
        @inline(__always)
        static func contains(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20
        }
    }

    /// What the JSON writer cannot copy as it is: a control character, `"`, `\`, DEL or non-ASCII
    /// (checked for UTF-8, U+2028 and U+2029).
    enum JSONWriterAttention: ByteStops {
        @inline(__always)
        static func flags(_ word: UInt64) -> UInt64 {
            below(word, 0x20) | deleteOrNonASCII(word) | equal(word, UInt8(ascii: "\""))
                | equal(word, UInt8(ascii: "\\"))
        }
        @inline(__always)
        static func contains(_ byte: UInt8) -> Bool {
            byte < 0x20 || byte >= 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
        }
    }
}

/// Byte equality of two buffers of `count` bytes, eight bytes at a time (the request layout reader
/// compares about 70 bytes of member names per record).
@inline(__always)
func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    let left = UnsafeRawPointer(a)
    let right = UnsafeRawPointer(b)
    var index = 0
    while index &+ 8 <= count {
        guard
            left.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                == right.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        else { return false }
        index &+= 8
    }
    while index < count {
        guard a[index] == b[index] else { return false }
        index &+= 1
    }
    return true
}
