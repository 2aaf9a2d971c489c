import Glibc
import LogPipe

/// Follows one log path like `tail -F`: reads new lines as they are written, through rotation,
/// truncation, removal and re-creation, keeping every line exactly once.
///
/// Each `pass` looks before it reads: it compares `fstat(2)` of the descriptor with `stat(2)` of the
/// path and the bytes it read with the file's bytes now (two small `pread(2)`s), and lets a
/// `FollowStateMachine` decide what to do:
/// - **Rotation by rename** (logrotate's default): the old file is read to its end before the new
///   file at the path is opened and read from offset 0. The old descriptor is then kept for a grace
///   period (`retireGraceMilliseconds`) and still read, because a server keeps writing to the
///   renamed file until it is told to reopen its log; its unfinished last line is handed out when
///   the grace period ends.
///
///   A follower sees a rotation only when it looks (every pass). If the file is rotated twice
///   between two looks (logtail stalled for longer than the rotation interval, say blocked on a full
///   stdout pipe), the file in between was never opened and its lines are not read.
/// - **Truncation** (copy-and-truncate rotation, `> file`): a file shorter than the read offset, or
///   whose first bytes or bytes just before the read offset are no longer the ones read
///   (`ContentMark`: the server wrote past the old offset again before the follower looked), is read
///   again from offset 0. A partial line held at that moment is handed out as a line first, as the
///   end of a file read with `--once` hands out an unterminated last line.
///
///   Copy-and-truncate has races no reader of the path can close: lines written after the
///   follower's last look and before the truncation are gone from the file before it reads them
///   (they survive only in the copy, which it does not read, or nowhere when written after the
///   copy); a rewrite that puts the very same bytes at the start and before the offset is not seen;
///   nor is a truncation and regrowth in the instant between a look and the read that follows it.
///   Prefer rotation by rename (logrotate's `create`, with the server told to reopen), where every
///   line is kept.
/// - **Missing, removed or unreadable**: said once on standard error; the follower keeps looking
///   and opens the file when it appears (from offset 0: everything in a new file is new).
/// - **Symbolic links**: `stat(2)` follows them, so a retargeted link is a new file at the path.
///
/// Files are told apart by device and inode. The open descriptor keeps its inode from being reused,
/// so a file removed and created again is always seen as a new file.
///
/// A line is handed out only once its newline is written; a partial line waits for the rest, except
/// where its file is let go (a truncation, the end of a rotated file's grace period): then it is
/// handed out as a line, so that no held byte is dropped silently.
public final class FileFollower: FollowInput {
    /// The followed path, as given on the command line.
    public let name: String
    /// Always nil: a regular file is always "readable" to `poll(2)`, so it is looked at on a timer.
    public var wakeDescriptor: Int32? { nil }
    /// The current file at the path, when one is open.
    private var current: FollowedFile?
    /// Files rotated away, still read during their grace period; oldest first.
    private var retired: [FollowedFile] = []
    private var machine: FollowStateMachine
    private let maximumLineLength: Int
    private let retireGrace: Int64
    private let diagnostics: Diagnostics?
    /// Problems noticed since `takeNotices()` last ran.
    private var notices: [NoticeRecord] = []
    /// Chooses where the first file opened from its start is read from (`--since`'s search), once.
    private var firstStart: ((_ descriptor: Int32) -> Int64)?

    /// Creates a follower of `path`; it opens nothing until its first `pass`.
    /// - Parameters:
    ///   - path: the file to follow, as given on the command line (also the follower's `name`).
    ///   - startAtEnd: read only lines written from now on (`tail -F`); false reads existing lines first.
    ///   - maximumLineLength: longer lines are handed out truncated (`LineSplitter`), in bytes.
    ///   - retireGraceMilliseconds: how long a file rotated away is still read after it last grew.
    ///   - diagnostics: where rotation, truncation and missing files are reported; nil keeps quiet.
    ///   - firstStart: for the first file opened from its start, the offset of a line start to read
    ///     from instead (given the open descriptor); later files are read from 0.
    public init(
        path: String, startAtEnd: Bool, maximumLineLength: Int = 64 * 1024, retireGraceMilliseconds: Int64 = 5000,
        diagnostics: Diagnostics? = nil, firstStart: ((_ descriptor: Int32) -> Int64)? = nil
    ) {
        self.firstStart = firstStart
        name = path
        machine = FollowStateMachine(startAtEnd: startAtEnd)
        self.maximumLineLength = maximumLineLength
        retireGrace = retireGraceMilliseconds
        self.diagnostics = diagnostics
    }

