import LogPipe
import Testing

@Suite("LogGenConfiguration")
struct LogGenConfigurationTests {
    private func configuration(_ arguments: [String]) throws -> LogGenConfiguration {
        guard case .run(let parsed) = try CommandLineParser.parse(arguments, spec: LogGenConfiguration.spec) else {
            throw UsageError("not a run")
        }
        return try LogGenConfiguration(arguments: parsed)
    }

    @Test func defaultsWriteSteadyCombinedTrafficForeverToStandardOutput() throws {
        let config = try configuration([])
        #expect(config.profile == .steady(rate: 10))
        #expect(config.duration == nil)
        #expect(config.format == .combined)
        #expect(config.output == "-")
        #expect(config.seed == nil && config.start == nil && !config.instant)
        #expect(config.utcOffset == 0)
    }

    @Test func burstOptionsBuildABurstProfile() throws {
        let config = try configuration([
            "--profile", "burst", "--rate", "4", "--burst-rate", "26", "--burst-start", "10", "--burst-duration", "60",
            "--instant", "--duration", "400", "--start", "1700000000", "--seed", "9", "--format", "common",
            "--offset", "-0530", "-o", "x.log",
        ])
        #expect(config.profile == .burst(baseRate: 4, burstRate: 26, burstStart: 10, burstDuration: 60))
        #expect(config.duration == 400 && config.start == 1_700_000_000 && config.seed == 9)
        #expect(config.format == .common && config.output == "x.log" && config.instant)
        #expect(config.utcOffset == -19_800)
    }

    @Test func phasesImplyThePhasesProfileAndItsLength() throws {
        let config = try configuration(["--phase", "5:300", "--phase", "15.5:180", "--instant"])
        #expect(config.profile == .phases([(rate: 5, seconds: 300), (rate: 15.5, seconds: 180)]))
        #expect(config.duration == 480)
        let longer = try configuration(["--phase", "5:10", "--duration", "20"])
        #expect(longer.duration == 20)
    }

    @Test(arguments: [
        ["--burst-rate", "5"],
        ["--profile", "steady", "--phase", "1:1"],
        ["--phase", "1:1", "--rate", "3"],
        ["--profile", "phases"],
        ["--phase", "fast:10"],
        ["--phase", "5:0"],
        ["--instant"],
        ["--start", "1700000000"],
        ["--rate", "-1"],
        ["--rate", "nan"],
        ["--duration", "0"],
        ["--format", "w3c"],
        ["--offset", "+1500"],
        ["--offset", "0100"],
        ["--seed", "-3"],
        ["extra.log"],
        ["--output", ""],
    ])
    func rejectsOptionsThatDoNotFit(_ arguments: [String]) {
        #expect(throws: UsageError.self) { try configuration(arguments) }
    }

    @Test(arguments: [("+0000", 0), ("+0100", 3600), ("-0530", -19_800), ("+1400", 50_400), ("+0545", 20_700)])
    func parsesWrittenOffsets(text: String, seconds: Int) {
        #expect(LogGenConfiguration.utcOffset(text) == seconds)
    }

    @Test func helpDocumentsTheLinesPerSecond() {
        let help = LogGenConfiguration.spec.helpText
        #expect(help.contains("LINES PER SECOND"))
        #expect(help.contains("--burst-duration <s>"))
    }
}
