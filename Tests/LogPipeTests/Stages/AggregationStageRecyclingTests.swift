import Testing

@testable import LogPipe

/// logagg builds each bucket record in the storage of the one it wrote before (`BucketRecord.reset`,
/// `BucketAggregator.recycle`, `KeyCountTable.top(_:replacing:)`): what it writes must be what a
/// fresh record of every bucket writes, whatever the previous bucket held.
@Suite("logagg's reused bucket records write what fresh ones write")
struct AggregationStageRecyclingTests {
    /// Configurations that change the lengths of the rankings and of `per_second`, and a table small
    /// enough to evict.
    static let configurations: [(interval: Int, top: Int, topClients: Int, lateness: Int, trackedKeys: Int)] = [
        (10, 10, 5, 0, 2048),
        (1, 3, 5, 0, 2048),
        (10, 1, 0, 5, 2048),
        (60, 1000, 1000, 0, 2048),
        (10, 4, 3, 2, 8),
    ]

    @Test("the stage's output equals each aggregator record encoded fresh", arguments: 0..<5)
    func stageMatchesFreshRecords(_ index: Int) {
        let setting = Self.configurations[index]
        var configuration = BucketAggregator.Configuration()
        configuration.interval = setting.interval
        configuration.topSections = setting.top
        configuration.topClients = setting.topClients
        configuration.allowedLateness = setting.lateness
        configuration.trackedKeys = setting.trackedKeys
        configuration.source = "web-1"
        var stage = AggregationStage(configuration: configuration)
        var reference = BucketAggregator(configuration: configuration)
        var stageBytes = JSONWriter()
        var referenceBytes = JSONWriter()
        var produced = AggregatorOutput()
        var random = SplitMix64(seed: UInt64(40 + index))
        // Names of every kind: short and long ASCII, needing escapes, non-ASCII, ill-formed.
        let names = [
            "/a", "/images", "/a-section-longer-than-fifteen", "/q\"\\", "/caf\u{E9}", "/\u{1F600}", "/x",
            "/fifteen-bytes-", "/sixteen-bytes-x", "",
        ]
        var time: Int64 = 1_700_000_000
        var number: Int64 = 0
        for _ in 0..<6_000 {
            number += 1
            let roll = random.next() % 100
            var line = JSONWriter()
            if roll < 3 {
                time += Int64(random.next() % 40)
                HeartbeatRecord(time: time).encode(into: &line)
                reference.advance(to: time, into: &produced)
            } else {
                // Mostly forward by a second or less; sometimes back (late lines), sometimes a pause.
                switch random.next() % 20 {
                case 0: time -= Int64(random.next() % 30)
                case 1: time += Int64(random.next() % 90)
                default: time += Int64(random.next() % 2)
                }
                let section =
                    random.next() % 4 == 0
                    ? names[Int(random.next() % UInt64(names.count))] : "/s\(random.next() % UInt64(3 + number % 40))"
                let client = "10.0.\(random.next() % 4).\(random.next() % UInt64(2 + number % 300))"
                let request = RequestRecord(
                    time: time, client: client, status: 100 + Int(random.next() % 550),
                    bytes: Int64(random.next() % 5_000), section: section)
                request.encode(into: &line)
                reference.observe(
                    RequestObservation(
                        time: request.time, status: request.status, bytes: request.bytes, section: request.section,
                        client: request.client),
                    into: &produced)
            }
            var bytes = line.bytes
            if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
            bytes.withUnsafeBufferPointer { stage.consume(line: $0, number: number, into: &stageBytes) { _, _ in } }
            for record in produced.records { record.encode(into: &referenceBytes) }
            produced.removeAll()
        }
        stage.finish(into: &stageBytes) { _, _ in }
        reference.finish(into: &produced)
        for record in produced.records { record.encode(into: &referenceBytes) }
        let written = String(decoding: stageBytes.bytes, as: UTF8.self).split(separator: "\n")
        let expected = String(decoding: referenceBytes.bytes, as: UTF8.self).split(separator: "\n")
        #expect(written.count > 100)
        #expect(written.count == expected.count)
        // The first line that differs, rather than every byte of both outputs.
        if let line = written.indices.first(where: { $0 < expected.count && written[$0] != expected[$0] }) {
            Issue.record("line \(line + 1) differs:\n\(written[line])\n\(expected[line])")
        }
    }

