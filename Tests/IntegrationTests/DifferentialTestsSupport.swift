import Foundation
import LogPipe

/// Runs the real executables on generated inputs and compares what they write with
/// `TimeRuleReference`, record by record.
enum Differential {
    /// Where the tools are: `LOGPIPE_BIN_DIR` (e.g. a release build, for the long mode), else beside
    /// the test runner.
    static let binaryDirectory = ProcessInfo.processInfo.environment["LOGPIPE_BIN_DIR"] ?? PipelineTools.binaryDirectory

    /// An integer setting from the environment.
    static func setting(_ name: String) -> Int? {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) }
    }

    /// What a check compared, added up over the logs of a test.
    struct Totals: CustomStringConvertible {
        var logs = 0
        var disagreeing = 0
        var lines = 0
        var requests = 0
        /// Requests excluded by filters (logs) or sent as excluded records (streams).
        var excluded = 0
        var buckets = 0
        var gaps = 0
        var transitions = 0
        var windows = 0
        /// The revised steps the reference took (TIME-RULE.md's Revisions): held far-apart first pairs,
        /// first requests dropped before any clock, gaps through buckets the clock opened (F1), late
        /// seconds at or after logalert's last boundary (F2).
        var heldPairs = 0
        var firstRequestsDropped = 0
        var gapsThroughOpenedBuckets = 0
        var lateSecondsAhead = 0

        var description: String {
            "\(logs) inputs (\(disagreeing) disagreeing), \(lines) lines, \(requests) requests, \(excluded) excluded, "
                + "\(buckets) buckets, "
                + "\(gaps) gaps, \(transitions) transitions, \(windows) window records compared; revised steps taken: "
                + "\(heldPairs) held first pairs, \(firstRequestsDropped) first requests dropped, "
                + "\(gapsThroughOpenedBuckets) gaps through opened buckets, \(lateSecondsAhead) late seconds ahead"
        }
    }

    /// One record of a stage's output, read back into the reference's types.
    enum Parsed {
        case aggregate(TimeRuleReference.AggregateRecord)
        case rule(TimeRuleReference.RuleRecord)
        /// A `notice` (PROTOCOL.md): a stage's warning, outside the time rule; `tool` wrote it.
        case notice(tool: String)
        case other(String)
    }

    struct MalformedOutput: Error, CustomStringConvertible {
        var line: String
        var description: String { "cannot read the output record \(line)" }
    }

    static func parse(_ line: Substring) throws -> Parsed {
        let value = try JSONParser.parse(String(line))
        func integer(_ key: String) throws -> Int64 {
            guard let number = value[key]?.integerValue else { throw MalformedOutput(line: String(line)) }
            return number
        }
        switch value["type"]?.stringValue {
        case "bucket":
            var bucket = TimeRuleReference.Bucket(start: try integer("start"), end: try integer("end"))
            bucket.hits = Int(try integer("hits"))
            bucket.perSecond = (value["per_second"]?.arrayValue ?? []).map { Int($0.integerValue ?? -1) }
            bucket.late = Int(try integer("late"))
            bucket.lateSeconds = (value["late_seconds"]?.arrayValue ?? []).map {
                TimeRuleReference.LateSecond(
                    at: $0["at"]?.integerValue ?? -1, hits: Int($0["hits"]?.integerValue ?? -1))
            }
            bucket.dropped = Int(try integer("dropped"))
            bucket.invalid = Int(try integer("invalid"))
            if case .object(let members) = value["excluded"] {
                for (reason, count) in members { bucket.excluded[reason] = Int(count.integerValue ?? -1) }
            }
            bucket.observedEnd = value["observed_end"]?.integerValue
            return .aggregate(.bucket(bucket))
        case "gap":
            return .aggregate(.gap(start: try integer("start"), end: try integer("end")))
        case "alert", "recovery":
            return .rule(
                .transition(kind: value["type"]!.stringValue!, at: try integer("at"), hits: Int(try integer("hits"))))
        case "window":
            return .rule(
                .window(
                    at: try integer("at"), hits: Int(try integer("hits")), state: value["state"]?.stringValue ?? "?"))
        case "notice":
            return .notice(tool: value["tool"]?.stringValue ?? "?")
        case let type:
            return .other(type ?? "(no type)")
        }
    }

    /// The first place two record lists differ, with a little context, or nil when they are equal.
    static func difference<Record: Equatable & CustomStringConvertible>(
        _ what: String, expected: [Record], actual: [Record]
    ) -> String? {
        guard expected != actual else { return nil }
        let index =
            (0..<min(expected.count, actual.count)).first { expected[$0] != actual[$0] }
            ?? min(expected.count, actual.count)
        let from = max(0, index - 2)
        func show(_ records: [Record]) -> String {
            records[from..<min(records.count, index + 3)].enumerated()
                .map { "      #\(from + $0.offset)\(from + $0.offset == index ? " ▶" : "  ") \($0.element)" }
                .joined(separator: "\n")
        }
        return """
            \(what): first difference at record #\(index) (expected \(expected.count) records, got \(actual.count))
              expected (the document):
            \(show(expected))
              actual (the tool):
            \(show(actual))
            """
    }

    /// The output of one run of the tools.
    struct Run {
        var aggregateOutput: [Substring]
        var finalOutput: [Substring]
        var tailError: String
        var aggregateError: String
        var alertError: String
        var status: Int32
    }

    /// Runs `logtail --once access.log | logagg … | logalert …` (when `log` is given) or
    /// `logagg … < input.ndjson | logalert …` in `directory`, keeping logagg's output with `tee`.
    static func run(
        log: String?, stream: String?, tailArguments: [String] = [], aggregateArguments: [String],
        alertArguments: [String], in directory: String
    ) throws -> Run {
        func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        // A tool that writes years of empty buckets one by one would run for hours and fill the disk:
        // each stage gets a time limit (LOGPIPE_DIFFERENTIAL_TIMEOUT seconds, 15 by default; a run
        // normally takes well under one) and every file a size limit (ulimit -f, KiB).
        let limit = "timeout -k 1 \(setting("LOGPIPE_DIFFERENTIAL_TIMEOUT") ?? 15)"
        let aggregate =
            limit + " " + ([binaryDirectory + "/logagg"] + aggregateArguments).map(quoted).joined(separator: " ")
        let alert = limit + " " + ([binaryDirectory + "/logalert"] + alertArguments).map(quoted).joined(separator: " ")
        let source: String
        if let log {
            try log.write(toFile: "\(directory)/access.log", atomically: false, encoding: .utf8)
            let tail = ([binaryDirectory + "/logtail", "--once"] + tailArguments).map(quoted).joined(separator: " ")
            source = "\(limit) \(tail) access.log 2> tail.err"
        } else {
            try (stream ?? "").write(toFile: "\(directory)/input.ndjson", atomically: false, encoding: .utf8)
            source = "cat input.ndjson"
        }
        let outcome = try PipelineTools.shell(
            "set -o pipefail; ulimit -f 300000; \(source) | \(aggregate) 2> agg.err | tee agg.ndjson | \(alert) > final.ndjson 2> alert.err",
            environment: ["TZ": "UTC"], in: directory)
        func read(_ name: String) -> String {
            (try? String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)) ?? ""
        }
        return Run(
            aggregateOutput: read("agg.ndjson").split(separator: "\n"),
            finalOutput: read("final.ndjson").split(separator: "\n"),
            tailError: read("tail.err"), aggregateError: read("agg.err"), alertError: read("alert.err"),
            status: outcome.status)
    }

    /// Runs `logalert … < buckets.ndjson` in `directory`: its output lines, stderr and exit status.
    static func runAlert(
        _ records: String, alertArguments: [String], in directory: String
    ) throws -> (output: [Substring], error: String, status: Int32) {
        func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        try records.write(toFile: "\(directory)/buckets.ndjson", atomically: false, encoding: .utf8)
        let alert = ([binaryDirectory + "/logalert"] + alertArguments).map(quoted).joined(separator: " ")
        let outcome = try PipelineTools.shell(
            "ulimit -f 300000; timeout -k 1 \(setting("LOGPIPE_DIFFERENTIAL_TIMEOUT") ?? 15) \(alert) < buckets.ndjson > final.ndjson 2> alert.err",
            environment: ["TZ": "UTC"], in: directory)
        func read(_ name: String) -> String {
            (try? String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)) ?? ""
        }
        return (read("final.ndjson").split(separator: "\n"), read("alert.err"), outcome.status)
    }

    /// The options of one comparison.
    struct Options {
        var interval: Int64
        var lateness: Int64
        var lateHorizon: Int64
        var window: Int64
        var threshold: Double
        var recoverBelow: Double?
        var holdFor: Int64
    }

    /// Compares one run with the reference for `inputs`; returns the disagreements, in words.
    static func compare(
        _ run: Run, inputs: [TimeRuleReference.Input], options: Options, totals: inout Totals
    ) throws -> [String] {
        var problems: [String] = []
        if run.status != 0 {
            let reason = [124, 137].contains(run.status) ? " (a stage ran out of time)" : ""
            problems.append(
                "the pipeline exited with \(run.status)\(reason): \(run.tailError.suffix(300))\(run.aggregateError.suffix(300))\(run.alertError.suffix(300))"
            )
            if !reason.isEmpty {
                totals.logs += 1
                totals.disagreeing += 1
                return problems
            }
        }
        // Notices (stages' warnings, PROTOCOL.md) are outside the time rule: logalert must pass logagg's
        // (and logtail's) on untouched, and may add its own.
        var actualAggregate: [TimeRuleReference.AggregateRecord] = []
        var aggregateLines: [Substring] = []
        var notices: [Substring] = []
        for line in run.aggregateOutput {
            switch try parse(line) {
            case .aggregate(let record):
                actualAggregate.append(record)
                aggregateLines.append(line)
            case .notice: notices.append(line)
            case .rule, .other: problems.append("logagg wrote an unexpected record: \(line)")
            }
        }
        var forwarded: [Substring] = []
        var forwardedNotices: [Substring] = []
        var actualRule: [TimeRuleReference.RuleRecord] = []
        for line in run.finalOutput {
            switch try parse(line) {
            case .aggregate: forwarded.append(line)
            case .rule(let record): actualRule.append(record)
            case .notice(let tool): if tool != "logalert" { forwardedNotices.append(line) }
            case .other: problems.append("logalert wrote an unexpected record: \(line)")
            }
        }

        // logagg against the document.
        let aggregator = TimeRuleReference.Aggregator.finished(
            inputs, interval: options.interval, lateness: options.lateness, lateHorizon: options.lateHorizon)
        let expectedAggregate = aggregator.output
        totals.heldPairs += aggregator.coverage.heldPairs
        totals.firstRequestsDropped += aggregator.coverage.firstRequestsDropped
        totals.gapsThroughOpenedBuckets += aggregator.coverage.gapsThroughOpenedBuckets
        if let text = difference("logagg's buckets and gaps", expected: expectedAggregate, actual: actualAggregate) {
            problems.append(text)
        }
        if let text = droppedWarningDifference(run.aggregateError, expected: aggregator.droppedRequests) {
            problems.append(text)
        }
        // logalert against the document, on the buckets logagg really wrote (so that a logagg bug does
        // not hide or fake a logalert one), and the whole chain's transitions.
        let expectedRule = TimeRuleReference.AlertRule.run(
            actualAggregate, window: options.window, threshold: options.threshold, recoverBelow: options.recoverBelow,
            holdFor: options.holdFor)
        if let text = difference(
            "logalert's transitions and windows (on logagg's actual buckets)", expected: expectedRule,
            actual: actualRule)
        {
            problems.append(text)
        }
        let chain = TimeRuleReference.AlertRule.run(
            expectedAggregate, window: options.window, threshold: options.threshold, recoverBelow: options.recoverBelow,
            holdFor: options.holdFor
        ).filter(\.isTransition)
        if let text = difference(
            "the pipeline's transitions (reference logagg + reference logalert)", expected: chain,
            actual: actualRule.filter(\.isTransition))
        {
            problems.append(text)
        }
        if forwarded != aggregateLines {
            problems.append(
                "logalert did not forward logagg's \(aggregateLines.count) bucket and gap records unchanged (\(forwarded.count) forwarded)"
            )
        }
        if forwardedNotices != notices {
            problems.append(
                "logalert did not pass logagg's \(notices.count) notices on untouched (\(forwardedNotices.count) passed)"
            )
        }

        // Conservation: every request is a hit, a late hit or dropped; every excluded one is excluded.
        let requests = inputs.count { if case .request = $0 { true } else { false } }
        var expectedExcluded: [String: Int] = [:]
        for case .excluded(_, let reason) in inputs { expectedExcluded[reason, default: 0] += 1 }
        var excluded: [String: Int] = [:]
        var hits = 0
        var late = 0
        var dropped = 0
        for case .bucket(let bucket) in actualAggregate {
            hits += bucket.hits
            late += bucket.late
            dropped += bucket.dropped
            excluded.merge(bucket.excluded, uniquingKeysWith: +)
            if bucket.perSecond.reduce(0, +) != bucket.hits {
                problems.append("per_second does not add up to hits: \(bucket)")
            }
            if bucket.lateSeconds.map(\.hits).reduce(0, +) != bucket.late {
                problems.append("late_seconds do not add up to late: \(bucket)")
            }
        }
        if excluded != expectedExcluded {
            problems.append("conservation: excluded \(expectedExcluded) but the buckets count \(excluded)")
        }
        totals.excluded += expectedExcluded.values.reduce(0, +)
        if hits + late + dropped != requests {
            problems.append(
                "conservation: \(requests) requests but hits \(hits) + late \(late) + dropped \(dropped) = \(hits + late + dropped)"
            )
        }

        totals.logs += 1
        totals.requests += requests
        totals.buckets += expectedAggregate.count { if case .bucket = $0 { true } else { false } }
        totals.gaps += expectedAggregate.count { if case .gap = $0 { true } else { false } }
        totals.transitions += expectedRule.count(where: \.isTransition)
        totals.windows += expectedRule.count(where: { !$0.isTransition })
        if !problems.isEmpty { totals.disagreeing += 1 }
        return problems
    }

    /// logagg's warnings about dropped requests against the reference's: each names the dropped
    /// request's own input line and time (TIME-RULE.md: "a warning names c's line"); logagg shows the
    /// first few and then counts the rest ("N more clock warnings were not shown"). Nil when they agree.
    static func droppedWarningDifference(
        _ standardError: String, expected: [TimeRuleReference.Aggregator.Request]
    ) -> String? {
        var shown: [TimeRuleReference.Aggregator.Request] = []
        var unshown = 0
        for line in standardError.split(separator: "\n") {
            if line.contains("counted as dropped"), let marker = line.range(of: "warning: line ") {
                let rest = line[marker.upperBound...]
                let number = rest.prefix { $0.isNumber }
                guard let dated = rest.range(of: "request dated ") else { return "unreadable warning: \(line)" }
                let time = rest[dated.upperBound...].prefix { $0.isNumber || $0 == "-" }
                guard let lineNumber = Int(number), let seconds = Int64(time) else {
                    return "unreadable warning: \(line)"
                }
                shown.append(.init(time: seconds, line: lineNumber))
            } else if line.hasSuffix("more clock warnings were not shown") {
                unshown += line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            }
        }
        var remaining = expected
        var unexpected: [TimeRuleReference.Aggregator.Request] = []
        for warning in shown {
            if let index = remaining.firstIndex(of: warning) {
                remaining.remove(at: index)
            } else {
                unexpected.append(warning)
            }
        }
        if unexpected.isEmpty && shown.count + unshown == expected.count && (unshown > 0 || remaining.isEmpty) {
            return nil
        }
        return """
            logagg's warnings about dropped requests: \(shown.count) shown + \(unshown) counted, the document drops \(expected.count)
              expected (the document): \(expected.prefix(8).map(\.description).joined(separator: "; "))
              warned but not dropped by the document: \(unexpected.map(\.description).joined(separator: "; "))
            """
    }

    /// logtail's summary line, `<file>: N lines: R requests, S skipped, I invalid[ (…)][, E excluded (…)]`,
    /// as numbers (`excluded` 0 when the summary has no such part).
    static func tailCounts(
        _ standardError: String
    ) -> (lines: Int, requests: Int, skipped: Int, invalid: Int, excluded: Int)? {
        guard let summary = standardError.split(separator: "\n").last(where: { $0.contains(" lines: ") }),
            let marker = summary.range(of: " lines: "),
            let lines = summary[..<marker.lowerBound].split(separator: " ").last.flatMap({ Int($0) })
        else { return nil }
        let counts = summary[marker.upperBound...].split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard counts.count >= 3 else { return nil }
        var excluded = 0
        if let part = summary.range(of: #", \d+ excluded"#, options: .regularExpression) {
            excluded = Int(summary[part].split(whereSeparator: { !$0.isNumber }).first ?? "") ?? -1
        }
        return (lines, counts[0], counts[1], counts[2], excluded)
    }

    /// Keeps a failing case's files in `LOGPIPE_DIFFERENTIAL_KEEP`, when set.
    static func keep(_ directory: String, as name: String, notes: String) {
        guard let keep = ProcessInfo.processInfo.environment["LOGPIPE_DIFFERENTIAL_KEEP"] else { return }
        let target = "\(keep)/\(name)"
        try? FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: target)
        try? FileManager.default.copyItem(atPath: directory, toPath: target)
        try? notes.write(toFile: "\(target)/differences.txt", atomically: false, encoding: .utf8)
    }
}
