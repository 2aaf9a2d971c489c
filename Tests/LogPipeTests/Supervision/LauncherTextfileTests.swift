import LogPipe
import Testing

/// The launcher's `--textfile PATH`: handed to logalert as given, wherever logalert runs.
@Suite("LauncherOptions: --textfile")
struct LauncherTextfileTests {
    @Test func reachesLogalertAsGiven() throws {
        let options = try LauncherOptionsTests.parse([
            "--threshold", "5", "--textfile", "metrics/logpipe.prom", "a.log",
        ])
        #expect(options.alertArguments == ["--threshold", "5", "--textfile", "metrics/logpipe.prom"])
        let plan = LaunchPlan(options: options, tools: "/t", runDirectory: "/r")
        let logalert = try #require(plan.processes.first { $0.name == "logalert" })
        #expect(logalert.command == ["/t/logalert", "--threshold", "5", "--textfile", "metrics/logpipe.prom"])
    }

    @Test func aFleetWritesTheMetricsOfTheMergedStream() throws {
        let options = try LauncherOptionsTests.parse([
            "--fleet", "redis://h/s", "--textfile", "/var/lib/node_exporter/logpipe.prom",
        ])
        let plan = LaunchPlan(options: options, tools: "/t", runDirectory: "/r")
        let logalert = try #require(plan.processes.first { $0.name == "logalert" })
        #expect(logalert.command.suffix(2) == ["--textfile", "/var/lib/node_exporter/logpipe.prom"])
    }

    @Test(arguments: [
        (["--textfile", ""], "option '--textfile' needs the path of a file"),
        (["--textfile", "metrics/"], "option '--textfile' needs the path of a file"),
        (["--textfile"], "option '--textfile' needs a value"),
        (["--ship", "redis://h/s", "--textfile", "x.prom"], "--ship runs no logalert"),
    ])
    func refusesWhatCannotWork(arguments: [String], message: String) {
        #expect {
            _ = try LauncherOptionsTests.parse(arguments)
        } throws: { error in
            (error as? UsageError)?.message.contains(message) == true
        }
    }
}
