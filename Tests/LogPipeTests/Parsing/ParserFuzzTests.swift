import LogPipeTestSupport
import Testing

@testable import LogPipe

/// Lines to mutate, each with the format it is written in.
private let seeds: [(String, LogFormat)] = [
    (
        #"192.0.2.7 - bob [10/Oct/2000:13:55:36 -0700] "GET /a/b?c=d HTTP/1.1" 200 512 "http://r/x" "Mozilla/5.0 (X11)" "-""#,
        .combined
    ),
    (#"example.com:443 ::1 - - [29/Feb/2024:23:59:59 +0000] "GET /a\"b\\c\x41 HTTP/2.0" 499 - "-" "a\"b""#, .vhost),
    (#"in24.example - - [01/Aug/1995:00:00:01 -0400] "GET /ksc.html" 304 0"#, .common),
    ("2015-01-13 00:32:17 10.0.0.5 GET /robots.txt q=1 80 - 192.0.2.7 Mozilla/5.0+(x) - 404 0 2 1405 242 283", .w3c),
]

/// Bytes that matter to the parser, inserted often so that mutations hit its decisions.
private let interesting: [UInt8] = [
    0x22, 0x5C, 0x20, 0x5B, 0x5D, 0x2D, 0x00, 0xFF, 0xC3, 0xE2, 0x0A, 0x78, 0x2F, 0x3F, 0x23, 0x30, 0x39,
]

/// One to three edits: an interesting byte over one (4 in 10) or inserted (3 in 10), a byte removed
/// (2 in 10), the line cut short (1 in 10).
private let mutator = ByteMutator(
    tokens: interesting.map { [$0] },
    edits: [(.tokenByte, 4), (.insertTokenByte, 3), (.delete(upTo: 1), 2), (.truncate, 1)],
    maximumEdits: 3)

@Suite("Parser robustness")
struct ParserFuzzTests {
    @Test func mutatedLinesNeverBreakTheParserOrTheJSON() throws {
        var random = SplitMix64(seed: 0x5EED)
        let reasons: Set<String> = [
            AccessLogParser.Reason.notAnAccessLogLine, AccessLogParser.Reason.noFieldsDirective,
            AccessLogParser.Reason.noTimestamp, AccessLogParser.Reason.badTimestamp,
            AccessLogParser.Reason.missingRequest, AccessLogParser.Reason.unterminatedRequest,
            AccessLogParser.Reason.badStatus, AccessLogParser.Reason.badByteCount,
            AccessLogParser.Reason.missingVirtualHost, AccessLogParser.Reason.missingRefererOrAgent,
            AccessLogParser.Reason.wrongFieldCount, AccessLogParser.Reason.nulByte, AccessLogParser.Reason.invalidUTF8,
        ]
        var outcomes = (requests: 0, invalid: 0, skipped: 0)
        for round in 0..<20_000 {
            let (seed, seedFormat) = seeds[round % seeds.count]
            var parser = AccessLogParser(format: round % 3 == 0 ? .auto : seedFormat)
            if seedFormat == .w3c {
                Array(
                    "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken"
                        .utf8
                )
                .withUnsafeBufferPointer { _ = parser.parse($0) }
            }
            let line = mutator.mutate(Array(seed.utf8), using: &random)
            try line.withUnsafeBufferPointer { bytes in
                var probe = parser
                switch probe.parse(bytes) {
                case .request:
                    outcomes.requests += 1
                    for fields in [RequestFields(), .all] {
                        var copy = parser
                        let both = try #require(
                            encodeBothWays(bytes, with: &copy, source: "f", fields: fields))
                        #expect(both.direct == both.viaRecord, "\(InvalidLineExcerpt.make(from: bytes))")
                        #expect(both.direct.dropLast().allSatisfy { $0 != 0x0A })
                        _ = try WireRecord.decode(Array(both.direct.dropLast()))
                    }
                case .invalid(let reason, _):
                    outcomes.invalid += 1
                    #expect(reasons.contains(reason))
                    let excerpt = InvalidLineExcerpt.make(from: bytes)
                    #expect(excerpt.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F })
                case .skipped:
                    outcomes.skipped += 1
                }
            }
        }
        // The mutations must exercise both sides of the parser's decisions.
        #expect(outcomes.requests > 5_000 && outcomes.invalid > 2_000, "\(outcomes)")
    }
}
