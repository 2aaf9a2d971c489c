import LogPipe

/// One input of logtail: a followed log path (`FileFollower`) or a stream read to its end
/// (`FollowedStream`). The caller runs `pass` on every input in turn and sleeps in `poll(2)` on the
/// `wakeDescriptor`s when all are drained.
public protocol FollowInput: AnyObject {
    /// The input's name as given on the command line (`-` for standard input), used as the source of
    /// its records and in messages.
    var name: String { get }

    /// A descriptor that becomes readable when the input has data (a pipe or terminal), or nil for a
    /// regular file, which `poll(2)` always reports readable and which is therefore looked at on a
    /// timer instead.
    var wakeDescriptor: Int32? { get }

    /// Reads what is ready, at most about `budget` bytes, and hands every complete line with its
    /// 1-based line number (counted per file, restarting at 1 for a new or truncated file) to `lines`.
    ///
    /// The one error `lines` may throw is logtail's (its output failing): a requirement generic in the
    /// error would be called through the existential unspecialized, and with it the line loop
    /// (callgrind: about 40 instructions a line in logtail).
    /// - Parameter now: monotonic time in milliseconds (`FollowClock.milliseconds()`), for grace periods.
    func pass(now: Int64, budget: Int, lines: (LineSplitter.Line, Int64) throws(OutputError) -> Void)
        throws(OutputError) -> FollowPass

    /// Reopens the input's files (SIGHUP): a path that still names the same file keeps its offset.
    func reopen()

    /// The problems noticed since the last call (a file missing, unreadable, readable again, rotated,
    /// truncated), as records for the stream, so that they reach the view and not only stderr.
    func takeNotices() -> [NoticeRecord]
}

extension FollowInput {
    /// An input that notices nothing worth a record.
    public func takeNotices() -> [NoticeRecord] { [] }
}
