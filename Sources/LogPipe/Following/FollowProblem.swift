/// Why a followed path gives no file to read, as reported (once) on standard error.
public enum FollowProblem: Hashable, Sendable {
    /// The path does not exist: not created yet, or removed or renamed away.
    case missing
    /// The path exists but cannot be read: the reason in a few words (`permission denied`).
    case inaccessible(String)

    /// The problem in words, after the file's name: `does not exist; waiting for it to appear`.
    public var message: String {
        switch self {
        case .missing: return "does not exist; waiting for it to appear"
        case .inaccessible(let reason): return "cannot be read (\(reason)); waiting until it can"
        }
    }
}
