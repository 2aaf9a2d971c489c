/// What the Redis transport needs to know of an NDJSON record: its type, and the `start` of a bucket
/// or gap (the records that make a source's timeline), read without building a JSON tree.
public struct RecordShape: Sendable, Equatable {
    /// The record's `type`.
    public var type: String
    /// `start`, for `bucket` and `gap` records that have an integer one.
    public var timelineStart: Int64?
    /// The record's own `source` member, when it is a string.
    public var source: String?
    /// Whether the record has a `source` member of any kind.
    public var hasSource: Bool
    /// Where a member inserted after `"v"` (or after `"type"` when there is no `v`) goes: the byte
    /// offset just past that member's value.
    public var insertionOffset: Int

    /// Reads `line`; nil unless it is exactly one JSON object with a string `type`.
    public init?(_ line: UnsafeBufferPointer<UInt8>) {
        guard let base = line.baseAddress else { return nil }
        var scanner = JSONObjectScanner(line)
        var type: String?
        var start: Int64?
        var source: String?
        var hasSource = false
        var afterType: Int?
        var afterVersion: Int?
        do {
            while let member = try scanner.next() {
                let end = member.value.baseAddress.map { $0 - base + member.value.count } ?? 0
                if member.keyIs("type") {
                    guard type == nil, let text = member.decodedString else { return nil }
                    type = text
                    afterType = end + 1  // past the closing quote
                } else if member.keyIs("v") {
                    afterVersion = end
                } else if member.keyIs("start") {
                    start = member.integer
                } else if member.keyIs("source") {
                    hasSource = true
                    source = member.decodedString
                }
            }
        } catch {
            return nil
        }
        guard let type, let afterType else { return nil }
        self.type = type
        timelineStart = (type == "bucket" || type == "gap") ? start : nil
        self.source = source
        self.hasSource = hasSource
        insertionOffset = afterVersion ?? afterType
    }

    /// Whether records of this type belong to one source's timeline, whose `source` the receiver binds
    /// to the stream entry's.
    public var isTimeline: Bool { type == "bucket" || type == "gap" }
}
