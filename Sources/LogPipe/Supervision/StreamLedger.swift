/// The launcher's account of the final stream it keeps for taps and headless readers: what it has
/// read from the stream's writer, and which of it are whole records.
///
/// Bytes come from a pipe in arbitrary pieces; only complete lines (records) are handed out, to be
/// appended to the copy (`stream.ndjson`), so that the copy always ends at a record's end and a
/// reader starting at offset 0 never sees half a record. A partial record waits for its newline; one
/// longer than `maximumRecordLength` is dropped whole (counted), so memory stays bounded.
public struct StreamLedger: Sendable {
    /// The longest record kept, in bytes including its newline.
    public let maximumRecordLength: Int
    /// Bytes of whole records handed out so far: the length of the copy.
    public private(set) var committed: Int64 = 0
    /// Whether the writer has ended (no more bytes will come).
    public private(set) var ended = false
    /// Bytes dropped: over-long records, and a partial record left when the writer ended.
    public private(set) var droppedBytes: Int64 = 0
    private var partial: [UInt8] = []
    private var skippingOverlong = false

    /// Creates an empty ledger.
    /// - Parameter maximumRecordLength: the longest record kept, in bytes (default 16 MiB).
    public init(maximumRecordLength: Int = 16 << 20) {
        self.maximumRecordLength = max(1, maximumRecordLength)
    }

    /// Takes the next bytes read from the writer and returns the whole records they complete, to be
    /// appended to the copy (empty while no newline has come).
    public mutating func take(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var complete: [UInt8] = []
        for byte in bytes {
            if skippingOverlong {
                droppedBytes += 1
                if byte == 0x0A { skippingOverlong = false }
                continue
            }
            partial.append(byte)
            if byte == 0x0A {
                complete += partial
                partial.removeAll(keepingCapacity: true)
            } else if partial.count >= maximumRecordLength {
                droppedBytes += Int64(partial.count)
                partial.removeAll()
                skippingOverlong = true
            }
        }
        committed += Int64(complete.count)
        return complete
    }

    /// The writer has ended: a partial last record is dropped, so the copy ends with a whole record.
    public mutating func end() {
        ended = true
        droppedBytes += Int64(partial.count)
        partial.removeAll()
        skippingOverlong = false
    }
}

/// One reader's position in the stream copy (a tap, the view, a headless reader): every reader
/// starts at offset 0 and gets the copy in order, each at its own pace.
public struct FeedCursor: Hashable, Sendable {
    /// Bytes of the copy this reader has been sent.
    public private(set) var offset: Int64 = 0

    /// Creates a cursor at the start of the stream.
    public init() {}

    /// Creates a cursor at `offset` (the oldest record kept, for a reader attaching to a bounded copy).
    public init(offset: Int64) {
        self.offset = max(0, offset)
    }

    /// The range of the copy to read next, at most `limit` bytes; nil when the reader has it all.
    public func nextRange(in ledger: StreamLedger, limit: Int) -> Range<Int64>? {
        guard offset < ledger.committed else { return nil }
        return offset..<min(ledger.committed, offset + Int64(max(1, limit)))
    }

    /// How many bytes of `chunk` (read at `nextRange`) to write: up to its last newline, so that
    /// every write ends with a record; all of it when it holds no newline (a record longer than the
    /// chunk goes out in pieces).
    public static func writableLength(of chunk: some BidirectionalCollection<UInt8>) -> Int {
        guard let last = chunk.lastIndex(of: 0x0A) else { return chunk.count }
        return chunk.distance(from: chunk.startIndex, to: last) + 1
    }

    /// Moves the cursor forward to `offset` (the oldest record kept, when the reader fell behind it);
    /// returns the bytes skipped.
    @discardableResult
    public mutating func skip(to offset: Int64) -> Int64 {
        guard offset > self.offset else { return 0 }
        defer { self.offset = offset }
        return offset - self.offset
    }

    /// Records that `count` more bytes were written to the reader.
    public mutating func advance(by count: Int) {
        offset += Int64(count)
    }

    /// Whether the stream has ended and this reader has all of it: close its pipe, an end of file.
    public func isComplete(in ledger: StreamLedger) -> Bool {
        ledger.ended && offset >= ledger.committed
    }
}
