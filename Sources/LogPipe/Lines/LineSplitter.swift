/// Splits a byte stream into newline-terminated lines, keeping a partial last line across reads.
///
/// The splitter owns one fixed buffer that the caller fills in place (`fill`), so a line is handed
/// out as a view into that buffer, with no copy and no `String`. Memory stays bounded however long a
/// line is: a line longer than `maximumLineLength` is handed out once as its first
/// `maximumLineLength` bytes with `truncated` set, and the rest of it is skipped up to its newline.
/// A trailing `\r` (CRLF logs) is removed.
public struct LineSplitter: ~Copyable {
    /// A line, valid only during the callback that receives it.
    public struct Line {
        /// The line's bytes, without its newline.
        public var bytes: UnsafeBufferPointer<UInt8>
        /// True when the line was longer than the limit and `bytes` holds only its beginning.
        public var truncated: Bool

        @usableFromInline
        init(bytes: UnsafeBufferPointer<UInt8>, truncated: Bool) {
            self.bytes = bytes
            self.truncated = truncated
        }
    }

    /// The longest line handed out whole, in bytes.
    public let maximumLineLength: Int
    // Internal but visible to inlined code: `fill` and the line loop are inlined into the stages'
    // read loops (logagg, logalert), where the body closure then costs no call per line.
    @usableFromInline let buffer: UnsafeMutableBufferPointer<UInt8>
    /// Bytes `[start, end)` of `buffer` are read but not yet handed out.
    @usableFromInline var start = 0
    @usableFromInline var end = 0
    /// True while skipping the remainder of an over-long line that was already handed out truncated.
    @usableFromInline var skippingRemainder = false

    /// Creates a splitter.
    /// - Parameters:
    ///   - maximumLineLength: the longest line handed out whole, in bytes (default 64 KiB).
    ///   - bufferSize: how much one `fill` can read at most; grown to fit at least one maximum line.
    public init(maximumLineLength: Int = 64 * 1024, bufferSize: Int = 1 << 20) {
        self.maximumLineLength = max(1, maximumLineLength)
        buffer = .allocate(capacity: max(bufferSize, self.maximumLineLength + 1, 4096))
    }

    deinit {
        buffer.deallocate()
    }

    /// Whether bytes of an unfinished line are waiting for their newline.
    public var hasPartialLine: Bool { end > start || skippingRemainder }

    /// Lets `read` write new bytes at the end of the buffer, then hands out every completed line.
    ///
    /// - Parameters:
    ///   - read: writes up to `space.count` bytes into `space` and returns how many it wrote (0 at end
    ///     of input), or a negative number on error, which is returned as is.
    ///   - body: receives each complete line.
    /// - Returns: what `read` returned.
    @inlinable
    public mutating func fill<E: Error>(
        _ read: (UnsafeMutableBufferPointer<UInt8>) throws(E) -> Int, lines body: (Line) throws(E) -> Void
    ) throws(E) -> Int {
        makeRoom()
        let space = UnsafeMutableBufferPointer(rebasing: buffer[end...])
        let count = try read(space)
        guard count > 0 else { return count }
        let scanFrom = end
        end += count
        try splitLines(scanningFrom: scanFrom, body)
        return count
    }

