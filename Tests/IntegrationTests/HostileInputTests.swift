import Foundation
import Testing

/// The reproductions of issue 11, through the built tools: no value that fits in a line or a record
/// crashes a stage; each out-of-limit record is reported with its line and member, and skipped.
@Suite("Hostile numbers through the real tools", .serialized)
struct HostileInputTests {
    private static let stamp = "[14/Nov/2023:22:13:20 +0000]"

    private func withDirectory<T>(_ body: (String) throws -> T) throws -> T {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try body(directory)
    }

    @Test func tenLinesOf18DigitBytesGoThroughLogaggAsABucketOfSaturatedBytes() throws {
        try withDirectory { directory in
            let line = "192.0.2.7 - - \(Self.stamp) \"GET /a HTTP/1.1\" 200 999999999999999999\n"
            try String(repeating: line, count: 10).write(
                toFile: directory + "/access.log", atomically: true, encoding: .utf8)
            let outcome = try PipelineTools.shell("logtail --once access.log | logagg", in: directory)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(outcome.standardOutput.contains(#""hits":10,"#))
            #expect(outcome.standardOutput.contains(#""bytes":9223372036854775807,"#))
        }
    }

    @Test func twoSuchBucketsGoThroughLogviewPlainWithSaturatedTotals() throws {
        try withDirectory { directory in
            var log = ""
            for stamp in ["[14/Nov/2023:22:13:20 +0000]", "[14/Nov/2023:22:13:31 +0000]"] {
                log += String(
                    repeating: "192.0.2.7 - - \(stamp) \"GET /a HTTP/1.1\" 200 999999999999999999\n", count: 10)
            }
            try log.write(toFile: directory + "/access.log", atomically: true, encoding: .utf8)
            let outcome = try PipelineTools.shell(
                "logtail --once access.log | logagg | logalert | logview --plain", environment: ["TZ": "UTC"],
                in: directory)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(outcome.standardOutput.contains("end intervals=2 hits=20"), "\(outcome.standardOutput)")
        }
    }

    @Test func aRequestDatedInt64MinIsReportedByLogaggAndSkipped() throws {
        try withDirectory { directory in
            let input = """
                {"type":"request","v":2,"time":-9223372036854775808,"client":"c","status":200,"bytes":1,"section":"/"}
                {"type":"request","v":2,"time":1700000000,"client":"c","status":200,"bytes":-1,"section":"/"}
                {"type":"request","v":2,"time":1700000000,"client":"c","status":200,"bytes":1,"bytes":2,"section":"/"}
                {"type":"request","v":2,"time":1700000000,"client":"c","status":200,"bytes":1,"section":"/"}

                """
            try input.write(toFile: directory + "/in.ndjson", atomically: true, encoding: .utf8)
            let outcome = try PipelineTools.shell("logagg < in.ndjson", in: directory)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(
                outcome.standardError.contains(#"line 1: request record: field "time""#), "\(outcome.standardError)")
            #expect(
                outcome.standardError.contains(#"line 2: request record: field "bytes""#), "\(outcome.standardError)")
            #expect(
                outcome.standardError.contains(#"line 3: request record: duplicate member "bytes""#),
                "\(outcome.standardError)")
            #expect(outcome.standardOutput.contains(#""hits":1,"#))
        }
    }

    @Test func aBucketWhoseLateSecondsCarry2To63Minus1HitsIsReportedByLogalertAndSkipped() throws {
        try withDirectory { directory in
            let input = """
                {"type":"bucket","v":2,"start":1700000000,"end":1700000010,"hits":0,"per_second":[0,0,0,0,0,0,0,0,0,0],"sections":[],"distinct_sections":0,"status":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0},"bytes":0,"clients":[],"distinct_clients":0,"invalid":0,"late":1,"late_seconds":[{"at":1699999999,"hits":9223372036854775807}],"dropped":0}
                {"type":"bucket","v":2,"start":1700000010,"end":1700000020,"hits":0,"per_second":[0,0,0,0,0,0,0,0,0,0],"sections":[],"distinct_sections":0,"status":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0},"bytes":0,"clients":[],"distinct_clients":0,"invalid":0,"late":0,"late_seconds":[],"dropped":0}

                """
            try input.write(toFile: directory + "/in.ndjson", atomically: true, encoding: .utf8)
            let outcome = try PipelineTools.shell("logalert < in.ndjson", in: directory)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(
                outcome.standardError.contains(#"line 1: bucket record: field "late_seconds.hits""#),
                "\(outcome.standardError)")
            #expect(outcome.standardOutput.contains(#""type":"window""#))
            let view = try PipelineTools.shell("logview --plain < in.ndjson", in: directory)
            #expect(view.status == 0, "\(view.standardError)")
            #expect(view.standardError.contains("late_seconds.hits"), "\(view.standardError)")
        }
    }
}
