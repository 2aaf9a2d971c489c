import Testing

import LogPipe

@Suite("Since gate: logtail --since line by line")
struct SinceGateTests {
    /// (time of each line, nil for an undated invalid line) → kept or not, in order.
    @Test(
        arguments: [
            ([100, nil, 99, 200, nil, 150, 300], [false, false, false, true, true, false, true]),
            ([nil, nil], [false, false]),
            ([200, nil], [true, true]),
            ([199, 200, 199, nil], [false, true, false, true]),
        ] as [([Int64?], [Bool])])
    func undatedLinesGoWithTheLinesAroundThem(times: [Int64?], kept: [Bool]) {
        var gate = SinceGate(since: 200)
        #expect(times.map { gate.admits(time: $0) } == kept)
    }

    @Test func blankLinesCommentsAndDirectivesAlwaysPass() {
        var gate = SinceGate(since: 200)
        var parser = AccessLogParser(format: .auto)
        let lines = [
            "#Fields: date time cs-uri-stem sc-status", "", "# a comment",
            "2026-11-23 20:00:00 /a 200",
        ]
        let admitted = lines.map { line in
            Array(line.utf8).withUnsafeBufferPointer { gate.admits(parser.parse($0)) }
        }
        // The W3C line is dated 2026, after the moment; the directive before it passed, so it parses.
        #expect(admitted == [true, true, true, true])
        #expect(gate.reached)
    }

    @Test func theTimeOfALineIsARequestsOrAnInvalidLinesWhenItHasOne() {
        var parser = AccessLogParser(format: .auto)
        let request = Array(#"192.0.2.1 - - [23/Nov/2026:20:00:00 +0000] "GET / HTTP/1.1" 200 5"#.utf8)
        let badStatus = Array(#"192.0.2.1 - - [23/Nov/2026:20:00:00 +0000] "GET / HTTP/1.1" 2x0 5"#.utf8)
        let junk = Array("not a log line".utf8)
        #expect(request.withUnsafeBufferPointer { SinceGate.time(of: parser.parse($0)) } == 1_795_464_000)
        #expect(badStatus.withUnsafeBufferPointer { SinceGate.time(of: parser.parse($0)) } == 1_795_464_000)
        #expect(junk.withUnsafeBufferPointer { SinceGate.time(of: parser.parse($0)) } == nil)
    }
}
