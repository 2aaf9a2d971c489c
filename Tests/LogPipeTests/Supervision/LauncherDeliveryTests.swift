import Testing

@testable import LogPipe

@Suite("Launcher notifications, history and headless echo")
struct LauncherDeliveryTests {
    static func options(_ arguments: [String]) throws -> LauncherOptions {
        guard
            case .run(let parsed) = try CommandLineParser.parse(arguments, spec: LauncherOptions.spec(name: "logpipe"))
        else { throw UsageError("not a run") }
        return try LauncherOptions(parsed)
    }

    static func usageError(_ arguments: [String]) -> String? {
        do {
            _ = try options(arguments)
            return nil
        } catch {
            return (error as? UsageError)?.message
        }
    }

    @Test("--on-alert and its timeout go to logalert as given; the default journal only when following live")
    func passesOptionsToLogalert() throws {
        var live = try Self.options(["--on-alert", "logger -t logpipe", "--on-alert-timeout", "2.5", "a.log"])
        live.resolveHistory(defaultFile: "/s/alerts.ndjson")
        #expect(
            live.alertArguments == [
                "--on-alert", "logger -t logpipe", "--on-alert-timeout", "2.5", "--history", "/s/alerts.ndjson",
            ])
        let plan = LaunchPlan(options: live, tools: "/t", runDirectory: "/r")
        let logalert = try #require(plan.processes.first { $0.name == "logalert" })
        #expect(logalert.command.suffix(2) == ["--history", "/s/alerts.ndjson"])
        for replay in [["--once", "a.log"], ["--demo"], ["--no-history", "a.log"]] {
            var options = try Self.options(replay)
            options.resolveHistory(defaultFile: "/s/alerts.ndjson")
            #expect(!options.alertArguments.contains("--history"), "\(replay)")
            #expect(options.history == .off)
        }
        var explicit = try Self.options(["--once", "--history", "/h.ndjson", "a.log"])
        explicit.resolveHistory(defaultFile: "/s/alerts.ndjson")
        #expect(explicit.alertArguments == ["--history", "/h.ndjson"])
        var fleet = try Self.options(["--fleet", "redis://127.0.0.1/s"])
        fleet.resolveHistory(defaultFile: "/s/alerts.ndjson")
        #expect(fleet.alertArguments == ["--history", "/s/alerts.ndjson"])
        var nowhere = try Self.options(["a.log"])
        nowhere.resolveHistory(defaultFile: nil)
        #expect(nowhere.alertArguments.isEmpty)
    }

    @Test("options that cannot work are usage errors")
    func rejectsContradictions() {
        #expect(Self.usageError(["--on-alert", "  "])?.contains("needs a command") == true)
        #expect(Self.usageError(["--on-alert-timeout", "3"])?.contains("goes with --on-alert") == true)
        #expect(Self.usageError(["--on-alert", "x", "--on-alert-timeout", "0"]) != nil)
        #expect(Self.usageError(["--history", "/h", "--no-history"])?.contains("contradict") == true)
        #expect(Self.usageError(["--ship", "redis://h/s", "--on-alert", "x"])?.contains("--ship") == true)
    }

    @Test("headless echo: alerts, recoveries and notices become lines with a priority; the rest nothing")
    func echoesAlertsAndNotices() {
        var writer = JSONWriter()
        var bucket = BucketRecord(start: 0, end: 10)
        bucket.perSecond = Array(repeating: 0, count: 10)
        bucket.encode(into: &writer)
        let alert = AlertRecord(
            kind: .alert, at: 5, time: "T", hits: 1, average: 1, threshold: 0.5, window: 1, message: "High \u{1B}[2J")
        alert.encode(into: &writer)
        WindowRecord(at: 10, window: 1, hits: 0, average: 0, threshold: 0.5, alerting: false).encode(into: &writer)
        var recovery = alert
        recovery.kind = .recovery
        recovery.message = "back"
        recovery.encode(into: &writer)
        NoticeRecord(tool: "logtail", kind: "file", message: "access.log: does not exist").encode(into: &writer)
        HistoryRecord(entry: alert).encode(into: &writer)
        HistoryRecord(entry: alert, unresolved: true).encode(into: &writer)
        let lines = HeadlessEcho.lines(in: writer.bytes + Array("not json\n".utf8))
        #expect(
            lines.map(\.text) == [
                "alert: " + TerminalText.sanitized("High \u{1B}[2J"), "recovery: back",
                "logtail: access.log: does not exist",
                "earlier: " + TerminalText.sanitized("High \u{1B}[2J") + " (unresolved when the monitor stopped)",
            ])
        #expect(lines.map(\.priority) == [4, 5, 4, 4])
        #expect(!lines[0].text.contains("\u{1B}"))
    }
}
