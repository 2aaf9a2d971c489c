import Testing

@testable import LogPipe

/// The timestamp most example lines use, and its instant (checked independently with Python's
/// `datetime.strptime(…, "%d/%b/%Y:%H:%M:%S %z")`).
private let stamp = "[10/Oct/2000:13:55:36 -0700]"
private let t: Int64 = 971_211_336

@Suite("Access-log parser")
struct AccessLogParserTests {
    static let requests: [LineCase] = [
        LineCase(
            "Common Log Format", "127.0.0.1 - frank \(stamp) \"GET /apache_pb.gif HTTP/1.0\" 200 2326",
            request(
                t, client: "127.0.0.1", user: "frank", "GET", "/apache_pb.gif", "HTTP/1.0", bytes: 2326,
                section: "/apache_pb.gif")),
        LineCase(
            "Combined Log Format",
            "127.0.0.1 - - \(stamp) \"GET /pages/create HTTP/1.1\" 200 512 \"http://www.example.com/start.html\" \"Mozilla/4.08 [en] (Win98; I ;Nav)\"",
            request(
                t, client: "127.0.0.1", "GET", "/pages/create", section: "/pages",
                referer: "http://www.example.com/start.html", agent: "Mozilla/4.08 [en] (Win98; I ;Nav)")),
        LineCase(
            "Combined with a `-` referer and agent",
            "192.0.2.7 - - \(stamp) \"GET / HTTP/1.1\" 200 512 \"-\" \"-\"",
            request(t, "GET", "/", section: "/")),
        LineCase(
            "Combined followed by nginx's quoted X-Forwarded-For",
            "192.0.2.7 - - \(stamp) \"GET /shop/cart HTTP/1.1\" 200 512 \"-\" \"curl/8.4.0\" \"203.0.113.9, 10.0.0.1\"",
            request(t, "GET", "/shop/cart", section: "/shop", agent: "curl/8.4.0")),
        LineCase(
            "A custom nginx format with a CLF prefix and unquoted trailing fields",
            "192.0.2.7 - - \(stamp) \"POST /api3/getadv HTTP/1.1\" 200 813 \"www.example.com\" \"-\" uid=12&token=abc \"okhttp/4.9\" \"-\" 10.100.134.244:80 200 0.027 0.027",
            request(t, "POST", "/api3/getadv", bytes: 813, section: "/api3", referer: "www.example.com")),
        LineCase(
            "Common followed by unquoted fields (Apache %D)",
            "192.0.2.7 - - \(stamp) \"GET /slow HTTP/1.1\" 200 512 183022",
            request(t, "GET", "/slow", section: "/slow")),
        LineCase(
            "Apache vhost_combined (%v:%p before the client)",
            "www.example.com:443 192.0.2.7 - - \(stamp) \"GET /pages/a HTTP/1.1\" 200 512 \"-\" \"curl/8.0\"",
            request(t, "GET", "/pages/a", section: "/pages", agent: "curl/8.0")),
        LineCase(
            "Apache vhost common (%v before the client)",
            "www.example.com 192.0.2.7 - - \(stamp) \"GET / HTTP/1.1\" 304 0",
            request(t, "GET", "/", status: 304, bytes: 0, section: "/")),
        LineCase(
            "vhost with an IPv6 client",
            "example.org:80 2001:db8::7 - alice \(stamp) \"GET /a HTTP/1.1\" 200 512",
            request(t, client: "2001:db8::7", user: "alice", "GET", "/a", section: "/a")),
        LineCase(
            "an IPv6 client", "2001:db8:85a3::8a2e:370:7334 - - \(stamp) \"GET / HTTP/1.1\" 200 512",
            request(t, client: "2001:db8:85a3::8a2e:370:7334", "GET", "/", section: "/")),
        LineCase(
            "an IPv6 loopback client", "::1 - - \(stamp) \"GET /health HTTP/1.1\" 200 512",
            request(t, client: "::1", "GET", "/health", section: "/health")),
        LineCase(
            "an IPv6 client with a zone id", "fe80::1%eth0 - - \(stamp) \"GET / HTTP/1.1\" 200 512",
            request(t, client: "fe80::1%eth0", "GET", "/", section: "/")),
        LineCase(
            "a host name as the client",
            "in24.inetnebr.example - - \(stamp) \"GET /shuttle/missions/sts-68/news.txt HTTP/1.0\" 200 1839",
            request(
                t, client: "in24.inetnebr.example", "GET", "/shuttle/missions/sts-68/news.txt", "HTTP/1.0",
                bytes: 1839, section: "/shuttle")),
        LineCase(
            "`-` bytes count as 0", "192.0.2.7 - - \(stamp) \"GET /sts-71/launch/ HTTP/1.0\" 404 -",
            request(t, "GET", "/sts-71/launch/", "HTTP/1.0", status: 404, bytes: 0, section: "/sts-71")),
        LineCase(
            "Apache's \\\" and \\\\ escapes are decoded",
            #"192.0.2.7 - - \#(stamp) "GET /a\"b\\c/d HTTP/1.1" 200 512 "-" "say \"hi\" \\o/""#,
            request(t, "GET", #"/a"b\c/d"#, section: #"/a"b\c"#, agent: #"say "hi" \o/"#)),
        LineCase(
            "nginx \\xHH escapes are decoded before the section is cut",
            #"192.0.2.7 - - \#(stamp) "GET /caf\xC3\xA9/menu HTTP/1.1" 200 512 "-" "-""#,
            request(t, "GET", "/café/menu", section: "/café")),
        LineCase(
            "an escaped slash counts as a slash",
            #"192.0.2.7 - - \#(stamp) "GET /a\x2Fb HTTP/1.1" 200 512"#,
            request(t, "GET", "/a/b", section: "/a")),
        LineCase(
            "nginx escapes of quote and backslash",
            #"192.0.2.7 - - \#(stamp) "GET /x\x22y\x5Cz HTTP/1.1" 200 512"#,
            request(t, "GET", #"/x"y\z"#, section: #"/x"y\z"#)),
        LineCase(
            "HTTP/2.0", "192.0.2.7 - - \(stamp) \"GET / HTTP/2.0\" 499 0 \"-\" \"Mozilla/5.0\"",
            request(t, "GET", "/", "HTTP/2.0", status: 499, bytes: 0, section: "/", agent: "Mozilla/5.0")),
        LineCase(
            "HTTP/3", "192.0.2.7 - - \(stamp) \"GET /v/1 HTTP/3\" 200 512",
            request(t, "GET", "/v/1", "HTTP/3", section: "/v")),
        LineCase(
            "a request without protocol (HTTP/0.9 style)", "192.0.2.7 - - \(stamp) \"GET /ksc.html\" 200 7280",
            request(t, "GET", "/ksc.html", "", bytes: 7280, section: "/ksc.html")),
        LineCase(
            "several spaces before the protocol",
            "192.0.2.7 - - \(stamp) \"GET /facts/internet/list.html   HTTP/1.0\" 200 344064",
            request(t, "GET", "/facts/internet/list.html", "HTTP/1.0", bytes: 344_064, section: "/facts")),
        LineCase(
            "a bogus protocol token is kept", "192.0.2.7 - - \(stamp) \"GET / HTTP/V1.0\" 200 512",
            request(t, "GET", "/", "HTTP/V1.0", section: "/")),
        LineCase(
            "an absolute target",
            "192.0.2.7 - - \(stamp) \"GET http://my.site.com/pages/create HTTP/1.1\" 200 512",
            request(t, "GET", "http://my.site.com/pages/create", section: "http://my.site.com/pages")),
        LineCase(
            "OPTIONS *", "192.0.2.7 - - \(stamp) \"OPTIONS * HTTP/1.1\" 200 0",
            request(t, "OPTIONS", "*", bytes: 0, section: "*")),
        LineCase(
            "CONNECT host:443", "192.0.2.7 - - \(stamp) \"CONNECT www.example.com:443 HTTP/1.1\" 405 172",
            request(t, "CONNECT", "www.example.com:443", status: 405, bytes: 172, section: "www.example.com:443")),
        LineCase(
            "spaces inside the target", "192.0.2.7 - - \(stamp) \"GET /my docs/a b.html HTTP/1.1\" 404 0",
            request(t, "GET", "/my docs/a b.html", status: 404, bytes: 0, section: "/my docs")),
        LineCase(
            "a query string is not part of the section",
            "192.0.2.7 - - \(stamp) \"GET /report?x=1&y=/z HTTP/1.1\" 200 512",
            request(t, "GET", "/report?x=1&y=/z", section: "/report")),
        LineCase(
            "status 444 (nginx closed the connection)", "192.0.2.7 - - \(stamp) \"GET /wp-login.php HTTP/1.1\" 444 0",
            request(t, "GET", "/wp-login.php", status: 444, bytes: 0, section: "/wp-login.php")),
        LineCase(
            "status 499 (client closed the connection)", "192.0.2.7 - - \(stamp) \"GET /slow HTTP/1.1\" 499 0",
            request(t, "GET", "/slow", status: 499, bytes: 0, section: "/slow")),
        LineCase(
            "a WebDAV method", "192.0.2.7 - bob \(stamp) \"PROPFIND /dav/files/ HTTP/1.1\" 207 940",
            request(t, user: "bob", "PROPFIND", "/dav/files/", status: 207, bytes: 940, section: "/dav")),
        LineCase(
            "a user name with a space", "192.0.2.7 - John Smith \(stamp) \"GET /a HTTP/1.1\" 200 512",
            request(t, user: "John Smith", "GET", "/a", section: "/a")),
        LineCase(
            "a quote an old server did not escape",
            "192.0.2.7 - - \(stamp) \"GET /a\"b HTTP/1.0\" 200 512",
            request(t, "GET", "/a\"b", "HTTP/1.0", section: "/a\"b")),
        LineCase(
            "a cut-off user agent keeps the request",
            "192.0.2.7 - - \(stamp) \"GET /x.py HTTP/1.1\" 200 235 \"-\" \"Mozilla/5.0 (compatible; Googlebot/2.1",
            request(t, "GET", "/x.py", bytes: 235, section: "/x.py", agent: "Mozilla/5.0 (compatible; Googlebot/2.1")),
        LineCase(
            "an empty request is a malformed hit", "192.0.2.7 - - \(stamp) \"\" 400 0 \"-\" \"-\"",
            request(t, "", "", "", status: 400, bytes: 0, section: "(invalid)", malformed: true)),
        LineCase(
            "a `-` request is a malformed hit", "192.0.2.7 - - \(stamp) \"-\" 408 0 \"-\" \"-\"",
            request(t, "", "", "", status: 408, bytes: 0, section: "(invalid)", malformed: true)),
        LineCase(
            "a TLS handshake logged by nginx is a malformed hit",
            #"192.0.2.7 - - \#(stamp) "\x16\x03\x01\x02\x00\x01\x00\x01\xFC\x03\x03" 400 157 "-" "-""#,
            request(
                t, "", "\u{16}\u{3}\u{1}\u{2}\0\u{1}\0\u{1}\u{FFFD}\u{3}\u{3}", "", status: 400, bytes: 157,
                section: "(invalid)", malformed: true)),
        LineCase(
            "an RDP probe is a malformed hit",
            #"192.0.2.7 - - \#(stamp) "\x03\x00\x00/*\xE0\x00\x00\x00\x00\x00Cookie: mstshash=Administr" 400 157"#,
            request(
                t, "", "\u{3}\0\0/*\u{FFFD}\0\0\0\0\0Cookie: mstshash=Administr", "", status: 400, bytes: 157,
                section: "(invalid)", malformed: true)),
        LineCase(
            "an SSH banner is a malformed hit", "192.0.2.7 - - \(stamp) \"SSH-2.0-Go\" 400 157",
            request(t, "", "SSH-2.0-Go", "", status: 400, bytes: 157, section: "(invalid)", malformed: true)),
        LineCase(
            "a method with no target is a malformed hit", "192.0.2.7 - - \(stamp) \"GET HTTP/1.1\" 400 0",
            request(t, "GET", "", "HTTP/1.1", status: 400, bytes: 0, section: "(invalid)", malformed: true)),
    ]

    @Test("reads every kind of request line real servers write", arguments: requests)
    func readsRequests(_ example: LineCase) {
        #expect(parse(example.line, format: example.format) == example.expected)
    }

    static let invalidLines: [LineCase] = [
        LineCase("prose", "hello world, this is not a log", .invalid("not an access log line", time: nil)),
        LineCase("a single word", "x", .invalid("not an access log line", time: nil)),
        LineCase(
            "too few fields", "192.0.2.7 - \(stamp) \"GET / HTTP/1.1\" 200 1",
            .invalid("not an access log line", time: nil)),
        LineCase(
            "a W3C line before any #Fields",
            "2015-01-13 00:32:17 10.0.0.1 GET /robots.txt - 80 - 192.0.2.7 - - 404 0 2 1405 242 283",
            .invalid("no #Fields directive", time: nil)),
        LineCase(
            "30 February", "192.0.2.7 - - [30/Feb/2024:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1",
            .invalid("bad timestamp", time: nil)),
        LineCase(
            "hour 24", "192.0.2.7 - - [10/Oct/2000:24:00:00 +0000] \"GET / HTTP/1.1\" 200 1",
            .invalid("bad timestamp", time: nil)),
        LineCase(
            "an unknown month", "192.0.2.7 - - [10/Okt/2000:13:55:36 +0000] \"GET / HTTP/1.1\" 200 1",
            .invalid("bad timestamp", time: nil)),
        LineCase(
            "no offset", "192.0.2.7 - - [10/Oct/2000:13:55:36] \"GET / HTTP/1.1\" 200 1",
            .invalid("bad timestamp", time: nil)),
        LineCase(
            "an ISO timestamp", "192.0.2.7 - - [2000-10-10T13:55:36+00:00] \"GET / HTTP/1.1\" 200 1",
            .invalid("bad timestamp", time: nil)),
        LineCase("no request", "192.0.2.7 - - \(stamp) GET / 200 1", .invalid("missing request", time: t)),
        LineCase(
            "a request that never ends", "192.0.2.7 - - \(stamp) \"GET / HTTP/1.1 200 1",
            .invalid("unterminated request", time: t)),
        LineCase(
            "a status with a letter", "192.0.2.7 - - \(stamp) \"GET / HTTP/1.1\" 20x 1", .invalid("bad status", time: t)
        ),
        LineCase(
            "a four-digit status", "192.0.2.7 - - \(stamp) \"GET / HTTP/1.1\" 2000 1", .invalid("bad status", time: t)),
        LineCase("no status", "192.0.2.7 - - \(stamp) \"GET / HTTP/1.1\"", .invalid("bad status", time: t)),
        LineCase("no byte count", "192.0.2.7 - - \(stamp) \"GET / HTTP/1.1\" 200", .invalid("bad byte count", time: t)),
        LineCase(
            "a byte count with a letter", "192.0.2.7 - - \(stamp) \"GET / HTTP/1.1\" 200 12k",
            .invalid("bad byte count", time: t)),
        LineCase(
            "a 19-digit byte count above Int64.max",
            "192.0.2.7 - - \(stamp) \"GET / HTTP/1.1\" 200 9223372036854775808",
            .invalid("bad byte count", time: t)),
        LineCase(
            "a 20-digit byte count", "192.0.2.7 - - \(stamp) \"GET / HTTP/1.1\" 200 12345678901234567890",
            .invalid("bad byte count", time: t)),
        LineCase(
            "a 20-digit byte count of leading zeros",
            "192.0.2.7 - - \(stamp) \"GET / HTTP/1.1\" 200 00000000000000000001",
            .invalid("bad byte count", time: t)),
        LineCase(
            "a five-digit status", "192.0.2.7 - - \(stamp) \"GET / HTTP/1.1\" 20000 1", .invalid("bad status", time: t)),
        LineCase(
            "a 19-digit status", "192.0.2.7 - - \(stamp) \"GET / HTTP/1.1\" 9223372036854775807 1",
            .invalid("bad status", time: t)),
        LineCase(
            "a negative status", "192.0.2.7 - - \(stamp) \"GET / HTTP/1.1\" -200 1", .invalid("bad status", time: t)),
        LineCase(
            "a negative byte count", "192.0.2.7 - - \(stamp) \"GET / HTTP/1.1\" 200 -1",
            .invalid("bad byte count", time: t)),
    ]

    static let hugeByteCounts: [LineCase] = [
        LineCase(
            "an 18-digit byte count", "192.0.2.7 - - \(stamp) \"GET / HTTP/1.1\" 200 999999999999999999",
            request(t, "GET", "/", bytes: 999_999_999_999_999_999, section: "/")),
        LineCase(
            "a 19-digit byte count", "192.0.2.7 - - \(stamp) \"GET / HTTP/1.1\" 200 1234567890123456789",
            request(t, "GET", "/", bytes: 1_234_567_890_123_456_789, section: "/")),
        LineCase(
            "a byte count of Int64.max", "192.0.2.7 - - \(stamp) \"GET / HTTP/1.1\" 200 9223372036854775807",
            request(t, "GET", "/", bytes: Int64.max, section: "/")),
        LineCase(
            "a status of 999", "192.0.2.7 - - \(stamp) \"GET / HTTP/1.1\" 999 1",
            request(t, "GET", "/", status: 999, bytes: 1, section: "/")),
        LineCase(
            "a status of 000", "192.0.2.7 - - \(stamp) \"GET / HTTP/1.1\" 000 1",
            request(t, "GET", "/", status: 0, bytes: 1, section: "/")),
    ]

    @Test("reads byte counts up to Int64.max and statuses of three digits", arguments: hugeByteCounts)
    func readsHugeByteCounts(_ example: LineCase) {
        #expect(parse(example.line, format: example.format) == example.expected)
    }

    @Test("rejects lines that are not requests, with a reason and the time when it was read", arguments: invalidLines)
    func rejectsLines(_ example: LineCase) {
        #expect(parse(example.line, format: example.format) == example.expected)
    }

    static let byteLines: [ByteLineCase] = [
        ByteLineCase(
            "a NUL byte", [.text("192.0.2.7 - - \(stamp) \"GET /a"), [0], .text("b HTTP/1.1\" 200 1")],
            .invalid("NUL byte", time: nil)),
        ByteLineCase(
            "a zero-filled hole before a line",
            [[0, 0, 0, 0], .text("192.0.2.7 - - \(stamp) \"GET / HTTP/1.1\" 200 1")],
            .invalid("NUL byte", time: nil)),
        ByteLineCase(
            "Latin-1 in the client", [.text("192.0.2.7"), [0xE9], .text(" - - \(stamp) \"GET / HTTP/1.1\" 200 1")],
            .invalid("invalid UTF-8", time: t)),
        ByteLineCase(
            "Latin-1 in the user", [.text("192.0.2.7 - Ren"), [0xE9], .text(" \(stamp) \"GET / HTTP/1.1\" 200 1")],
            .invalid("invalid UTF-8", time: t)),
        ByteLineCase(
            "raw Big5 in the path passes, replaced in the output",
            [.text("192.0.2.7 - - \(stamp) \"GET /"), [0xA4, 0xA4, 0xA4, 0xE5], .text("/x HTTP/1.1\" 200 1")],
            request(
                t, "GET", "/\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}/x", bytes: 1, section: "/\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}")
        ),
        ByteLineCase(
            "raw UTF-8 in the path and user passes untouched",
            [.text("192.0.2.7 - José \(stamp) \"GET /café/menu HTTP/1.1\" 200 1 \"-\" \"Ünïcode\"")],
            request(t, user: "José", "GET", "/café/menu", bytes: 1, section: "/café", agent: "Ünïcode")),
        ByteLineCase(
            "raw control characters in the path pass (the JSON escapes them)",
            [.text("192.0.2.7 - - \(stamp) \"GET /a\u{1B}[2Jb/c HTTP/1.1\" 200 1")],
            request(t, "GET", "/a\u{1B}[2Jb/c", bytes: 1, section: "/a\u{1B}[2Jb")),
    ]

    @Test("handles bytes that are not text as documented", arguments: byteLines)
    func handlesBytes(_ example: ByteLineCase) {
        var parser = AccessLogParser()
        #expect(parseOne(example.line, with: &parser) == example.expected)
    }

    static let skippedLines: [(String, AccessLogParser.SkipReason)] = [
        ("", .blank), ("   ", .blank), ("\t \t", .blank), ("# rotated by logrotate", .comment), ("#", .comment),
        ("#Software: Microsoft Internet Information Services 10.0", .directive), ("#Version: 1.0", .directive),
        ("#Date: 2024-02-29 00:00:00", .directive), ("#Fields: date time cs-method", .directive),
        ("#Remark: restarted", .directive), ("#Start-Date: 2024-02-29 00:00:00", .directive),
    ]

    @Test("skips blank lines, comments and directives without calling them errors", arguments: skippedLines)
    func skipsLines(_ line: String, _ reason: AccessLogParser.SkipReason) {
        #expect(parse(line) == .skipped(reason))
    }

    // MARK: - Whole files

    @Test func followsTimeZoneOffsetsThatChangeMidFile() {
        let lines = [
            "192.0.2.7 - - [26/Mar/2023:01:59:59 +0100] \"GET /a HTTP/1.1\" 200 1",
            "192.0.2.7 - - [26/Mar/2023:03:00:00 +0200] \"GET /b HTTP/1.1\" 200 1",
            "192.0.2.7 - - [29/Oct/2023:02:30:00 +0200] \"GET /c HTTP/1.1\" 200 1",
            "192.0.2.7 - - [29/Oct/2023:02:00:00 +0100] \"GET /d HTTP/1.1\" 200 1",
        ]
        let times = parse(lines).map { $0.record?.time }
        // Across the spring change one second passes; across the autumn one, 02:30 summer time is
        // 30 minutes before 02:00 winter time.
        #expect(times == [1_679_792_399, 1_679_792_400, 1_698_539_400, 1_698_541_200])
    }

    @Test func ignoresACarriageReturnAtTheEndOfTheLine() {
        #expect(parse("192.0.2.7 - - \(stamp) \"GET /a HTTP/1.1\" 200 1\r").record?.bytes == 1)
        #expect(parse("\r") == .skipped(.blank))
    }

    @Test func mixesCommonCombinedAndVhostLinesInAutoMode() {
        let lines = [
            "192.0.2.7 - - \(stamp) \"GET /a HTTP/1.1\" 200 1",
            "192.0.2.7 - - \(stamp) \"GET /b HTTP/1.1\" 200 1 \"-\" \"agent\"",
            "example.com:80 192.0.2.8 - - \(stamp) \"GET /c HTTP/1.1\" 200 1",
        ]
        let records = parse(lines).compactMap(\.record)
        #expect(records.map(\.path) == ["/a", "/b", "/c"])
        #expect(records.map(\.client) == ["192.0.2.7", "192.0.2.7", "192.0.2.8"])
        #expect(records.map(\.userAgent) == [nil, "agent", nil])
    }

    // MARK: - Forced formats

    @Test func forcedCommonIgnoresRefererAndAgent() {
        let line = "192.0.2.7 - - \(stamp) \"GET /a HTTP/1.1\" 200 1 \"http://x/\" \"agent\""
        let record = parse(line, format: .common).record
        #expect(record?.path == "/a")
        #expect(record?.referer == nil && record?.userAgent == nil)
    }

    @Test func forcedCombinedRequiresRefererAndAgent() {
        #expect(
            parse("192.0.2.7 - - \(stamp) \"GET /a HTTP/1.1\" 200 1", format: .combined)
                == .invalid("missing referer or agent", time: t))
        #expect(
            parse("192.0.2.7 - - \(stamp) \"GET /a HTTP/1.1\" 200 1 \"-\" \"ua\"", format: .combined).record?.userAgent
                == "ua")
    }

    @Test func forcedCombinedReadsAUserWithSpacesEvenWhenTheIdentIsSet() {
        let record = parse(
            "192.0.2.7 ident John Smith \(stamp) \"GET /a HTTP/1.1\" 200 1 \"-\" \"-\"", format: .combined
        )
        .record
        #expect(record?.client == "192.0.2.7")
        #expect(record?.user == "John Smith")
    }

    @Test func forcedVhostRequiresTheVirtualHost() {
        #expect(
            parse("192.0.2.7 - - \(stamp) \"GET /a HTTP/1.1\" 200 1", format: .vhost)
                == .invalid("missing virtual host", time: t))
        let record = parse("example.com:443 192.0.2.7 - - \(stamp) \"GET /a HTTP/1.1\" 200 1", format: .vhost).record
        #expect(record?.client == "192.0.2.7")
    }

    @Test func forcedW3CRejectsCommonLines() {
        #expect(
            parse("192.0.2.7 - - \(stamp) \"GET /a HTTP/1.1\" 200 1", format: .w3c)
                == .invalid("no #Fields directive", time: nil))
    }

