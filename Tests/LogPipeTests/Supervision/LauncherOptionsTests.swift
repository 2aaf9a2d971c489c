import LogPipe
import Testing

/// The launcher's command line: what reaches each stage, and the usage errors, before anything runs.
@Suite("LauncherOptions")
struct LauncherOptionsTests {
    static func parse(_ arguments: [String]) throws(UsageError) -> LauncherOptions {
        switch try CommandLineParser.parse(arguments, spec: LauncherOptions.spec(name: "start-pipeline")) {
        case .run(let parsed): return try LauncherOptions(parsed)
        case .help, .version: throw UsageError("not a run")
        }
    }

    @Test func handsEachStageItsOptionsAsGiven() throws {
        let options = try Self.parse([
            "--threshold", "2.5", "--window=60", "--interval", "5", "--top", "3", "--from-start", "--format", "w3c",
            "a.log", "b.log",
        ])
        #expect(options.alertArguments == ["--threshold", "2.5", "--window", "60"])
        #expect(options.aggregationArguments == ["--interval", "5", "--top", "3"])
        #expect(options.tailArguments == ["--from-start", "--format", "w3c"])
        #expect(options.files == ["a.log", "b.log"])
        #expect(options.viewCommand == nil && options.taps.isEmpty && !options.headless && !options.demo)
    }

    @Test func collectsRepeatedTapsInOrder() throws {
        let options = try Self.parse(["--tap", "cat", "--tap", "wc -l", "--keep-run-dir", "--", "--odd.log"])
        #expect(options.taps == ["cat", "wc -l"])
        #expect(options.keepRunDirectory)
        #expect(options.files == ["--odd.log"])
    }

    @Test(arguments: [
        (["--bogus"], "unknown option '--bogus'"),
        (["--threshold", "-1"], "option '--threshold' needs a plain decimal number"),
        (["--threshold", "lots"], "option '--threshold' needs a plain decimal number"),
        (["--interval", "0"], "option '--interval' needs a whole number"),
        (["--top", "1.5"], "option '--top' needs a whole number"),
        (["--window"], "option '--window' needs a value"),
        (["--window", "1", "--window", "2"], "given more than once"),
        (["--format", "xml"], "option '--format' needs auto, common, combined, vhost or w3c, got 'xml'"),
        (["--view", " "], "option '--view' needs a command"),
        (["--tap", ""], "option '--tap' needs a command"),
        (["--headless", "--view", "cat"], "--headless runs no view"),
        (["--demo", "--once"], "--demo generates its own live log"),
        (["--demo", "x.log"], "--demo generates its own live log"),
        (["--ship", "redis://h/s", "--fleet", "redis://h/s"], "--ship and --fleet do not go together"),
        (["--ship", "redis://h/s", "--headless"], "--ship runs no view"),
        (["--ship", "redis://h/s", "--threshold", "5", "x.log"], "--threshold is logalert's"),
        (["--ship", "redis://h/s", "--window", "60", "x.log"], "--window is logalert's"),
        (["--fleet", "redis://h/s", "--interval", "5"], "--interval is logagg's"),
        (["--fleet", "redis://h/s", "--top", "3"], "--top is logagg's"),
        (["--ship", "redis://:secret@h/s"], "password"),
        (["--ship", "http://h/s"], "redis://"),
        (["--fleet", "redis://h/s", "x.log"], "--fleet reads the stream, not log files"),
        (["--source", "web1", "x.log"], "--source names this host for --ship"),
        (["--ship", "redis://h/s", "--source", "a,b"], "invalid source name"),
        (["--sources", "a,b"], "--sources goes with --fleet"),
        (["--password-file", "p"], "--password-file goes with --ship or --fleet"),
    ])
    func rejectsBadUsage(arguments: [String], message: String) {
        #expect {
            _ = try Self.parse(arguments)
        } throws: { error in
            (error as? UsageError)?.message.contains(message) == true
        }
    }

    @Test func helpNamesTheProgramAndDocumentsEveryOption() {
        let help = LauncherOptions.spec(name: "start-pipeline").helpText
        #expect(help.contains("USAGE: start-pipeline [<options>] [<file> ...]"))
        for option in [
            "--threshold", "--window", "--interval", "--top", "--from-start", "--once", "--format", "--view", "--tap",
            "--headless", "--keep-run-dir", "--demo", "--version", "LOGPIPE_BIN_DIR", "EXAMPLES:", "EXIT STATUS",
        ] {
            #expect(help.contains(option), "missing \(option)")
        }
        #expect(help.contains("  start-pipeline --demo"))
    }
}
