import LogPipeTestSupport
import Testing

@testable import LogPipe

/// logtail's fast path, `AccessLogParser.transcode`, against the general path it stands in for:
/// `parse(_:)` followed by `ParsedRequest.encode(into:source:fields:)`. For every line the transcoder
/// takes, the general path must give a request and write the same bytes; a line it declines is left
/// to the general path, so it may decline anything but must never take a line the general path reads
/// differently. Lines go through one parser per path, in order, as in logtail, so that state the
/// transcoder keeps (the timestamp's minute, the time's digits) cannot change a later line either.
@Suite("The transcoder writes what parse and encode write, for every line it takes")
struct TranscoderAgreementTests {
    /// The fields logtail is run with in these tests: the default, everything, and the usual extras.
    static let fieldSets: [RequestFields] = [[], .all, [.source], [.user, .method, .path, .protocol], [.agent]]

    @Test("every corpus line, in every format that reads it and with every field set")
    func corpusAgrees() throws {
        guard Corpus.isAvailable else { return }
        var totals = Agreement.Totals()
        for file in try CorpusFiles.logs() {
            let lines = Corpus.lines(try Corpus.contents(file)).map(Array.init)
            for format in [LogFormat.auto, .common, .combined] {
                for fields in format == .auto ? Self.fieldSets : [[]] {
                    totals.add(Agreement.check(lines, format: format, fields: fields, source: file))
                }
            }
        }
        // Most corpus requests are plain (the IIS file is W3C and always declined).
        #expect(totals.transcoded > totals.requests / 2, "\(totals)")
    }

    @Test(
        "every generated line is taken, and written as the general path writes it",
        arguments: [LogLineGenerator.Format.combined, .common], [0, -19_800, 3_600])
    func generatedLinesAreAllTaken(format: LogLineGenerator.Format, offset: Int) {
        var generator = LogLineGenerator(seed: 16, format: format, utcOffset: offset)
        var bytes: [UInt8] = []
        // Several lines a second across minute and hour boundaries, and a jump of a day.
        for second in Int64(0)..<4_000 { generator.appendLines(count: 3, at: 1_700_000_000 + second, to: &bytes) }
        generator.appendLines(count: 3, at: 1_700_086_400, to: &bytes)
        let lines = Corpus.lines(bytes).map(Array.init)
        for fields in Self.fieldSets {
            let result = Agreement.check(lines, format: .auto, fields: fields, source: "generated")
            #expect(result.transcoded == lines.count, "\(result)")
        }
    }

    @Test("mutated lines: whatever the transcoder takes, the general path reads the same way")
    func hostileLinesAgree() throws {
        var random = SplitMix64(seed: 0x7_2A5C)
        var generator = LogLineGenerator(seed: 7, format: .combined)
        var bytes: [UInt8] = []
        for second in Int64(0)..<300 { generator.appendLines(count: 4, at: 1_700_000_000 + second, to: &bytes) }
        var seeds = Corpus.lines(bytes).map(Array.init)
        seeds += Self.edgeLines.map { Array($0.utf8) }
        var lines: [[UInt8]] = []
        for _ in 0..<30_000 {
            let seed = seeds[random.next(below: seeds.count)]
            // Unchanged now and then, so that the transcoder's state is exercised between mutations.
            lines.append(random.next(below: 4) == 0 ? seed : Self.mutator.mutate(seed, using: &random))
        }
        var totals = Agreement.Totals()
        for format in [LogFormat.auto, .common, .combined] {
            for fields in [RequestFields(), .all] {
                totals.add(Agreement.check(lines, format: format, fields: fields, source: "hostile \"\\ log"))
            }
        }
        // The mutations must reach both sides of the transcoder's decisions.
        #expect(totals.transcoded > 50_000 && totals.requests - totals.transcoded > 5_000, "\(totals)")
    }

    @Test("lines just inside and outside the fast path", arguments: edgeLines)
    func edgeLineAgrees(_ line: String) {
        for format in [LogFormat.auto, .common, .combined] {
            for fields in Self.fieldSets {
                _ = Agreement.check([Array(line.utf8)], format: format, fields: fields, source: "s")
            }
        }
    }

    @Test("the usual lines are taken; unusual ones are declined and read by the general path")
    func declinesWhatItDoesNotRead() {
        func taken(_ line: String, format: LogFormat = .auto, fields: RequestFields = []) -> Bool {
            Agreement.check([Array(line.utf8)], format: format, fields: fields, source: "s").transcoded == 1
        }
        let plain = #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET /a/b?c=d HTTP/1.1" 200 512"#
        #expect(taken(plain))
        #expect(taken(plain + #" "http://r/x" "Mozilla/5.0 (X11)""#, format: .combined, fields: .all))
        #expect(taken(#"2001:db8::1 - frank [10/Oct/2000:13:55:36 +0000] "DELETE /x HTTP/2.0" 204 -"#))
        // An escape, a vhost, a status or byte count with a leading zero, a NUL, a quote in the client.
        #expect(!taken(#"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET /a\"b HTTP/1.1" 200 512"#))
        #expect(!taken(#"example.com 192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 512"#))
        #expect(!taken(#"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 099 512"#))
        #expect(!taken(#"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 0512"#))
        #expect(!taken(plain + " \"-\" \"a\u{0}b\""))
        #expect(!taken(#"192.0.2."7 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 512"#))
        // Combined forced, and no referer and agent: invalid, which the general path reports.
        #expect(!taken(plain, format: .combined))
    }

