import Glibc

/// Why replacing a file failed: the step and the `errno` it failed with.
public struct AtomicFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done.
    public enum Step: String, Sendable {
        case create = "create"
        case write = "write"
        case sync = "fsync"
        case rename = "rename"
    }

    /// The step that failed.
    public var step: Step
    /// The file the step was applied to (the temporary file, or the target for `rename`).
    public var path: String
    /// The `errno` of the failure.
    public var code: Int32

    /// A stable key for "the same problem again": the step and the error, without the path.
    public var kind: String { "\(step.rawValue) \(code)" }

    /// `cannot create /dir/.x.prom.tmp: No such file or directory`.
    public var description: String {
        let verb: String
        switch step {
        case .create: verb = "cannot create"
        case .write: verb = "cannot write"
        case .sync: verb = "cannot fsync"
        case .rename: verb = "cannot rename the temporary file to"
        }
        return "\(verb) \(path): \(String(cString: strerror(code)))"
    }
}

/// Replacing a file's whole content so that a reader sees the old content or the new, never a part:
/// the new content goes to a temporary file in the same directory, is synced, and is renamed over
/// the target (rename(2) is atomic within a file system). This is how node_exporter's textfile
/// collector asks for its `*.prom` files to be written.
public enum AtomicFile {
    /// The temporary file used for `path`: hidden, in the same directory, and not ending in `.prom`,
    /// so that node_exporter's collector (which reads `*.prom`) never reads it half written.
    public static func temporaryPath(for path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return directory + "." + name + ".tmp"
    }

    /// Replaces the content of `path` with `bytes`, with permissions `mode` whatever the umask (a
    /// metrics file is read by another user, node_exporter's).
    ///
    /// The temporary file is created afresh (`O_EXCL | O_NOFOLLOW` after unlinking any leftover), so a
    /// symbolic link planted at its name is never followed. On failure it is removed and the target
    /// is untouched.
    /// - Throws: `AtomicFileError` naming the step that failed.
    public static func replace(_ path: String, with bytes: [UInt8], mode: mode_t = 0o644) throws(AtomicFileError) {
        let temporary = temporaryPath(for: path)
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw AtomicFileError(step: .create, path: temporary, code: errno) }
        var failure: AtomicFileError?
        if fchmod(descriptor, mode) != 0 {
            failure = AtomicFileError(step: .create, path: temporary, code: errno)
        } else if let code = writeAll(bytes, to: descriptor) {
            failure = AtomicFileError(step: .write, path: temporary, code: code)
        } else if fsync(descriptor) != 0 {
            failure = AtomicFileError(step: .sync, path: temporary, code: errno)
        }
        close(descriptor)
        if failure == nil, rename(temporary, path) != 0 {
            failure = AtomicFileError(step: .rename, path: path, code: errno)
        }
        if let failure {
            unlink(temporary)
            throw failure
        }
    }

    /// Writes all of `bytes`, retrying on EINTR and short writes; the `errno` of a failure, or nil.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        bytes.withUnsafeBufferPointer { buffer -> Int32? in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
    }
}
