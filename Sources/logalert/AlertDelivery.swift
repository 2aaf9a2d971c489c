import LogPipe
import LogPipeIO

/// What logalert does with each transition besides writing it into the stream: append it to the alert
/// journal (`--history`) and hand it to the `--on-alert` command; and, at start, the journal's earlier
/// entries as `history` records.
///
/// A transition already in the journal (the same kind at the same second, seen again after a restart
/// with `--from-start`, or by a fleet view rebuilt with `logrecv --from`) is forwarded in the stream as
/// usual but neither journaled nor notified again.
final class AlertDelivery {
    private let historyPath: String?
    private let runner: NotificationRunner?
    private let timeout: Double
    private let diagnostics: Diagnostics
    private var journal: AlertJournalFile?
    private var known: Set<AlertJournal.Key> = []
    private var repeated = 0

    /// - Parameters:
    ///   - historyPath: `--history`, or nil for no journal.
    ///   - command: `--on-alert`, or nil for no notifications.
    ///   - timeout: `--on-alert-timeout`, seconds.
    init(historyPath: String?, command: String?, timeout: Double, diagnostics: Diagnostics) {
        self.historyPath = historyPath
        self.timeout = timeout
        self.diagnostics = diagnostics
        runner = command.map { NotificationRunner(command: $0, timeout: timeout) }
    }

    /// The hooks of logalert's loop.
    var hooks: LineStageRunner.Hooks {
        var hooks = LineStageRunner.Hooks()
        hooks.prologue = { [self] output, warn in start(into: &output, warn: warn) }
        if let runner {
            hooks.wake = (runner.wakeDescriptor, { [self] _, warn in reportEnded(warn: warn) })
        }
        hooks.epilogue = { [self] ending, output, warn in stop(ending, into: &output, warn: warn) }
        return hooks
    }

    /// Journals and notifies `transitions` (oldest first), whose buckets came from `source`.
    func deliver(_ transitions: [AlertRecord], source: String?, warn: (String, String) -> Void) {
        for record in transitions {
            guard known.insert(AlertJournal.Key(record)).inserted else {
                repeated += 1
                continue
            }
            if let journal, journal.writable, let problem = journal.append(record) {
                warn(
                    "history",
                    "cannot add the \(record.kind.rawValue) at \(record.time) to the alert history \(journal.path): \(problem)"
                )
            }
            guard let runner else { continue }
            let notification = AlertNotification(record: record, source: source.flatMap { $0.isEmpty ? nil : $0 })
            if !runner.submit(notification) {
                warn(
                    "notify",
                    "the --on-alert queue is full (64 notifications wait behind a command that has not finished): the \(record.kind.rawValue) at \(record.time) is not notified"
                )
            }
        }
    }

    // MARK: - Hooks

    /// Opens the journal and writes its earlier entries into the stream.
    private func start(into output: inout JSONWriter, warn: (String, String) -> Void) {
        guard let historyPath, let journal = AlertJournalFile(path: historyPath, warn: warn) else { return }
        self.journal = journal
        let reading = journal.reading
        known = reading.keys
        let earlier = reading.earlier
        for entry in earlier { entry.encode(into: &output) }
        let count = reading.entries.count
        var note = "alert history \(historyPath): \(count) \(count == 1 ? "entry" : "entries") read"
        if reading.partial { note += " from its last \(AlertJournal.tailLimit / 1024) KiB" }
        if earlier.count == count, count > 0 {
            note += count == 1 ? ", shown as earlier" : ", all shown as earlier"
        } else if !earlier.isEmpty {
            note += ", the last \(earlier.count) shown as earlier"
        }
        diagnostics.note(note)
    }

    /// Warns of each notification that failed since the last call.
    private func reportEnded(warn: (String, String) -> Void) {
        guard let runner else { return }
        for report in runner.takeReports() where report.outcome.isFailure {
            let record = report.notification.record
            var message =
                "--on-alert command for the \(record.kind.rawValue) at \(record.time) \(report.outcome.description)"
            if !report.lastOutput.isEmpty { message += "; its last output: \(report.lastOutput)" }
            warn("notify", message)
        }
    }

    /// At exit: pending notifications get a bounded time, then the summary. At the end of input each
    /// pending one gets its timeout, at most 30 s in all (or one timeout, when that is longer); when
    /// stopped by a signal, 1 s (the launcher sends SIGKILL 2 s after SIGTERM).
    private func stop(_ ending: LineStageRunner.Ending, into output: inout JSONWriter, warn: (String, String) -> Void) {
        if repeated > 0 {
            diagnostics.note(
                "\(repeated) transition(s) already in the alert history (seen before a restart) were not journaled or notified again"
            )
        }
        guard let runner else { return }
        let bound: Double
        switch ending {
        case .endOfInput: bound = min(Double(runner.pending) * timeout, max(timeout, 30)) + 0.5
        case .signalled: bound = 1
        }
        let abandoned = runner.drain(within: bound)
        reportEnded(warn: warn)
        if abandoned > 0 {
            warn("notify", "\(abandoned) notification(s) still queued when logalert stopped were not sent")
        }
        let tally = runner.tally
        guard tally.submitted > 0 else { return }
        if tally.unsuccessful > 0 {
            // Written directly, not through the warning budget: the summary must always be seen.
            diagnostics.warning(tally.summary)
            NoticeRecord(tool: diagnostics.tool, kind: "notify", message: tally.summary).encode(into: &output)
        } else {
            diagnostics.note(tally.summary)
        }
    }
}
