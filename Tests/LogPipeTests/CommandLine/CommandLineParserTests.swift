import Testing

@testable import LogPipe

private let spec = CommandSpec(
    name: "tool", overview: "Does things.", usage: "tool [--count <n>] [--fast] [FILE...]",
    arguments: [("FILE", "Input files.")],
    options: [
        .value("count", short: "c", "n", help: "How many.", default: "3"),
        .value("rate", "rps", help: "How fast."),
        .value("tap", "cmd", help: "Extra consumer.", repeatable: true),
        .flag("fast", help: "Go fast."),
    ])

private func run(_ arguments: [String]) throws -> ParsedArguments {
    guard case .run(let parsed) = try CommandLineParser.parse(arguments, spec: spec) else {
        throw UsageError("not a run")
    }
    return parsed
}

@Suite("Command-line parsing")
struct CommandLineParserTests {
    @Test func acceptsSpacedInlineAndShortValuesFlagsAndPositionals() throws {
        let parsed = try run(["--count", "5", "--rate=2.5", "--fast", "a.log", "-", "--tap", "x", "--tap=y"])
        #expect(try parsed.integer("count", in: 1...10, default: 3) == 5)
        #expect(try parsed.number("rate", in: 0...100, default: 1) == 2.5)
        #expect(parsed.has("fast"))
        #expect(parsed.positionals == ["a.log", "-"])
        #expect(parsed.strings("tap") == ["x", "y"])
        #expect(try run(["-c", "7"]).integer("count", in: 1...10, default: 3) == 7)
    }

    @Test func doubleDashEndsOptions() throws {
        #expect(try run(["--", "--fast"]).positionals == ["--fast"])
    }

    @Test(
        "reports usage errors",
        arguments: [
            (["--nope"], "unknown option '--nope'"),
            (["--count"], "option '--count' needs a value <n>"),
            (["--fast=1"], "option '--fast' takes no value"),
            (["--count", "1", "--count", "2"], "option '--count' given more than once"),
        ])
    func reportsUsageErrors(arguments: [String], message: String) {
        #expect(throws: UsageError(message)) { try CommandLineParser.parse(arguments, spec: spec) }
    }

    @Test(arguments: ["0", "-1", "11", "abc", "2.5", ""])
    func rejectsOutOfRangeOrMalformedIntegers(value: String) throws {
        let parsed = try run(["--count", value])
        #expect(throws: UsageError.self) { try parsed.integer("count", in: 1...10, default: 3) }
    }

    @Test(arguments: ["-1", "nan", "inf", "x"])
    func rejectsBadNumbers(value: String) throws {
        let parsed = try run(["--rate=\(value)"])
        #expect(throws: UsageError.self) { try parsed.number("rate", in: 0...100, default: 1) }
    }

    @Test func helpWinsAndFollowsTheStandardLayout() throws {
        guard case .help(let text) = try CommandLineParser.parse(["--nope", "--help"], spec: spec) else {
            Issue.record("expected help")
            return
        }
        #expect(text.hasPrefix("OVERVIEW: Does things.\n\nUSAGE: tool [--count <n>] [--fast] [FILE...]\n"))
        #expect(text.contains("ARGUMENTS:\n  <FILE>"))
        #expect(text.contains("  -c, --count <n>  How many. (default: 3)"))
        #expect(text.contains("  -h, --help       Show help information."))
    }

    @Test func usageErrorTextNamesTheToolAndWhereHelpIs() {
        let text = spec.usageErrorText(UsageError("unknown option '--x'"))
        #expect(
            text
                == "tool: error: unknown option '--x'\nUsage: tool [--count <n>] [--fast] [FILE...]\n  See 'tool --help' for more information.\n"
        )
    }
}
