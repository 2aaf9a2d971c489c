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

/// A stop set that also tests 16 bytes at once: each byte's lane of the mask is set when the byte is in
/// the set (SSE2 compares, which Swift's `SIMD16` types compile to).
protocol VectorByteStops: ByteStops {
    static func flags(_ chunk: SIMD16<UInt8>) -> SIMDMask<SIMD16<Int8>>
}

/// The one word-at-a-time byte scan: eight bytes per step, in pure Swift, with the classic "has a
/// zero byte" and "has a byte less than n" word tests. It serves the log parser (spaces, quotes), the
/// JSON parsers and the layout readers (the end of a string) and the JSON writer (what needs escaping).
@usableFromInline
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

    /// `first(_:in:from:)` sixteen bytes per step: each step is a few vector compares and one test of
    /// the mask, and the mask's two words give the exact byte (callgrind: about 13 instructions per
    /// 16 bytes, against about 20 per 8 for the word test of the JSON writer's stop set). The last
    /// step reads the last 16 bytes of `bytes`, ignoring those before `start`, so no byte outside
    /// `bytes` is read.
    @inline(__always)
    static func firstVector<Stops: VectorByteStops>(
        _: Stops.Type, in bytes: UnsafeBufferPointer<UInt8>, from start: Int
    ) -> Int {
        let count = bytes.count
        guard let base = bytes.baseAddress else { return count }
        let raw = UnsafeRawPointer(base)
        var index = start
        while index &+ 16 <= count {
            let chunk = raw.loadUnaligned(fromByteOffset: index, as: SIMD16<UInt8>.self)
            if let offset = firstLane(Stops.flags(chunk)) { return index &+ offset }
            index &+= 16
        }
        guard index < count else { return count }
        guard count >= 16 else { return first(Stops.self, in: bytes, from: index) }
        // The last 16 bytes of `bytes`; lanes before `start` (not to be looked at) are masked off.
        let last = count &- 16
        let chunk = raw.loadUnaligned(fromByteOffset: last, as: SIMD16<UInt8>.self)
        let words = unsafeBitCast(Stops.flags(chunk), to: SIMD2<UInt64>.self)
        var low = words[0]
        var high = words[1]
        let skipped = start &- last
        if skipped > 0 {
            if skipped >= 8 {
                low = 0
                high &= ~UInt64(0) &<< UInt64((skipped &- 8) &* 8)
            } else {
                low &= ~UInt64(0) &<< UInt64(skipped &* 8)
            }
        }
        guard low | high != 0 else { return count }
        return last &+ (low != 0 ? low.trailingZeroBitCount &>> 3 : 8 &+ high.trailingZeroBitCount &>> 3)
    }

    /// The first lane set in `mask`, or nil: the mask read as two words whose bytes are 0 or 0xFF.
    @inlinable @inline(__always)
    static func firstLane(_ mask: SIMDMask<SIMD16<Int8>>) -> Int? {
        let words = unsafeBitCast(mask, to: SIMD2<UInt64>.self)
        let low = words[0]
        let high = words[1]
        guard low | high != 0 else { return nil }
        return low != 0 ? low.trailingZeroBitCount &>> 3 : 8 &+ high.trailingZeroBitCount &>> 3
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

    /// Whether any of the bytes from `start` up to `end` of `base` is NUL: 32 bytes per step in two
    /// 16-byte vectors (SSE2 compares and one mask test), the last step overlapping so that no byte
    /// outside the range is read.
    @inline(__always)
    static func containsNUL(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Bool {
        let length = end &- start
        let raw = UnsafeRawPointer(base + start)
        guard length >= 16 else {
            var index = 0
            while index < length {
                if raw.load(fromByteOffset: index, as: UInt8.self) == 0 { return true }
                index &+= 1
            }
            return false
        }
        let zero = SIMD16<UInt8>(repeating: 0)
        var index = 0
        while index &+ 32 <= length {
            let low = raw.loadUnaligned(fromByteOffset: index, as: SIMD16<UInt8>.self)
            let high = raw.loadUnaligned(fromByteOffset: index &+ 16, as: SIMD16<UInt8>.self)
            if firstLane((low .== zero) .| (high .== zero)) != nil { return true }
            index &+= 32
        }
        // The rest, in two 16-byte loads that end at the end (overlapping what was read before).
        if index < length {
            let low = raw.loadUnaligned(fromByteOffset: length >= 32 ? length &- 32 : 0, as: SIMD16<UInt8>.self)
            let high = raw.loadUnaligned(fromByteOffset: length &- 16, as: SIMD16<UInt8>.self)
            if firstLane((low .== zero) .| (high .== zero)) != nil { return true }
        }
        return false
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

    /// `[`: where a Common Log timestamp starts.
    enum OpeningBracket: VectorByteStops {
        @inline(__always)
        static func flags(_ word: UInt64) -> UInt64 {
            equal(word, UInt8(ascii: "["))
        }
        @inline(__always)
        static func flags(_ chunk: SIMD16<UInt8>) -> SIMDMask<SIMD16<Int8>> {
            chunk .== SIMD16(repeating: UInt8(ascii: "["))
        }
        @inline(__always)
        static func contains(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "[")
        }
    }

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

    /// A space, or a byte that the JSON writer would have to escape or check (a control character,
    /// `"`, `\`, DEL, non-ASCII): the end of a client, identity or user field on the transcoder's path,
    /// which takes only fields that can be copied as they are.
    enum SpaceOrJSONAttention: VectorByteStops {
        @inline(__always)
        static func flags(_ word: UInt64) -> UInt64 {
            JSONWriterAttention.flags(word) | equal(word, UInt8(ascii: " "))
        }
        @inline(__always)
        static func flags(_ chunk: SIMD16<UInt8>) -> SIMDMask<SIMD16<Int8>> {
            // A space (0x20) and the control characters below it in one comparison.
            (chunk .<= SIMD16(repeating: 0x20)) .| (chunk .> SIMD16(repeating: 0x7E))
                .| (chunk .== SIMD16(repeating: UInt8(ascii: "\"")))
                .| (chunk .== SIMD16(repeating: UInt8(ascii: "\\")))
        }
        @inline(__always)
        static func contains(_ byte: UInt8) -> Bool {
            JSONWriterAttention.contains(byte) || byte == UInt8(ascii: " ")
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

    /// What ends the content of a JSON string read without decoding: its closing `"`, an escape `\`, a
    /// control character, or a byte above ASCII (a name that needs UTF-8 validation, which the
    /// general layout read does).
    enum JSONStringStopOrNonASCII: VectorByteStops {
        @inline(__always)
        static func flags(_ word: UInt64) -> UInt64 {
            JSONStringStop.flags(word) | (word & highBits)
        }
        @inline(__always)
        static func flags(_ chunk: SIMD16<UInt8>) -> SIMDMask<SIMD16<Int8>> {
            (chunk .< SIMD16(repeating: 0x20)) .| (chunk .>= SIMD16(repeating: 0x80))
                .| (chunk .== SIMD16(repeating: UInt8(ascii: "\"")))
                .| (chunk .== SIMD16(repeating: UInt8(ascii: "\\")))
        }
        @inline(__always)
        static func contains(_ byte: UInt8) -> Bool {
            JSONStringStop.contains(byte) || byte >= 0x80
        }
    }

    /// What the JSON writer cannot copy as it is: a control character, `"`, `\`, DEL or non-ASCII
    /// (checked for UTF-8, U+2028 and U+2029).
    enum JSONWriterAttention: VectorByteStops {
        @inline(__always)
        static func flags(_ word: UInt64) -> UInt64 {
            below(word, 0x20) | deleteOrNonASCII(word) | equal(word, UInt8(ascii: "\""))
                | equal(word, UInt8(ascii: "\\"))
        }
        @inline(__always)
        static func flags(_ chunk: SIMD16<UInt8>) -> SIMDMask<SIMD16<Int8>> {
            (chunk .< SIMD16(repeating: 0x20)) .| (chunk .> SIMD16(repeating: 0x7E))
                .| (chunk .== SIMD16(repeating: UInt8(ascii: "\"")))
                .| (chunk .== SIMD16(repeating: UInt8(ascii: "\\")))
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