    @Test(
        "a parser told not to read referer and agent reads everything else the same",
        arguments: [
            LogFormat.auto, .vhost,
        ])
    func skipsRefererAndAgentOnlyWhenTold(_ format: LogFormat) {
        let line = Array(
            "www.example.com 192.0.2.7 - - \(stamp) \"GET /a/b HTTP/1.1\" 200 1 \"http://x/\" \"agent\"".utf8)
        var reading = AccessLogParser(format: format)
        var skipping = AccessLogParser(format: format, readsRefererAndAgent: false)
        let read = parseOne(line, with: &reading).record
        let skipped = parseOne(line, with: &skipping).record
        #expect(read?.referer == "http://x/" && read?.userAgent == "agent")
        #expect(skipped?.referer == nil && skipped?.userAgent == nil)
        var withoutHeaders = read
        withoutHeaders?.referer = nil
        withoutHeaders?.userAgent = nil
        #expect(skipped != nil && skipped == withoutHeaders)
    }

    @Test func forcedCombinedChecksRefererAndAgentEvenWhenNotReadingThem() {
        var parser = AccessLogParser(format: .combined, readsRefererAndAgent: false)
        let line = Array("192.0.2.7 - - \(stamp) \"GET /a HTTP/1.1\" 200 1".utf8)
        #expect(parseOne(line, with: &parser) == .invalid("missing referer or agent", time: t))
    }