    /// Reads the files rotated away (during their grace period), then looks at the current file and
    /// the path and acts on what it sees (see the type's description): reads what is waiting, and
    /// looks again once it read to the end. Problems are reported through `diagnostics`; a failed
    /// `read(2)` or `fstat(2)` ends the pass with `.failed`.
    public func pass(now: Int64, budget: Int, lines: (LineSplitter.Line, Int64) throws(OutputError) -> Void)
        throws(OutputError) -> FollowPass
    {
        var remaining = budget
        if try !passRetired(now: now, budget: &remaining, lines: lines) { return .moreReady }
        // A few actions at most per pass (say a switch to a new file, a read, then a wait): the loop
        // cannot spin, and anything left is done on the next pass.
        for _ in 0..<8 {
            // The look comes before every read: reading at the offset of a file that was truncated
            // and regrown past it would skip the new lines before the offset and start mid-line.
            let descriptor: FileSnapshot?
            var content = ContentObservation.unchanged
            switch current?.snapshot() {
            case .none: descriptor = nil
            case .success(let snapshot)?:
                descriptor = snapshot
                if let file = current, snapshot.size >= file.offset { content = file.checkContent() }
            case .failure(let error)?:
                current = nil
                return .failed(errno: error.errno)
            }
            switch machine.next(
                path: observePath(), descriptor: descriptor, offset: current?.offset ?? 0, content: content)
            {
            case .read:
                guard let file = current else { continue }
                guard remaining > 0 else { return .moreReady }
                let result = try file.read(budget: remaining, lines: lines)
                remaining -= result.bytes
                if let failure = result.failure {
                    current = nil
                    return .failed(errno: failure)
                }
                if !result.atEnd { return .moreReady }
            case .wait:
                return .drained
            case .open(let atEnd, let reappeared):
                guard openPath(atEnd: atEnd) else { return .drained }
                if atEnd, let file = current { try handOutDirectives(of: file, lines: lines) }
                if reappeared { report("now readable; following it", fileState: .ok, warning: false) }
            case .restartFromStart(let truncation):
                if let file = current {
                    // The held partial line is a line, as at the end of a file read with --once:
                    // counted once, never dropped.
                    try file.finish(lines: lines)
                    file.restart()
                }
                report(truncation.message, fileState: nil, warning: false)
            case .switchToNewFile:
                if let old = current {
                    old.lastGrowth = now
                    retired.append(old)
                    current = nil
                }
                guard openPath(atEnd: false) else { return .drained }
                report("replaced by a new file (rotated); following the new file", fileState: nil, warning: false)
            case .report(let problem):
                report(problem)
                return .drained
            }
        }
        return .moreReady
    }

