import Foundation
import Testing

/// The corpus in `../shared/corpus`, beside the package; absent in a user's clone.
private enum SharedCorpus {
    static let directory: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // IntegrationTests, Tests, the package
        return url.appendingPathComponent("../shared/corpus").standardizedFileURL.path
    }()

    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        if names.isEmpty { print("note: \(directory) is absent: the corpus conservation tests are skipped") }
        return names.filter { $0.hasSuffix(".log") }.sorted()
    }()
}

/// Sums of the members of every `bucket` record in an NDJSON text.
private struct BucketSums {
    var hits = 0
    var late = 0
    var dropped = 0
    var invalid = 0
    /// Every `excluded` count, all reasons together.
    var excluded = 0
    var buckets = 0
    var gaps = 0
    /// Each bucket's and gap's start, and each bucket's requests of every kind (hits, late, dropped
    /// and excluded), in order: what a filter must not change.
    var timeline: [String] = []

    init(_ text: String) throws {
        for line in text.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            switch object["type"] as? String {
            case "bucket":
                buckets += 1
                hits += object["hits"] as? Int ?? -1_000_000
                late += object["late"] as? Int ?? -1_000_000
                dropped += object["dropped"] as? Int ?? -1_000_000
                invalid += object["invalid"] as? Int ?? -1_000_000
                let excludedHere = (object["excluded"] as? [String: Int] ?? [:]).values.reduce(0, +)
                excluded += excludedHere
                let requests =
                    (object["hits"] as? Int ?? 0) + (object["late"] as? Int ?? 0) + (object["dropped"] as? Int ?? 0)
                timeline.append("bucket \(object["start"] as? Int ?? 0) \(requests + excludedHere)")
            case "gap":
                gaps += 1
                timeline.append("gap \(object["start"] as? Int ?? 0) \(object["end"] as? Int ?? 0)")
            default: break
            }
        }
    }
}

@Suite("Conservation on every corpus log: every line and every request is counted exactly once")
struct CorpusConservationTests {
    /// Crawlers, favicons and private addresses: filters that find something in most corpus logs.
    static let filters =
        "--exclude-agent bots --exclude-path /favicon.ico --exclude-client 10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,::1"

    /// lines = requests + invalid + skipped (+ excluded with filters: logtail's summary, checked against
    /// the file's line count); hits + late + dropped = requests, the buckets' invalid = logtail's invalid
    /// and their excluded = logtail's excluded (logagg); nothing is dropped, since every corpus log but
    /// the shuffled Elastic sample is in time order and the Elastic sample spans less than the late
    /// horizon. With filters, the same lines give the same buckets and gaps, each with as many requests
    /// (excluded ones included) as without.
    @Test(arguments: SharedCorpus.files)
    func everyLineIsCountedOnceFromLogtailThroughLogagg(file: String) throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = SharedCorpus.directory + "/" + file
        let fileLines = try String(contentsOfFile: path, encoding: .isoLatin1).split(
            separator: "\n", omittingEmptySubsequences: false)
        var unfiltered: (summary: TailSummary, sums: BucketSums)?
        for filters in ["", Self.filters] {
            let outcome = try PipelineTools.shell(
                "logtail --once \(filters) '\(path)' 2> tail.err | logagg > buckets.ndjson 2> agg.err; cat tail.err",
                in: directory)
            #expect(outcome.status == 0)
            let summary = TailSummary(outcome.standardOutput)
            try #require(summary.files == 1, "logtail's summary: \(outcome.standardOutput)")
            #expect(
                summary.lines == fileLines.count - (fileLines.last?.isEmpty == true ? 1 : 0),
                "every line of the file is read")
            #expect(summary.lines == summary.requests + summary.skipped + summary.invalid + summary.excluded)
            let sums = try BucketSums(String(contentsOfFile: directory + "/buckets.ndjson", encoding: .utf8))
            #expect(sums.hits + sums.late + sums.dropped == summary.requests)
            #expect(sums.invalid == summary.invalid)
            #expect(sums.excluded == summary.excluded)
            #expect(sums.dropped == 0)
            if let (before, beforeSums) = unfiltered {
                #expect(before.excluded == 0)
                #expect(summary.requests + summary.excluded == before.requests, "\(filters)")
                #expect(sums.timeline == beforeSums.timeline, "filters change what is counted, not when")
                print("note: \(file) with filters: \(summary.excluded) of \(before.requests) requests excluded")
            } else {
                unfiltered = (summary, sums)
            }
        }
    }
}
