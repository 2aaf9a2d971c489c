import LogPipeTestSupport
import Testing

@testable import LogPipe

/// Several sources at the wire's limits: the merge saturates instead of writing counts a reader
/// rejects, keeps every sum the reader checks consistent, and says so once.
@Suite("Bucket merger: saturation at the wire's limits")
struct MergeSaturationTests {
    private static let limit = Int(WireLimits.maximumCount)

    /// A source's bucket at every limit: 10^12 hits (spread unevenly over the seconds), 10^12 of each
    /// other count, `Int64.max` bytes.
    private static func bucketAtTheLimits(_ source: String, start: Int64) -> BucketRecord {
        var bucket = BucketRecord(start: start, end: start + 10)
        bucket.source = source
        bucket.perSecond = [400_000_000_000, 0, 100_000_000_000, 0, 0, 0, 0, 0, 0, 500_000_000_000]
        bucket.hits = limit
        bucket.statusClasses.count(status: 200, hits: 700_000_000_000)
        bucket.statusClasses.count(status: 503, hits: 300_000_000_000)
        bucket.sections = [RankedCount(name: "/api", hits: limit)]
        bucket.clients = [RankedCount(name: "10.0.0.1", hits: limit)]
        bucket.distinctSections = limit
        bucket.distinctClients = limit
        bucket.bytes = .max
        bucket.late = limit
        bucket.lateSeconds = [
            SecondCount(at: start - 2, hits: 600_000_000_000), SecondCount(at: start - 1, hits: 400_000_000_000),
        ]
        bucket.dropped = limit
        bucket.invalid = limit
        for reason in ExclusionReason.allCases { bucket.excluded[reason] = limit }
        return bucket
    }

    private static func line(_ bucket: BucketRecord) -> [UInt8] {
        var writer = JSONWriter()
        bucket.encode(into: &writer)
        return Array(writer.bytes.dropLast())
    }

    @Test func countsAtTheLimitsFromSeveralSourcesMergeIntoBucketsLogalertAccepts() throws {
        let names = ["a", "b", "c"]
        var configuration = BucketMerger.Configuration()
        configuration.expectedSources = names
        var merge = MergeStage(configuration: configuration)
        var merged = JSONWriter()
        var warnings: [(String, String)] = []
        var number: Int64 = 0
        for start in [Int64(1_700_000_000), 1_700_000_010] {
            for name in names {
                number += 1
                Self.line(Self.bucketAtTheLimits(name, start: start)).withUnsafeBufferPointer { bytes in
                    merge.consume(
                        line: bytes, number: number, lane: 0, laneName: "-", now: 0, into: &merged,
                        warn: { warnings.append(($0, $1)) })
                }
            }
        }
        merge.finish(into: &merged) { warnings.append(($0, $1)) }
        #expect(merge.rejectedLines == 0)
        // One notice, for the first interval, though both saturated.
        let saturation = warnings.filter { $0.0 == "saturated" }
        #expect(saturation.count == 1, "\(warnings)")
        #expect(saturation.first?.1.contains("1700000000") == true)

        // logalert's core reads every merged line without a rejection.
        var alert = AlertStage(configuration: AlertRule.Configuration(), offsetAt: { _ in 0 })
        var forwarded = JSONWriter()
        var alertWarnings: [String] = []
        let lines = merged.bytes.split(separator: UInt8(ascii: "\n"))
        #expect(lines.count == 2)
        for (index, line) in lines.enumerated() {
            Array(line).withUnsafeBufferPointer { bytes in
                alert.consume(line: bytes, number: Int64(index + 1), into: &forwarded) { alertWarnings.append($1) }
            }
            // The decoder every reader uses accepts it, so its checks hold: checked again here.
            let record = try Array(line).withUnsafeBufferPointer { try WireRecord.decode($0) }
            guard case .bucket(let bucket) = record else {
                Issue.record("not a bucket: \(record)")
                continue
            }
            #expect(bucket.hits == Self.limit)
            #expect(bucket.perSecond.reduce(0, +) == bucket.hits)
            // The shape in time is kept: 40 %, 10 %, 50 %.
            #expect(bucket.perSecond[0] == 400_000_000_000 && bucket.perSecond[9] == 500_000_000_000)
            #expect(bucket.statusClasses.total == bucket.hits)
            #expect(bucket.statusClasses[2] == 700_000_000_000 && bucket.statusClasses[5] == 300_000_000_000)
            #expect(bucket.late == Self.limit)
            #expect(bucket.lateSeconds.map(\.hits).reduce(0, +) == bucket.late)
            #expect(bucket.bytes == .max)
            #expect(bucket.dropped == Self.limit && bucket.invalid == Self.limit)
            #expect(ExclusionReason.allCases.allSatisfy { bucket.excluded[$0] == Self.limit })
            #expect(bucket.sections.first?.hits == Self.limit)
            #expect(bucket.sources?.map(\.hits) == [Self.limit, Self.limit, Self.limit])
        }
        #expect(alert.rejectedLines == 0, "\(alertWarnings)")
        #expect(alert.totals.buckets == 2)
        #expect(alert.rule.isAlerting, "10^12 requests in 10 s is over any threshold")
    }

    @Test func proportionalReductionAddsUpExactlyAndLeavesSmallSumsAlone() {
        #expect(MergedInterval.scaledDown([3, 3, 3], to: 10) == [3, 3, 3])
        #expect(MergedInterval.scaledDown([1, 1, 1], to: 2) == [1, 1, 0])
        #expect(MergedInterval.scaledDown([Int.max, Int.max], to: 5) == [3, 2])
        var random = SplitMix64(seed: 15)
        for _ in 0..<500 {
            let counts = (0..<(1 + random.next(below: 12))).map { _ in
                random.next(below: 4) == 0 ? Int.max / 16 : random.next(below: 3_000_000_000_000)
            }
            let total = 1 + random.next(below: Self.limit)
            let scaled = MergedInterval.scaledDown(counts, to: total)
            let sum = counts.reduce(Int128(0)) { $0 + Int128($1) }
            #expect(scaled.reduce(Int128(0)) { $0 + Int128($1) } == min(sum, Int128(total)))
            #expect(zip(scaled, counts).allSatisfy { $0 <= $1 && $0 >= 0 })
        }
    }
}
