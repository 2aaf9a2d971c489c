import LogPipe
import Testing

/// How each combination of options wires the processes of a run.
@Suite("LaunchPlan")
struct LaunchPlanTests {
    static func plan(_ arguments: [String]) throws -> LaunchPlan {
        try LaunchPlan(options: LauncherOptionsTests.parse(arguments), tools: "/t", runDirectory: "/run")
    }

    static func wiring(_ plan: LaunchPlan) -> [String] {
        plan.processes.map { "\($0.name) \($0.input) \($0.output)" }
    }

    @Test func aPlainRunChainsTheStagesThroughThePipesDownstreamFirst() throws {
        let plan = try Self.plan(["--once", "a.log"])
        #expect(plan.fifos == ["records.fifo", "buckets.fifo", "final.fifo"])
        #expect(
            Self.wiring(plan) == [
                "view fifo(\"final.fifo\") inherited", "logalert fifo(\"buckets.fifo\") fifo(\"final.fifo\")",
                "logagg fifo(\"records.fifo\") fifo(\"buckets.fifo\")", "logtail null fifo(\"records.fifo\")",
            ])
        #expect(plan.processes[0].command == ["/t/logview", "--title", "a.log"])
        #expect(plan.processes[3].command == ["/t/logtail", "--once", "a.log"])
        #expect(plan.processes[0].member == .stage(endsPipeline: true))
        #expect(!plan.keepsStream && plan.readerFIFO == nil && plan.hasView)
        #expect(plan.tools == ["/t/logview", "/t/logalert", "/t/logagg", "/t/logtail"])
    }

    @Test func shippingRunsNoViewAndEndsWithLogship() throws {
        let plan = try Self.plan(["--ship", "redis://10.0.0.9:6379/logpipe", "--source", "web1", "--once", "a.log"])
        #expect(plan.fifos == ["records.fifo", "buckets.fifo"])
        #expect(
            plan.processes.map(\.command) == [
                ["/t/logship", "--source", "web1", "redis://10.0.0.9:6379/logpipe"], ["/t/logagg", "--source", "web1"],
                ["/t/logtail", "--once", "a.log"],
            ])
        #expect(plan.processes[0].member == .stage(endsPipeline: true))
        #expect(!plan.hasView)
    }

    @Test func aFleetReadsRedisMergesAndShowsOneView() throws {
        let plan = try Self.plan([
            "--fleet", "redis://10.0.0.9/logpipe", "--sources", "web1,web2", "--source-timeout", "5", "--once",
            "--from", "2026-11-28",
        ])
        #expect(
            Self.wiring(plan) == [
                "view fifo(\"final.fifo\") inherited", "logalert fifo(\"buckets.fifo\") fifo(\"final.fifo\")",
                "logmerge fifo(\"records.fifo\") fifo(\"buckets.fifo\")", "logrecv null fifo(\"records.fifo\")",
            ])
        #expect(plan.processes[2].command == ["/t/logmerge", "--sources", "web1,web2", "--source-timeout", "5"])
        #expect(
            plan.processes[3].command == ["/t/logrecv", "--from", "2026-11-28", "--once", "redis://10.0.0.9/logpipe"])
        #expect(plan.processes[0].command == ["/t/logview", "--title", "fleet redis://10.0.0.9/logpipe"])
    }

    @Test func optionsReachTheirStagesAndAViewCommandRunsInBash() throws {
        let plan = try Self.plan(["--threshold", "5", "--interval", "2", "--view", "jq .", "x.log"])
        #expect(
            plan.processes.map(\.command) == [
                ["bash", "-c", "jq ."], ["/t/logalert", "--threshold", "5"], ["/t/logagg", "--interval", "2"],
                ["/t/logtail", "x.log"],
            ])
    }

    @Test func tapsMakeTheLauncherKeepAndFeedTheStream() throws {
        let plan = try Self.plan(["--tap", "cat", "--tap", "wc", "x.log"])
        #expect(plan.keepsStream)
        #expect(
            Self.wiring(plan) == [
                "view fedFIFO(\"final.fifo\") inherited", "logalert fifo(\"buckets.fifo\") launcher",
                "logagg fifo(\"records.fifo\") fifo(\"buckets.fifo\")", "logtail null fifo(\"records.fifo\")",
                "tap0 feed inherited", "tap1 feed inherited",
            ])
        #expect(plan.processes[1].member == .stage())
        #expect(plan.processes[4].member == .tap && plan.processes[5].command == ["bash", "-c", "wc"])
    }

    @Test func headlessRunsNoViewAndServesReadersOnTheFinalPipe() throws {
        let plan = try Self.plan(["--headless"])
        #expect(plan.readerFIFO == "final.fifo" && plan.keepsStream && !plan.hasView)
        #expect(plan.processes.map(\.name) == ["logalert", "logagg", "logtail"])
        #expect(plan.processes[0].member == .stage(endsPipeline: true))
        #expect(plan.processes[0].output == .launcher)
        #expect(plan.processes[2].command == ["/t/logtail"])
    }

    @Test func theDemoFollowsTheLogLoggenWritesInTheRunDirectory() throws {
        let plan = try Self.plan(["--demo"])
        #expect(plan.demoLog == "/run/demo.log")
        #expect(plan.processes.map(\.name) == ["view", "logalert", "logagg", "logtail", "loggen"])
        #expect(plan.processes[0].command == ["/t/logview", "--title", "demo (loggen)"])
        #expect(plan.processes[3].command == ["/t/logtail", "--from-start", "/run/demo.log"])
        #expect(plan.processes[4].command == ["/t/loggen"] + LaunchPlan.demoTraffic + ["--output", "/run/demo.log"])
    }

    @Test func theDefaultTitleIsTheDefaultLog() throws {
        #expect(try Self.plan([]).processes[0].command == ["/t/logview", "--title", "/var/log/access.log"])
    }
}
