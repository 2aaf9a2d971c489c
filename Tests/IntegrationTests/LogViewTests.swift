import Foundation
import LogPipeTestSupport
import Testing

@Suite(
    "logview process", .enabled(if: LogViewProcess.binary != nil, "logview is not built next to the test executable"))
struct LogViewTests {
    @Test("logview --plain prints the recorded stream's report exactly")
    func printsRecordedStream() throws {
        let input = try Data(contentsOf: LogViewProcess.fixtures.appendingPathComponent("stream.ndjson"))
        let outcome = try LogViewProcess.run(["--plain"], input: input)
        #expect(outcome.status == 0)
        #expect(outcome.standardError == "")
        let golden = try String(
            contentsOf: LogViewProcess.fixtures.appendingPathComponent("golden/plain-stream.txt"), encoding: .utf8)
        #expect(outcome.standardOutput == golden)
        #expect(
            outcome.standardOutput.contains(
                "\nHigh traffic generated an alert - hits = 1218, triggered at 2026-11-18T11:08:36+00:00\n"))
    }

    @Test("bad lines are counted with one warning per kind and line number, and the stream goes on")
    func warnsOncePerKindOfBadLine() throws {
        let good = try String(
            contentsOf: LogViewProcess.fixtures.appendingPathComponent("stream.ndjson"), encoding: .utf8
        )
        .split(separator: "\n")
        var lines = Array(good.prefix(4)).map(String.init)
        lines.insert("not json at all", at: 1)
        lines.insert("{\"no\":\"type\"}", at: 2)
        lines.insert("also { not json", at: 3)
        lines.append("{\"type\":\"bucket\",\"start\":5}")
        lines.append("{\"type\":\"from-the-future\",\"x\":1}")
        lines.append("{\"type\":\"heartbeat\",\"time\":1795000040}")
        let outcome = try LogViewProcess.run(["--plain"], input: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(outcome.status == 0)
        let warnings = outcome.standardError.split(separator: "\n")
        #expect(warnings.count == 4)
        #expect(warnings.first?.hasPrefix("logview: warning: line 2: not valid JSON") == true)
        #expect(warnings.contains { $0.hasPrefix("logview: warning: line 3: not a record") })
        #expect(warnings.contains { $0.hasPrefix("logview: warning: line 8: bucket record without a valid") })
        #expect(warnings.last == "logview: warning: 4 input lines were not usable records")
        #expect(outcome.standardOutput.components(separatedBy: "interval ").count == 3)
        #expect(outcome.standardOutput.hasSuffix("end intervals=2 hits=73 alerts=0 recoveries=0\n"))
    }

    @Test("a closed stdout ends logview quietly with status 0")
    func exitsQuietlyWhenStdoutCloses() throws {
        let fixture = LogViewProcess.fixtures.appendingPathComponent("stream.ndjson").path
        let outcome = try LogViewProcess.bash(
            "for i in $(seq 200); do cat '\(fixture)'; done | logview --plain | head -n 1; echo \"status=${PIPESTATUS[1]}\""
        )
        #expect(outcome.standardOutput.hasPrefix("interval 2026-11-18T11:06:40+00:00"))
        #expect(outcome.standardOutput.hasSuffix("status=0\n"))
        #expect(outcome.standardError == "")
    }

    @Test("an unknown option is a usage error with status 64; --help and --version succeed")
    func handlesCommandLine() throws {
        let bad = try LogViewProcess.run(["--bogus"], input: Data())
        #expect(bad.status == 64)
        #expect(bad.standardError.hasPrefix("logview: error: unknown option '--bogus'"))
        let help = try LogViewProcess.run(["--help"], input: Data())
        #expect(help.status == 0)
        #expect(help.standardOutput.hasPrefix("OVERVIEW: "))
        #expect(help.standardOutput.contains("--no-bell"))
        let version = try LogViewProcess.run(["--version"], input: Data())
        #expect(version.standardOutput.hasPrefix("logview "))
    }

    @Test("stdout that is not a terminal gets plain text without escape codes, even with colour asked for")
    func writesNoEscapesToAPipe() throws {
        let input = try Data(contentsOf: LogViewProcess.fixtures.appendingPathComponent("stream.ndjson"))
        let outcome = try LogViewProcess.run([], input: input, environment: ["TERM": "xterm-256color"])
        #expect(outcome.status == 0)
        #expect(!outcome.standardOutput.contains("\u{1B}"))
        #expect(outcome.standardOutput.hasPrefix("interval "))
    }
}
