import Testing

@testable import LogPipe

/// The filters as logtail applies them: on lines read by the real parser, with the virtual host
/// found again from the line.
@Suite("Request filters on parsed lines")
struct RequestFilterTests {
    /// The reason `filter` gives each line, read in order by one parser (W3C directives included);
    /// nil for a kept request, `"not a request"` for a line that is none.
    private func reasons(_ filter: RequestFilter, _ lines: [String], format: LogFormat = .auto) -> [String?] {
        var parser = AccessLogParser(format: format, readsRefererAndAgent: filter.readsUserAgent)
        return lines.map { text in
            Array(text.utf8).withUnsafeBufferPointer { line -> String? in
                guard case .request(let request) = parser.parse(line) else { return "not a request" }
                return filter.exclusion(of: request) { parser.virtualHost(of: request, in: line) }?.description
            }
        }
    }

    private func virtualHosts(_ lines: [String], format: LogFormat = .auto) -> [String?] {
        var parser = AccessLogParser(format: format)
        return lines.map { text in
            Array(text.utf8).withUnsafeBufferPointer { line -> String? in
                guard case .request(let request) = parser.parse(line) else { return "not a request" }
                return parser.virtualHost(of: request, in: line).map { String(decoding: $0, as: UTF8.self) }
            }
        }
    }

    static let combined =
        #"10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /healthz?x=1 HTTP/1.1" 200 2 "-" "kube-probe/1.29""#

    @Test func theVirtualHostIsTheFieldBeforeTheClientAndOnlyThere() {
        #expect(
            virtualHosts([
                #"www.example.com:443 10.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 2"#,
                #"10.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 2"#,
                Self.combined,
                #"10.0.0.1 - John Smith [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 2"#,
            ]) == ["www.example.com:443", nil, nil, nil])
        #expect(
            virtualHosts(
                [#"www.example.com 10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 2"#], format: .vhost)
                == ["www.example.com"])
    }

    @Test func aW3CLineNamesItsVirtualHostInCsHostWhenListed() {
        let fields = "#Fields: date time c-ip cs-method cs-uri-stem cs(User-Agent) cs-host sc-status sc-bytes"
        #expect(
            virtualHosts([
                fields,
                "2015-01-13 00:00:01 10.1.1.1 GET /x Mozilla www.example.com 200 100",
                "2015-01-13 00:00:01 10.1.1.1 GET /x Mozilla - 200 100",
                "#Fields: date time c-ip cs-method cs-uri-stem sc-status CS-HOST",
                "2015-01-13 00:00:01 10.1.1.1 GET /x 200 Other.Example.org  \r",
                "#Fields: date time c-ip cs-method cs-uri-stem sc-status",
                "2015-01-13 00:00:01 10.1.1.1 GET /x 200",
            ]) == ["not a request", "www.example.com", nil, "not a request", "Other.Example.org", "not a request", nil])
    }

    @Test func theFirstFilterThatMatchesNamesTheReason() throws {
        let filter = try RequestFilter(
            excludeClients: ["10.0.0.0/8"], excludePaths: ["/healthz"], excludeAgents: ["bots"],
            onlyVirtualHosts: ["www.example.com"])
        #expect(
            reasons(
                filter,
                [
                    #"www.example.com 10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1""#,
                    #"www.example.com 192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1""#,
                    #"www.example.com 192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 2 "-" "kube-probe/1""#,
                    #"other.example.com 192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 2 "-" "Mozilla""#,
                    #"www.example.com 192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 2 "-" "Mozilla""#,
                    #"192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 2 "-" "Mozilla""#,
                ]) == ["client", "path", "agent", "vhost", nil, "vhost"])
    }

    @Test func noFilterKeepsEverythingAndAskedForNothing() throws {
        let filter = try RequestFilter()
        #expect(filter.isEmpty)
        #expect(!filter.readsUserAgent)
        #expect(reasons(filter, [Self.combined]) == [nil])
    }

    @Test func theAgentFilterFindsTheAgentEvenWhenRecordsDoNotCarryIt() throws {
        let filter = try RequestFilter(excludeAgents: ["kube-probe"])
        #expect(filter.readsUserAgent)
        #expect(reasons(filter, [Self.combined]) == ["agent"])
        #expect(
            reasons(filter, [#"10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 2"#]) == [nil],
            "a Common line has no agent")
    }

    @Test func aHostNameClientIsInNoRange() throws {
        let filter = try RequestFilter(excludeClients: ["0.0.0.0/0", "::/0"])
        #expect(
            reasons(filter, [#"crawler.example.com - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 2"#])
                == [nil])
        #expect(reasons(filter, [Self.combined]) == ["client"])
    }

    @Test func listsAreCommaSeparatedAndRepeatableWithoutEmptyEntries() throws {
        let filter = try RequestFilter(excludeClients: ["10.0.0.1,10.0.0.2", "2001:db8::/32"])
        let clients = ["10.0.0.1", "10.0.0.2", "2001:db8::7", "10.0.0.3"].map { client in
            Array(client.utf8).withUnsafeBufferPointer { filter.clients.matches($0) }
        }
        #expect(clients == [true, true, true, false])
        #expect(throws: UsageError("--exclude-client '10.0.0.1,': an empty entry (two commas, or one at an end)")) {
            try RequestFilter(excludeClients: ["10.0.0.1,"])
        }
        #expect(throws: UsageError("--only-vhost ',a': an empty entry (two commas, or one at an end)")) {
            try RequestFilter(onlyVirtualHosts: [",a"])
        }
        #expect(throws: UsageError.self) { try RequestFilter(excludeClients: ["10.0.0.0/33"]) }
    }

    private func host(_ names: [String], _ field: String) throws -> Bool {
        let matcher = try VirtualHostMatcher(names)
        return Array(field.utf8).withUnsafeBufferPointer { matcher.matches($0) }
    }

    @Test func virtualHostNamesIgnoreCaseAndThePortUnlessTheyNameOne() throws {
        #expect(try host(["www.example.com"], "www.example.com"))
        #expect(try host(["www.example.com"], "WWW.Example.COM:443"))
        #expect(try !host(["www.example.com"], "example.com"))
        #expect(try host(["www.example.com:8080"], "www.example.com:8080"))
        #expect(try !host(["www.example.com:8080"], "www.example.com:443"))
        #expect(try !host(["www.example.com:8080"], "www.example.com"))
        #expect(try host(["*.example.com"], "shop.example.com:443"))
        #expect(try !host(["*.example.com"], "example.com"))
        #expect(try host(["[2001:db8::1]"], "[2001:db8::1]:443"))
        #expect(try host(["[2001:db8::1]:443"], "[2001:db8::1]:443"))
        #expect(try host(["2001:db8::1"], "2001:db8::1"), "a bare IPv6 literal is all host")
        #expect(throws: UsageError.self) { try VirtualHostMatcher(["a b"]) }
        #expect(throws: UsageError.self) { try VirtualHostMatcher([""]) }
    }
}
