/// How a supervised process ended, as `waitpid(2)` tells it, or that it never started.
public enum ProcessEnd: Hashable, Sendable, CustomStringConvertible {
    /// It called `exit` with this status.
    case exited(Int32)
    /// A signal ended it (the number, Linux numbering).
    case signalled(Int32)
    /// `posix_spawn` failed; the reason says why.
    case notStarted(String)

    /// Whether the process ended well: status 0, or its reader went away first (SIGPIPE, or status
    /// 141 from a shell whose command died of it), which is how a pipeline normally ends.
    public var isClean: Bool {
        switch self {
        case .exited(let status): status == 0 || status == 128 + SignalNumber.brokenPipe
        case .signalled(let number): number == SignalNumber.brokenPipe
        case .notStarted: false
        }
    }

    /// The stop signal (SIGINT, SIGTERM, SIGHUP, SIGKILL) that ended the process, directly or as the
    /// 128 + n status of a shell whose command it ended; nil otherwise.
    public var stopSignal: Int32? {
        let number: Int32
        switch self {
        case .exited(let status) where status > 128: number = status - 128
        case .signalled(let signal): number = signal
        default: return nil
        }
        return SignalNumber.stopSignals.contains(number) ? number : nil
    }

    /// "exited with status 3", "was killed by SIGSEGV", "could not start: …".
    public var description: String {
        switch self {
        case .exited(let status): "exited with status \(status)"
        case .signalled(let number): "was killed by \(SignalNumber.name(number))"
        case .notStarted(let reason): "could not start: \(reason)"
        }
    }
}

/// Linux signal numbers and names, for a core that imports no C library.
public enum SignalNumber {
    /// SIGHUP: the terminal hung up.
    public static let hangUp: Int32 = 1
    /// SIGINT: Ctrl-C.
    public static let interrupt: Int32 = 2
    /// SIGKILL.
    public static let kill: Int32 = 9
    /// SIGPIPE: a write to a pipe without reader.
    public static let brokenPipe: Int32 = 13
    /// SIGTERM.
    public static let terminate: Int32 = 15

    /// The signals that ask a process to stop, and SIGKILL, which makes it.
    public static let stopSignals: Set<Int32> = [hangUp, interrupt, terminate, kill]

    private static let names = [
        "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
        "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ",
        "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    ]

    /// `SIGTERM` for 15; `signal 40` for a number without a name.
    public static func name(_ number: Int32) -> String {
        (1...Int32(names.count)).contains(number) ? "SIG" + names[Int(number) - 1] : "signal \(number)"
    }
}
