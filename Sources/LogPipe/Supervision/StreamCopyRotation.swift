/// Bounds the launcher's copy of the final stream (`stream.ndjson` in the run directory), which a
/// service keeps for weeks: when the current file reaches `limit` bytes it becomes `stream.ndjson.1`
/// (replacing the one before) and a new `stream.ndjson` starts. So at most two files are kept, about
/// `2 × limit` bytes, and always at least the last `limit` bytes of the stream.
///
/// Offsets are the stream's (the `StreamLedger`'s `committed`, the `FeedCursor`s' `offset`); this
/// value says which file holds one. Rotation happens only between appends of whole records, so both
/// files start and end at a record's boundary. A reader that attaches later starts at `oldestKept`
/// (`startOffset`); one that falls more than a file behind skips to it, and the bytes it missed are
/// reported (`place(of:)` returns nil).
public struct StreamCopyRotation: Sendable, Equatable {
    /// Where a stream offset lies in the kept files.
    public enum Place: Sendable, Equatable {
        /// In `stream.ndjson` at `position`; `available` bytes of it are kept from there.
        case current(position: Int64)
        /// In `stream.ndjson.1` at `position`, with `available` bytes before the current file starts.
        case previous(position: Int64, available: Int64)
    }

    /// The size at which the current file is rotated, in bytes (at least 1).
    public let limit: Int64
    /// The stream offset of the current file's first byte.
    public private(set) var currentStart: Int64 = 0
    /// The stream offset of the previous file's first byte; nil before the first rotation.
    public private(set) var previousStart: Int64?

    /// The default limit: 32 MiB, two to four days of a service's stream (7–13 MiB a day).
    public static let defaultLimit: Int64 = 32 << 20

    /// Creates the account of an empty copy.
    public init(limit: Int64 = Self.defaultLimit) {
        self.limit = max(1, limit)
    }

    /// The oldest stream offset still kept: where a reader attaching now starts.
    public var oldestKept: Int64 { previousStart ?? currentStart }

    /// Whether the current file should be rotated now that the stream has `committed` bytes.
    public func shouldRotate(committed: Int64) -> Bool {
        committed - currentStart >= limit
    }

    /// Notes that the current file was rotated when the stream had `committed` bytes.
    public mutating func rotated(at committed: Int64) {
        previousStart = currentStart
        currentStart = committed
    }

    /// Where the stream offset `offset` is kept; nil when it is older than `oldestKept` (dropped).
    public func place(of offset: Int64) -> Place? {
        if offset >= currentStart { return .current(position: offset - currentStart) }
        guard let previousStart, offset >= previousStart else { return nil }
        return .previous(position: offset - previousStart, available: currentStart - offset)
    }

    /// Reads the limit from the value of `LOGPIPE_STREAM_COPY_LIMIT` (bytes, a whole number of at least
    /// 1); the default when it is absent, nil when it is not such a number.
    public static func limit(fromEnvironment text: String?) -> Int64? {
        guard let text else { return defaultLimit }
        guard let value = Int64(text), value >= 1 else { return nil }
        return value
    }
}