    /// Reopens the path (SIGHUP): when it still names the open file, a new descriptor takes over at the
    /// same offset; otherwise the next pass sees the change as usual. Problems are reported again.
    public func reopen() {
        machine.forgetReports()
        guard let file = current, case .file(let atPath) = observePath(),
            case .success(let open) = file.snapshot(), atPath.isSameFile(as: open)
        else { return }
        let descriptor = Glibc.open(name, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if descriptor >= 0 { file.replaceDescriptor(with: descriptor) }
    }

    /// Hands out the unfinished last lines of every open file and closes them, for a follower that
    /// stops for good. (A follower that is interrupted leaves partial lines alone: they are not lines yet.)
    public func finish<E: Error>(lines: (LineSplitter.Line, Int64) throws(E) -> Void) throws(E) {
        for file in retired { try file.finish(lines: lines) }
        retired.removeAll()
        try current?.finish(lines: lines)
        current = nil
    }

    // MARK: - Files rotated away

    /// Reads the retired files, and closes those that stayed unchanged for the grace period.
    /// - Returns: false when the budget ran out before they were all read to their end.
    private func passRetired<E: Error>(
        now: Int64, budget: inout Int, lines: (LineSplitter.Line, Int64) throws(E) -> Void
    ) throws(E) -> Bool {
        var index = 0
        while index < retired.count {
            let file = retired[index]
            guard budget > 0 else { return false }
            let result = try file.read(budget: budget, lines: lines)
            budget -= result.bytes
            if result.bytes > 0 { file.lastGrowth = now }
            if result.failure == nil && !result.atEnd { return false }
            if result.failure != nil || now - file.lastGrowth >= retireGrace {
                try file.finish(lines: lines)
                retired.remove(at: index)
            } else {
                index += 1
            }
        }
        return true
    }

    // MARK: - The path

    /// What is at the path now, following symbolic links (stat(2)).
    private func observePath() -> PathObservation {
        var info = stat()
        guard stat(name, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return .missing }
            return .inaccessible(String(cString: strerror(code)).lowercased())
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            return .file(
                FileSnapshot(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size)))
        case S_IFDIR:
            return .inaccessible("is a directory")
        default:
            return .inaccessible("not a regular file; read a pipe with '-'")
        }
    }

    /// Hands out the directive lines (`#Fields:` and the like) that stand before `file`'s start offset.
    ///
    /// A W3C Extended log (IIS) names its columns in `#Fields:` directives, which may change mid-file;
    /// a follower that starts at the end of such a file would otherwise hand its parser data lines
    /// without their layout. Only files whose first byte is `#` are scanned, and only the last
    /// `maximumDirectives` directive lines are kept, so a large ordinary log costs one byte of reading.
    /// The directives are passed with line number 0: they were not read as new lines.
    private func handOutDirectives<E: Error>(
        of file: FollowedFile, lines: (LineSplitter.Line, Int64) throws(E) -> Void
    ) throws(E) {
        let end = file.offset
        var first: UInt8 = 0
        guard end > 0, pread(file.descriptor, &first, 1, 0) == 1, first == UInt8(ascii: "#") else { return }
        let maximumDirectives = 64
        var directives: [[UInt8]] = []
        var splitter = LineSplitter(maximumLineLength: maximumLineLength, bufferSize: 256 * 1024)
        var position: Int64 = 0
        while position < end {
            let descriptor = file.descriptor
            let count = splitter.fill({ space in
                let wanted = Int(min(Int64(space.count), end - position))
                return pread(descriptor, space.baseAddress, wanted, off_t(position))
            }) { line in
                guard !line.truncated, line.bytes.first == UInt8(ascii: "#") else { return }
                directives.append(Array(line.bytes))
                if directives.count > maximumDirectives { directives.removeFirst() }
            }
            guard count > 0 else { break }
            position += Int64(count)
        }
        // Through a splitter of their own, which makes each directive a `Line` again.
        var replay = LineSplitter(maximumLineLength: maximumLineLength, bufferSize: 64 * 1024)
        for directive in directives {
            var failure: E?
            (directive + [0x0A]).withUnsafeBufferPointer { bytes in
                replay.append(bytes) { line in
                    do throws(E) { try lines(line, 0) } catch { failure = error }
                }
            }
            if let failure { throw failure }
        }
    }

    public func takeNotices() -> [NoticeRecord] {
        defer { notices.removeAll() }
        return notices
    }

    /// Reports a problem of the followed path on stderr and as a notice for the stream.
    private func report(_ problem: FollowProblem) {
        let state: NoticeRecord.FileState = problem == .missing ? .missing : .unreadable
        report(problem.message, fileState: state, warning: true)
    }

    private func report(_ message: String, fileState: NoticeRecord.FileState?, warning: Bool) {
        if warning {
            diagnostics?.warning("\(name): \(message)")
        } else {
            diagnostics?.note("\(name): \(message)")
        }
        notices.append(
            NoticeRecord(
                tool: "logtail", kind: "file", message: "\(name): \(message)", file: name, fileState: fileState))
    }

    /// Opens the path as the current file, at its end or its start.
    /// - Returns: false when it cannot be opened (reported once through the state machine).
    private func openPath(atEnd: Bool) -> Bool {
        // O_NONBLOCK: if the path became a FIFO since it was looked at, opening must not hang.
        let descriptor = Glibc.open(name, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            let code = errno
            let problem: FollowProblem =
                code == ENOENT || code == ENOTDIR
                ? .missing : .inaccessible(String(cString: strerror(code)).lowercased())
            if case .report(let problem) = machine.openFailed(problem) { report(problem) }
            return false
        }
        var offset: Int64 = 0
        var startsMidLine = false
        if atEnd {
            offset = Int64(lseek(descriptor, 0, SEEK_END))
            if offset < 0 { offset = 0 }
            if offset > 0 {
                // Starting at the end of an unfinished line: its remainder is not a whole line.
                var last: UInt8 = 0
                startsMidLine = pread(descriptor, &last, 1, off_t(offset - 1)) == 1 && last != 0x0A
            }
        } else if let choose = firstStart {
            firstStart = nil
            offset = max(0, choose(descriptor))
            if offset > 0 && lseek(descriptor, off_t(offset), SEEK_SET) < 0 { offset = 0 }
        }
        current = FollowedFile(
            descriptor: descriptor, offset: offset, maximumLineLength: maximumLineLength, startsMidLine: startsMidLine)
        machine.opened()
        return true
    }
}
