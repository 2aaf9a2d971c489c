import Foundation
import Glibc
import LogPipe
import LogPipeIO
import LogPipeTestSupport
import Testing

/// Where promtool is, if installed (Debian's `prometheus` package has it).
private let promtool: String? = {
    let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
    return (path + ["/usr/bin", "/usr/local/bin"]).map { "\($0)/promtool" }.first { access($0, X_OK) == 0 }
}()

private let promtoolNote: Comment =
    "promtool is not installed (apt-get install prometheus): the textfile is checked by the tests' own reader only"

/// A Common-format log read independently of logpipe: status and bytes of each line from its fields
/// after the quoted request, the second from Foundation's date parser.
private struct LogReading {
    var perSecond: [Int64: Int] = [:]
    var classes: [String: Int64] = [:]
    var bytes: Int64 = 0
    var requests = 0

    init(_ text: String) {
        perSecond = ReferenceReading.hitsPerSecond(ofLog: text)
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "\"", omittingEmptySubsequences: false)
            guard parts.count >= 3 else { continue }
            let fields = parts[2].split(separator: " ")
            guard fields.count >= 2, let status = Int(fields[0]) else { continue }
            requests += 1
            let key = (100..<600).contains(status) ? "\(status / 100)xx" : "other"
            classes[key, default: 0] += 1
            bytes += Int64(fields[1]) ?? 0
        }
    }
}

@Suite("Textfile: logtail | logagg | logalert --textfile")
struct TextfileEndToEndTests {
    private func generate(in directory: String) throws -> String {
        // 15 minutes at 2 requests/s with 2 minutes of 20 more from minute 5: one alert, one recovery.
        let generate = try PipelineTools.shell(
            """
            loggen --instant --start 1700000000 --duration 900 --profile burst --rate 2 --burst-rate 20 \
              --burst-start 300 --burst-duration 120 --seed 11 --output access.log
            printf 'garbage\\nmore garbage\\n\\x16\\x03\\x01 tls\\n' >> access.log
            """, in: directory)
        #expect(generate.status == 0, "\(generate.standardError)")
        return try String(contentsOfFile: "\(directory)/access.log", encoding: .utf8)
    }

