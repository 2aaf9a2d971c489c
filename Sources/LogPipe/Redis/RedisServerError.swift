/// An error reply (`-KIND message`), classified by what a client should do about it.
public struct RedisServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What the error means for the client.
    public enum Kind: Sendable, Equatable {
        /// The server refused our credentials or our rights: `WRONGPASS`, `NOAUTH`, `NOPERM`, or an
        /// `AUTH` sent to a server without a password. Retrying cannot help: exit 77 (EX_NOPERM).
        case authentication
        /// The key holds something that is not a stream (`WRONGTYPE`): exit 78 (EX_CONFIG).
        case wrongType
        /// The server cannot serve now but may soon: loading its data, out of memory under its
        /// `maxmemory` policy, a read-only replica during a failover, a busy script, a failed
        /// background save. Back off and retry; nothing is lost.
        case transient
        /// Anything else (an unknown command on a server older than 5.0, a bad argument): a bug or a
        /// setup the tools cannot fix by retrying: exit 76 (EX_PROTOCOL).
        case other
    }

    /// The reply's text, made safe to print (control characters replaced, length capped).
    public var message: String
    /// What it means.
    public var kind: Kind

    /// Classifies the text of an error reply.
    public init(reply: String) {
        var safe = String(
            reply.unicodeScalars.prefix(300).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        if reply.unicodeScalars.count > 300 { safe += "…" }
        message = safe
        let code = safe.prefix(while: { $0 != " " })
        switch code {
        case "WRONGPASS", "NOAUTH", "NOPERM": kind = .authentication
        case "WRONGTYPE": kind = .wrongType
        case "LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "OOM", "READONLY", "MISCONF", "CLUSTERDOWN", "NOREPLICAS",
            "NOTREADY":
            kind = .transient
        default:
            // "ERR AUTH <password> called without any password configured for the default user": a
            // setup error, but one about authentication.
            kind = safe.contains("AUTH") && safe.contains("password") ? .authentication : .other
        }
    }

    public var description: String { message }
}
