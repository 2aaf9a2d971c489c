import Foundation
import Testing

@testable import LogPipe

/// The real logs in `../shared/corpus` (next to the package), described in its SOURCES.md. They are
/// read in place, never copied into the project; the tests are skipped, with a note, without them.
enum Corpus {
    static let directory: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // Parsing, LogPipeTests, Tests, the package
        return url.appendingPathComponent("../shared/corpus").standardizedFileURL.path
    }()

    static let isAvailable: Bool = {
        let present = FileManager.default.fileExists(atPath: directory + "/SOURCES.md")
        if !present { print("note: \(directory) is absent: the corpus tests are skipped") }
        return present
    }()

    static func contents(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
    }

    /// Splits like logtail does: on `\n`, a trailing `\r` removed, a final unterminated line kept.
    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines.map { $0.last == 0x0D ? $0.dropLast() : $0 }
    }
}

/// What a whole file gave.
struct CorpusTally {
    var lines = 0
    var requests = 0
    var malformed = 0
    var skipped = 0
    var invalid: [String: Int] = [:]
    var statuses: [Int: Int] = [:]
    var firstTime = Int64.max
    var lastTime = Int64.min
    var records: [RequestRecord] = []

    init(file: String, format: LogFormat = .auto) throws {
        var parser = AccessLogParser(format: format)
        for line in Corpus.lines(try Corpus.contents(file)) {
            lines += 1
            Array(line).withUnsafeBufferPointer { bytes in
                switch parser.parse(bytes) {
                case .request(let request):
                    requests += 1
                    if request.malformedRequest { malformed += 1 }
                    statuses[request.status, default: 0] += 1
                    firstTime = min(firstTime, request.time)
                    lastTime = max(lastTime, request.time)
                    records.append(request.record(source: nil, fields: .all))
                case .skipped: skipped += 1
                case .invalid(let reason, _): invalid[reason, default: 0] += 1
                }
            }
        }
    }
}

@Suite("Real access logs", .enabled(if: Corpus.isAvailable, "../shared/corpus is absent"))
struct CorpusTests {
    static let files = [
        "apache_combined_elastic_semicomplete_2015-05_10k.log",
        "nasa_ksc_clf_1995-08-01_first20k.log",
        "nginx_combined_http2_flood_2023-07-18.log",
        "nginx_combined_xff_zanbil_2019-01-22_1k.log",
        "nginx_custom_imooc_2016-11-10_10k_highrate.log",
        "iis85_w3c_lnav_2015-01-13.log",
    ]

    @Test("every line encodes identically both ways and decodes back", arguments: files)
    func everyLineEncodesIdenticallyBothWays(_ file: String) throws {
        var parser = AccessLogParser()
        var checked = 0
        for line in Corpus.lines(try Corpus.contents(file)) {
            try Array(line).withUnsafeBufferPointer { bytes in
                for fields in [RequestFields(), .all] {
                    var probe = parser
                    guard let both = encodeBothWays(bytes, with: &probe, source: file, fields: fields)
                    else { continue }
                    #expect(both.direct == both.viaRecord)
                    guard case .request(let decoded) = try WireRecord.decode(Array(both.direct.dropLast())) else {
                        Issue.record("not a request record")
                        continue
                    }
                    #expect(decoded.source == (fields.contains(.source) ? file : nil))
                    checked += 1
                }
                _ = parser.parse(bytes)
            }
        }
        #expect(checked > 0)
    }

    @Test func elasticApacheCombined() throws {
        let tally = try CorpusTally(file: Self.files[0])
        #expect(tally.lines == 10_000)
        #expect(tally.requests == 10_000)
        #expect(tally.invalid.isEmpty && tally.skipped == 0 && tally.malformed == 0)
        // SOURCES.md lists six statuses (9,996 lines); the other four lines are 403 and 416, twice each.
        #expect(tally.statuses == [200: 9126, 304: 445, 404: 213, 301: 164, 206: 45, 500: 3, 403: 2, 416: 2])
        #expect(tally.firstTime == 1_431_857_100)  // 2015-05-17 10:05:00 UTC
        #expect(tally.lastTime == 1_432_155_959)  // 2015-05-20 21:05:59 UTC
        // Line 8,899 lost the end of its user agent; its request is complete, so it counts.
        let cut = tally.records[8898]
        #expect(cut.path == "/scripts/grok-py-test/configlib.py" && cut.status == 200)
        #expect(cut.userAgent == "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html")
        // The cp1251 referers escaped as \xHH decode to bytes that are not UTF-8.
        #expect(tally.records.filter { $0.referer?.contains("\u{FFFD}") == true }.count == 3)
    }

