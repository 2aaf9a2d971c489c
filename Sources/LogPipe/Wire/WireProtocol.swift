/// Constants of the newline-delimited JSON protocol between the stages (docs/PROTOCOL.md).
public enum WireProtocol {
    /// The protocol version written in every record's `v` field. Raised when a field changes meaning
    /// or is removed; adding a field or a record type keeps the version.
    ///
    /// Version 2 made the `request` members `source`, `user`, `method`, `path` and `protocol`
    /// optional (`RequestFields`); version 1 records are still read.
    public static let version = 2

    /// The record types of version 2: version 1's, `gap` and `notice` (added in logpipe 0.3),
    /// `history` and `excluded` (issue 15); older readers pass them on as types they do not know.
    public enum RecordType: String, Sendable, CaseIterable {
        case request, invalid, heartbeat, bucket, gap, window, alert, recovery, notice, history, excluded
    }
}
