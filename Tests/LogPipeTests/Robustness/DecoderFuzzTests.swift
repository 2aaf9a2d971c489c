import Testing

@testable import LogPipe

/// Hostile stream lines: seeds of every record type, mutations steered into the decoders' decisions,
/// and every read of a line (also used by `LayoutReaderAgreementTests`).
enum StreamLineFuzz {
    /// A small deterministic generator (SplitMix64), so that a failing input reproduces from its seed.
    struct Random {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            return mixed ^ (mixed >> 31)
        }

        mutating func below(_ bound: Int) -> Int {
            Int(next() % UInt64(bound))
        }
    }

    /// Well-formed lines of every record type, the starting points of the mutations.
    static let seeds: [String] = [
        #"{"type":"request","v":1,"time":1700000000,"source":"a.log","client":"10.0.0.1","user":null,"method":"GET","path":"/a/b?c","protocol":"HTTP/1.1","status":200,"bytes":512,"section":"/a"}"#,
        #"{"type":"request","v":1,"time":1700000001,"client":"::1","user":"bob","method":"","path":"\"\\\u0007","protocol":"","status":499,"bytes":0,"section":"(invalid)","malformed":true}"#,
        #"{"type":"invalid","v":1,"source":"a.log","line":7,"reason":"no timestamp","excerpt":"x\\x1b[2J","time":1700000000}"#,
        #"{"type":"heartbeat","v":1,"time":1700000000}"#,
        #"{"type":"bucket","v":1,"start":1700000000,"end":1700000010,"hits":3,"per_second":[1,0,2,0,0,0,0,0,0,0],"sections":[{"section":"/a","hits":3}],"distinct_sections":1,"status":{"1xx":0,"2xx":3,"3xx":0,"4xx":0,"5xx":0,"other":0},"bytes":9,"clients":[{"client":"c","hits":3}],"distinct_clients":1,"invalid":0,"late":0,"late_seconds":[],"dropped":0}"#,
        #"{"type":"window","v":1,"at":1700000010,"window":120,"hits":3,"average":0.025,"threshold":10,"state":"ok"}"#,
        #"{"type":"alert","v":1,"at":1700000009,"time":"2023-11-14T22:13:29+00:00","hits":1212,"average":10.1,"threshold":10,"window":120,"message":"High traffic generated an alert - hits = 1212, triggered at 2023-11-14T22:13:29+00:00"}"#,
        #"{"type":"from_the_future","v":1,"anything":[{"x":[1,2,{"y":null}]}]}"#,
        #"{"type":"excluded","v":2,"time":1700000000,"reason":"agent"}"#,
        #"{"type":"bucket","v":2,"start":1700000000,"end":1700000002,"hits":1,"per_second":[1,0],"sections":[],"distinct_sections":0,"status":{"1xx":0,"2xx":1,"3xx":0,"4xx":0,"5xx":0,"other":0},"bytes":9,"clients":[],"distinct_clients":0,"invalid":0,"late":0,"late_seconds":[],"dropped":0,"excluded":{"client":2,"vhost":1000000000000}}"#,
    ]

    /// Bytes and fragments that steer mutations into the decoders' decisions.
    static let tokens: [[UInt8]] =
        [
            "\"", "\\", "{", "}", "[", "]", ":", ",", "-", "0", "1e400", "1.5", "99999999999999999999", "null", "true",
            "\\u0000", "\\ud800", "\\u00", "\"type\":\"request\"", "\"v\":2", "\"time\":", "\"section\":", " ",
        ].map { Array($0.utf8) } + [[0x00], [0xFF], [0xC3], [0xE2, 0x80], [0x0A], [0x1B], [0x7F]]

    /// Every way a decoder may answer (the full read, logagg's read); the fuzz only needs the answers to
    /// be values, never a crash.
    static func decodeEveryWay(_ line: [UInt8]) -> (wire: WireRecord?, bucketing: BucketingRead?) {
        return line.withUnsafeBufferPointer { buffer in
            var members = 0
            _ = try? JSONObjectScanner.scan(buffer) { member in
                members += 1
                _ = member.integer
                _ = member.decodedString
                _ = member.boolean
            }
            return (try? WireRecord.decode(buffer), try? bucketingRead(line).get())
        }
    }

    /// The observation that a fully decoded request gives, to compare with logagg's read.
    static func observation(of record: WireRecord?) -> RequestObservation? {
        guard case .request(let request) = record else { return nil }
        return RequestObservation(request)
    }

    /// Applies one to four random edits: flip, insert a token, delete a range, truncate, or splice.
    static func mutate(_ seed: [UInt8], _ random: inout Random) -> [UInt8] {
        var line = seed
        for _ in 0..<(1 + random.below(4)) {
            let position = random.below(line.count + 1)
            switch random.below(10) {
            case 0...2 where position < line.count:
                line[position] = UInt8(truncatingIfNeeded: random.next())
            case 3...5:
                line.insert(contentsOf: tokens[random.below(tokens.count)], at: position)
            case 6 where position < line.count:
                line.removeSubrange(position..<min(line.count, position + 1 + random.below(8)))
            case 7:
                line = Array(line.prefix(position))
            case 8:
                let other = Array(seeds[random.below(seeds.count)].utf8)
                let cut = random.below(other.count + 1)
                line = Array(line.prefix(position)) + other[cut...]
            default:
                line.insert(tokens[random.below(tokens.count)].first ?? 0x20, at: position)
            }
        }
        return line
    }
}