    @Test func formatNamesAreTheCommandLineNames() {
        #expect(LogFormat.allCases.map(\.rawValue) == ["auto", "common", "combined", "vhost", "w3c"])
        #expect(LogFormat(rawValue: "vhost") == .vhost)
    }

    // MARK: - Parser state

    @Test func aCopyOfTheParserKeepsItsOwnScratchBuffer() {
        var parser = AccessLogParser()
        let first = Array(#"192.0.2.7 - - \#(stamp) "GET /x\x41y HTTP/1.1" 200 1"#.utf8)
        let second = Array(#"192.0.2.7 - - \#(stamp) "GET /p\x42q HTTP/1.1" 200 1"#.utf8)
        first.withUnsafeBufferPointer { line in
            guard case .request(let request) = parser.parse(line) else {
                Issue.record("not a request")
                return
            }
            var copy = parser
            _ = parseOne(second, with: &copy)
            // The copy's line must not overwrite the decoded path the original handed out.
            #expect(String(decoding: request.path, as: UTF8.self) == "/xAy")
        }
    }

    @Test func longLinesGrowTheScratchBufferWithoutLosingBytes() {
        let long = String(repeating: #"\x41"#, count: 10_000)
        let record = parse(#"192.0.2.7 - - \#(stamp) "GET /\#(long)/b HTTP/1.1" 200 1"#).record
        #expect(record?.path == "/" + String(repeating: "A", count: 10_000) + "/b")
    }
}