    @Test("a reset record equals a new one, whatever it held and whatever its span")
    func resetEqualsInit() {
        var record = BucketRecord(start: 0, end: 60)
        record.source = "web-1"
        record.hits = 3
        record.perSecond[5] = 3
        record.sections = [RankedCount(name: "/a", hits: 2), RankedCount(name: "/a-long-section-name", hits: 1)]
        record.distinctSections = 2
        record.statusClasses.count(status: 200, hits: 3)
        record.statusClasses.count(status: 999)
        record.bytes = 10
        record.clients = [RankedCount(name: "10.0.0.1", hits: 3)]
        record.distinctClients = 1
        record.invalid = 1
        record.late = 2
        record.lateSeconds = [SecondCount(at: -5, hits: 2)]
        record.dropped = 1
        record.excluded[.path] = 4
        record.observedEnd = 30
        record.sources = [SourceShare(source: "web-1", hits: 3, state: .live)]
        var same = record
        same.reset(start: 60, end: 120)
        #expect(same == BucketRecord(start: 60, end: 120))
        var shorter = record
        shorter.reset(start: 10, end: 20)
        #expect(shorter == BucketRecord(start: 10, end: 20))
        // The original, sharing storage with both, is untouched.
        #expect(record.perSecond[5] == 3 && record.sections.count == 2 && record.statusClasses[2] == 3)
    }

    @Test("a ranking replaced in place equals the table's top, whatever it held before")
    func rankingReplacedInPlace() {
        var random = SplitMix64(seed: 9)
        for _ in 0..<300 {
            let table = KeyCountTable(capacity: 1 + Int(random.next() % 40))
            for _ in 0..<Int(random.next() % 200) {
                var key = Array("/k\(random.next() % 60)".utf8)
                if random.next() % 5 == 0 { key += Array("-and-a-longer-tail".utf8) }
                if random.next() % 9 == 0 { key += [0xC3, 0xA9] }
                if random.next() % 13 == 0 { key += [0xFF] }
                key.withUnsafeBufferPointer { table.add($0, amount: 1 + Int(random.next() % 3)) }
            }
            let limit = Int(random.next() % 50)
            let expected = table.top(limit).map { RankedCount(name: $0.key, hits: $0.count) }
            var ranking = (0..<Int(random.next() % 60)).map {
                RankedCount(name: $0 % 2 == 0 ? "/k\($0)" : "old-\($0)-with-a-long-name", hits: $0)
            }
            let before = ranking
            var shared = ranking
            table.top(limit, replacing: &ranking)
            #expect(ranking == expected)
            #expect(shared == before)
            table.top(limit, replacing: &shared)
            #expect(shared == expected)
        }
    }
}

/// `KeyCountTable` orders its heap only when it needs it (a first eviction, or a full log of adds),
/// replaying the adds: the heap, and so every eviction, must be the one ordering on every add makes.
@Suite("Space-Saving's deferred heap")
struct DeferredHeapTests {
    @Test("replaying the logged adds gives the heap, counts and evictions of ordering on every add")
    func deferredEqualsEager() {
        var random = SplitMix64(seed: 77)
        for round in 0..<400 {
            let capacity = 1 + Int(random.next() % 40)
            var deferred = KeyCountTable(capacity: capacity)
            let eager = KeyCountTable(capacity: capacity)
            eager.orderHeap()
            let alphabet = 2 + random.next() % 150
            // Some rounds pass the log's 1,024 adds before the table fills.
            let adds = round % 10 == 0 ? 1_500 + Int(random.next() % 1_500) : Int(random.next() % 400)
            for step in 0..<adds {
                // Half-way, a copy (as a counter copied on write makes) carries on with the log.
                if step == adds / 2 { deferred = deferred.copy() }
                // Skewed: low keys far more often, so counts differ and ties break both ways.
                let key = Array("/k\(random.next() % (1 + random.next() % alphabet))".utf8)
                let amount = random.next() % 4 == 0 ? 1 + Int(random.next() % 5) : 1
                key.withUnsafeBufferPointer {
                    deferred.add($0, amount: amount)
                    eager.add($0, amount: amount)
                }
                if step % 97 == 0 || step == adds - 1 {
                    #expect(deferred.top(capacity) == eager.top(capacity), "round \(round) step \(step)")
                }
            }
            deferred.orderHeap()
            let heap = (0..<deferred.count).map { deferred.heap[$0] }
            #expect(heap == (0..<eager.count).map { eager.heap[$0] }, "round \(round)")
            #expect(deferred.hasEvicted == eager.hasEvicted && deferred.distinctCount == eager.distinctCount)
        }
    }
}
