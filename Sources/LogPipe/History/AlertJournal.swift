/// logalert's alert journal (`--history FILE`), the part that needs no I/O: what one entry's line is,
/// and what the end of a journal read at start says.
///
/// The journal is append-only NDJSON: one `alert` or `recovery` record per line, the very bytes
/// logalert writes into the stream, each appended with one write(2) and flushed with fsync(2), so
/// that a crash or kill -9 can leave at most a torn last line. At start only the journal's last
/// `tailLimit` bytes are read: the last `earlierLimit` entries go into the stream as `history`
/// records, and every entry read is remembered so that a transition seen again (a restart with
/// `--from-start`, a fleet view rebuilt with `--from`) is neither journaled nor notified twice.
public enum AlertJournal {
    /// The most earlier entries written into the stream at start.
    public static let earlierLimit = 50
    /// The most bytes read from the end of the journal at start (about a thousand entries).
    public static let tailLimit = 256 * 1024
    /// The longest torn last line cut off at start; a longer unterminated end is not a journal's.
    public static let tornLimit = 64 * 1024

    /// What identifies a transition: the same kind at the same second boundary is the same event.
    public struct Key: Hashable, Sendable {
        /// Alert or recovery.
        public var kind: AlertRecord.Kind
        /// The second boundary.
        public var at: Int64

        /// The key of `record`.
        public init(_ record: AlertRecord) {
            kind = record.kind
            at = record.at
        }
    }

    /// What the end of a journal holds.
    public struct Reading: Sendable, Equatable {
        /// The entries read, oldest first.
        public var entries: [AlertRecord] = []
        /// Bytes after the last newline: a line cut short by a crash (0 when the journal ends cleanly).
        public var tornBytes = 0
        /// Complete lines that are not `alert` or `recovery` records (skipped).
        public var unreadableLines = 0
        /// The 1-based line number, within the part read, of the first unreadable line.
        public var firstUnreadableLine: Int?
        /// Whether only the end of a longer journal was read.
        public var partial = false

        /// An empty reading: no journal, or an empty one.
        public init() {}

        /// Whether the file looks like something else than a journal (a log pointed at by mistake): it
        /// has lines but none is an entry, or its unterminated end is too long or not a record's start.
        /// Such a file is read for nothing and never written.
        public var isForeign: Bool {
            (entries.isEmpty && unreadableLines > 0) || tornBytes > AlertJournal.tornLimit
        }

        /// The entries to show as earlier, oldest first: the last `earlierLimit`, the last of all
        /// marked unresolved when it is an alert (the monitor stopped during it).
        public var earlier: [HistoryRecord] {
            let shown = entries.suffix(AlertJournal.earlierLimit)
            return shown.indices.map { index in
                HistoryRecord(
                    entry: shown[index], unresolved: index == shown.endIndex - 1 && shown[index].kind == .alert)
            }
        }

        /// The keys of every entry read.
        public var keys: Set<Key> { Set(entries.map(Key.init)) }
    }

    /// Reads the end of a journal.
    /// - Parameters:
    ///   - tail: the journal's last bytes. When it does not start at the file's start, it must start
    ///     one byte before the window read, so that a line starting exactly at the window is kept:
    ///     everything up to the first newline is dropped as part of an older line.
    ///   - fromFileStart: whether `tail` is the whole file.
    public static func read(tail: [UInt8], fromFileStart: Bool) -> Reading {
        var reading = Reading()
        var start = tail.startIndex
        if !fromFileStart {
            reading.partial = true
            guard let newline = tail.firstIndex(of: 0x0A) else {
                reading.tornBytes = tail.count
                return reading
            }
            start = newline + 1
        }
        let end = (tail[start...].lastIndex(of: 0x0A)).map { $0 + 1 } ?? start
        reading.tornBytes = tail.endIndex - end
        if reading.tornBytes > 0 && tail[end] != UInt8(ascii: "{") {
            // A torn entry starts like every record; anything else is not a journal's end.
            reading.tornBytes = max(reading.tornBytes, tornLimit + 1)
        }
        var number = 0
        var lineStart = start
        while lineStart < end {
            let lineEnd = tail[lineStart..<end].firstIndex(of: 0x0A) ?? end
            number += 1
            if lineEnd > lineStart {
                let record = tail.withUnsafeBufferPointer { buffer in
                    try? WireRecord.decode(UnsafeBufferPointer(rebasing: buffer[lineStart..<lineEnd]))
                }
                if case .alert(let alert) = record {
                    reading.entries.append(alert)
                } else {
                    reading.unreadableLines += 1
                    if reading.firstUnreadableLine == nil { reading.firstUnreadableLine = number }
                }
            }
            lineStart = lineEnd + 1
        }
        return reading
    }

    /// The line that journals `record`, newline included: the record as logalert writes it into the
    /// stream.
    public static func line(for record: AlertRecord) -> [UInt8] {
        var writer = JSONWriter(capacity: 512)
        record.encode(into: &writer)
        return writer.bytes
    }
}
