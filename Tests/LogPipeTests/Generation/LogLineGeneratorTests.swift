import LogPipe
import Testing

@Suite("LogLineGenerator")
struct LogLineGeneratorTests {
    /// The fields of a generated line, split the way a strict CLF reader would.
    struct Fields {
        var client: Substring
        var user: Substring
        var timestamp: Substring
        var request: [Substring]
        var status: Int
        var bytes: Substring
        var quotedTail: [Substring]

        init?(_ line: String) {
            guard let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]") else { return nil }
            let head = line[..<open].split(separator: " ")
            guard head.count == 3, head[1] == "-" else { return nil }
            client = head[0]
            user = head[2]
            timestamp = line[line.index(after: open)..<close]
            let rest = line[line.index(after: close)...]
            let quoted = rest.split(separator: "\"", omittingEmptySubsequences: false)
            guard quoted.count >= 3 else { return nil }
            request = quoted[1].split(separator: " ")
            let numbers = quoted[2].split(separator: " ")
            guard numbers.count == 2, let status = Int(numbers[0]) else { return nil }
            self.status = status
            bytes = numbers[1]
            quotedTail = stride(from: 3, to: quoted.count, by: 2).map { quoted[$0] }
        }
    }

    @Test func theSameSeedWritesTheSameLines() {
        var first = LogLineGenerator(seed: 42, format: .combined)
        var second = LogLineGenerator(seed: 42, format: .combined)
        for second0 in 0..<200 {
            #expect(first.line(at: 1_767_225_600 + Int64(second0)) == second.line(at: 1_767_225_600 + Int64(second0)))
        }
    }

    @Test func differentSeedsWriteDifferentLines() {
        var first = LogLineGenerator(seed: 1, format: .common)
        var second = LogLineGenerator(seed: 2, format: .common)
        let a = (0..<20).map { _ in first.line(at: 0) }
        let b = (0..<20).map { _ in second.line(at: 0) }
        #expect(a != b)
    }

    @Test(arguments: [
        (epoch: Int64(0), offset: 0, text: "[01/Jan/1970:00:00:00 +0000]"),
        (epoch: Int64(1_767_225_600), offset: 3600, text: "[01/Jan/2026:01:00:00 +0100]"),
        (epoch: Int64(1_767_225_600), offset: -19_800, text: "[31/Dec/2025:18:30:00 -0530]"),
        (epoch: Int64(951_782_400), offset: 0, text: "[29/Feb/2000:00:00:00 +0000]"),
        (epoch: Int64(1_700_000_000), offset: 0, text: "[14/Nov/2023:22:13:20 +0000]"),
    ])
    func timestampsUseTheAccessLogLayoutAndTheWrittenOffset(epoch: Int64, offset: Int, text: String) {
        #expect(LogLineGenerator.timestamp(epochSeconds: epoch, utcOffset: offset) == text)
    }

    @Test func commonLinesHaveSevenFieldsAndNoRefererOrAgent() throws {
        var generator = LogLineGenerator(seed: 7, format: .common, utcOffset: 3600)
        for _ in 0..<2000 {
            let line = generator.line(at: 1_767_225_600)
            let fields = try #require(Fields(line), "unparsable: \(line)")
            #expect(fields.timestamp == "01/Jan/2026:01:00:00 +0100")
            #expect(fields.quotedTail.isEmpty)
            #expect(fields.request.count == 3)
            #expect(fields.request[2].hasPrefix("HTTP/"))
            #expect(fields.bytes == "-" || Int(fields.bytes).map { $0 > 0 } == true)
            #expect(!line.contains("\n"))
        }
    }

    @Test func combinedLinesEndWithAQuotedRefererAndUserAgent() throws {
        var generator = LogLineGenerator(seed: 8, format: .combined)
        for _ in 0..<2000 {
            let line = generator.line(at: 1_700_000_000)
            let fields = try #require(Fields(line), "unparsable: \(line)")
            #expect(fields.quotedTail.count == 2)
            let referer = fields.quotedTail[0]
            #expect(referer == "-" || referer.hasPrefix("https://"))
            #expect(!fields.quotedTail[1].isEmpty)
            #expect(line.hasSuffix("\""))
        }
    }

    @Test func trafficLooksLikeARealSite() throws {
        var generator = LogLineGenerator(seed: 2026, format: .combined)
        var statuses: [Int: Int] = [:]
        var methods: [Substring: Int] = [:]
        var sections: Set<Substring> = []
        var clients: [Substring: Int] = [:]
        var users = 0
        let total = 20_000
        for _ in 0..<total {
            let fields = try #require(Fields(generator.line(at: 1_700_000_000)))
            statuses[fields.status / 100, default: 0] += 1
            methods[fields.request[0], default: 0] += 1
            let path = fields.request[1]
            sections.insert(path.hasPrefix("http") ? "absolute" : path.split(separator: "/").first ?? "/")
            clients[fields.client, default: 0] += 1
            if fields.user != "-" { users += 1 }
        }
        // Mostly successes, with redirects and cache hits, client errors and a few server errors.
        #expect(Double(statuses[2, default: 0]) / Double(total) > 0.7)
        #expect(statuses[3, default: 0] > total / 50)
        #expect(statuses[4, default: 0] > total / 100)
        #expect(statuses[5, default: 0] > 0 && statuses[5, default: 0] < total / 20)
        #expect(Double(methods["GET", default: 0]) / Double(total) > 0.8)
        #expect(methods["POST", default: 0] > 0 && methods["HEAD", default: 0] > 0)
        #expect(sections.isSuperset(of: ["api", "pages", "static", "absolute", "blog"]))
        // About 12% of the clients are IPv6; a few heavy clients, a long tail.
        let ipv6 = clients.keys.filter { $0.contains(":") }.count
        #expect(ipv6 > clients.count / 20 && ipv6 < clients.count / 4)
        let heaviest = clients.values.max() ?? 0
        #expect(heaviest > total / 50 && clients.count > 150)
        #expect(users > 0 && users < total / 5)
    }

    @Test func clientAddressesComeFromTheDocumentationRanges() throws {
        var generator = LogLineGenerator(seed: 3, format: .common)
        for _ in 0..<3000 {
            let fields = try #require(Fields(generator.line(at: 0)))
            let client = String(fields.client)
            #expect(
                client.hasPrefix("192.0.2.") || client.hasPrefix("198.51.100.") || client.hasPrefix("203.0.113.")
                    || client.hasPrefix("2001:db8:"), "\(client)")
        }
    }

    @Test func appendLinesWritesTheRequestedNumberOfNewlineTerminatedLines() {
        var generator = LogLineGenerator(seed: 5, format: .combined)
        var buffer: [UInt8] = []
        generator.appendLines(count: 37, at: 1_700_000_000, to: &buffer)
        #expect(buffer.filter { $0 == 0x0A }.count == 37)
        #expect(buffer.last == 0x0A)
        generator.appendLines(count: 0, at: 1_700_000_001, to: &buffer)
        #expect(buffer.filter { $0 == 0x0A }.count == 37)
    }
}
