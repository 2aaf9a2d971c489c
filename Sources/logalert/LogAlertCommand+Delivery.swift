import LogPipe
import LogPipeIO

extension LogAlertCommand {
    /// The options of the alert journal and the notifications.
    static let notificationOptions: [OptionSpec] = [
        .value(
            "on-alert", "command",
            help:
                "Run COMMAND (/bin/sh -c) for each alert and recovery: the record as JSON on its stdin, its members in LOGPIPE_* variables. One at a time, in order, never stalling the stream."
        ),
        .value(
            "on-alert-timeout", "seconds", help: "Kill a notification command's process group after this long.",
            default: "10"),
        .value(
            "history", "file",
            help:
                "Append each alert and recovery to this journal (mode 0600) and show its last entries as earlier at start.",
            default: "none; the logpipe launcher gives one"),
    ]

    /// The part of `--help` about notifications and the journal.
    static let notificationDiscussion = """
        NOTIFICATIONS (--on-alert COMMAND):
          Each alert and recovery runs COMMAND with /bin/sh -c, its record (one JSON line) on stdin and in
          LOGPIPE_EVENT (alert|recovery), LOGPIPE_AT (epoch s), LOGPIPE_TIME (ISO 8601), LOGPIPE_HITS,
          LOGPIPE_AVERAGE, LOGPIPE_THRESHOLD, LOGPIPE_WINDOW, LOGPIPE_MESSAGE and LOGPIPE_SOURCE (the
          buckets' source; a fleet's sources joined by ','). Commands run one at a time, in order, on a
          thread of their own, each in its own process group, killed after --on-alert-timeout; at most
          64 wait behind a slow one (more are not sent, and said so). A command that fails, times out or
          cannot start is reported (stderr and a notice record) and never retried, so nothing is
          notified twice. At the end of input each pending command gets its timeout (30 s in all at
          most); on SIGINT or SIGTERM, 1 s. The exit summary counts every notification's fate.
        ALERT HISTORY (--history FILE):
          One line per alert and recovery (the stream's record), each written whole with one write(2)
          and fsync(2): kill -9 can only leave a torn last line, which the next start reports and cuts
          off. At start the last 50 entries (from at most the last 256 KiB) go into the stream as history
          records (docs/PROTOCOL.md) before anything else; a transition already in the journal is not
          journaled or notified again. One logalert writes a journal at a time (flock).

        """

    /// Reads `--on-alert`, `--on-alert-timeout` and `--history`.
    static func deliveryOptions(_ arguments: ParsedArguments) throws(UsageError) -> AlertDelivery {
        let command = arguments.string("on-alert")
        if let command, command.allSatisfy(\.isWhitespace) {
            throw UsageError("option '--on-alert' needs a command, got '\(command)'")
        }
        let timeout = try arguments.number("on-alert-timeout", in: 0.01...86_400, default: 10)
        if arguments.string("on-alert-timeout") != nil && command == nil {
            throw UsageError("--on-alert-timeout goes with --on-alert")
        }
        let history = arguments.string("history")
        if let history, history.isEmpty {
            throw UsageError("option '--history' needs a file")
        }
        return AlertDelivery(
            historyPath: history, command: command, timeout: timeout, diagnostics: Diagnostics(tool: spec.name))
    }
}
