/// What `stat(2)` or `fstat(2)` said about a file at one moment: which file it is and how long it is.
///
/// Two snapshots name the same file when their device and inode agree; the size tells a follower
/// whether bytes are waiting beyond its read offset, or whether the file shrank (truncation).
public struct FileSnapshot: Hashable, Sendable {
    /// The device holding the file (`st_dev`).
    public var device: UInt64
    /// The file's inode number on that device (`st_ino`).
    public var inode: UInt64
    /// The file's length in bytes (`st_size`).
    public var size: Int64

    /// Creates a snapshot.
    public init(device: UInt64, inode: UInt64, size: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
    }

    /// Whether `other` is a snapshot of the same file (sizes aside).
    public func isSameFile(as other: FileSnapshot) -> Bool {
        device == other.device && inode == other.inode
    }
}
