import LogPipe
import Testing

/// The stages' own options given to the launcher: each reaches the stage that takes it, checked
/// before anything starts, and is refused when the run has no such stage.
@Suite("Launcher stage options")
struct LauncherStageOptionsTests {
    @Test func eachReachesItsStageAsGiven() throws {
        let options = try LauncherOptionsTests.parse([
            "--since", "2026-11-23 21:00", "--seek-slack", "300", "--no-seek", "--fields", "path,agent", "--lateness",
            "2", "--recover-below", "8.5",
            "--for", "30", "--require-full-window", "--plain", "--no-bell", "--threshold", "9", "access.log",
        ])
        #expect(
            options.tailArguments == [
                "--since", "2026-11-23 21:00", "--seek-slack", "300", "--no-seek", "--fields", "path,agent",
            ])
        #expect(options.aggregationArguments == ["--lateness", "2"])
        #expect(
            options.alertArguments == [
                "--threshold", "9", "--recover-below", "8.5", "--for", "30", "--require-full-window",
            ])
        #expect(options.viewArguments == ["--plain", "--no-bell"])
    }

    @Test func thePlanHandsThemToTheStagesCommands() throws {
        let plan = try LaunchPlanTests.plan([
            "--once", "--since", "1700000000", "--lateness", "2", "--for", "5", "--plain", "a.log",
        ])
        #expect(
            plan.processes.map(\.command) == [
                ["/t/logview", "--plain", "--title", "a.log"], ["/t/logalert", "--for", "5"],
                ["/t/logagg", "--lateness", "2"], ["/t/logtail", "--once", "--since", "1700000000", "a.log"],
            ])
        let seeking = try LaunchPlanTests.plan(["--since", "1700000000", "--seek-slack", "5", "--no-seek", "a.log"])
        #expect(
            seeking.processes.map(\.command).last == [
                "/t/logtail", "--since", "1700000000", "--seek-slack", "5", "--no-seek", "a.log",
            ])
        let shipped = try LaunchPlanTests.plan([
            "--ship", "redis://h/s", "--source", "w1", "--since", "1700000000", "--seek-slack", "0", "a.log",
        ])
        #expect(shipped.processes.map(\.command).contains { $0.suffix(3) == ["--seek-slack", "0", "a.log"] })
        let shipping = try LaunchPlanTests.plan(["--ship", "redis://h/s", "--source", "w1", "--lateness", "2", "a.log"])
        #expect(shipping.processes.map(\.command)[1] == ["/t/logagg", "--source", "w1", "--lateness", "2"])
        let fleet = try LaunchPlanTests.plan(["--fleet", "redis://h/s", "--recover-below", "3", "--no-bell"])
        #expect(fleet.processes.map(\.command)[0] == ["/t/logview", "--no-bell", "--title", "fleet redis://h/s"])
        #expect(fleet.processes.map(\.command)[1] == ["/t/logalert", "--recover-below", "3"])
    }

    @Test(arguments: [
        (["--since", "yesterday"], "--since 'yesterday' is not a time"),
        (["--since", "2026-13-01"], "--since '2026-13-01' is not a time"),
        (["--fields", "path,cookie"], "--fields 'path,cookie': expected a comma-separated list"),
        (["--seek-slack", "86401"], "option '--seek-slack' needs a whole number from 0 to 86400"),
        (["--seek-slack", "-1"], "option '--seek-slack' needs a whole number"),
        (["--seek-slack", "1m"], "option '--seek-slack' needs a whole number"),
        (["--no-seek=yes"], "option '--no-seek' takes no value"),
        (["--fleet", "redis://h/s", "--seek-slack", "5"], "--seek-slack is for logtail and logagg"),
        (["--fleet", "redis://h/s", "--no-seek"], "--no-seek is for logtail and logagg"),
        (["--lateness", "3601"], "option '--lateness' needs a whole number from 0 to 3600"),
        (["--lateness", "-1"], "option '--lateness' needs a whole number"),
        (["--recover-below", "11"], "option '--recover-below' needs a plain decimal number from 0 to 10"),
        (
            ["--threshold", "5", "--recover-below", "6"],
            "option '--recover-below' needs a plain decimal number from 0 to 5"
        ),
        (["--recover-below", "nan"], "option '--recover-below' needs a plain decimal number"),
        (["--for", "86401"], "option '--for' needs a whole number from 0 to 86400"),
        (["--plain", "--view", "cat"], "--plain is logview's"),
        (["--no-bell", "--headless"], "--no-bell is logview's"),
        (["--plain=x"], "option '--plain' takes no value"),
        (["--fleet", "redis://h/s", "--since", "2026-11-23"], "--since is for logtail and logagg"),
        (["--fleet", "redis://h/s", "--lateness", "2"], "--lateness is for logtail and logagg"),
        (["--ship", "redis://h/s", "--for", "5"], "--for is for logalert or logview"),
        (["--ship", "redis://h/s", "--plain"], "--plain is for logalert or logview"),
    ])
    func badValuesAndMissingStagesAreUsageErrors(arguments: [String], message: String) {
        #expect {
            _ = try LauncherOptionsTests.parse(arguments)
        } throws: { error in
            (error as? UsageError)?.message.contains(message) == true
        }
    }

    @Test func helpDocumentsEachWithTheStageThatTakesIt() {
        let help = LauncherOptions.spec(name: "logpipe").helpText
        for (option, stage) in [
            ("--since <time>", "logtail"), ("--seek-slack <seconds>", "logtail"), ("--no-seek", "logtail"),
            ("--fields <list>", "logtail"), ("--lateness <s>", "logagg"),
            ("--recover-below <rps>", "logalert"), ("--for <s>", "logalert"), ("--require-full-window", "logalert"),
            ("--plain", "logview"), ("--no-bell", "logview"),
        ] {
            let line = help.split(separator: "\n").first { $0.hasPrefix("  \(option) ") }
            #expect(line?.contains("  \(stage): ") == true, "\(option): \(line ?? "missing")")
        }
    }
}
