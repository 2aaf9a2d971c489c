/// Decides, from what `stat(2)` says about a followed path and `fstat(2)` about the open descriptor,
/// what a `tail -F` style follower does next. Pure: the caller performs every action.
///
/// The caller looks before every read (and again after it): it passes the path's state, the open
/// file's snapshot (nil when no file is open), its read offset and what it found comparing the bytes
/// it read with the file's bytes now (`ContentMark`), and gets one `FollowAction`. The rules, in order:
/// 1. An open file shorter than the offset was truncated: restart at 0. (Checked first, because a
///    truncated file may also have been replaced at the path; its remaining bytes are new either way.)
/// 2. An open file whose first bytes, or bytes just before the offset, are not the ones read was
///    truncated and written again past the offset before this look (truncate-and-regrow): restart
///    at 0 as well. Reading on at the offset would skip the new lines before it and start mid-line.
/// 3. An open file longer than the offset has bytes waiting: read them. This also drains a file
///    that was rotated away, so the lines a writer finished before the rotation are all read.
/// 4. An open, drained file that the path still names: wait.
/// 5. An open, drained file while the path names another file: switch to the new file.
/// 6. An open, drained file while the path is missing or unreadable: keep the descriptor (its writer
///    may still append to it, and the path may come back) and report the problem once.
/// 7. No open file: open the path when it holds a file, else report the problem once. A path found
///    missing is read from offset 0 once it appears, since everything in it is new.
///
/// A problem is reported once until the situation changes: a different problem, or the path becoming
/// followable again, arms the report anew.
public struct FollowStateMachine: Sendable {
    /// True until the first file has been opened, when the follow starts at the end of the file.
    private var startAtEnd: Bool
    /// The problem last reported, so it is said only once.
    private var reported: FollowProblem?

    /// Creates the decisions for one followed path.
    /// - Parameter startAtEnd: whether the file present at start is read from its end (new lines
    ///   only, `tail -F`) rather than from its beginning (`--from-start`).
    public init(startAtEnd: Bool) {
        self.startAtEnd = startAtEnd
    }

    /// The action after a look at the path and the open file.
    /// - Parameters:
    ///   - path: what is at the followed path now.
    ///   - descriptor: `fstat` of the open file, or nil when no file is open.
    ///   - offset: bytes of the open file read so far (ignored when none is open).
    ///   - content: whether the open file still holds the bytes read from it, at its start and just
    ///     before the offset (ignored when none is open; `.unchanged` when the caller did not compare).
    public mutating func next(
        path: PathObservation, descriptor: FileSnapshot?, offset: Int64, content: ContentObservation = .unchanged
    ) -> FollowAction {
        guard let open = descriptor else {
            switch path {
            case .file:
                return .open(atEnd: startAtEnd, reappeared: reported != nil)
            case .missing:
                // A file created after the follow started holds only new lines: read all of it.
                startAtEnd = false
                return report(.missing)
            case .inaccessible(let reason):
                // A file that exists but cannot be read yet holds old lines: where to start stays as it was.
                return report(.inaccessible(reason))
            }
        }
        if open.size < offset { return .restartFromStart(.shorterThanOffset) }
        switch content {
        case .unchanged: break
        case .startChanged: return .restartFromStart(.startChanged)
        case .changedBeforeOffset: return .restartFromStart(.changedBeforeOffset)
        }
        if open.size > offset { return .read }
        switch path {
        case .file(let current) where current.isSameFile(as: open):
            reported = nil
            return .wait
        case .file:
            return .switchToNewFile
        case .missing:
            return report(.missing)
        case .inaccessible(let reason):
            return report(.inaccessible(reason))
        }
    }

    /// Records that the path was opened: later files are read from their beginning.
    public mutating func opened() {
        startAtEnd = false
        reported = nil
    }

    /// Records that opening the path failed although `stat` found a file (`open(2)` said `EACCES`),
    /// and says whether to report it.
    public mutating func openFailed(_ problem: FollowProblem) -> FollowAction {
        report(problem)
    }

    /// Forgets which problems were reported, so a SIGHUP re-reports a path that is still missing.
    public mutating func forgetReports() {
        reported = nil
    }

    private mutating func report(_ problem: FollowProblem) -> FollowAction {
        guard reported != problem else { return .wait }
        reported = problem
        return .report(problem)
    }
}
