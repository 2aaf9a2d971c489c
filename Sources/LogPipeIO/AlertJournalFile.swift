import Glibc
import LogPipe

/// The alert journal on disk (`logalert --history FILE`): opened at start, its end read back, and one
/// line appended per transition.
///
/// - **Private.** Created with mode 0600 (a journal found readable by others is made 0600, with a
///   warning), in a directory created with mode 0700 when missing.
/// - **One writer.** An exclusive flock(2) is held while logalert runs: a second logalert given the
///   same journal reads it but does not write it, and says so.
/// - **Crash-safe.** Each entry is one write(2) of the whole line on a descriptor opened with O_APPEND,
///   then fsync(2): a crash or kill -9 can only leave the last line torn. At start a torn last line is
///   reported and cut off (ftruncate(2)) before anything is appended after it; a write that fails
///   half-way is cut off at once.
/// - **Bounded.** Only the last `AlertJournal.tailLimit` bytes are read at start, however long the
///   journal has grown.
public final class AlertJournalFile {
    /// The journal's path, as given.
    public let path: String
    /// What the end of the journal held at start.
    public private(set) var reading = AlertJournal.Reading()
    /// Whether entries are appended (false when another logalert holds the journal, or when the file
    /// is not a journal).
    public private(set) var writable = false
    private var descriptor: Int32 = -1

    /// Opens the journal at `path`, creating it (and its missing directories) when needed, and reads
    /// its end. Problems are reported through `warn(kind, message)` with kind `history`.
    /// - Returns: nil when the journal cannot be opened at all (the run goes on without one).
    public init?(path: String, warn: (String, String) -> Void) {
        self.path = path
        Self.makeParentDirectories(of: path)
        descriptor = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            warn("history", "cannot open the alert history \(path): \(Self.reason(errno)); alerts are not kept")
            return nil
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            warn("history", "the alert history \(path) is not a regular file; alerts are not kept")
            close(descriptor)
            return nil
        }
        let locked = flock(descriptor, LOCK_EX | LOCK_NB) == 0
        reading = readTail(size: Int(status.st_size))
        if reading.isForeign {
            warn(
                "history",
                "\(path) does not look like an alert history (no alert or recovery record in its last lines): it is not written; give --history another file"
            )
            return
        }
        // Only once the file is known to be a journal: a wrong --history (/etc/hosts, a symlink to
        // it) must be left as it was, not made unreadable to everyone else.
        if status.st_mode & 0o077 != 0 {
            let old = String(status.st_mode & 0o777, radix: 8)
            if fchmod(descriptor, 0o600) == 0 {
                warn("history", "the alert history \(path) was mode \(old), readable by others: made 0600")
            } else {
                warn("history", "the alert history \(path) is mode \(old), readable by others: \(Self.reason(errno))")
            }
        }
        if reading.unreadableLines > 0 {
            warn(
                "history",
                "the alert history \(path): \(reading.unreadableLines) line(s) that are not alert or recovery records skipped (the first: line \(reading.firstUnreadableLine ?? 0) of its last \(Self.kibibytes(AlertJournal.tailLimit)) KiB)"
            )
        }
        guard locked else {
            warn(
                "history",
                "the alert history \(path) is kept by another running logalert: this one shows it but does not add to it (give each monitor its own --history FILE)"
            )
            if reading.tornBytes > 0 { reading.tornBytes = 0 }  // the other writer may be mid-line
            return
        }
        writable = true
        if reading.tornBytes > 0 {
            warn(
                "history",
                "the alert history \(path) ended with a torn line of \(reading.tornBytes) bytes (the monitor was stopped while writing it: kill -9, a crash or a full disk): ignored and cut off"
            )
            if ftruncate(descriptor, off_t(Int(status.st_size) - reading.tornBytes)) != 0 {
                warn("history", "cannot cut the torn line off \(path): \(Self.reason(errno)); alerts are not kept")
                writable = false
            }
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Appends `record` as one line with a single write(2), then fsync(2).
    /// - Returns: nil when it was written, else why not (the caller warns).
    public func append(_ record: AlertRecord) -> String? {
        guard writable else { return "not writable" }
        let line = AlertJournal.line(for: record)
        let before = lseek(descriptor, 0, SEEK_END)
        var written = -1
        repeat {
            written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        } while written < 0 && errno == EINTR
        guard written == line.count else {
            let problem = written < 0 ? Self.reason(errno) : "only \(written) of \(line.count) bytes written"
            // Never leave half a line for the next entry to be glued to.
            if written > 0 && before >= 0 { _ = ftruncate(descriptor, before) }
            return problem
        }
        if fsync(descriptor) != 0 { return "fsync: " + Self.reason(errno) }
        return nil
    }

    // MARK: - Helpers

    /// The last `tailLimit` bytes, one byte more before them when the file is longer (see
    /// `AlertJournal.read`).
    private func readTail(size: Int) -> AlertJournal.Reading {
        let fromStart = size <= AlertJournal.tailLimit
        let offset = fromStart ? 0 : size - AlertJournal.tailLimit - 1
        var bytes = [UInt8](repeating: 0, count: size - offset)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress! + filled, $0.count - filled, off_t(offset + filled))
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            filled += count
        }
        return AlertJournal.read(tail: Array(bytes[0..<filled]), fromFileStart: fromStart)
    }

    /// Creates the missing directories above `path`, mode 0700 (mkdir(2) does not follow a final
    /// symlink, and an existing directory is left as it is).
    private static func makeParentDirectories(of path: String) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/").dropLast() {
            current += "/" + component
            _ = mkdir(current, 0o700)
        }
    }

    private static func kibibytes(_ bytes: Int) -> Int { bytes / 1024 }

    private static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }
}