    /// Appends bytes from elsewhere (a test, a copy) and hands out every completed line.
    public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, lines body: (Line) -> Void) {
        var offset = 0
        while offset < bytes.count {
            _ = fill(
                { space in
                    let count = min(space.count, bytes.count - offset)
                    _ = UnsafeMutableBufferPointer(rebasing: space[0..<count])
                        .initialize(from: UnsafeBufferPointer(rebasing: bytes[offset..<(offset + count)]))
                    offset += count
                    return count
                }, lines: body)
        }
    }

    /// At end of input, hands out an unterminated last line, if there is one.
    public mutating func finish(_ body: (Line) -> Void) {
        if end > start && !skippingRemainder {
            emit(from: start, to: end, body)
        }
        start = 0
        end = 0
        skippingRemainder = false
    }

    /// Drops any partial line, for when the input is replaced (a truncated file read again from 0).
    public mutating func reset() {
        start = 0
        end = 0
        skippingRemainder = false
    }

    // MARK: - Splitting

    @inlinable
    mutating func splitLines<E: Error>(scanningFrom scanStart: Int, _ body: (Line) throws(E) -> Void) throws(E) {
        // One loop that finds each newline and hands out the line before it, with the positions in
        // locals (callgrind: a separate `emit` per line and the positions in `self` cost about 60
        // instructions a line).
        let base = buffer.baseAddress!
        let limit = end
        var position = scanStart
        if skippingRemainder, position < limit, let found = Self.firstNewline(base + position, limit &- position) {
            // The end of an over-long line already handed out.
            skippingRemainder = false
            start = position &+ found &+ 1
            position = start
        }
        if !skippingRemainder {
            var lineStart = start
            while position < limit, let found = Self.firstNewline(base + position, limit &- position) {
                let newline = position &+ found
                var lineEnd = newline
                if lineEnd > lineStart && base[lineEnd &- 1] == 0x0D { lineEnd &-= 1 }
                let length = lineEnd &- lineStart
                // `start` is where this line begins until the body has taken it, as it was before.
                start = lineStart
                try body(
                    Line(
                        bytes: UnsafeBufferPointer(start: base + lineStart, count: min(length, maximumLineLength)),
                        truncated: length > maximumLineLength))
                lineStart = newline &+ 1
                position = lineStart
            }
            start = lineStart
        }
        if !skippingRemainder && end - start > maximumLineLength {
            // No newline within the limit: hand out the beginning now and skip the rest.
            try body(
                Line(bytes: UnsafeBufferPointer(start: base + start, count: maximumLineLength), truncated: true))
            skippingRemainder = true
        }
        if skippingRemainder {
            start = 0
            end = 0
        } else if start == end {
            start = 0
            end = 0
        }
    }

    private func emit<E: Error>(
        from lineStart: Int, to lineEnd: Int, truncated: Bool = false, _ body: (Line) throws(E) -> Void
    )
        throws(E)
    {
        var stop = lineEnd
        if !truncated && stop > lineStart && buffer[stop - 1] == 0x0D { stop -= 1 }
        if !truncated && stop - lineStart > maximumLineLength {
            try body(
                Line(
                    bytes: UnsafeBufferPointer(rebasing: buffer[lineStart..<(lineStart + maximumLineLength)]),
                    truncated: true))
            return
        }
        try body(Line(bytes: UnsafeBufferPointer(rebasing: buffer[lineStart..<stop]), truncated: truncated))
    }

    /// Moves a partial line to the front so that the next read has the whole tail of the buffer.
    @usableFromInline
    mutating func makeRoom() {
        guard start > 0 else { return }
        let pending = end - start
        if pending > 0 {
            let base = buffer.baseAddress!
            (base).update(from: base + start, count: pending)
        }
        start = 0
        end = pending
    }

    /// The index of the first newline in the `count` bytes at `pointer`, or nil.
    @inlinable @inline(__always)
    static func firstNewline(_ pointer: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int? {
        let raw = UnsafeRawPointer(pointer)
        var index = 0
        // 32 bytes per test in two 16-byte vectors (SSE2 compares and one mask test; callgrind: about
        // 0.45 instructions a byte, against 0.9 for a word test), then the masks' words give the exact
        // byte. Access-log lines are ~100 to 300 bytes.
        let newline = SIMD16<UInt8>(repeating: 0x0A)
        while index &+ 32 <= count {
            let low = raw.loadUnaligned(fromByteOffset: index, as: SIMD16<UInt8>.self) .== newline
            let high = raw.loadUnaligned(fromByteOffset: index &+ 16, as: SIMD16<UInt8>.self) .== newline
            if ByteScan.firstLane(low .| high) != nil {
                if let offset = ByteScan.firstLane(low) { return index &+ offset }
                return index &+ 16 &+ ByteScan.firstLane(high)!
            }
            index &+= 32
        }
        // Eight bytes at a time with the "has a zero byte" test on the word XOR "\n\n\n\n\n\n\n\n".
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let newlines: UInt64 = ones &* 0x0A
        while index &+ 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) ^ newlines
            let found = (word &- ones) & ~word & highs
            if found != 0 {
                // Little-endian: the lowest flagged byte is the first newline (flags above the first
                // zero byte may be false positives, never below it).
                return index &+ found.trailingZeroBitCount / 8
            }
            index &+= 8
        }
        while index < count {
            if pointer[index] == 0x0A { return index }
            index &+= 1
        }
        return nil
    }
}
