import Foundation
import LogPipe
import Testing

private func records(_ output: String) throws -> [JSONValue] {
    try output.split(separator: "\n").map { try JSONParser.parse(String($0)) }
}

@Suite("End to end: logtail | logagg | logalert over named pipes")
struct PipelineEndToEndTests {
    @Test func reportsAlertAndRecoveryAtTheSecondsTheRuleGives() throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // 15 minutes at 2 requests/s with 2 minutes of 20 more, starting 5 minutes in.
        let generate = try PipelineTools.shell(
            "loggen --instant --start 1700000000 --duration 900 --profile burst --rate 2 --burst-rate 20 "
                + "--burst-start 300 --burst-duration 120 --seed 11 --offset +0200 --output access.log",
            in: directory)
        #expect(generate.status == 0, "\(generate.standardError)")
        let log = try String(contentsOfFile: "\(directory)/access.log", encoding: .utf8)
        let perSecond = ReferenceReading.hitsPerSecond(ofLog: log)
        let lineCount = log.split(separator: "\n").count
        #expect(perSecond.values.reduce(0, +) == lineCount)

        let run = try PipelineTools.shell(
            """
            set -e
            mkfifo -m 600 parsed buckets
            logtail --once access.log > parsed &
            logagg < parsed > buckets &
            logalert < buckets > final.ndjson
            wait
            """, environment: ["TZ": "UTC"], in: directory)
        #expect(run.status == 0, "\(run.standardError)")
        let output = try String(contentsOfFile: "\(directory)/final.ndjson", encoding: .utf8)
        let stream = try records(output)

        let buckets = stream.filter { $0["type"]?.stringValue == "bucket" }
        let totalHits = buckets.compactMap { $0["hits"]?.integerValue }.reduce(0, +)
        #expect(Int(totalHits) == lineCount, "every line is counted exactly once")
        let starts = buckets.compactMap { $0["start"]?.integerValue }
        #expect(starts == Array(stride(from: starts.first ?? 0, through: starts.last ?? 0, by: 10)), "no gaps")
        #expect(stream.filter { $0["type"]?.stringValue == "window" }.count == buckets.count)

        let transitions = stream.filter { ["alert", "recovery"].contains($0["type"]?.stringValue) }
        let actual = transitions.map {
            ($0["type"]!.stringValue!, $0["at"]!.integerValue!, Int($0["hits"]!.integerValue!))
        }
        let lastSecond = (buckets.last?["end"]?.integerValue) ?? 0
        let firstSecond = try #require(perSecond.keys.min())
        let expected = ReferenceReading.transitions(
            perSecond, window: 120, threshold: 10, boundaries: (firstSecond + 1)...lastSecond)
        #expect(expected.map(\.kind) == ["alert", "recovery"], "the profile is built to cross the threshold once")
        #expect(actual.map(\.0) == expected.map(\.kind))
        #expect(actual.map(\.1) == expected.map(\.at))
        #expect(actual.map(\.2) == expected.map(\.hits))

        let alert = try #require(transitions.first)
        let at = try #require(alert["at"]?.integerValue)
        let time = CivilTime(epochSeconds: at, utcOffset: 0).iso8601
        #expect(alert["time"]?.stringValue == time)
        #expect(
            alert["message"]?.stringValue
                == "High traffic generated an alert - hits = \(expected[0].hits), triggered at \(time)")
        let recovery = try #require(transitions.last)
        #expect(recovery["message"]?.stringValue?.hasPrefix("High traffic alert recovered - hits = ") == true)
    }

    @Test func aQuietLogNeverAlertsAndAFloodBelowTheAverageNeither() throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // 9.9 requests/s for 10 minutes: above 10 in some seconds, never on average.
        let run = try PipelineTools.shell(
            """
            set -e
            loggen --instant --start 1700000000 --duration 600 --rate 9.9 --seed 3 --output - \
              | logtail --once - | logagg | logalert > final.ndjson
            """, in: directory)
        #expect(run.status == 0, "\(run.standardError)")
        let stream = try records(String(contentsOfFile: "\(directory)/final.ndjson", encoding: .utf8))
        #expect(!stream.isEmpty)
        #expect(!stream.contains { $0["type"]?.stringValue == "alert" })
        #expect(stream.last?["type"]?.stringValue == "window")
        #expect(stream.last?["state"]?.stringValue == "ok")
    }

    @Test func stagesRejectBadFlagsWithUsageAndStatus64() throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for command in ["logagg --interval 0", "logalert --threshold -1", "logalert --bogus", "logagg extra"] {
            let run = try PipelineTools.shell(command, in: directory)
            #expect(run.status == 64, "\(command)")
            #expect(run.standardError.contains("error:"), "\(command)")
            #expect(run.standardError.contains("Usage:"), "\(command)")
        }
    }

    @Test func stagesReportUndecodableLinesAndCarryOn() throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try PipelineTools.shell(
            """
            printf '%s\\n' 'not json' '{"type":"request","v":1,"time":100,"client":"a","status":200,"section":"/x","bytes":1}' \
              '{"type":"note","v":1,"text":"kept"}' '{"type":"request","v":9,"time":1}' \
              | logagg | logalert
            """, in: directory)
        #expect(run.status == 0)
        #expect(run.standardError.contains("logagg: warning: line 1: not valid JSON"))
        #expect(run.standardError.contains("logagg: warning: line 4: protocol version 9 is newer"))
        let all = try records(run.standardOutput)
        let stream = all.filter { $0["type"]?.stringValue != "notice" }
        #expect(stream.first?["type"]?.stringValue == "note", "unknown types are forwarded untouched")
        // The warnings reach the stream too, as notices, for the view.
        let notices = all.filter { $0["type"]?.stringValue == "notice" }.compactMap { $0["message"]?.stringValue }
        #expect(notices.contains { $0.hasPrefix("line 1: not valid JSON") }, "\(notices)")
        #expect(notices.contains { $0.hasPrefix("line 4: protocol version 9 is newer") }, "\(notices)")
        #expect(stream.contains { $0["type"]?.stringValue == "bucket" && $0["hits"]?.integerValue == 1 })
    }

    @Test func aClosedStdoutEndsAStageQuietly() throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try PipelineTools.shell(
            """
            set -o pipefail
            loggen --instant --start 1700000000 --duration 3600 --rate 5 --seed 1 --output - \
              | logtail --once - | logagg --interval 1 | head -n 1 > /dev/null
            """, in: directory)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardError.isEmpty, "\(run.standardError)")
    }
}
