import Testing

@testable import LogPipe

private let stamp = "[10/Oct/2000:13:55:36 -0700]"

/// A line made to break a naive encoder.
struct HostileLine: Sendable, CustomTestStringConvertible {
    var name: String
    var line: [UInt8]
    /// Whether the line is W3C, read after `iisFields`.
    var isW3C = false

    init(_ name: String, _ parts: [[UInt8]], isW3C: Bool = false) {
        self.name = name
        line = parts.flatMap { $0 }
        self.isW3C = isW3C
    }

    var testDescription: String { name }
}

/// Lines made to break a naive encoder; each must still give exactly one valid JSON record.
private let hostileLines: [HostileLine] = [
    HostileLine(
        "escaped quotes and backslashes",
        [.text(#"192.0.2.7 - "evil\"user" \#(stamp) "GET /a\"b\\c HTTP/1.1" 200 1 "\"\\" "\\\"""#)]),
    HostileLine(
        "escaped control characters",
        [
            .text(
                #"192.0.2.7 - - \#(stamp) "GET /a\x0Ab\x0Dc\x1B[31md\x07\x7F/e HTTP/1.1" 200 1 "\x0A" "\x1B]0;pwned\x07""#
            )
        ]),
    HostileLine(
        "raw control characters",
        [.text("192.0.2.7 - - \(stamp) \"GET /a\u{1}b\u{1B}[2J\u{8}\u{7F}/c HTTP/1.1\" 200 1 \"\u{9}\" \"\u{1B}c\"")]),
    HostileLine(
        "raw invalid UTF-8 in the path",
        [
            .text("192.0.2.7 - - \(stamp) \"GET /"), [0xFF, 0xFE, 0xC0, 0xAF, 0xED, 0xA0, 0x80, 0xE2, 0x80],
            .text("x/y HTTP/1.1\" 200 1"),
        ]),
    HostileLine(
        "escaped invalid UTF-8 in the path and agent",
        [.text(#"192.0.2.7 - - \#(stamp) "GET /\xFF\xE2\x80/\xF4\x90\x80\x80 HTTP/1.1" 200 1 "-" "\xC3""#)]),
    HostileLine(
        "a truncated sequence at the end of the path",
        [.text("192.0.2.7 - - \(stamp) \"GET /abc"), [0xF0, 0x9F, 0x98], .text(" HTTP/1.1\" 200 1")]),
    HostileLine(
        "line and paragraph separators",
        [.text("192.0.2.7 - - \(stamp) \"GET /a\u{2028}b\u{2029}c HTTP/1.1\" 200 1 \"-\" \"\u{2028}\"")]),
    HostileLine(
        "a TLS handshake",
        [.text(#"192.0.2.7 - - \#(stamp) "\x16\x03\x01\x00\xA5\x01\x00\x00\xA1\x03\x03" 400 157 "-" "-""#)]),
    HostileLine(
        "an IIS line with quotes and backslashes",
        [.text("2015-01-13 00:32:17 192.0.2.7 GET /a\"b\\c q=\"1\" Mozilla/5.0+\"x\\\" 200")], isW3C: true),
]

private let iisFields = Array(
    "#Fields: date time c-ip cs-method cs-uri-stem cs-uri-query cs(User-Agent) sc-status".utf8)

@Suite("Request encoding")
struct RequestEncodingTests {
    @Test("hostile lines give one valid JSON record, identical both ways", arguments: hostileLines)
    func hostileLinesGiveOneValidRecord(_ example: HostileLine) throws {
        for fields in [RequestFields(), .all, [.path, .agent]] as [RequestFields] {
            for source in [nil, "/var/log/\"odd\"\nname\u{1B}.log"] as [String?] {
                var parser = AccessLogParser()
                if example.isW3C { iisFields.withUnsafeBufferPointer { _ = parser.parse($0) } }
                let encoded = example.line.withUnsafeBufferPointer {
                    encodeBothWays($0, with: &parser, source: source, fields: fields)
                }
                let both = try #require(encoded)
                #expect(both.direct == both.viaRecord)
                #expect(both.direct.last == 0x0A)
                #expect(both.direct.dropLast().allSatisfy { $0 >= 0x20 && $0 != 0x7F })
                let decoded = try WireRecord.decode(Array(both.direct.dropLast()))
                var reparser = AccessLogParser()
                if example.isW3C { iisFields.withUnsafeBufferPointer { _ = reparser.parse($0) } }
                let expected = example.line.withUnsafeBufferPointer { line -> RequestRecord? in
                    guard case .request(let request) = reparser.parse(line) else { return nil }
                    return request.record(source: source, fields: fields)
                }
                #expect(decoded == .request(try #require(expected)))
            }
        }
    }

    @Test func decodedFieldsAreTheClientsBytesWithInvalidOnesReplaced() throws {
        var parser = AccessLogParser()
        let line =
            [UInt8].text("192.0.2.7 - - \(stamp) \"GET /") + [0xFF, 0x41, 0xE2, 0x80] + .text("/z HTTP/1.1\" 200 1")
        let encoded = try #require(
            line.withUnsafeBufferPointer {
                encodeBothWays($0, with: &parser, source: nil, fields: .all)
            })
        guard case .request(let record) = try WireRecord.decode(Array(encoded.direct.dropLast())) else {
            Issue.record("not a request")
            return
        }
        // One U+FFFD per byte that does not start a well-formed sequence, as JSONWriter writes them.
        #expect(record.path == "/\u{FFFD}A\u{FFFD}\u{FFFD}/z")
        #expect(record.section == "/\u{FFFD}A\u{FFFD}\u{FFFD}")
    }

    @Test func writesTheSameKeysInTheSameOrderAsRequestRecord() {
        var parser = AccessLogParser()
        let line = Array(#"192.0.2.7 - bob \#(stamp) "GET /a/b HTTP/1.1" 200 1 "http://r/" "ua""#.utf8)
        let encoded = line.withUnsafeBufferPointer {
            encodeBothWays($0, with: &parser, source: "a.log", fields: .all)
        }
        let text = encoded.map { String(decoding: $0.direct, as: UTF8.self) }
        #expect(
            text
                == #"{"type":"request","v":2,"time":971211336,"source":"a.log","client":"192.0.2.7","user":"bob","method":"GET","path":"/a/b","protocol":"HTTP/1.1","status":200,"bytes":1,"section":"/a","referer":"http://r/","agent":"ua"}"#
                + "\n")
    }

    @Test func writesOnlyWhatBucketingNeedsByDefault() {
        var parser = AccessLogParser()
        let line = Array(#"192.0.2.7 - bob \#(stamp) "GET /a/b HTTP/1.1" 200 1 "http://r/" "ua""#.utf8)
        let encoded = line.withUnsafeBufferPointer {
            encodeBothWays($0, with: &parser, source: "a.log", fields: [])
        }
        let text = encoded.map { String(decoding: $0.direct, as: UTF8.self) }
        #expect(
            text
                == #"{"type":"request","v":2,"time":971211336,"client":"192.0.2.7","status":200,"bytes":1,"section":"/a"}"#
                + "\n")
    }

    @Test("each optional member is written exactly when asked for", arguments: RequestFields.names)
    func writesEachOptionalMemberWhenAsked(_ name: String, _ field: RequestFields) throws {
        var parser = AccessLogParser()
        let line = Array(#"192.0.2.7 - bob \#(stamp) "GET /a/b HTTP/1.1" 200 1 "http://r/" "ua""#.utf8)
        let encoded = try #require(
            line.withUnsafeBufferPointer { encodeBothWays($0, with: &parser, source: "a.log", fields: field) })
        #expect(encoded.direct == encoded.viaRecord)
        guard case .object(let object) = try JSONParser.parse(Array(encoded.direct.dropLast())) else {
            Issue.record("not an object")
            return
        }
        let members = Set(object.map(\.key))
        #expect(members == ["type", "v", "time", "client", "status", "bytes", "section", name])
    }

    @Test func leavesHeadersOutUnlessAskedAndWhenAbsent() {
        var parser = AccessLogParser()
        let withHeaders = Array(#"192.0.2.7 - - \#(stamp) "GET / HTTP/1.1" 200 1 "-" "ua""#.utf8)
        let without = withHeaders.withUnsafeBufferPointer {
            encodeBothWays($0, with: &parser, source: nil, fields: [.path, .method, .protocol, .user])
        }
        #expect(without.map { String(decoding: $0.direct, as: UTF8.self).contains("agent") } == false)
        let with = withHeaders.withUnsafeBufferPointer {
            encodeBothWays($0, with: &parser, source: nil, fields: .all)
        }
        let text = with.map { String(decoding: $0.direct, as: UTF8.self) } ?? ""
        #expect(text.hasSuffix(#""section":"/","agent":"ua"}"# + "\n"))
    }

    @Test func marksMalformedRequests() {
        var parser = AccessLogParser()
        let line = Array(#"192.0.2.7 - - \#(stamp) "-" 408 0"#.utf8)
        let encoded = line.withUnsafeBufferPointer {
            encodeBothWays($0, with: &parser, source: nil, fields: [.method, .path, .protocol])
        }
        let text = encoded.map { String(decoding: $0.direct, as: UTF8.self) } ?? ""
        #expect(
            text.hasSuffix(
                #""method":"","path":"","protocol":"","status":408,"bytes":0,"section":"(invalid)","malformed":true}"#
                    + "\n"))
    }

    @Test func writesExtremeNumbersExactly() throws {
        var parser = AccessLogParser()
        let line = Array(#"192.0.2.7 - - [31/Dec/9999:23:59:59 -2359] "GET / HTTP/1.1" 999 999999999999999999"#.utf8)
        let encoded = try #require(
            line.withUnsafeBufferPointer { encodeBothWays($0, with: &parser, source: nil, fields: []) })
        #expect(encoded.direct == encoded.viaRecord)
        let early = Array(#"192.0.2.7 - - [01/Jan/0001:00:00:00 +2359] "GET / HTTP/1.1" 100 0"#.utf8)
        let encodedEarly = try #require(
            early.withUnsafeBufferPointer { encodeBothWays($0, with: &parser, source: nil, fields: []) })
        #expect(encodedEarly.direct == encodedEarly.viaRecord)
        #expect(String(decoding: encodedEarly.direct, as: UTF8.self).contains(#""time":-"#))
    }

    @Test(
        "writes every digit count of a byte count exactly (digits are written two at a time)",
        arguments: [
            "0", "7", "10", "99", "100", "909", "1000", "9999", "10000", "100001", "1234567", "98765432",
            "100000000", "1000000009", "12345678901", "999999999999999999", "000123", "-",
        ])
    func writesEveryDigitCountExactly(_ byteCount: String) throws {
        var parser = AccessLogParser()
        let line = Array("192.0.2.7 - - \(stamp) \"GET /a/b HTTP/1.1\" 200 \(byteCount)".utf8)
        let encoded = try #require(
            line.withUnsafeBufferPointer { encodeBothWays($0, with: &parser, source: nil, fields: []) })
        #expect(encoded.direct == encoded.viaRecord)
        let expected = byteCount == "-" ? "0" : String(Int64(byteCount)!)
        #expect(String(decoding: encoded.direct, as: UTF8.self).contains(",\"bytes\":\(expected),"))
    }
}
