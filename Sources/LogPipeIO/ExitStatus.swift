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
    /// A service (the Redis server) cannot be reached, or not everything could be delivered to it:
    /// EX_UNAVAILABLE.
    case unavailable = 69
    /// An I/O error: EX_IOERR.
    case ioError = 74
    /// The server broke the protocol or refused a command for a reason retrying cannot fix:
    /// EX_PROTOCOL.
    case protocolError = 76
    /// The server refused our credentials or rights (Redis AUTH or ACL): EX_NOPERM.
    case noPermission = 77
    /// The configuration is wrong (the stream's key holds another type): EX_CONFIG.
    case configuration = 78
}
