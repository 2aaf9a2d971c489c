import Glibc
import LogPipe
import LogPipeIO

/// logalert's `--textfile PATH`: keeps the Prometheus metrics file up to date after each bucket or
/// gap, and makes every problem with it visible (stderr, a `notice` in the stream, the exit summary)
/// without ever stopping the stream.
final class TextfileOutput {
    private let publisher: TextfilePublisher
    private let diagnostics: Diagnostics
    /// Problems found before the stream started, shown on stderr at once and put into the stream as
    /// notices right after its first record.
    private var startupNotices: [NoticeRecord] = []
    private var publishedRecords = -1

    /// How long the end of the run waits for the last state to reach the disk: less than the 2 s the
    /// launcher allows a stage between SIGTERM and SIGKILL.
    static let finalWaitMilliseconds = 1500

    /// Starts the writer and writes the state before any bucket, so that a path that cannot be
    /// written is reported at once rather than after the first bucket.
    init(path: String, stage: AlertStage, diagnostics: Diagnostics) {
        publisher = TextfilePublisher(path: path)
        self.diagnostics = diagnostics
        var problems: [String] = []
        if !path.hasSuffix(".prom") {
            problems.append(
                "the metrics file \(path) does not end in .prom: node_exporter's textfile collector reads only *.prom files"
            )
        }
        publish(stage)
        if !publisher.waitUntilIdle(milliseconds: Self.finalWaitMilliseconds) {
            problems.append("writing the metrics file \(path) has not finished after 1.5 s; the stream goes on")
        }
        problems += publisher.takeReports()
        for problem in problems {
            diagnostics.warning(problem)
            startupNotices.append(NoticeRecord(tool: diagnostics.tool, kind: "textfile", message: problem))
        }
    }

    /// After each input line: hands over the new state if the line was a bucket or gap, and reports
    /// what the writer thread found since the last line.
    func update(_ stage: AlertStage, into output: inout JSONWriter, warn: (String, String) -> Void) {
        if !startupNotices.isEmpty {
            for notice in startupNotices { notice.encode(into: &output) }
            startupNotices.removeAll()
        }
        if stage.appliedRecords != publishedRecords { publish(stage) }
        for report in publisher.takeReports() { warn("textfile", report) }
    }

    /// At the end: writes the final state, waits for it (bounded), and sums up any failures.
    func finish(_ stage: AlertStage, into output: inout JSONWriter, warn: (String, String) -> Void) {
        update(stage, into: &output, warn: warn)
        let idle = publisher.waitUntilIdle(milliseconds: Self.finalWaitMilliseconds)
        for report in publisher.takeReports() { warn("textfile", report) }
        if !idle {
            warn("textfile", "the last update of the metrics file \(publisher.path) did not finish within 1.5 s")
        }
        let summary = publisher.summary
        if summary.failed > 0 {
            // Past the warning budget too: the exit summary must always say it.
            let last = summary.lastFailure.map { "; last: \($0)" } ?? ""
            let message =
                "metrics file \(publisher.path): \(summary.failed) of \(summary.failed + summary.written) updates failed\(last)"
            diagnostics.warning(message)
            NoticeRecord(tool: diagnostics.tool, kind: "textfile", message: message).encode(into: &output)
        }
    }

    private func publish(_ stage: AlertStage) {
        publishedRecords = stage.appliedRecords
        publisher.publish(stage.textfile(version: ToolLauncher.version))
    }
}
