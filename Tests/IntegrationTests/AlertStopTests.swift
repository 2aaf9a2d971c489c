import Foundation
import Glibc
import LogPipe
import LogPipeTestSupport
import Testing

/// logalert stopped by a signal while its notification and textfile threads run: the way a service
/// stops it. The signal must end the loop (final metrics, pending notifications, the summary), not
/// reach one of those threads and kill the process with the signal's default action.
@Suite("logalert stopped by a signal")
struct AlertStopTests {
    @Test(
        "SIGTERM and SIGINT with --on-alert and --textfile end logalert as at end of input: status 0 and the summary",
        arguments: [SIGTERM, SIGINT])
    func signalEndsTheLoop(signal: Int32) throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let metrics = directory + "/logpipe.prom"
        // The notification records that it started, then hangs until logalert gives up on it.
        let command = "echo started >> '\(directory)/notes'; exec sleep 30"
        let logalert = try ToolProcess(
            ToolProcess.tool("logalert"),
            NotificationTests.rule + ["--on-alert", command, "--on-alert-timeout", "60", "--textfile", metrics],
            input: .pipe)
        // The first bucket only: an alert, and its notification still running at the signal.
        logalert.write(NotificationTests.stream(pairs: 1)[0])
        #expect(logalert.standardOutput.waitForRecords(ofType: "window"))
        #expect(
            Deadline.waitUntil { NotificationTests.lines(directory + "/notes").count == 1 },
            "the notification did not start")
        let outcome = try #require(logalert.stop(with: signal), "logalert did not end after the signal")
        #expect(outcome == 0, "logalert died of the signal (128 + \(signal)) instead of ending its loop")
        let standardError = logalert.standardError.text
        #expect(standardError.contains("notifications: 1 submitted, 0 succeeded, 1 killed at exit"))
        #expect((try? String(contentsOfFile: metrics, encoding: .utf8))?.contains("logpipe_alerts_total 1") == true)
    }
}
