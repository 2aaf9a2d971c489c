import LogPipe
import Testing

/// What the launcher says at the end about the processes that went wrong.
@Suite("SupervisionReport")
struct SupervisionReportTests {
    typealias Entry = SupervisionReport.Entry

    @Test func namesAFailedStageWithItsStatusAndTheEndOfItsStderr() {
        let tail =
            (1...7).map { "logagg: warning: line \($0)" }.joined(separator: "\n") + "\nlogagg: error: disk on fire\n"
        let lines = SupervisionReport.lines(
            program: "start-pipeline",
            entries: [Entry(name: "logagg", role: .stage, end: .exited(3), remarkable: true, stderrTail: tail)],
            failedStage: "logagg")
        #expect(
            lines == [
                "start-pipeline: error: stage logagg exited with status 3; the end of its stderr:",
                "    logagg: warning: line 4", "    logagg: warning: line 5", "    logagg: warning: line 6",
                "    logagg: warning: line 7", "    logagg: error: disk on fire",
            ])
    }

    @Test func saysWhenAnAbnormalEndLeftNothingOnStderr() {
        let lines = SupervisionReport.lines(
            program: "logpipe",
            entries: [Entry(name: "view", role: .stage, end: .signalled(9), remarkable: true, stderrTail: "")],
            failedStage: nil)
        #expect(lines == ["logpipe: warning: stage view was killed by SIGKILL (nothing on its stderr)"])
    }

    @Test func showsTheLastWarningsOfStagesThatEndedWell() {
        let tail =
            "logtail: x.log: 3 lines\nlogtail: warning: a\nlogtail: warning: b\nnoise\nlogtail: warning: c\nlogtail: warning: d\n"
        let lines = SupervisionReport.lines(
            program: "logpipe",
            entries: [
                Entry(name: "logtail", role: .stage, end: .signalled(15), remarkable: false, stderrTail: tail),
                Entry(
                    name: "logagg", role: .stage, end: .exited(0), remarkable: false, stderrTail: "logagg: 3 buckets\n"),
                Entry(name: "tap0", role: .tap, end: .exited(2), remarkable: true, stderrTail: "jq: error: bad\n"),
            ],
            failedStage: nil)
        #expect(
            lines == [
                "logpipe: the last warnings of stage logtail:", "    logtail: warning: b", "    logtail: warning: c",
                "    logtail: warning: d", "logpipe: warning: tap tap0 exited with status 2; the end of its stderr:",
                "    jq: error: bad",
            ])
    }

    @Test func saysNothingWhenAllWentWell() {
        let entries = [Entry(name: "view", role: .stage, end: .exited(0), remarkable: false, stderrTail: "")]
        #expect(SupervisionReport.lines(program: "logpipe", entries: entries, failedStage: nil).isEmpty)
    }

    @Test func namesAProcessThatOutlivedSIGKILL() {
        let entries = [Entry(name: "logtail", role: .stage, end: nil, remarkable: true, stderrTail: "")]
        #expect(
            SupervisionReport.lines(program: "logpipe", entries: entries, failedStage: nil) == [
                "logpipe: warning: stage logtail did not end, even after SIGKILL"
            ])
    }

    @Test func showsControlCharactersOfAStderrLineAsCaretNotation() {
        let entries = [
            Entry(
                name: "logagg", role: .stage, end: .exited(1), remarkable: true,
                stderrTail: "bad \u{1B}[2J\u{7F} é\tx\n")
        ]
        let lines = SupervisionReport.lines(program: "logpipe", entries: entries, failedStage: "logagg")
        #expect(lines.last == "    bad ^[[2J^? é\tx")
    }
}
