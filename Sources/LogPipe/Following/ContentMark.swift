/// What a follower remembers of the bytes it read from a file, to tell later whether the file still
/// holds them: the file's first bytes and the last bytes before its read offset.
///
/// A log only grows, so for as long as a file is the same log both stay where they were read. A file
/// that was truncated and then written again past the read offset before the follower looked
/// (truncate-and-regrow) has a size that says nothing happened, but other bytes at one of these two
/// places, which `compare` finds. A rewrite that puts the very same bytes at both places (the same
/// lines again, or a log whose lines are all alike) cannot be told from a log that only grew.
///
/// The mark owns fixed buffers allocated once: `record` copies at most `capacity` bytes per call
/// (it is called once per `read(2)`, never per line) and `compare` allocates nothing.
public struct ContentMark: ~Copyable {
    /// The file's first bytes as read: `head[0..<headCount]` are the bytes at offsets `0..<headCount`.
    private let head: UnsafeMutableBufferPointer<UInt8>
    private var headCount = 0
    /// The last bytes read before `end`: `tail[0..<tailCount]` are the bytes at
    /// offsets `(end - tailCount)..<end`.
    private let tail: UnsafeMutableBufferPointer<UInt8>
    private var tailCount = 0
    /// Where `compare` reads the file's current bytes.
    private let scratch: UnsafeMutableBufferPointer<UInt8>
    /// The offset just past the last byte recorded: the read offset of a follower that records every
    /// byte it reads.
    public private(set) var end: Int64 = 0

    /// Creates an empty mark.
    /// - Parameter capacity: how many bytes are kept at the start and before the offset each
    ///   (default 1,024: a W3C header and more, or several access-log lines).
    public init(capacity: Int = 1024) {
        let size = max(1, capacity)
        head = .allocate(capacity: size)
        tail = .allocate(capacity: size)
        scratch = .allocate(capacity: size)
    }

    deinit {
        head.deallocate()
        tail.deallocate()
        scratch.deallocate()
    }

    /// How many bytes are kept at the start and before the end, each.
    public var capacity: Int { head.count }

    /// Whether nothing has been recorded (since the last `reset`).
    public var isEmpty: Bool { headCount == 0 && tailCount == 0 }

    /// Notes that `bytes` were read from the file at `offset`: the start of the file is kept until
    /// `capacity` bytes are held, and the bytes before the newest end read replace older ones.
    /// Bytes that end before the newest end recorded only add to the start.
    public mutating func record(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int64) {
        let count = bytes.count
        guard count > 0, offset >= 0, let source = bytes.baseAddress else { return }
        // The start: only bytes that continue it without a hole.
        if offset <= Int64(headCount) && headCount < head.count {
            let skip = Int(Int64(headCount) - offset)
            if skip < count {
                let take = min(count - skip, head.count - headCount)
                (head.baseAddress! + headCount).update(from: source + skip, count: take)
                headCount += take
            }
        }
        // The bytes before the end: the newest `capacity`, old ones kept when the new ones are few
        // and follow them without a hole.
        let newEnd = offset + Int64(count)
        guard newEnd > end else { return }
        let fromNew = min(count, tail.count)
        var fromOld = 0
        if offset <= end {
            let oldBeforeOffset = max(0, tailCount - Int(end - offset))
            fromOld = min(oldBeforeOffset, tail.count - fromNew)
        }
        if fromOld > 0 {
            let oldStart = end - Int64(tailCount)
            let keepFrom = Int(offset - Int64(fromOld) - oldStart)
            tail.baseAddress!.update(from: tail.baseAddress! + keepFrom, count: fromOld)
        }
        (tail.baseAddress! + fromOld).update(from: source + (count - fromNew), count: fromNew)
        tailCount = fromOld + fromNew
        end = newEnd
    }

    /// Forgets everything recorded, for a file read again from its start.
    public mutating func reset() {
        headCount = 0
        tailCount = 0
        end = 0
    }

    /// Compares what was recorded with what the file holds now.
    /// - Parameter read: reads into the buffer the file's bytes at the given offset (`pread(2)`):
    ///   returns how many it read, 0 at the end of the file, or a negative number on error.
    /// - Returns: `.startChanged` or `.changedBeforeOffset` when the file holds other bytes there, or
    ///   fewer (it shrank meanwhile); `.unchanged` when the bytes are the same, when nothing was
    ///   recorded, or when reading failed (the follower's next `read(2)` reports the error).
    public func compare(reading read: (UnsafeMutableBufferPointer<UInt8>, Int64) -> Int) -> ContentObservation {
        if headCount > 0 && matches(head, count: headCount, at: 0, read) == false { return .startChanged }
        if tailCount > 0 && matches(tail, count: tailCount, at: end - Int64(tailCount), read) == false {
            return .changedBeforeOffset
        }
        return .unchanged
    }

    /// Whether the file holds `expected[0..<count]` at `offset`; nil when reading failed.
    private func matches(
        _ expected: UnsafeMutableBufferPointer<UInt8>, count: Int, at offset: Int64,
        _ read: (UnsafeMutableBufferPointer<UInt8>, Int64) -> Int
    ) -> Bool? {
        var got = 0
        while got < count {
            let space = UnsafeMutableBufferPointer(rebasing: scratch[got..<count])
            let result = read(space, offset + Int64(got))
            if result < 0 { return nil }
            if result == 0 { return false }
            got += min(result, count - got)
        }
        for index in 0..<count where scratch[index] != expected[index] { return false }
        return true
    }
}
