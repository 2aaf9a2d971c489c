import Foundation
import LogPipe
import Testing

/// One alert transition as the tests compare them.
private struct Transition: Equatable, CustomStringConvertible {
    var kind: String
    var at: Int64
    var hits: Int
    var description: String { "\(kind) at \(at) hits \(hits)" }
}

/// The reference transitions (`ReferenceReading`), as this file compares them.
private func ruleTransitions(
    _ perSecond: [Int64: Int], window: Int64, threshold: Double, boundaries: ClosedRange<Int64>
) -> [Transition] {
    ReferenceReading.transitions(perSecond, window: window, threshold: threshold, boundaries: boundaries)
        .map { Transition(kind: $0.kind, at: $0.at, hits: $0.hits) }
}

/// The records of an NDJSON output, each with the wall-clock arrival time when the line starts with
/// one (`<seconds.fraction> <record>`, as the live scripts stamp them).
private func records(_ output: String) throws -> [(arrival: Double?, record: JSONValue)] {
    try output.split(separator: "\n").map { line in
        if let space = line.firstIndex(of: " "), let arrival = Double(line[..<space]) {
            return (arrival, try JSONParser.parse(String(line[line.index(after: space)...])))
        }
        return (nil, try JSONParser.parse(String(line)))
    }
}

private func transitions(_ stream: [JSONValue]) -> [Transition] {
    stream.filter { ["alert", "recovery"].contains($0["type"]?.stringValue) }.map {
        Transition(
            kind: $0["type"]!.stringValue!, at: $0["at"]!.integerValue!, hits: Int($0["hits"]!.integerValue!))
    }
}

private func buckets(_ stream: [JSONValue]) -> [JSONValue] {
    stream.filter { $0["type"]?.stringValue == "bucket" }
}

private func sum(_ buckets: [JSONValue], _ member: String) -> Int64 {
    buckets.compactMap { $0[member]?.integerValue }.reduce(0, +)
}

/// Bucket starts form one run without gaps or repeats.
private func continuous(_ buckets: [JSONValue], interval: Int64) -> Bool {
    let starts = buckets.compactMap { $0["start"]?.integerValue }
    return starts == Array(stride(from: starts.first ?? 0, through: starts.last ?? -1, by: Int64.Stride(interval)))
}

