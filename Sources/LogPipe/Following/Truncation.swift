/// How a follower knows that its open file was truncated (copy-and-truncate rotation, `> file`).
public enum Truncation: Hashable, Sendable {
    /// The file is shorter than the read offset.
    case shorterThanOffset
    /// The file is as long as the read offset or longer, but its first bytes changed: it was
    /// truncated and written again before the follower looked.
    case startChanged
    /// The file is as long as the read offset or longer, but the bytes just before the offset
    /// changed: it was truncated and written again before the follower looked.
    case changedBeforeOffset

    /// The event in words, after the file's name: `truncated; reading it again from the start`.
    public var message: String {
        switch self {
        case .shorterThanOffset:
            return "truncated; reading it again from the start"
        case .startChanged:
            return "truncated and written again (its first bytes changed); reading it again from the start"
        case .changedBeforeOffset:
            return
                "truncated and written again (the bytes before the read position changed); reading it again from the start"
        }
    }
}
