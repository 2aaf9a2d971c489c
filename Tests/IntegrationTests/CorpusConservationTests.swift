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
    var buckets = 0
    var gaps = 0

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
            case "gap": gaps += 1
            default: break
            }
        }
    }
}

@Suite("Conservation on every corpus log: every line and every request is counted exactly once")
struct CorpusConservationTests {
    /// lines = requests + invalid + skipped (logtail's summary, checked against the file's line count);
    /// hits + late + dropped = requests and the buckets' invalid = logtail's invalid (logagg); nothing
    /// is dropped, since every corpus log but the shuffled Elastic sample is in time order and the
    /// Elastic sample spans less than the late horizon.
    @Test(arguments: SharedCorpus.files)
    func everyLineIsCountedOnceFromLogtailThroughLogagg(file: String) throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = SharedCorpus.directory + "/" + file
        let outcome = try PipelineTools.shell(
            "logtail --once '\(path)' 2> tail.err | logagg > buckets.ndjson 2> agg.err; cat tail.err", in: directory)
        #expect(outcome.status == 0)
        let summary = outcome.standardOutput
        let numbers = summary.split { !$0.isNumber }.compactMap { Int($0) }
        // "logtail: FILE: N lines: R requests, S skipped, I invalid" (the file name may hold digits).
        let counted = Array(numbers.suffix(4))
        try #require(counted.count == 4, "logtail's summary: \(summary)")
        let (lines, requests, skipped, invalid) = (counted[0], counted[1], counted[2], counted[3])
        let fileLines = try String(contentsOfFile: path, encoding: .isoLatin1).split(
            separator: "\n", omittingEmptySubsequences: false)
        #expect(lines == fileLines.count - (fileLines.last?.isEmpty == true ? 1 : 0), "every line of the file is read")
        #expect(lines == requests + skipped + invalid)
        let sums = try BucketSums(String(contentsOfFile: directory + "/buckets.ndjson", encoding: .utf8))
        #expect(sums.hits + sums.late + sums.dropped == requests)
        #expect(sums.invalid == invalid)
        #expect(sums.dropped == 0)
    }
}
