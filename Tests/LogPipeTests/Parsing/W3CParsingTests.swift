import Testing

@testable import LogPipe

private let iisHeader = [
    "#Software: Microsoft Internet Information Services 10.0",
    "#Version: 1.0",
    "#Date: 2015-01-13 00:32:17",
    "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken",
]
private let t: Int64 = 1_421_109_137  // 2015-01-13 00:32:17 UTC

@Suite("W3C Extended (IIS) lines")
struct W3CParsingTests {
    @Test func readsFieldsByTheFieldsDirective() {
        let results = parse(
            iisHeader + [
                "2015-01-13 00:32:17 10.0.0.5 GET /pages/create id=7&x=1 443 alice 192.0.2.7 Mozilla/5.0+(Windows+NT+10.0) https://example.com/ 200 0 0 5120 431 15"
            ])
        #expect(
            results.prefix(4) == [
                .skipped(.directive), .skipped(.directive), .skipped(.directive), .skipped(.directive),
            ])
        #expect(
            results[4]
                == request(
                    t, client: "192.0.2.7", user: "alice", "GET", "/pages/create?id=7&x=1", "", bytes: 5120,
                    section: "/pages", referer: "https://example.com/", agent: "Mozilla/5.0 (Windows NT 10.0)"))
    }

    @Test func dashesMeanEmpty() {
        let results = parse(
            iisHeader + ["2015-01-13 00:32:17 10.0.0.5 GET /robots.txt - 80 - 192.0.2.7 - - 404 0 2 1405 242 283"])
        #expect(
            results[4]
                == request(
                    t, client: "192.0.2.7", "GET", "/robots.txt", "", status: 404, bytes: 1405, section: "/robots.txt"))
    }

    @Test func followsAFieldsDirectiveThatChangesMidFile() {
        let results = parse([
            "#Fields: date time c-ip cs-method cs-uri-stem sc-status",
            "2015-01-13 00:32:17 192.0.2.7 GET /a/b 200",
            "#Fields: date time cs-method cs-uri-stem cs-uri-query c-ip cs-version sc-status sc-bytes",
            "2015-01-13 00:32:17 HEAD /c/d q=1 2001:db8::7 HTTP/1.1 301 0",
        ])
        #expect(results[1] == request(t, client: "192.0.2.7", "GET", "/a/b", "", bytes: 0, section: "/a"))
        #expect(
            results[3]
                == request(
                    t, client: "2001:db8::7", "HEAD", "/c/d?q=1", "HTTP/1.1", status: 301, bytes: 0, section: "/c"))
    }

    @Test func namesFieldsWithoutRegardToCase() {
        let results = parse([
            "#Fields: Date Time C-IP CS-Method CS-URI-Stem SC-Status cs(user-agent)",
            "2015-01-13 00:32:17 ::1%0 GET / 200 a+b",
        ])
        #expect(results[1] == request(t, client: "::1%0", "GET", "/", "", bytes: 0, section: "/", agent: "a b"))
    }

    @Test func acceptsFractionalSecondsAndATrailingSpace() {
        let results = parse([
            "#Fields: date time c-ip cs-method cs-uri-stem sc-status", "2015-01-13 00:32:17.250 192.0.2.7 GET /a 200 ",
        ])
        #expect(results[1].record?.time == t)
    }

    static let invalid: [([String], ParsedLine)] = [
        (
            ["#Fields: date time c-ip cs-method cs-uri-stem sc-status", "2015-01-13 00:32:17 192.0.2.7 GET /a"],
            .invalid("wrong W3C field count", time: t)
        ),
        (
            [
                "#Fields: date time c-ip cs-method cs-uri-stem sc-status",
                "2015-01-13 00:32:17 192.0.2.7 GET /a 200 extra",
            ],
            .invalid("wrong W3C field count", time: t)
        ),
        (
            ["#Fields: date time c-ip cs-method cs-uri-stem sc-status", "2015-02-30 00:32:17 192.0.2.7 GET /a 200"],
            .invalid("bad timestamp", time: nil)
        ),
        (
            ["#Fields: date time c-ip cs-method cs-uri-stem sc-status", "2015-01-13 00:32:17 192.0.2.7 GET /a -"],
            .invalid("bad status", time: t)
        ),
        (
            ["#Fields: date time c-ip sc-status sc-bytes", "2015-01-13 00:32:17 192.0.2.7 200 lots"],
            .invalid("bad byte count", time: t)
        ),
        (
            ["#Fields: c-ip cs-method cs-uri-stem sc-status", "192.0.2.7 GET /a 200"],
            .invalid("no timestamp", time: nil)
        ),
        (["2015-01-13 00:32:17 192.0.2.7 GET /a 200"], .invalid("no #Fields directive", time: nil)),
    ]

    @Test("rejects W3C lines that do not fit their header", arguments: invalid)
    func rejects(_ lines: [String], _ expected: ParsedLine) {
        #expect(parse(lines).last == expected)
    }

    @Test func aMissingMethodOrStemIsAMalformedHit() {
        let results = parse([
            "#Fields: date time c-ip cs-method cs-uri-stem sc-status", "2015-01-13 00:32:17 192.0.2.7 - - 400",
        ])
        #expect(
            results[1]
                == request(
                    t, client: "192.0.2.7", "", "", "", status: 400, bytes: 0, section: "(invalid)", malformed: true))
    }

    @Test func forcedW3CNeedsNoDatePrefixToRecogniseItsLines() {
        let results = parse(
            ["#Fields: time date c-ip cs-method cs-uri-stem sc-status", "00:32:17 2015-01-13 192.0.2.7 GET /a 200"],
            format: .w3c)
        #expect(results[1].record?.path == "/a")
    }
}
