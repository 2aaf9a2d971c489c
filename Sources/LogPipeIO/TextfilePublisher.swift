import Glibc
import LogPipe

/// Writes `logalert --textfile`'s metrics file on a thread of its own, so that a slow disk never holds
/// up the stream, and a replay that reads thousands of buckets a second writes the file only as often
/// as the disk allows.
///
/// The stage hands over each new state with `publish(_:)`, which only swaps it into a one-slot mailbox:
/// a state not yet written is replaced by the newer one (each file written is a whole, consistent
/// state; only states nobody would have had time to scrape are skipped). The thread renders the
/// state and replaces the file atomically (`AtomicFile`). A failure never stops anything: it is
/// counted, described once per kind (the failing step and errno) in `takeReports()` for the stage to
/// warn with, the next state is tried again, and a success after failures is reported too.
public final class TextfilePublisher: @unchecked Sendable {
    /// Checks a `--textfile` path as a usage question, for logalert and the launcher alike: something
    /// must be named, and not a directory.
    /// - Throws: `UsageError` when it cannot be a file's path.
    public static func validatedPath(_ path: String) throws(UsageError) -> String {
        guard !path.isEmpty, !path.hasSuffix("/") else {
            throw UsageError("option '--textfile' needs the path of a file, got '\(path)'")
        }
        var status = stat()
        if stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR {
            throw UsageError("option '--textfile' needs the path of a file, '\(path)' is a directory")
        }
        return path
    }

    /// Counts for the exit summary.
    public struct Summary: Sendable, Equatable {
        /// States written to the file.
        public var written = 0
        /// Attempts that failed.
        public var failed = 0
        /// The last failure, if any.
        public var lastFailure: AtomicFileError?
    }

    /// The metrics file.
    public let path: String
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Guarded by `lock`:
    private var pending: PrometheusTextfile?
    private var busy = false
    private var reports: [String] = []
    private var reportedKinds: Set<String> = []
    private var failuresInARow = 0
    private var counts = Summary()

    /// Starts the writer thread for the file at `path`.
    public init(path: String) {
        self.path = path
        pthread_mutex_init(lock, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(changed, &attributes)
        pthread_condattr_destroy(&attributes)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let started = pthread_create(
            &thread, nil,
            { context in
                Unmanaged<TextfilePublisher>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            }, context)
        if started == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<TextfilePublisher>.fromOpaque(context).release()
            reports.append("cannot start the thread that writes the metrics file \(path); it will not be written")
        }
    }

    /// Hands over the newest state to write; returns at once.
    public func publish(_ content: PrometheusTextfile) {
        pthread_mutex_lock(lock)
        pending = content
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(lock)
    }

    /// The problems (and recoveries) to report since the last call, as sentences.
    public func takeReports() -> [String] {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        let taken = reports
        reports.removeAll()
        return taken
    }

    /// Waits until every state handed over has been written or has failed, at most `milliseconds`.
    /// - Returns: false when the time ran out first (a write hanging on a stuck file system).
    public func waitUntilIdle(milliseconds: Int) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let nanoseconds = Int(deadline.tv_nsec) + (milliseconds % 1000) * 1_000_000
        deadline.tv_sec += milliseconds / 1000 + nanoseconds / 1_000_000_000
        deadline.tv_nsec = nanoseconds % 1_000_000_000
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        while pending != nil || busy {
            if pthread_cond_timedwait(changed, lock, &deadline) == ETIMEDOUT { return pending == nil && !busy }
        }
        return true
    }

    /// The counts so far.
    public var summary: Summary {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return counts
    }

    // MARK: - The writer thread

    private func run() {
        while true {
            pthread_mutex_lock(lock)
            while pending == nil { pthread_cond_wait(changed, lock) }
            let content = pending!
            pending = nil
            busy = true
            pthread_mutex_unlock(lock)

            var failure: AtomicFileError?
            do throws(AtomicFileError) {
                try AtomicFile.replace(path, with: Array(content.render().utf8))
            } catch {
                failure = error
            }

            pthread_mutex_lock(lock)
            record(failure)
            busy = false
            pthread_cond_broadcast(changed)
            pthread_mutex_unlock(lock)
        }
    }

    /// Counts an attempt and words what is worth reporting about it. Called with `lock` held.
    private func record(_ failure: AtomicFileError?) {
        guard let failure else {
            counts.written += 1
            if failuresInARow > 0 {
                reports.append(
                    "metrics file \(path) written again after \(failuresInARow) failed update\(failuresInARow == 1 ? "" : "s")"
                )
                failuresInARow = 0
            }
            return
        }
        counts.failed += 1
        counts.lastFailure = failure
        failuresInARow += 1
        if reportedKinds.insert(failure.kind).inserted {
            reports.append(
                "cannot update the metrics file \(path): \(failure); the stream goes on and the file is tried again after each bucket"
            )
        }
    }
}
