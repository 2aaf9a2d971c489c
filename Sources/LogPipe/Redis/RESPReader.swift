/// Turns the bytes a Redis server sends into complete replies, with no I/O of its own: feed it what
/// the socket gave, then take replies until it has no complete one (the design of hiredis's
/// `redisReaderFeed` / `redisReaderGetReply`). Replies may be split anywhere across feeds.
///
/// The server is not trusted with our memory: a length beyond the limits, a nesting deeper than
/// `maximumDepth`, a line with no end or a byte that starts no RESP2 type is a `RESPProtocolError`,
/// and the reader is then unusable (the connection must be dropped: nothing after a framing error can
/// be trusted). Claimed sizes are never allocated ahead of the bytes that fill them.
public struct RESPReader: Sendable {
    /// Limits on what one reply may claim.
    public struct Limits: Sendable {
        /// The longest bulk string, in bytes.
        public var maximumBulkLength: Int
        /// The most elements in one array.
        public var maximumArrayCount: Int
        /// The deepest nesting of arrays (a reply of `XREAD` is 5 deep).
        public var maximumDepth: Int
        /// The longest simple string, error or integer line, without its CRLF.
        public var maximumLineLength: Int

        /// Creates limits; the defaults fit logpipe's records (a line of at most a few MiB) with room.
        public init(
            maximumBulkLength: Int = 64 << 20, maximumArrayCount: Int = 1 << 20, maximumDepth: Int = 16,
            maximumLineLength: Int = 64 << 10
        ) {
            self.maximumBulkLength = maximumBulkLength
            self.maximumArrayCount = maximumArrayCount
            self.maximumDepth = maximumDepth
            self.maximumLineLength = maximumLineLength
        }
    }

    /// The limits in force.
    public let limits: Limits
    /// Bytes received and not yet consumed start at `start`.
    private var buffer: [UInt8] = []
    private var start = 0
    /// The buffer must hold at least this many unconsumed bytes before a parse can succeed: set when a
    /// parse stops inside a bulk string whose length is known, so that a large reply trickling in is
    /// not re-parsed on every feed.
    private var needed = 0
    /// Set once a framing error was found; every later call reports it again.
    private var failure: RESPProtocolError?

    /// Creates a reader with `limits`.
    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Bytes fed and not yet consumed by complete replies.
    public var bufferedCount: Int { buffer.count - start }

    /// Adds bytes received from the server.
    public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Adds bytes received from the server.
    public mutating func feed(_ bytes: some Sequence<UInt8>) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// The next complete reply, or nil when the bytes fed so far hold none.
    /// - Throws: `RESPProtocolError` when the bytes are not RESP2 or exceed the limits.
    public mutating func next() throws(RESPProtocolError) -> RESPValue? {
        if let failure { throw failure }
        guard bufferedCount > 0, bufferedCount >= needed else { return nil }
        var cursor = start
        do {
            guard let value = try parse(at: &cursor, depth: 0) else { return nil }
            start = cursor
            needed = 0
            return value
        } catch {
            failure = error
            throw error
        }
    }

    /// Drops the consumed prefix once it is at least half the buffer, so feeding stays amortised O(n).
    private mutating func compact() {
        guard start > 0, start >= buffer.count / 2 else { return }
        buffer.removeSubrange(0..<start)
        start = 0
    }

    // MARK: - Parsing

