/// Reads the lines of a region of a file through a positioned read, for `TimeSeek`: from any byte
/// offset (skipping to the next line start) or from a known line start, handing each line with its
/// start offset to a visitor until it says stop, a byte limit is reached, or the file ends.
///
/// Lines are cut as `LineSplitter` cuts them, so the search sees what logtail's filter sees: a
/// trailing `\r` is removed, a line longer than `maximumLineLength` is seen as its first
/// `maximumLineLength` bytes, and an unterminated last line is a line.
struct SeekLineScanner: ~Copyable {
    /// How a scan ended.
    enum End: Equatable {
        /// The visitor said stop.
        case stopped
        /// The next line starts `limit` bytes or more after where the scan began.
        case reachedLimit
        /// The end of the file: the offset just after its last newline (the start of an unterminated
        /// last line, or the file's size; where the scan began if it saw no newline).
        case endOfFile(lastLineEnd: Int64)
        /// The read at this offset failed.
        case readFailed(offset: Int64)
    }

    /// The file's size: the scanner reads nothing at or past it (a file still written to is searched
    /// as it was when the search began).
    let size: Int64
    let maximumLineLength: Int
    private let read: (Int64, UnsafeMutableBufferPointer<UInt8>) -> Int
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    /// Bytes of the file read so far, all scans together.
    private(set) var bytesRead: Int64 = 0
    /// How much one `read` asks for: about a page cluster, since a probe needs only a line or two.
    private let readSize = 16 * 1024

    /// - Parameters:
    ///   - read: reads bytes at an offset into a buffer, returning how many (0 at the end), or a
    ///     negative number on failure, as `pread(2)` does.
    init(size: Int64, maximumLineLength: Int, read: @escaping (Int64, UnsafeMutableBufferPointer<UInt8>) -> Int) {
        self.size = size
        self.maximumLineLength = max(1, maximumLineLength)
        self.read = read
        buffer = .allocate(capacity: self.maximumLineLength + 1 + 64 * 1024)
    }

    deinit {
        buffer.deallocate()
    }

    /// Visits the lines that start at or after `offset`; `offset` itself is a line start when it is
    /// 0 or `isLineStart`, otherwise the first line start is after the next newline.
    /// - Parameters:
    ///   - limit: stop (`.reachedLimit`) before visiting a line that starts `limit` or more bytes after
    ///     `offset`, or when the skip to the first line start goes that far.
    ///   - visit: gets each line's start offset and bytes; returns true to stop.
    mutating func scan(
        from offset: Int64, isLineStart: Bool, limit: Int64, visit: (Int64, UnsafeBufferPointer<UInt8>) -> Bool
    ) -> End {
        // The buffer holds the file's bytes [base, base + filled); `lineStart` indexes it, or is nil
        // while skipping to the first newline; `cursor` is where the newline search goes on.
        var base = max(0, min(offset, size))
        var filled = 0
        var lineStart: Int? = isLineStart || base == 0 ? 0 : nil
        var cursor = 0
        var lastLineEnd = base
        while true {
            // Complete lines first.
            while cursor < filled {
                guard let newline = firstNewline(from: cursor, to: filled) else {
                    cursor = filled
                    break
                }
                if let start = lineStart {
                    if base + Int64(start) - offset >= limit { return .reachedLimit }
                    if visit(base + Int64(start), lineBytes(start, newline, complete: true)) { return .stopped }
                }
                lineStart = newline + 1
                cursor = newline + 1
                lastLineEnd = base + Int64(newline + 1)
            }
            let atEnd = base + Int64(filled) >= size
            guard let start = lineStart else {
                // Still looking for the first line start: nothing in the buffer is worth keeping.
                if atEnd { return .endOfFile(lastLineEnd: lastLineEnd) }
                if base + Int64(filled) - offset >= limit { return .reachedLimit }
                base += Int64(filled)
                filled = 0
                cursor = 0
                switch refill(base: base, filled: &filled) {
                case .some(let failure): return failure
                case .none: continue
                }
            }
            if start < filled || !atEnd, base + Int64(start) - offset >= limit { return .reachedLimit }
            if atEnd {
                if start < filled, visit(base + Int64(start), lineBytes(start, filled, complete: false)) {
                    return .stopped
                }
                return .endOfFile(lastLineEnd: lastLineEnd)
            }
            if filled - start > maximumLineLength {
                // An over-long line is seen as its beginning, as LineSplitter hands it out; then skip
                // to its newline.
                if visit(
                    base + Int64(start), UnsafeBufferPointer(rebasing: buffer[start..<(start + maximumLineLength)]))
                {
                    return .stopped
                }
                lineStart = nil
                base += Int64(filled)
                filled = 0
                cursor = 0
            } else if start > 0 {
                // Keep the partial line, at the front.
                let pending = filled - start
                if pending > 0 {
                    buffer.baseAddress!.update(from: buffer.baseAddress! + start, count: pending)
                }
                base += Int64(start)
                filled = pending
                cursor = pending
                lineStart = 0
            }
            if let failure = refill(base: base, filled: &filled) { return failure }
        }
    }

    /// Reads the next bytes after `filled`; nil on success, the scan's end on failure.
    private mutating func refill(base: Int64, filled: inout Int) -> End? {
        let position = base + Int64(filled)
        let wanted = Int(min(Int64(min(readSize, buffer.count - filled)), size - position))
        guard wanted > 0 else { return nil }
        let count = read(position, UnsafeMutableBufferPointer(rebasing: buffer[filled..<(filled + wanted)]))
        guard count > 0 else { return .readFailed(offset: position) }
        bytesRead += Int64(count)
        filled += count
        return nil
    }

    /// The bytes of the line `[start, end)` as LineSplitter hands them out.
    private func lineBytes(_ start: Int, _ end: Int, complete: Bool) -> UnsafeBufferPointer<UInt8> {
        var stop = end
        if stop > start && buffer[stop - 1] == 0x0D { stop -= 1 }
        if stop - start > maximumLineLength { stop = start + maximumLineLength }
        return UnsafeBufferPointer(rebasing: buffer[start..<stop])
    }

    private func firstNewline(from start: Int, to end: Int) -> Int? {
        var index = start
        while index < end {
            if buffer[index] == 0x0A { return index }
            index += 1
        }
        return nil
    }
}