    /// Lines at the edges of the fast path's rules.
    static let edgeLines: [String] = [
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 0"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:60 -0700] "GET /x HTTP/1.1" 200 1"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:61 -0700] "GET /x HTTP/1.1" 200 1"#,
        #"192.0.2.7 - - [31/Dec/1999:23:59:59 +2359] "GET /x HTTP/1.1" 200 1"#,
        #"192.0.2.7 - - [29/Feb/2023:00:00:00 +0000] "GET /x HTTP/1.1" 200 1"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700]  "GET  /x  HTTP/1.1" 200 1"#,
        #"192.0.2.7  -  -  [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 1"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 123456789012345678"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 1234567890123456789"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 -"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 -1"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 12 "-" "-""#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 12 "r" "a"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 12 "r"  "a""#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 12 "r "x" " "a""#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET http://h.example HTTP/1.1" 200 1"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET http://h.example/a/b?q HTTP/1.1" 200 1"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "OPTIONS * HTTP/1.1" 200 1"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "CONNECT h.example:443 HTTP/1.1" 200 1"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET /ksc.html" 304 0"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET /a b c HTTP/1.1" 200 1"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET ?q HTTP/1.1" 200 1"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET /abcdefghij/k HTTP/1.1" 200 1"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET /abcdefghijklmnop HTTP/1.1" 200 1"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET /a#b HTTP/1.1" 200 1"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "PATCHES /x HTTP/1.1" 200 1"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GETX /x HTTP/1.1" 200 1"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "get /x HTTP/1.1" 200 1"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1 " 200 1"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "-" 400 0"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "" 400 0"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 2000 1"#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 "#,
        #"192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200"#,
        #"192.0.2.7 - a\b [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 1"#,
        #"192.0.2.7 - "a" [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 1"#,
        #"192.0.2.7 - [u] [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 1"#,
        #"192.0.2.7 x y z [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 1"#,
        "192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] \"GET /caf\u{E9} HTTP/1.1\" 200 1",
        "192.0.2.7 - caf\u{E9} [10/Oct/2000:13:55:36 -0700] \"GET /x HTTP/1.1\" 200 1",
        "192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] \"GET /x\tHTTP/1.1\" 200 1",
        "192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] \"GET /x HTTP/1.1\" 200 1 \"\u{E9}\" \"\u{2028}\"",
        "192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] \"GET /x HTTP/1.1\" 200 1\r",
        "#Fields: date time c-ip cs-method cs-uri-stem sc-status",
    ]

    /// Edits that steer lines into the transcoder's decisions.
    static let mutator = ByteMutator(
        tokens: [
            [0x22], [0x5C], [0x20], [0x5B], [0x5D], [0x2D], [0x00], [0x09], [0x0D], [0x7F], [0x80], [0xC3, 0xA9],
            [0xE2, 0x80, 0xA8], [0xFF], [0x2F], [0x3F], [0x23], [0x30], [0x39], Array(" HTTP/1.1".utf8),
            Array("\" 200 ".utf8), Array(" - - [".utf8), Array("POST ".utf8), Array(":60 ".utf8),
        ],
        edits: [
            (.tokenByte, 3), (.insertTokenByte, 3), (.insertToken, 2), (.digit, 2), (.delete(upTo: 3), 2),
            (.truncate, 1),
        ],
        maximumEdits: 3)
}

/// The comparison itself.
enum Agreement {
    /// What one run found.
    struct Result: CustomStringConvertible {
        var lines = 0
        var requests = 0
        var transcoded = 0
        var description: String { "\(lines) lines, \(requests) requests, \(transcoded) transcoded" }
    }

    /// Sums of several runs.
    struct Totals: CustomStringConvertible {
        var requests = 0
        var transcoded = 0
        mutating func add(_ result: Result) {
            requests += result.requests
            transcoded += result.transcoded
        }
        var description: String { "\(requests) requests, \(transcoded) transcoded" }
    }

    /// Runs `lines` through logtail's path (transcode, else parse and encode) and the general path
    /// (parse and encode), each with its own parser as logtail would configure it, and records an
    /// issue for the first line they write differently.
    static func check(_ lines: [[UInt8]], format: LogFormat, fields: RequestFields, source: String) -> Result {
        let readsRefererAndAgent = !fields.isDisjoint(with: [.referer, .agent])
        var fast = AccessLogParser(format: format, readsRefererAndAgent: readsRefererAndAgent)
        var general = AccessLogParser(format: format, readsRefererAndAgent: readsRefererAndAgent)
        var result = Result()
        for line in lines {
            result.lines += 1
            line.withUnsafeBufferPointer { bytes in
                var fastWriter = JSONWriter(capacity: 64)
                let taken = fast.transcode(bytes, source: source, fields: fields, into: &fastWriter)
                if !taken {
                    #expect(fastWriter.count == 0, "a declined line wrote bytes")
                    if case .request(let request) = fast.parse(bytes) {
                        request.encode(into: &fastWriter, source: source, fields: fields)
                    }
                }
                var generalWriter = JSONWriter(capacity: 64)
                let outcome = general.parse(bytes)
                if case .request(let request) = outcome {
                    result.requests += 1
                    request.encode(into: &generalWriter, source: source, fields: fields)
                } else if taken {
                    Issue.record(
                        "taken, but the general path gives \(outcome): \(InvalidLineExcerpt.make(from: bytes)) (\(format), \(fields))"
                    )
                }
                if taken { result.transcoded += 1 }
                let same = fastWriter.bytes == generalWriter.bytes
                #expect(
                    same,
                    """
                    \(InvalidLineExcerpt.make(from: bytes)) (\(format), \(fields.rawValue)):
                    \(String(decoding: fastWriter.bytes, as: UTF8.self))
                    \(String(decoding: generalWriter.bytes, as: UTF8.self))
                    """)
            }
        }
        return result
    }
}
