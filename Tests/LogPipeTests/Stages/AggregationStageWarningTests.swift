import Testing

@testable import LogPipe

/// Issue 11, "Warning line numbers name the line after the offending one": a request held back as
/// too far ahead is settled by a later line, and the warning must still name the request's own line.
@Suite("logagg's warnings name the line of the request they are about")
struct AggregationStageWarningTests {
    /// Feeds `lines` (numbered from 1) and the end of input; returns the warnings.
    private func warnings(for lines: [String]) -> [String] {
        var stage = AggregationStage(configuration: BucketAggregator.Configuration())
        var warnings: [String] = []
        var writer = JSONWriter()
        for (index, line) in lines.enumerated() {
            var bytes = Array(line.utf8)
            bytes.withUnsafeMutableBufferPointer { buffer in
                stage.consume(line: UnsafeBufferPointer(buffer), number: Int64(index + 1), into: &writer) {
                    warnings.append($1)
                }
            }
        }
        stage.finish(into: &writer) { warnings.append($1) }
        return warnings
    }

    private func request(_ time: Int64, canonical: Bool = true) -> String {
        canonical
            ? #"{"type":"request","v":2,"time":\#(time),"client":"a","status":200,"bytes":1,"section":"/"}"#
            // Members in another order: the general decoder's path.
            : #"{"v":2,"type":"request","section":"/","time":\#(time),"client":"a","status":200,"bytes":1}"#
    }

    @Test(arguments: [true, false])
    func aFarFutureRequestDroppedWhenTheNextLineArrivesIsNamedByItsOwnLine(canonical: Bool) {
        let found = warnings(for: [
            request(1000, canonical: canonical), request(1001, canonical: canonical),
            request(99_999_999, canonical: canonical), request(1002, canonical: canonical),
            request(1003, canonical: canonical),
        ])
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("line 3: request dated 99999999") == true, "\(found)")
    }

    /// The last line of a log counts whatever the gap before it: nothing came to contradict it.
    @Test func aFarFutureLastRequestIsCountedWithoutAWarning() {
        let found = warnings(for: [request(1000), request(99_999_999)])
        #expect(found.isEmpty, "\(found)")
    }

    @Test func aFarFutureRequestDroppedByAHeartbeatIsNamedByItsOwnLine() {
        let found = warnings(for: [request(1000), request(99_999_999), #"{"type":"heartbeat","v":2,"time":1005}"#])
        #expect(found.first?.hasPrefix("line 2: request dated 99999999") == true, "\(found)")
    }

    /// The first request is held like a far jump: two far apart wait for a third, which names the
    /// absurd one by its own line.
    @Test func aFirstRequestDatedFarAheadIsNamedByItsOwnLine() {
        let found = warnings(for: ["", request(99_999_999), request(1000), request(1001)])
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("line 2: request dated 99999999") == true, "\(found)")
    }

    @Test func aRequestTooFarBehindIsNamedByItsOwnLine() {
        let found = warnings(for: [request(100_000), request(100_001), request(10)])
        #expect(found.first?.hasPrefix("line 3: request dated 10 ") == true, "\(found)")
    }

    @Test func anUndecodableLineIsNamedByItsOwnLine() {
        let found = warnings(for: [request(1000), "not json", request(1001)])
        #expect(found.first?.hasPrefix("line 2: ") == true, "\(found)")
    }
}
