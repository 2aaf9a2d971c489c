/// What a follower found at the path it follows, when it last looked (`stat(2)`, which follows
/// symbolic links, so a symlinked log path names the link's current target).
public enum PathObservation: Hashable, Sendable {
    /// A regular file is there.
    case file(FileSnapshot)
    /// Nothing is there (`ENOENT`, `ENOTDIR`): not created yet, or removed or renamed away.
    case missing
    /// Something is there that cannot be followed: the reason in a few words (`permission denied`,
    /// `is a directory`).
    case inaccessible(String)
}
