/// Constants of the newline-delimited JSON protocol between the stages (docs/PROTOCOL.md).
public enum WireProtocol {
    /// The protocol version written in every record's `v` field. Raised when a field changes meaning
    /// or is removed; adding a field or a record type keeps the version.
    public static let version = 1

    /// The record types of version 1.
    public enum RecordType: String, Sendable, CaseIterable {
        case request, invalid, heartbeat, bucket, window, alert, recovery
    }
}
