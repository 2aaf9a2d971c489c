/// What a follower found when it compared the bytes it had read from its open file with what the
/// file holds now (`ContentMark.compare`).
public enum ContentObservation: Hashable, Sendable {
    /// The bytes compared are still there (or nothing was compared: nothing was read yet).
    case unchanged
    /// The file's first bytes are not the ones read: the file was truncated and written again.
    case startChanged
    /// The bytes just before the read offset are not the ones read: the file was truncated and
    /// written again, with the same start (a W3C header, say).
    case changedBeforeOffset
}
