import Foundation
import Testing

/// Issue 11, "Warning line numbers name the line after the offending one": each stage, run as a
/// process and given a bad line N, warns about "line N" and about no other line.
@Suite("Every stage's warnings name the offending line", .serialized)
struct WarningLineNumberTests {
    /// Good lines for each stage's input, from sample.log.
    static let inputs = """
        logtail --once sample.log > records.ndjson 2> /dev/null
        logagg < records.ndjson > buckets.ndjson
        logalert < buckets.ndjson > final.ndjson
        """

    /// Runs `command` on the first `before` lines of `file`, then `bad`, then the rest of `file`, and
    /// returns stderr.
    private func warnings(_ command: String, file: String, before: Int, bad: String) throws -> String {
        try ReliabilityShell.withSampleDirectory { directory in
            try (bad + "\n").write(toFile: directory + "/bad.txt", atomically: true, encoding: .utf8)
            let outcome = try ReliabilityShell.run(
                "\(Self.inputs)\n{ head -n \(before) \(file); cat bad.txt; tail -n +\(before + 1) \(file); } > mixed\n"
                    + "\(command) < mixed > /dev/null",
                in: directory)
            #expect(outcome.status == 0, "\(command): \(outcome.standardError)")
            return outcome.standardError
        }
    }

    @Test(arguments: [
        ("logagg", "records.ndjson"), ("logalert", "buckets.ndjson"), ("logview --plain", "final.ndjson"),
    ])
    func aStageGivenALineThatIsNotJSONWarnsWithItsNumber(command: String, file: String) throws {
        for before in [0, 1, 6] {
            let stderr = try warnings(command, file: file, before: before, bad: "not json")
            #expect(stderr.contains("warning: line \(before + 1): "), "\(command), bad line \(before + 1): \(stderr)")
            #expect(!stderr.contains("line \(before + 2)"), "\(command), bad line \(before + 1): \(stderr)")
        }
    }

    @Test func logaggNamesTheLineOfAFarFutureRequestNotTheLineThatSettledIt() throws {
        let bad = #"{"type":"request","v":2,"time":4102444800,"client":"a","status":200,"bytes":1,"section":"/"}"#
        let stderr = try warnings("logagg", file: "records.ndjson", before: 5, bad: bad)
        #expect(stderr.contains("logagg: warning: line 6: request dated 4102444800"), "\(stderr)")
        #expect(!stderr.contains("line 7"), "\(stderr)")
    }

    @Test func logalertNamesTheLineOfABucketThatIsNotNewer() throws {
        let bad =
            #"{"type":"bucket","v":2,"start":1699999990,"end":1700000000,"hits":0,"per_second":[0,0,0,0,0,0,0,0,0,0],"sections":[],"distinct_sections":0,"status":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0},"bytes":0,"clients":[],"distinct_clients":0,"invalid":0,"late":0,"late_seconds":[],"dropped":0}"#
        let stderr = try warnings("logalert", file: "buckets.ndjson", before: 3, bad: bad)
        #expect(stderr.contains("logalert: warning: line 4: bucket [1699999990, 1700000000)"), "\(stderr)")
        #expect(!stderr.contains("line 5"), "\(stderr)")
    }

    /// The notice of a bad line goes into the stream right after what the lines before it produced and
    /// before what the lines after it produce, even when every line arrives in one read: the stages
    /// read many lines at a time, and the notices of one line must not wait for the rest.
    @Test(arguments: ["logagg", "logalert"])
    func aNoticeSitsBetweenTheRecordsOfTheLinesAroundIt(command: String) throws {
        func request(_ time: Int) -> String {
            #"{"type":"request","v":2,"time":\#(time),"client":"a","status":200,"bytes":1,"section":"/"}"#
        }
        try ReliabilityShell.withSampleDirectory { directory in
            // Three requests ten seconds apart, a bad line between the second and the third: the
            // second closes the first bucket and the third the second.
            let requests = [request(1_700_000_000), request(1_700_000_010), "not json", request(1_700_000_020)]
            try (requests.joined(separator: "\n") + "\n").write(
                toFile: directory + "/requests.ndjson", atomically: true, encoding: .utf8)
            // logalert is given logagg's buckets with the bad line between the first and the second.
            let script =
                command == "logagg"
                ? "logagg < requests.ndjson"
                : "grep -v 'not json' requests.ndjson | logagg > buckets.ndjson\n"
                    + "{ head -n 1 buckets.ndjson; echo 'not json'; tail -n +2 buckets.ndjson; } | logalert"
            let outcome = try ReliabilityShell.run(script, in: directory)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            let records = outcome.standardOutput.split(separator: "\n").map(String.init)
            let notice = try #require(records.firstIndex { $0.contains(#""type":"notice""#) }, "\(records)")
            let first = try #require(records.firstIndex { $0.contains(#""start":1700000000,"#) }, "\(records)")
            let second = try #require(records.firstIndex { $0.contains(#""start":1700000010,"#) }, "\(records)")
            #expect(first < notice && notice < second, "\(command): \(records)")
        }
    }

    @Test(arguments: ["sample.log", "-"])
    func logtailGivenALineThatIsNotALogLineWarnsWithItsNumber(source: String) throws {
        for before in [0, 1, 6] {
            try ReliabilityShell.withSampleDirectory { directory in
                let outcome = try ReliabilityShell.run(
                    "{ head -n \(before) sample.log; echo garbage; tail -n +\(before + 1) sample.log; } > mixed.log\n"
                        + (source == "-" ? "logtail --once - < mixed.log" : "logtail --once mixed.log")
                        + " > out.ndjson\n"
                        + "grep -c '\"line\":\(before + 1),' out.ndjson",
                    in: directory)
                let name = source == "-" ? "-" : "mixed.log"
                #expect(outcome.standardOutput == "1\n", "the invalid record does not carry line \(before + 1)")
                #expect(
                    outcome.standardError.contains("logtail: warning: \(name):\(before + 1): "),
                    "\(outcome.standardError)")
                #expect(!outcome.standardError.contains(":\(before + 2):"), "\(outcome.standardError)")
            }
        }
    }
}
