/// The ID of a Redis stream entry, `<milliseconds>-<sequence>`; IDs only increase along a stream.
public struct StreamID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since the epoch of the server's clock when the entry was added (for `*` IDs).
    public var milliseconds: UInt64
    /// The entry's number within its millisecond.
    public var sequence: UInt64

    /// The smallest ID, before every entry.
    public static let zero = StreamID(milliseconds: 0, sequence: 0)

    /// Creates an ID.
    public init(milliseconds: UInt64, sequence: UInt64) {
        self.milliseconds = milliseconds
        self.sequence = sequence
    }

    /// The first ID at or after `seconds` since the epoch (`--from TIME`); nil before the epoch.
    public init?(atSeconds seconds: Int64) {
        guard seconds >= 0, seconds <= Int64(UInt64.max / 1000) else { return nil }
        self.init(milliseconds: UInt64(seconds) * 1000, sequence: 0)
    }

    /// Parses `123-4`, or `123` (sequence 0) as Redis accepts in ranges.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, !first.isEmpty, first.allSatisfy(\.isASCIIDigit),
            let milliseconds = UInt64(first)
        else { return nil }
        var sequence: UInt64 = 0
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy(\.isASCIIDigit), let value = UInt64(parts[1]) else {
                return nil
            }
            sequence = value
        }
        self.init(milliseconds: milliseconds, sequence: sequence)
    }

    /// The next possible ID: where a range continues after this entry (works with Redis before 6.2,
    /// which has no exclusive `(` ranges). Nil after the largest ID.
    public var successor: StreamID? {
        if sequence < UInt64.max { return StreamID(milliseconds: milliseconds, sequence: sequence + 1) }
        if milliseconds < UInt64.max { return StreamID(milliseconds: milliseconds + 1, sequence: 0) }
        return nil
    }

    /// The ID just before this one: where a backward scan continues after this entry. Nil for 0-0.
    public var predecessor: StreamID? {
        if sequence > 0 { return StreamID(milliseconds: milliseconds, sequence: sequence - 1) }
        if milliseconds > 0 { return StreamID(milliseconds: milliseconds - 1, sequence: UInt64.max) }
        return nil
    }

    public var description: String { "\(milliseconds)-\(sequence)" }

    public static func < (lhs: StreamID, rhs: StreamID) -> Bool {
        (lhs.milliseconds, lhs.sequence) < (rhs.milliseconds, rhs.sequence)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