@Suite("End to end: event time through the real executables", .serialized)
struct TimeEndToEndTests {
    /// Five hours: quiet, a burst, a silent hour in which the alert must recover, two more bursts and a
    /// long tail; replayed with `--once` over named pipes.
    @Test func aMultiHourReplayGivesTheTranscriptComputedFromTheRawLines() throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let phases =
            "--phase 2:1800 --phase 14:400 --phase 0:3600 --phase 11:900 --phase 9:600 --phase 30:130 --phase 1:10570"
        let run = try PipelineTools.shell(
            """
            set -e
            loggen --instant --start 1700000000 \(phases) --seed 5 --offset -0500 --output access.log
            mkfifo -m 600 parsed buckets
            logtail --once access.log > parsed &
            logagg < parsed > buckets &
            logalert < buckets > final.ndjson
            wait
            """, environment: ["TZ": "UTC"], in: directory)
        #expect(run.status == 0, "\(run.standardError)")
        let log = try String(contentsOfFile: "\(directory)/access.log", encoding: .utf8)
        let perSecond = ReferenceReading.hitsPerSecond(ofLog: log)
        let stream = try records(String(contentsOfFile: "\(directory)/final.ndjson", encoding: .utf8)).map(\.record)
        let emitted = buckets(stream)
        #expect(continuous(emitted, interval: 10))
        #expect(Int(sum(emitted, "hits")) == log.split(separator: "\n").count)
        #expect(sum(emitted, "late") == 0 && sum(emitted, "dropped") == 0)
        let lastEnd = try #require(emitted.last?["end"]?.integerValue)
        let expected = ruleTransitions(perSecond, window: 120, threshold: 10, boundaries: 1_700_000_001...lastEnd)
        #expect(expected.map(\.kind) == ["alert", "recovery", "alert", "recovery", "alert", "recovery"])
        #expect(transitions(stream) == expected)
        // The silent hour: its buckets are all there, empty.
        let silent = emitted.filter {
            ($0["start"]?.integerValue ?? 0) >= 1_700_002_200 && ($0["end"]?.integerValue ?? 0) <= 1_700_005_800
        }
        #expect(silent.count == 360)
        #expect(sum(silent, "hits") == 0)
    }

    /// `--since` replays from a moment: the transcript is the rule's over the lines from that moment on.
    @Test func sinceStartsAReplayAtAMomentAndCountsTheLinesSkipped() throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try PipelineTools.shell(
            """
            set -e
            loggen --instant --start 1700000000 --phase 20:600 --phase 2:600 --phase 15:300 --phase 1:300 \
              --seed 9 --output access.log
            logtail --once --since 2023-11-14T22:33:20Z access.log 2> tail.err | logagg | logalert > final.ndjson
            """, environment: ["TZ": "UTC"], in: directory)
        #expect(run.status == 0, "\(run.standardError)")
        let since: Int64 = 1_700_001_200
        let all = ReferenceReading.hitsPerSecond(
            ofLog: try String(contentsOfFile: "\(directory)/access.log", encoding: .utf8))
        let kept = all.filter { $0.key >= since }
        let skipped = all.filter { $0.key < since }.values.reduce(0, +)
        let stream = try records(String(contentsOfFile: "\(directory)/final.ndjson", encoding: .utf8)).map(\.record)
        let emitted = buckets(stream)
        #expect(emitted.first?["start"]?.integerValue == since)
        #expect(Int(sum(emitted, "hits")) == kept.values.reduce(0, +))
        let lastEnd = try #require(emitted.last?["end"]?.integerValue)
        let expected = ruleTransitions(kept, window: 120, threshold: 10, boundaries: (since + 1)...lastEnd)
        #expect(expected.map(\.kind) == ["alert", "recovery"])
        #expect(transitions(stream) == expected)
        let notes = try String(contentsOfFile: "\(directory)/tail.err", encoding: .utf8)
        #expect(notes.contains("access.log: \(skipped) lines before --since skipped"), "\(notes)")
    }

    /// Live following with a 6 s window and 1 s buckets: lines for 6 s, then silence. Heartbeats alone
    /// close the buckets: the recovery, at the second the rule gives from the written timestamps,
    /// arrives while logtail still follows (how soon after its `at` is measured by bench/latency).
    @Test func liveFollowingRecoversOnTimeOnHeartbeatsAlone() throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try PipelineTools.shell(
            """
            set -e
            : > live.log
            mkfifo -m 600 parsed buckets
            { timeout -s TERM 17 logtail live.log | tee tail.out > parsed || true; date +%s.%N > tail-ended.txt; } &
            logagg --interval 1 < parsed > buckets &
            logalert --window 6 --threshold 2 < buckets \
              | while IFS= read -r line; do printf '%s %s\\n' "$(date +%s.%N)" "$line"; done > final.txt &
            wait_for 20 grep -q '"type":"heartbeat"' tail.out
            loggen --phase 5:6 --seed 4 --output live.log
            wait
            """, in: directory)
        #expect(run.status == 0, "\(run.standardError)")
        let perSecond = ReferenceReading.hitsPerSecond(
            ofLog: try String(contentsOfFile: "\(directory)/live.log", encoding: .utf8))
        let start = try #require(perSecond.keys.min())
        let stamped = try records(String(contentsOfFile: "\(directory)/final.txt", encoding: .utf8))
        let stream = stamped.map(\.record)
        let emitted = buckets(stream)
        #expect(continuous(emitted, interval: 1))
        #expect(Int(sum(emitted, "hits")) == 30)
        #expect(sum(emitted, "late") == 0)
        // 5 lines/s: [t-6, t) holds 15 > 12 at start + 3; it falls to 10 < 12 at start + 10.
        let expected = ruleTransitions(perSecond, window: 6, threshold: 2, boundaries: (start + 1)...(start + 14))
        #expect(
            expected == [
                Transition(kind: "alert", at: start + 3, hits: 15),
                Transition(kind: "recovery", at: start + 10, hits: 10),
            ])
        #expect(transitions(stream) == expected)
        let recovery = try #require(stamped.first { $0.record["type"]?.stringValue == "recovery" })
        let arrival = try #require(recovery.arrival)
        // Not flushed by the end of input: it came on heartbeats, while logtail was still following.
        let tailEnded = try #require(
            Double(
                String(contentsOfFile: "\(directory)/tail-ended.txt", encoding: .utf8).trimmingCharacters(
                    in: .whitespacesAndNewlines)))
        #expect(arrival < tailEnded, "recovery at \(start + 10) arrived at \(arrival), logtail ended at \(tailEnded)")
    }

    /// A log whose timestamps run 5 s behind the machine's clock (more than the 2 s lateness): once
    /// logtail has seen fresh lines its heartbeats follow the log's clock, so lines stop being late.
    /// Before the first line the heartbeats can only carry the wall clock, so the lines of the first lag
    /// period are late (still counted, by their second); with raw wall-clock heartbeats all would be.
    @Test func aLogBehindTheMachinesClockIsNotMadeLateByHeartbeats() throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try PipelineTools.shell(
            """
            set -e
            : > skewed.log
            mkfifo -m 600 parsed
            timeout -s TERM 16 logtail skewed.log | tee tail.out > parsed &
            logagg --interval 1 < parsed > buckets.ndjson &
            wait_for 20 grep -q '"type":"heartbeat"' tail.out
            # The writer is paced deliberately: four lines a second for 12 s.
            for i in $(seq 1 48); do
              stamp=$(date -u -d "@$(( $(date +%s) - 5 ))" '+%d/%b/%Y:%H:%M:%S +0000')
              printf '10.0.0.1 - - [%s] "GET /a HTTP/1.1" 200 1\\n' "$stamp" >> skewed.log
              sleep 0.25
            done
            wait
            """, environment: ["LC_ALL": "C"], in: directory)
        #expect(run.status == 0, "\(run.standardError)")
        let stream = try records(String(contentsOfFile: "\(directory)/buckets.ndjson", encoding: .utf8)).map(\.record)
        let emitted = buckets(stream)
        #expect(continuous(emitted, interval: 1))
        #expect(sum(emitted, "hits") + sum(emitted, "late") == 48)
        #expect(sum(emitted, "dropped") == 0)
        #expect(sum(emitted, "hits") >= 28, "late: \(sum(emitted, "late")) of 48")
        // The last late line is from the first seconds of writing.
        let lastLate = emitted.filter { ($0["late"]?.integerValue ?? 0) > 0 }.last?["start"]?.integerValue
        let lastHit = emitted.filter { ($0["hits"]?.integerValue ?? 0) > 0 }.last?["start"]?.integerValue
        if let lastLate, let lastHit { #expect(lastLate < lastHit - 6) }
    }

    /// `--from-start` on a file still being written: the backlog is replayed on its own times, then the
    /// lines appended live follow without a gap, a repeat or a late line at the seam.
    @Test func fromStartReplaysTheBacklogThenFollowsWithoutAGlitchAtTheSeam() throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try PipelineTools.shell(
            """
            set -e
            loggen --instant --start $(( $(date +%s) - 40 )) --phase 3:20 --phase 0:5 --phase 4:15 --seed 2 \
              --output growing.log
            mkfifo -m 600 parsed buckets
            timeout -s TERM 13 logtail --from-start growing.log | tee tail.out > parsed &
            logagg --interval 1 < parsed > buckets &
            logalert --window 6 --threshold 2 < buckets > final.ndjson &
            # No heartbeat while the backlog is read: the first one says logtail follows at the end.
            wait_for 20 grep -q '"type":"heartbeat"' tail.out
            loggen --phase 5:6 --seed 3 --output growing.log
            wait
            """, in: directory)
        #expect(run.status == 0, "\(run.standardError)")
        let log = try String(contentsOfFile: "\(directory)/growing.log", encoding: .utf8)
        let perSecond = ReferenceReading.hitsPerSecond(ofLog: log)
        let stream = try records(String(contentsOfFile: "\(directory)/final.ndjson", encoding: .utf8)).map(\.record)
        let emitted = buckets(stream)
        #expect(continuous(emitted, interval: 1))
        #expect(Int(sum(emitted, "hits")) == log.split(separator: "\n").count)
        #expect(sum(emitted, "late") == 0 && sum(emitted, "dropped") == 0)
        let first = try #require(perSecond.keys.min())
        let lastEnd = try #require(emitted.last?["end"]?.integerValue)
        let expected = ruleTransitions(perSecond, window: 6, threshold: 2, boundaries: (first + 1)...lastEnd)
        #expect(expected.count >= 4)
        #expect(transitions(stream) == expected)
    }

    /// Following with `--since`: the lines already in the file are read from that moment on (it implies
    /// `--from-start`), the older ones skipped and counted, then heartbeats follow.
    @Test func sinceWhenFollowingReadsTheFileFromThatMoment() throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try PipelineTools.shell(
            """
            set -e
            now=$(date +%s)
            loggen --instant --start $(( now - 60 )) --phase 1:50 --seed 1 --output old.log
            logtail --since $(( now - 30 )) old.log > records.ndjson 2> tail.err & pid=$!
            wait_for 20 grep -q '"type":"heartbeat"' records.ndjson
            kill -TERM "$pid"; wait "$pid" || true
            echo $(( now - 30 )) > since.txt
            """, in: directory)
        #expect(run.status == 0, "\(run.standardError)")
        let since = try #require(
            Int64(
                String(contentsOfFile: "\(directory)/since.txt", encoding: .utf8).trimmingCharacters(
                    in: .whitespacesAndNewlines)))
        let stream = try records(String(contentsOfFile: "\(directory)/records.ndjson", encoding: .utf8)).map(\.record)
        let requestTimes = stream.filter { $0["type"]?.stringValue == "request" }.compactMap {
            $0["time"]?.integerValue
        }
        #expect(requestTimes.count == 20)
        #expect(requestTimes.allSatisfy { $0 >= since })
        #expect(stream.contains { $0["type"]?.stringValue == "heartbeat" })
        let notes = try String(contentsOfFile: "\(directory)/tail.err", encoding: .utf8)
        #expect(notes.contains("old.log: 30 lines before --since skipped"), "\(notes)")
    }
}
