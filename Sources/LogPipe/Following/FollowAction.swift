/// What a follower should do next, as decided by `FollowStateMachine`.
public enum FollowAction: Hashable, Sendable {
    /// Bytes beyond the read offset are waiting in the open file: read them now, without sleeping.
    case read
    /// Nothing to do until the next look (a poll interval later).
    case wait
    /// Open the path. `atEnd` is true only for the first file of a follow that starts at the end
    /// (`tail -F` without `--from-start`); every later file is new and is read from offset 0.
    /// `reappeared` is true when the path had been reported missing or unreadable before.
    case open(atEnd: Bool, reappeared: Bool)
    /// The open file was truncated (copy-and-truncate rotation, `> file`), as the associated value
    /// says how it was seen: hand out any partial line held (as a line, the way the end of a file
    /// read with `--once` hands out an unterminated last line), then read again from offset 0.
    case restartFromStart(Truncation)
    /// The open file is read to its end and the path now names another file (rotation by rename, or
    /// removed and created again): close the old file and open the new one from offset 0.
    case switchToNewFile
    /// Report the problem once on standard error, then wait for the path to become followable.
    case report(FollowProblem)
}
