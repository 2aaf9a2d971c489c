/// How one pass over a followed input ended.
public enum FollowPass: Equatable, Sendable {
    /// Everything available was read: the input has nothing more ready until it is written to.
    case drained
    /// The pass stopped at its byte budget, or an action (a new file, a restart) left bytes waiting:
    /// call again without sleeping.
    case moreReady
    /// The input is finished (end of a stream, or of a file read with `--once`) and was closed.
    case ended
    /// Reading failed with this `errno`; the input was closed.
    case failed(errno: Int32)
}
