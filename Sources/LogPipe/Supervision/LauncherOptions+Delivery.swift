extension LauncherOptions {
    /// Where logalert keeps its alert journal.
    public enum HistoryChoice: Hashable, Sendable {
        /// The default file (`HistoryLocation`) when following live; none for a replay (`--once`),
        /// `--demo` or `--ship`, whose alerts are not the monitored site's history.
        case automatic
        /// `--history FILE`.
        case file(String)
        /// `--no-history`.
        case off
    }

    /// The launcher's options for notifications and the alert journal, handed to logalert.
    static let deliveryOptions: [OptionSpec] = [
        .value(
            "on-alert", "command",
            help:
                "Run COMMAND (/bin/sh -c) for each alert and recovery, the record as JSON on stdin and in LOGPIPE_* variables (see logalert --help)."
        ),
        .value("on-alert-timeout", "s", help: "Kill a notification command after this long.", default: "10"),
        .value(
            "history", "file", help: "The alert journal: kept across restarts, its last entries shown as earlier.",
            default:
                "alerts.ndjson in $STATE_DIRECTORY, $XDG_STATE_HOME/logpipe, /var/lib/logpipe (root) or ~/.local/state/logpipe; none with --once or --demo"
        ),
        .flag("no-history", help: "Keep no alert journal."),
    ]

    /// Checks `--on-alert`, `--on-alert-timeout`, `--history` and `--no-history`.
    mutating func checkDeliveryOptions(_ arguments: ParsedArguments) throws(UsageError) {
        if let command = arguments.string("on-alert") {
            guard !command.allSatisfy(\.isWhitespace) else {
                throw UsageError("option '--on-alert' needs a command, got '\(command)'")
            }
            alertArguments += ["--on-alert", command]
        }
        if let text = arguments.string("on-alert-timeout") {
            guard arguments.string("on-alert") != nil else {
                throw UsageError("--on-alert-timeout goes with --on-alert")
            }
            _ = try arguments.number("on-alert-timeout", in: 0.01...86_400, default: 10)
            alertArguments += ["--on-alert-timeout", text]
        }
        if let file = arguments.string("history") {
            guard !arguments.has("no-history") else { throw UsageError("--history and --no-history contradict") }
            guard !file.isEmpty else { throw UsageError("option '--history' needs a file") }
            history = .file(file)
        } else if arguments.has("no-history") {
            history = .off
        }
        if shipURL != nil && (arguments.string("on-alert") != nil || arguments.string("history") != nil) {
            throw UsageError("--ship runs no alert rule: --on-alert and --history go with the central --fleet view")
        }
    }

    /// Settles the journal: adds `--history FILE` to logalert's arguments when one is kept.
    /// - Parameter defaultFile: `HistoryLocation.defaultFile(...)` for this user and environment.
    public mutating func resolveHistory(defaultFile: String?) {
        let file: String?
        switch history {
        case .off: file = nil
        case .file(let path): file = path
        case .automatic:
            let replay = tailArguments.contains("--once") || receiveArguments.contains("--once")
            file = replay || demo || shipURL != nil ? nil : defaultFile
        }
        if let file { alertArguments += ["--history", file] }
        history = file.map { .file($0) } ?? .off
    }
}