@Suite("Decoders: hostile stream lines")
struct DecoderFuzzTests {
    @Test func randomBytesAreRejectedWithoutCrashing() {
        var random = StreamLineFuzz.Random(state: 0xB17E5)
        for _ in 0..<20_000 {
            let line = (0..<random.below(200)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let (wire, bucketing) = StreamLineFuzz.decodeEveryWay(line)
            #expect(wire == nil)
            if case .request = bucketing { Issue.record("random bytes decoded as a request: \(line)") }
        }
    }

    @Test(arguments: [1, 2, 63, 64, 65, 1_000, 100_000])
    func deepNestingIsRejectedOrAcceptedWithoutExhaustingTheStack(depth: Int) {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let nested = String(repeating: open, count: depth) + "0" + String(repeating: close, count: depth)
            let line = Array(
                #"{"type":"request","v":1,"time":1,"client":"c","status":200,"bytes":0,"section":"/","x":\#(nested)}"#
                    .utf8)
            let (wire, bucketing) = StreamLineFuzz.decodeEveryWay(line)
            // The parser's limit is 64 levels, the record itself being one.
            #expect((wire != nil) == (depth < JSONParser.maximumDepth))
            if wire != nil { #expect(bucketing != nil) }
            #expect((bucketing != nil) == (wire != nil))
            let unclosed =
                Array(#"{"type":"heartbeat","v":1,"time":1,"x":"#.utf8)
                + Array(String(repeating: open, count: depth).utf8)
            #expect(StreamLineFuzz.decodeEveryWay(unclosed).wire == nil)
        }
    }

    @Test(arguments: [1 << 10, 1 << 20, 8 << 20])
    func hugeFieldsDecodeInLinearTimeAndStayOutOfTheErrorMessages(size: Int) throws {
        let huge = String(repeating: "a", count: size)
        let good = Array(
            #"{"type":"request","v":1,"time":1,"status":200,"bytes":0,"section":"/\#(huge)","client":"\#(huge)"}"#.utf8)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            let (wire, bucketing) = StreamLineFuzz.decodeEveryWay(good)
            #expect(StreamLineFuzz.observation(of: wire)?.section.utf8.count == size + 1)
            if case .request(let observed) = bucketing {
                #expect(observed.client.utf8.count == size)
            } else {
                Issue.record("a huge but valid request is not decoded by logagg's read")
            }
        }
        // Not a speed check (bench/run measures speed): 3 µs a byte leaves room for a debug build on a
        // loaded machine, while a quadratic scan of 8 MiB would take hours.
        #expect(elapsed < .seconds(Double(size) * 3e-6 + 10))
        // A huge unterminated string or number: the error names an offset, never the bytes themselves.
        for broken in [
            #"{"type":"request","section":"\#(huge)"#,
            #"{"type":"request","time":1\#(String(repeating: "9", count: size))"#,
            #"{"\#(huge)"#,
        ] {
            let bytes = Array(broken.utf8)
            guard case .failure(let error) = bucketingRead(bytes) else {
                Issue.record("a broken line was read")
                continue
            }
            #expect(String(describing: error).utf8.count < 200)
        }
    }

    @Test(arguments: [
        #"{"type":"bucket","v":1,"start":1700000010,"end":1700000000}"#,
        #"{"type":"bucket","v":1,"start":0,"end":4000000000000000000}"#,
    ])
    func aBucketWithAnImpossibleSpanIsRejectedNotATrap(line: String) {
        #expect(StreamLineFuzz.decodeEveryWay(Array(line.utf8)).wire == nil)
    }

    @Test func truncatingAValidRecordAnywhereNeverYieldsADifferentRecord() {
        for seed in StreamLineFuzz.seeds {
            let bytes = Array(seed.utf8)
            let whole = StreamLineFuzz.decodeEveryWay(bytes).wire
            #expect(whole != nil, "\(seed)")
            for cut in 0..<bytes.count {
                let (wire, bucketing) = StreamLineFuzz.decodeEveryWay(Array(bytes.prefix(cut)))
                #expect(wire == nil, "prefix \(cut) of \(seed)")
                #expect(bucketing == nil, "prefix \(cut) of \(seed)")
            }
        }
    }
}