    @Test func nasaCommonLogFormat() throws {
        let tally = try CorpusTally(file: Self.files[1])
        #expect(tally.lines == 20_000)
        #expect(tally.requests == 20_000)
        #expect(tally.invalid.isEmpty && tally.skipped == 0 && tally.malformed == 0)
        #expect(tally.statuses == [200: 18083, 304: 1485, 302: 244, 404: 187, 403: 1])
        #expect(tally.firstTime == 807_249_601)  // 1995-08-01 04:00:01 UTC
        #expect(tally.lastTime == 807_289_169)  // 1995-08-01 14:59:29 UTC
        // The 49 lines strict CLF rejects: requests without protocol, HTTP/V1.0, extra spaces.
        #expect(tally.records.contains { $0.protocol == "" })
        #expect(tally.records.contains { $0.protocol == "HTTP/V1.0" })
        #expect(tally.records.allSatisfy { $0.path?.hasSuffix(" ") == false })
    }

    @Test func nginxHTTP2Flood() throws {
        let tally = try CorpusTally(file: Self.files[2])
        #expect(tally.lines == 858)  // the last line has no newline and still counts
        #expect(tally.requests == 858)
        #expect(tally.invalid.isEmpty && tally.skipped == 0)
        #expect(tally.statuses == [499: 858])
        #expect(
            tally.records.allSatisfy {
                $0.method == "GET" && $0.path == "/" && $0.protocol == "HTTP/2.0" && $0.section == "/"
            })
        #expect(tally.firstTime == 1_689_687_856 && tally.lastTime == 1_689_687_859)
        let perClient = Dictionary(grouping: tally.records, by: \.client).mapValues(\.count).values.sorted(by: >)
        #expect(perClient.prefix(3) == [655, 102, 99])
    }

    @Test func nginxCombinedWithForwardedFor() throws {
        let tally = try CorpusTally(file: Self.files[3])
        #expect(tally.lines == 1_000)
        #expect(tally.requests == 1_000)
        #expect(tally.invalid.isEmpty && tally.skipped == 0 && tally.malformed == 0)
        #expect(tally.firstTime == 1_548_116_774)  // 2019-01-22 00:26:14 UTC, from +0330
        #expect(tally.lastTime == 1_548_116_951)
        // The trailing "$http_x_forwarded_for" is ignored; five lines have no user agent.
        #expect(tally.records.filter { $0.userAgent == nil }.count == 5)
    }

    @Test func nginxCustomFormatWithACommonPrefix() throws {
        let tally = try CorpusTally(file: Self.files[4])
        #expect(tally.lines == 10_000)
        #expect(tally.requests == 10_000)
        #expect(tally.invalid.isEmpty && tally.skipped == 0 && tally.malformed == 0)
        #expect(tally.statuses[101] == 298)
        #expect(tally.firstTime == 1_478_707_262)  // 2016-11-09 16:01:02 UTC
        #expect(tally.lastTime == 1_478_707_313)  // 2016-11-09 16:01:53 UTC
    }

    @Test func iisW3CExtended() throws {
        let tally = try CorpusTally(file: Self.files[5])
        #expect(tally.lines == 254)
        #expect(tally.requests == 210)
        #expect(tally.skipped == 44)  // 11 blocks of #Software, #Version, #Date, #Fields
        #expect(tally.invalid.isEmpty && tally.malformed == 0)
        // SOURCES.md's "202 of 210" are the 404s: robots.txt and a scan of /cms/, /bbs/, /shop/ …
        #expect(tally.statuses == [404: 202, 200: 8])
        #expect(tally.records.filter { $0.path == "/robots.txt" }.count == 13)
        #expect(tally.records.allSatisfy { $0.userAgent.map { !$0.contains("+") } ?? true })
        #expect(tally.firstTime == 1_421_109_137)  // 2015-01-13 00:32:17 UTC
        #expect(tally.lastTime == 1_421_190_941)  // 2015-01-13 23:15:41 UTC
    }

    @Test func iisFileReadAsForcedW3C() throws {
        let tally = try CorpusTally(file: Self.files[5], format: .w3c)
        #expect(tally.requests == 210 && tally.skipped == 44 && tally.invalid.isEmpty)
    }
}