    @Test func aReplayLeavesTheCountsAnIndependentReadingGives() throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try generate(in: directory)
        let run = try PipelineTools.shell(
            """
            set -e
            umask 077
            mkdir metrics
            logtail --once access.log | logagg | logalert --textfile metrics/logpipe.prom > with.ndjson
            logtail --once access.log | logagg | logalert > without.ndjson
            """, in: directory)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(!run.standardError.contains("logalert"), "no warning from logalert: \(run.standardError)")
        let with = try String(contentsOfFile: "\(directory)/with.ndjson", encoding: .utf8)
        #expect(
            with == (try String(contentsOfFile: "\(directory)/without.ndjson", encoding: .utf8)),
            "the stream is untouched")

        let path = "\(directory)/metrics/logpipe.prom"
        let file = try PrometheusExposition(String(contentsOfFile: path, encoding: .utf8))
        let reading = LogReading(log)
        let lines = log.split(separator: "\n").count
        #expect(reading.requests == lines - 3)
        for name in ["1xx", "2xx", "3xx", "4xx", "5xx", "other"] {
            #expect(
                file.integer("logpipe_requests_total", ["status_class": name]) == reading.classes[name, default: 0],
                "\(name)")
        }
        #expect(file["logpipe_requests_total"]?.samples.count == 6, "no unknown class")
        #expect(file.integer("logpipe_response_bytes_total") == reading.bytes)
        #expect(file.integer("logpipe_invalid_lines_total") == 3)
        #expect(file.integer("logpipe_late_requests_total") == 0)
        #expect(file.integer("logpipe_dropped_requests_total") == 0)
        let buckets = with.split(separator: "\n").filter { $0.hasPrefix(#"{"type":"bucket""#) }.count
        #expect(file.integer("logpipe_buckets_total") == Int64(buckets))
        #expect(file["logpipe_source_requests_total"]?.samples.map(\.value).reduce(0, +) == Double(reading.requests))

        // The rule, summed from scratch at every boundary up to the end of the log's last second.
        let first = try #require(reading.perSecond.keys.min())
        let end = try #require(reading.perSecond.keys.max()) + 1
        let transitions = ReferenceReading.transitions(
            reading.perSecond, window: 120, threshold: 10, boundaries: (first + 1)...end)
        #expect(transitions.map(\.kind) == ["alert", "recovery"])
        #expect(file.integer("logpipe_alerts_total") == 1)
        #expect(file.integer("logpipe_recoveries_total") == 1)
        #expect(file.integer("logpipe_alert_active") == 0)
        let windowHits = ((end - 120)..<end).map { reading.perSecond[$0, default: 0] }.reduce(0, +)
        #expect(file.integer("logpipe_window_requests") == Int64(windowHits))
        #expect(file.value("logpipe_window_average_requests_per_second") == Double(windowHits) / 120)
        #expect(file.integer("logpipe_last_bucket_end_timestamp_seconds") == end)
        #expect(file.value("logpipe_alert_threshold_requests_per_second") == 10)
        #expect(file.value("logpipe_window_seconds") == 120)
        #expect(file.value("logpipe_info", ["version": ToolLauncher.version]) == 1)

        var status = stat()
        #expect(stat(path, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o644, "node_exporter can read it whatever logalert's umask")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(directory)/metrics") == ["logpipe.prom"])
    }

    @Test(.enabled(if: promtool != nil, promtoolNote))
    func promtoolAcceptsTheFile() throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try generate(in: directory)
        let run = try PipelineTools.shell(
            """
            set -e
            logtail --once access.log | logagg --source 'web "one" \\ 1' | logalert --textfile logpipe.prom > /dev/null
            '\(promtool!)' check metrics < logpipe.prom
            """, in: directory)
        #expect(run.status == 0, "\(run.standardOutput) \(run.standardError)")
        #expect(run.standardOutput.isEmpty, "no lint problem: \(run.standardOutput)")
        let file = try PrometheusExposition(String(contentsOfFile: "\(directory)/logpipe.prom", encoding: .utf8))
        #expect(file["logpipe_source_requests_total"]?.samples.first?.labels["source"] == #"web "one" \ 1"#)
    }

    @Test(.enabled(if: promtool != nil, promtoolNote))
    func theDocumentedAlertingRulesPassTheirTests() throws {
        let rules = ToolProcess.packageRoot + "/docs/prometheus"
        let check = try ToolProcess.run(promtool!, ["check", "rules", rules + "/logpipe.rules.yml"])
        #expect(check.status == 0, "\(check.standardOutput) \(check.standardError)")
        let test = try PipelineTools.shell("'\(promtool!)' test rules logpipe.rules.test.yml", in: rules)
        #expect(test.status == 0, "\(test.standardOutput) \(test.standardError)")
        #expect(test.standardOutput.contains("SUCCESS"))
    }

    /// Live: the file follows each bucket as it comes; a directory missing at the start is reported
    /// once (stderr, a notice in the stream), the stream goes on, and the file is written as soon as
    /// the directory exists; the exit summary counts the failures.
    @Test func followsEachBucketAndReportsAMissingDirectoryOnce() throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/later/logpipe.prom"
        let logalert = try ToolProcess(
            PipelineTools.path("logalert"), ["--window", "20", "--threshold", "2", "--textfile", path], input: .pipe)
        #expect(logalert.standardError.wait { $0.contains("cannot update the metrics file") })
        func bucket(_ index: Int, hits: Int) -> String {
            var record = BucketRecord(start: 1_700_000_000 + Int64(index) * 10, end: 1_700_000_010 + Int64(index) * 10)
            record.perSecond = Array(repeating: hits, count: 10)
            record.hits = hits * 10
            record.statusClasses.count(status: 200, hits: hits * 10)
            var writer = JSONWriter()
            record.encode(into: &writer)
            return String(decoding: writer.bytes, as: UTF8.self)
        }
        try FileManager.default.createDirectory(atPath: "\(directory)/later", withIntermediateDirectories: false)
        var unreadable = 0
        func reading() -> PrometheusExposition? {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
            guard let file = try? PrometheusExposition(text) else {
                unreadable += 1
                return nil
            }
            return file
        }
        for index in 0...6 {
            #expect(logalert.write(bucket(index, hits: index == 3 ? 5 : 1)))
            let seen = Deadline.waitUntil { reading()?.integer("logpipe_buckets_total") == Int64(index + 1) }
            #expect(seen, "bucket \(index + 1) reached the file")
            let file = reading()
            #expect(
                file?.integer("logpipe_alert_active") == (index == 3 || index == 4 ? 1 : 0), "after bucket \(index)")
        }
        #expect(unreadable == 0, "every read saw a whole file")
        #expect(reading()?.integer("logpipe_alerts_total") == 1)
        logalert.closeInput()
        let outcome = logalert.finish()
        #expect(outcome.status == 0)
        let stderr = outcome.standardError
        #expect(stderr.components(separatedBy: "cannot update the metrics file").count == 2, "once: \(stderr)")
        #expect(stderr.contains("No such file or directory"))
        #expect(stderr.contains("metrics file \(path) written again after 1 failed update"), "\(stderr)")
        #expect(stderr.contains("metrics file \(path): 1 of 8 updates failed; last: cannot create"), "\(stderr)")
        let notices = outcome.standardOutput.split(separator: "\n").filter {
            $0.hasPrefix(#"{"type":"notice""#) && $0.contains(#""kind":"textfile""#)
        }
        #expect(notices.count == 3, "the failure, the recovery and the summary reach the stream: \(notices)")
        #expect(
            outcome.standardOutput.split(separator: "\n").dropFirst(2).first?.hasPrefix(
                #"{"type":"notice","v":2,"tool":"logalert","kind":"textfile""#) == true,
            "the problem found at the start follows the first bucket and its window record")
        #expect(outcome.standardOutput.split(separator: "\n").filter { $0.hasPrefix(#"{"type":"bucket""#) }.count == 7)
    }

    @Test func refusesADirectoryOrNothingAsThePathAndWarnsOfANameNodeExporterSkips() throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for arguments in [["--textfile", directory], ["--textfile", ""], ["--textfile", "metrics/"]] {
            let run = try ToolProcess.run(PipelineTools.path("logalert"), arguments)
            #expect(run.status == 64, "\(arguments)")
            #expect(run.standardError.contains("option '--textfile' needs the path of a file"), "\(run.standardError)")
        }
        let run = try ToolProcess.run(PipelineTools.path("logalert"), ["--textfile", "\(directory)/metrics.txt"])
        #expect(run.status == 0)
        #expect(
            run.standardError.contains("does not end in .prom: node_exporter's textfile collector reads only *.prom"))
        #expect(FileManager.default.fileExists(atPath: "\(directory)/metrics.txt"), "written all the same")
        let help = try ToolProcess.run(PipelineTools.path("logalert"), ["--help"])
        #expect(help.standardOutput.contains("--textfile <path>"))
        #expect(help.standardOutput.contains("PROMETHEUS (--textfile PATH)"))
    }

    /// The launcher hands `--textfile` to logalert, relative paths meaning the caller's directory.
    @Test func theLauncherWritesTheFileToo() throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try generate(in: directory)
        let run = try PipelineTools.shell(
            "logpipe --once --view 'cat > /dev/null' --textfile logpipe.prom access.log", in: directory)
        #expect(run.status == 0, "\(run.standardError)")
        let file = try PrometheusExposition(String(contentsOfFile: "\(directory)/logpipe.prom", encoding: .utf8))
        #expect(file["logpipe_requests_total"]?.samples.map(\.value).reduce(0, +) == Double(LogReading(log).requests))
        #expect(file.integer("logpipe_alerts_total") == 1)
    }

    /// A directory given as the launcher's --textfile is refused before any stage starts.
    @Test func theLauncherRefusesADirectoryBeforeStarting() throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try generate(in: directory)
        let run = try PipelineTools.shell(
            "logpipe --once --view 'touch started' --textfile \(directory) access.log", in: directory)
        #expect(run.status == 64, "\(run.standardError)")
        #expect(run.standardError.contains("is a directory"), "\(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/started"), "no stage ran")
    }
}
