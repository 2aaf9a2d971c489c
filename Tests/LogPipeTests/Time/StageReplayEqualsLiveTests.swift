import Testing

@testable import LogPipe

/// logagg's and logalert's stages chained as in the pipeline, line by line, on NDJSON text.
private struct StageChain {
    var aggregation = AggregationStage(configuration: BucketAggregator.Configuration())
    var alerting = AlertStage(configuration: AlertRule.Configuration(), offsetAt: { _ in 0 })
    var output: [String] = []
    var warnings: [String] = []
    private var number: Int64 = 0

    mutating func feed(_ line: String) {
        number += 1
        var writer = JSONWriter()
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBufferPointer { buffer in
            aggregation.consume(line: UnsafeBufferPointer(buffer), number: number, into: &writer) {
                warnings.append($1)
            }
        }
        forward(writer)
    }

    mutating func finish() {
        var writer = JSONWriter()
        aggregation.finish(into: &writer) { warnings.append($1) }
        forward(writer)
    }

    private mutating func forward(_ aggregated: JSONWriter) {
        for line in String(decoding: aggregated.bytes, as: UTF8.self).split(separator: "\n") {
            number += 1
            var writer = JSONWriter()
            var bytes = Array(line.utf8)
            bytes.withUnsafeMutableBufferPointer { buffer in
                alerting.consume(line: UnsafeBufferPointer(buffer), number: number, into: &writer) {
                    warnings.append($1)
                }
            }
            output += String(decoding: writer.bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        }
    }
}

private func clockOfLastLine(_ times: [Int64]) -> Int64 { times.max()! }

private func requestLine(_ time: Int64) -> String {
    #"{"type":"request","v":1,"time":\#(time),"client":"10.0.0.1","user":null,"method":"GET","path":"/a/b","protocol":"HTTP/1.1","status":200,"bytes":10,"section":"/a"}"#
}

private func heartbeatLine(_ time: Int64) -> String {
    #"{"type":"heartbeat","v":1,"time":\#(time)}"#
}

@Suite("Replay equals live, through logagg's and logalert's stages with the default rule")
struct StageReplayEqualsLiveTests {
    @Test func theReplayTranscriptIsThePrefixOfTheLiveOneWithHeartbeats() throws {
        // (requests per second, seconds): above the threshold, silence, above again, then a low tail.
        let phases: [(Int, Int64)] = [(12, 200), (0, 400), (15, 150), (3, 300)]
        var times: [Int64] = []
        var second: Int64 = 1_700_000_003
        for (rate, length) in phases {
            for _ in 0..<length {
                times += Array(repeating: second, count: rate)
                second += 1
            }
        }
        var replay = StageChain()
        for time in times { replay.feed(requestLine(time)) }
        replay.finish()

        var live = StageChain()
        var clock = times[0]
        for time in times {
            while clock + 1 < time {
                clock += 1
                live.feed(heartbeatLine(clock))
            }
            clock = max(clock, time)
            live.feed(requestLine(time))
        }
        for tick in (clock + 1)...(clock + 300) { live.feed(heartbeatLine(tick)) }

        #expect(replay.output.count > 100)
        // Up to the last bucket, replay and live write the same lines. The last bucket of the replay
        // ends where the log ends: the same bucket as live's, plus `observed_end`, after which the
        // replay evaluates nothing (live goes on evaluating the seconds its heartbeats cover).
        let lastBucket = try #require(replay.output.lastIndex { $0.hasPrefix(#"{"type":"bucket""#) })
        #expect(Array(live.output.prefix(lastBucket)) == Array(replay.output.prefix(lastBucket)))
        let observedEnd = clockOfLastLine(times) + 1
        #expect(replay.output[lastBucket] == live.output[lastBucket].dropLast() + #","observed_end":\#(observedEnd)}"#)
        #expect(
            replay.output.last?.contains(#""at":\#(observedEnd),"#) == true,
            "the replay's last window is at the end of the log")
        let kinds = replay.output.compactMap { line -> String? in
            line.hasPrefix(#"{"type":"alert""#) ? "alert" : line.hasPrefix(#"{"type":"recovery""#) ? "recovery" : nil
        }
        #expect(kinds == ["alert", "recovery", "alert", "recovery"])
        #expect(replay.warnings.isEmpty && live.warnings.isEmpty)
    }
}
