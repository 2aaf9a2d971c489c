import Foundation
import LogPipe
import Testing

/// A generated Combined log whose every line's fate is known in advance, from plain string tests
/// written here (not from `Sources/`): which filter excludes it, in the documented order client, path,
/// agent, vhost.
private struct KnownLog {
    struct Line {
        var time: Int64
        var vhost: String?
        var client: String
        var path: String
        var agent: String
        /// A line that is not a request (invalid) or a blank one (skipped).
        var kind = Kind.request

        enum Kind { case request, garbage, blank }

        var text: String {
            switch kind {
            case .garbage: return "garbage line \(time)"
            case .blank: return ""
            case .request:
                let stamp = KnownLog.stamp(time)
                return (vhost.map { $0 + " " } ?? "")
                    + "\(client) - - [\(stamp)] \"GET \(path) HTTP/1.1\" 200 512 \"-\" \"\(agent)\""
            }
        }
    }

    var lines: [Line] = []

    var text: String { lines.map(\.text).joined(separator: "\n") + "\n" }

    static func stamp(_ time: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(time)))
    }

    /// Traffic from `start` for `seconds`: each second `real` ordinary requests, `health` health checks
    /// (`/healthz?probe=1` by kube-probe from 10.0.0.5), and now and then a crawler, a client of
    /// 192.0.2.0/24, an IPv6 client of 2001:db8::/32 and a host-name client; some lines on another
    /// virtual host; a few garbage and blank lines.
    static func make(start: Int64, seconds: Int64, real: Int, health: Int, vhosts: Bool = false) -> KnownLog {
        var log = KnownLog()
        var random = SplitMix64(seed: UInt64(start) ^ UInt64(seconds))
        for second in 0..<seconds {
            let time = start + second
            for index in 0..<real {
                var line = Line(
                    time: time, vhost: vhosts ? "www.example.com" : nil, client: "198.51.100.\(index % 200 + 1)",
                    path: ["/pages/a", "/api/items?id=3", "/", "/static/app.js"][random.next(below: 4)],
                    agent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
                switch random.next(below: 40) {
                case 0: line.agent = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
                case 1: line.client = "192.0.2.\(random.next(below: 256))"
                case 2: line.client = "2001:db8::\(random.next(below: 1000))"
                case 3: line.client = "crawler.example.net"
                case 4 where vhosts: line.vhost = "other.example.org:443"
                case 5: line.path = "/healthzone/x"  // a prefix match on /healthz
                case 6: line.path = "http://www.example.com/healthz"
                default: break
                }
                log.lines.append(line)
            }
            for _ in 0..<health {
                log.lines.append(
                    Line(
                        time: time, vhost: vhosts ? "www.example.com:8080" : nil, client: "10.0.0.5",
                        path: "/healthz?probe=1", agent: "kube-probe/1.29"))
            }
            if random.next(below: 50) == 0 {
                log.lines.append(Line(time: time, client: "", path: "", agent: "", kind: .garbage))
            }
            if random.next(below: 50) == 0 {
                log.lines.append(Line(time: time, client: "", path: "", agent: "", kind: .blank))
            }
        }
        return log
    }

    /// The filters of a run, as the test's own predicates.
    struct Filters: Sendable {
        var arguments: [String] = []
        var client: (@Sendable (String) -> Bool)?
        var path: (@Sendable (String) -> Bool)?
        var agent: (@Sendable (String) -> Bool)?
        var vhost: (@Sendable (String?) -> Bool)?
    }

    /// How many request lines `filters` exclude.
    func excludedCount(by filters: Filters) -> Int {
        lines.count { $0.kind == .request && reason($0, filters) != nil }
    }

    /// The reason each request line is excluded for, or nil when it is kept.
    func reason(_ line: Line, _ filters: Filters) -> String? {
        let path = String(line.path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
        let origin =
            path.hasPrefix("http://")
            ? "/" + path.dropFirst(7).split(separator: "/", maxSplits: 1).dropFirst().joined() : path
        if let client = filters.client, client(line.client) { return "client" }
        if let matches = filters.path, matches(origin) { return "path" }
        if let agent = filters.agent, agent(line.agent) { return "agent" }
        if let vhost = filters.vhost, !vhost(line.vhost) { return "vhost" }
        return nil
    }
}

/// Sums over the records of a stream.
private struct StreamSums {
    var hits = 0
    var late = 0
    var dropped = 0
    var invalid = 0
    var excluded: [String: Int] = [:]
    var alerts = 0
    var notices: [String] = []

    init(_ text: String) throws {
        for line in text.split(separator: "\n") {
            let record = try JSONParser.parse(String(line))
            switch record["type"]?.stringValue {
            case "bucket":
                hits += Int(record["hits"]?.integerValue ?? 0)
                late += Int(record["late"]?.integerValue ?? 0)
                dropped += Int(record["dropped"]?.integerValue ?? 0)
                invalid += Int(record["invalid"]?.integerValue ?? 0)
                if case .object(let members) = record["excluded"] {
                    for (reason, count) in members { excluded[reason, default: 0] += Int(count.integerValue ?? -1) }
                }
            case "alert": alerts += 1
            case "notice": notices.append(record["message"]?.stringValue ?? "")
            default: break
            }
        }
    }
}

/// logtail's summary line, `<file>: N lines: R requests, S skipped, I invalid[ (…)], E excluded[ (…)]`.
private func summaryCounts(_ standardError: String) -> (
    lines: Int, requests: Int, skipped: Int, invalid: Int, excluded: Int
)? {
    guard let summary = standardError.split(separator: "\n").last(where: { $0.contains(" lines: ") }) else {
        return nil
    }
    func number(before word: String) -> Int? {
        guard let range = summary.range(of: " \(word)") else { return nil }
        return Int(summary[..<range.lowerBound].split(separator: " ").last ?? "")
    }
    guard let lines = number(before: "lines:"), let requests = number(before: "requests,"),
        let skipped = number(before: "skipped,"), let invalid = number(before: "invalid")
    else { return nil }
    return (lines, requests, skipped, invalid, number(before: "excluded") ?? 0)
}

@Suite("End to end: filters at the source, each with its counters")
struct FilterEndToEndTests {
    fileprivate static var runs: [(name: String, filters: KnownLog.Filters)] {
        [
            (
                "client",
                .init(
                    arguments: ["--exclude-client", "192.0.2.0/24,2001:db8::/32", "--exclude-client", "10.0.0.5"],
                    client: { $0.hasPrefix("192.0.2.") || $0.hasPrefix("2001:db8:") || $0 == "10.0.0.5" })
            ),
            ("path", .init(arguments: ["--exclude-path", "/healthz"], path: { $0.hasPrefix("/healthz") })),
            (
                "agent",
                .init(
                    arguments: ["--exclude-agent", "bots"],
                    agent: { $0.contains("Googlebot") || $0.contains("kube-probe") }
                )
            ),
            (
                "vhost",
                .init(
                    arguments: ["--only-vhost", "www.example.com"], vhost: { $0?.hasPrefix("www.example.com") == true })
            ),
            (
                "all",
                .init(
                    arguments: [
                        "--exclude-client", "192.0.2.0/24", "--exclude-path", "/healthz", "--exclude-agent",
                        "googlebot",
                        "--only-vhost", "www.example.com",
                    ],
                    client: { $0.hasPrefix("192.0.2.") }, path: { $0.hasPrefix("/healthz") },
                    agent: { $0.lowercased().contains("googlebot") },
                    vhost: { $0?.hasPrefix("www.example.com") == true })
            ),
        ]
    }

    /// `--exclude-path /healthz`.
    fileprivate static let healthPath = KnownLog.Filters(
        arguments: ["--exclude-path", "/healthz"], path: { $0.hasPrefix("/healthz") })

    @Test("each filter excludes what it says, counted by reason, never as hits", arguments: runs.indices)
    func eachFilterIsCountedByReasonAndNeverAsAHit(run index: Int) throws {
        let (name, filters) = Self.runs[index]
        let log = KnownLog.make(start: 1_700_000_000, seconds: 300, real: 4, health: 1, vhosts: true)
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try log.text.write(toFile: "\(directory)/access.log", atomically: false, encoding: .utf8)
        let arguments = filters.arguments.map { "'\($0)'" }.joined(separator: " ")
        let outcome = try PipelineTools.shell(
            "set -o pipefail; logtail --once \(arguments) access.log 2> tail.err | logagg > buckets.ndjson",
            in: directory)
        #expect(outcome.status == 0, "\(name): \(outcome.standardError)")
        let sums = try StreamSums(String(contentsOfFile: "\(directory)/buckets.ndjson", encoding: .utf8))
        var expected: [String: Int] = [:]
        var kept = 0
        for line in log.lines where line.kind == .request {
            if let reason = log.reason(line, filters) { expected[reason, default: 0] += 1 } else { kept += 1 }
        }
        #expect(!expected.isEmpty, "\(name): the log must have lines to exclude")
        #expect(sums.excluded == expected, "\(name)")
        #expect(sums.hits + sums.late + sums.dropped == kept, "\(name): excluded requests are not hits")
        let tail = try String(contentsOfFile: "\(directory)/tail.err", encoding: .utf8)
        let counts = try #require(summaryCounts(tail), "\(name): \(tail)")
        let garbage = log.lines.count { $0.kind == .garbage }
        let blank = log.lines.count { $0.kind == .blank }
        #expect(counts.lines == log.lines.count)
        #expect(counts.lines == counts.requests + counts.skipped + counts.invalid + counts.excluded, "conservation")
        #expect(counts.requests == kept && counts.invalid == garbage && counts.skipped == blank)
        #expect(counts.excluded == expected.values.reduce(0, +))
        #expect(sums.invalid == garbage)
    }

    @Test func onlyVhostOnALogWithoutVirtualHostsExcludesEveryLineAndSaysSoOnce() throws {
        let log = KnownLog.make(start: 1_700_000_000, seconds: 20, real: 3, health: 0)
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try log.text.write(toFile: "\(directory)/access.log", atomically: false, encoding: .utf8)
        let outcome = try PipelineTools.shell(
            "set -o pipefail; logtail --once --only-vhost www.example.com access.log | logagg > buckets.ndjson",
            in: directory)
        #expect(outcome.status == 0)
        let sums = try StreamSums(String(contentsOfFile: "\(directory)/buckets.ndjson", encoding: .utf8))
        #expect(sums.hits == 0)
        #expect(sums.excluded == ["vhost": log.lines.count { $0.kind == .request }])
        let warnings = outcome.standardError.split(separator: "\n").filter { $0.contains("names no virtual host") }
        #expect(warnings.count == 1, "\(outcome.standardError)")
        #expect(sums.notices.count { $0.contains("names no virtual host") } == 1, "the view is told too")
    }

    @Test func healthChecksThatWouldRaiseTheAlertDoNotOnceExcluded() throws {
        // 6 real requests and 6 health checks a second for 6 minutes: 12 req/s is above the default
        // threshold of 10, the 6 req/s that remain are not.
        let log = KnownLog.make(start: 1_700_000_000, seconds: 360, real: 6, health: 6)
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try log.text.write(toFile: "\(directory)/access.log", atomically: false, encoding: .utf8)
        func run(_ filters: String) throws -> StreamSums {
            let outcome = try PipelineTools.shell(
                "set -o pipefail; logtail --once \(filters) access.log 2>/dev/null | logagg | logalert > final.ndjson",
                environment: ["TZ": "UTC"], in: directory)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            return try StreamSums(String(contentsOfFile: "\(directory)/final.ndjson", encoding: .utf8))
        }
        #expect(try run("").alerts == 1, "unfiltered, the health checks raise the alert")
        for filters in ["--exclude-path /healthz", "--exclude-agent bots", "--exclude-client 10.0.0.0/8"] {
            let sums = try run(filters)
            #expect(sums.alerts == 0, "\(filters)")
            #expect(sums.excluded.values.reduce(0, +) >= 360 * 6, "\(filters): \(sums.excluded)")
        }
    }

    @Test func theFleetMergeAddsUpWhatEachWebServerExcluded() throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var perSource: [Int] = []
        for (index, name) in ["web1", "web2"].enumerated() {
            let log = KnownLog.make(start: 1_700_000_000, seconds: 120, real: 2 + index, health: 1 + index)
            try log.text.write(toFile: "\(directory)/\(name).log", atomically: false, encoding: .utf8)
            perSource.append(log.excludedCount(by: Self.healthPath))
        }
        let outcome = try PipelineTools.shell(
            """
            set -eo pipefail
            for name in web1 web2; do
                logtail --once --exclude-path /healthz $name.log 2>/dev/null | logagg --source $name > $name.ndjson
            done
            logmerge --sources web1,web2 web1.ndjson web2.ndjson > merged.ndjson
            """, in: directory)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let merged = try StreamSums(String(contentsOfFile: "\(directory)/merged.ndjson", encoding: .utf8))
        #expect(merged.excluded == ["path": perSource.reduce(0, +)])
    }

    @Test func thePlainViewAndTheLauncherShowTheExcludedRequests() throws {
        let log = KnownLog.make(start: 1_700_000_000, seconds: 60, real: 2, health: 1)
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try log.text.write(toFile: "\(directory)/access.log", atomically: false, encoding: .utf8)
        let healthChecks = log.excludedCount(by: Self.healthPath)
        let view = try PipelineTools.shell(
            "logtail --once --exclude-path /healthz access.log 2>/dev/null | logagg | logalert | logview --plain",
            environment: ["TZ": "UTC"], in: directory)
        #expect(view.status == 0)
        #expect(view.standardOutput.contains("  excluded total="))
        #expect(view.standardOutput.contains("excluded=\(healthChecks)\n"), "\(view.standardOutput.suffix(300))")

        let launcher = try PipelineTools.shell(
            "logpipe --once --exclude-path /healthz --view 'cat > final.ndjson' access.log", in: directory)
        #expect(launcher.status == 0, "\(launcher.standardError)")
        let final = try StreamSums(String(contentsOfFile: "\(directory)/final.ndjson", encoding: .utf8))
        #expect(final.excluded == ["path": healthChecks])
        let usage = try PipelineTools.shell("logpipe --once --exclude-client 10.0.0.0/33 access.log", in: directory)
        #expect(usage.status == 64)
        #expect(usage.standardError.contains("--exclude-client '10.0.0.0/33': the prefix length '33'"))
    }
}
