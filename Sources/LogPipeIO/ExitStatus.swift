/// Exit statuses, from sysexits(3).
public enum ExitStatus: Int32, Sendable {
    /// Success, including a closed stdout (downstream went away).
    case success = 0
    /// Generic failure.
    case failure = 1
    /// Bad command line: EX_USAGE.
    case usage = 64
    /// An input file does not exist or cannot be read: EX_NOINPUT.
    case noInput = 66
    /// An I/O error: EX_IOERR.
    case ioError = 74
}