    /// Parses one value at `cursor`, advancing it past the value; nil when the bytes end first.
    private mutating func parse(at cursor: inout Int, depth: Int) throws(RESPProtocolError) -> RESPValue? {
        guard cursor < buffer.count else { return nil }
        let kind = buffer[cursor]
        let lineStart = cursor + 1
        guard let lineEnd = try lineEnd(from: lineStart) else { return nil }
        let after = lineEnd + 2
        switch kind {
        case UInt8(ascii: "+"):
            cursor = after
            return .simpleString(String(decoding: buffer[lineStart..<lineEnd], as: UTF8.self))
        case UInt8(ascii: "-"):
            cursor = after
            return .error(String(decoding: buffer[lineStart..<lineEnd], as: UTF8.self))
        case UInt8(ascii: ":"):
            cursor = after
            return .integer(try integer(lineStart..<lineEnd))
        case UInt8(ascii: "$"):
            let length = try integer(lineStart..<lineEnd)
            if length == -1 {
                cursor = after
                return .bulkString(nil)
            }
            guard length >= 0 else { throw RESPProtocolError("negative bulk string length \(length)") }
            guard length <= limits.maximumBulkLength else {
                throw RESPProtocolError(
                    "bulk string of \(length) bytes exceeds the limit of \(limits.maximumBulkLength)")
            }
            let end = after + Int(length)
            guard end + 2 <= buffer.count else {
                needed = end + 2 - start
                return nil
            }
            guard buffer[end] == 0x0D, buffer[end + 1] == 0x0A else {
                throw RESPProtocolError("bulk string of \(length) bytes is not followed by CRLF")
            }
            cursor = end + 2
            return .bulkString(Array(buffer[after..<end]))
        case UInt8(ascii: "*"):
            let count = try integer(lineStart..<lineEnd)
            if count == -1 {
                cursor = after
                return .array(nil)
            }
            guard count >= 0 else { throw RESPProtocolError("negative array length \(count)") }
            guard count <= limits.maximumArrayCount else {
                throw RESPProtocolError("array of \(count) elements exceeds the limit of \(limits.maximumArrayCount)")
            }
            guard depth < limits.maximumDepth else {
                throw RESPProtocolError("arrays nested deeper than \(limits.maximumDepth)")
            }
            // Every element takes at least 3 bytes (`:0\r\n` is 4), so a claim larger than the bytes
            // left is only waited for, and what is reserved is bounded by what really arrived.
            var elements: [RESPValue] = []
            elements.reserveCapacity(min(Int(count), (buffer.count - after) / 3))
            var position = after
            for _ in 0..<count {
                guard let element = try parse(at: &position, depth: depth + 1) else { return nil }
                elements.append(element)
            }
            cursor = position
            return .array(elements)
        default:
            throw RESPProtocolError("unexpected byte 0x\(String(kind, radix: 16)) where a reply should start")
        }
    }

    /// The index of the CR of the CRLF ending the line that starts at `from`, nil when not there yet.
    private func lineEnd(from: Int) throws(RESPProtocolError) -> Int? {
        // A line may hold `maximumLineLength` bytes, so its CR is at most that far from its start.
        let limit = min(buffer.count, from + limits.maximumLineLength + 1)
        var index = from
        while index < limit {
            if buffer[index] == 0x0D {
                guard index + 1 < buffer.count else { return nil }
                guard buffer[index + 1] == 0x0A else { throw RESPProtocolError("CR without LF in a reply line") }
                return index
            }
            index += 1
        }
        if buffer.count - from > limits.maximumLineLength {
            throw RESPProtocolError("reply line longer than \(limits.maximumLineLength) bytes")
        }
        return nil
    }

    /// The decimal integer in `range`, with overflow refused.
    private func integer(_ range: Range<Int>) throws(RESPProtocolError) -> Int64 {
        var index = range.lowerBound
        var negative = false
        if index < range.upperBound, buffer[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < range.upperBound, range.upperBound - index <= 19 else {
            throw RESPProtocolError("bad integer in a reply")
        }
        var value: Int64 = 0
        while index < range.upperBound {
            let digit = buffer[index] &- UInt8(ascii: "0")
            guard digit < 10 else { throw RESPProtocolError("bad integer in a reply") }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(digit))
            guard !overflow1, !overflow2 else { throw RESPProtocolError("integer out of range in a reply") }
            value = sum
            index += 1
        }
        return negative ? -value : value
    }
}

/// Bytes from the server that are not RESP2, or claim more than the reader's limits allow.
public struct RESPProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public var reason: String

    /// Creates an error.
    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "protocol error from the server: \(reason)" }
}
