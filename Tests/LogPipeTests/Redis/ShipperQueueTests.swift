import Testing

@testable import LogPipe

@Suite("Shipper queue: buffering, pipelining, retries, resume")
struct ShipperQueueTests {
    static func bucket(_ start: Int64) -> ShipperQueue.Record {
        let line = Array(#"{"type":"bucket","v":2,"start":\#(start),"end":\#(start + 10),"hits":1}"#.utf8)
        return line.withUnsafeBufferPointer { ShipperQueue.Record(line: $0)! }
    }

    static func other(_ number: Int) -> ShipperQueue.Record {
        let line = Array(#"{"type":"window","v":2,"at":\#(number)}"#.utf8)
        return line.withUnsafeBufferPointer { ShipperQueue.Record(line: $0)! }
    }

    static let transient = RedisServerError(reply: "LOADING Redis is loading the dataset in memory")

    @Test func readsTheTimelineStartOfBucketsAndGapsOnly() {
        #expect(Self.bucket(30).timelineStart == 30)
        #expect(Self.other(30).timelineStart == nil)
        let gap = Array(#"{"type":"gap","v":2,"start":100,"end":7300}"#.utf8)
        #expect(gap.withUnsafeBufferPointer { ShipperQueue.Record(line: $0)?.timelineStart } == 100)
        for bad in ["", "[]", "{\"v\":2}", "{\"type\":3}", "{\"type\":\"x\"} trailing", "not json"] {
            let bytes = Array(bad.utf8)
            #expect(bytes.withUnsafeBufferPointer { ShipperQueue.Record(line: $0) } == nil, "\(bad)")
        }
    }

    @Test func sendsNothingBeforeItKnowsWhereTheStreamStands() {
        var queue = ShipperQueue(capacity: 10)
        #expect(queue.offer(Self.bucket(0)) == .queued)
        #expect(queue.takeForSending().isEmpty)
        queue.resume(lastShippedStart: nil)
        #expect(queue.takeForSending().map(\.timelineStart) == [0])
    }

    @Test func pipelinesUpToTheLimitAndDeliversInOrder() {
        var queue = ShipperQueue(capacity: 100, maximumInFlight: 3)
        queue.resume(lastShippedStart: nil)
        for start in stride(from: Int64(0), to: 50, by: 10) { _ = queue.offer(Self.bucket(start)) }
        #expect(queue.takeForSending().map(\.timelineStart) == [0, 10, 20])
        #expect(queue.takeForSending().isEmpty)
        #expect(queue.settle(error: nil) == .delivered)
        #expect(queue.takeForSending().map(\.timelineStart) == [30])
        for _ in 0..<3 { #expect(queue.settle(error: nil) == .delivered) }
        #expect(queue.takeForSending().map(\.timelineStart) == [40])
        #expect(queue.settle(error: nil) == .delivered)
        #expect(queue.isEmpty)
        #expect(queue.delivered == 5)
    }

    @Test func dropsNewRecordsWhenFullAndCountsThem() {
        var queue = ShipperQueue(capacity: 3)
        var outcomes: [ShipperQueue.Offer] = []
        for number in 0..<6 { outcomes.append(queue.offer(Self.other(number))) }
        #expect(
            outcomes == [
                .queued, .queued, .queued, .dropped(first: true), .dropped(first: false), .dropped(first: false),
            ])
        #expect(queue.dropped == 3)
        #expect(queue.takeDropReport() == 3)
        #expect(queue.takeDropReport() == 0)
        // What was buffered is what was first offered, in order.
        queue.resume(lastShippedStart: nil)
        #expect(queue.takeForSending().map(\.line) == (0..<3).map { Self.other($0).line })
        #expect(queue.offer(Self.other(9)) == .dropped(first: true))
    }

    @Test func aLostConnectionSendsEveryUnansweredRecordAgain() {
        var queue = ShipperQueue(capacity: 10, maximumInFlight: 10)
        queue.resume(lastShippedStart: nil)
        for start in stride(from: Int64(0), to: 40, by: 10) { _ = queue.offer(Self.bucket(start)) }
        _ = queue.takeForSending()
        #expect(queue.settle(error: nil) == .delivered)
        #expect(queue.connectionLost() == 3)
        #expect(queue.inFlight == 0)
        #expect(queue.count == 3)
        #expect(queue.takeForSending().map(\.timelineStart) == [10, 20, 30])
    }

    @Test func aTransientErrorHoldsTheRecordAndSendsItFirstOnceTheRepliesBeforeItAreIn() {
        var queue = ShipperQueue(capacity: 10, maximumInFlight: 3)
        queue.resume(lastShippedStart: nil)
        for start in stride(from: Int64(0), to: 50, by: 10) { _ = queue.offer(Self.bucket(start)) }
        _ = queue.takeForSending()  // 0, 10, 20
        #expect(queue.settle(error: nil) == .delivered)
        #expect(queue.settle(error: Self.transient) == .retryLater(Self.transient))  // 10 held
        #expect(queue.takeForSending().isEmpty)  // 20 still unanswered: nothing may overtake 10
        #expect(queue.settle(error: nil) == .delivered)  // 20
        #expect(queue.takeForSending().map(\.timelineStart) == [10, 30, 40])
        #expect(queue.count == 3)
    }

    @Test func aFatalErrorStopsWithTheRecordStillBuffered() {
        var queue = ShipperQueue(capacity: 10)
        queue.resume(lastShippedStart: nil)
        _ = queue.offer(Self.bucket(0))
        _ = queue.takeForSending()
        let wrongType = RedisServerError(reply: "WRONGTYPE Operation against a key holding the wrong kind of value")
        #expect(queue.settle(error: wrongType) == .fatal(wrongType))
        #expect(queue.count == 1)
    }

    @Test func aRestartedShipperSkipsBucketsNotNewerThanTheStreamsLast() {
        var queue = ShipperQueue(capacity: 100)
        // Read before Redis answered: judged when the stream's state is known.
        for start in stride(from: Int64(0), to: 40, by: 10) { _ = queue.offer(Self.bucket(start)) }
        _ = queue.offer(Self.other(1))
        queue.resume(lastShippedStart: 20)
        #expect(queue.skipped == 3)
        // Read after: judged at once.
        #expect(queue.offer(Self.bucket(30)) == .skipped)
        #expect(queue.offer(Self.bucket(40)) == .queued)
        #expect(queue.offer(Self.other(2)) == .queued)
        #expect(queue.takeForSending().map(\.timelineStart) == [30, nil, 40, nil])
        #expect(queue.lastTimelineStart == 40)
    }
}

@Suite("Stream entries and what logrecv writes of them")
struct StreamEntryTests {
    static func entry(_ id: String, source: String?, record: String?) -> StreamEntry {
        StreamEntry(id: StreamID(id)!, source: source.map { Array($0.utf8) }, record: record.map { Array($0.utf8) })
    }

    static func bulk(_ text: String) -> RESPValue { .bulkString(Array(text.utf8)) }

    @Test func readsRangeAndReadReplies() throws {
        let fields = RESPValue.array([Self.bulk("source"), Self.bulk("w1"), Self.bulk("record"), Self.bulk("{}")])
        let range = RESPValue.array([.array([Self.bulk("5-1"), fields]), .array([Self.bulk("6-0"), .array([])])])
        let entries = try StreamEntry.entries(ofRange: range)
        #expect(
            entries == [Self.entry("5-1", source: "w1", record: "{}"), Self.entry("6-0", source: nil, record: nil)])
        #expect(try StreamEntry.entries(ofRead: .array([.array([Self.bulk("key"), range])])) == entries)
        #expect(try StreamEntry.entries(ofRead: .array(nil)).isEmpty)
        #expect(throws: RESPProtocolError.self) { try StreamEntry.entries(ofRange: .integer(3)) }
        #expect(throws: RESPProtocolError.self) {
            try StreamEntry.entries(ofRange: .array([.array([Self.bulk("x-y"), fields])]))
        }
        #expect(throws: RESPProtocolError.self) {
            try StreamEntry.entries(ofRange: .array([.array([Self.bulk("1-0"), .array([Self.bulk("source")])])]))
        }
    }

    @Test func findsTheTimelineStartOfItsOwnSourceOnly() {
        let bucket = #"{"type":"bucket","v":2,"start":1700000000,"end":1700000010}"#
        #expect(Self.entry("1-0", source: "w1", record: bucket).timelineStart(ofSource: "w1") == 1_700_000_000)
        #expect(Self.entry("1-0", source: "w2", record: bucket).timelineStart(ofSource: "w1") == nil)
        #expect(
            Self.entry("1-0", source: "w1", record: #"{"type":"window","v":2,"at":5}"#).timelineStart(ofSource: "w1")
                == nil)
    }

    static let bucketWithout = #"{"type":"bucket","v":2,"start":10,"end":20,"hits":1}"#
    static let bucketOfW2 = #"{"type":"bucket","v":2,"source":"w2","start":10,"end":20,"hits":1}"#

    func written(_ verdict: StreamRecordFilter.Verdict) -> String? {
        if case .write(let bytes) = verdict { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }

    @Test func insertsTheEntrysSourceIntoABucketThatHasNone() {
        var filter = StreamRecordFilter(options: .init())
        let line = written(filter.judge(Self.entry("1-0", source: "web\"1", record: Self.bucketWithout)))
        #expect(line == #"{"type":"bucket","v":2,"source":"web\"1","start":10,"end":20,"hits":1}"#)
        let gap = written(
            filter.judge(Self.entry("2-0", source: "w1", record: #"{"type":"gap","v":2,"start":0,"end":7200}"#)))
        #expect(gap == #"{"type":"gap","v":2,"source":"w1","start":0,"end":7200}"#)
    }

    @Test func rejectsABucketClaimingAnotherSourceUnlessTrusted() {
        var strict = StreamRecordFilter(options: .init())
        guard case .reject(let reason) = strict.judge(Self.entry("1-0", source: "w1", record: Self.bucketOfW2)) else {
            Issue.record("a forged source was accepted")
            return
        }
        #expect(reason.contains("forgery") && reason.contains("w2") && reason.contains("w1"))
        #expect(strict.rejected == 1)
        #expect(written(strict.judge(Self.entry("2-0", source: "w2", record: Self.bucketOfW2))) == Self.bucketOfW2)
        var trusting = StreamRecordFilter(options: .init(trustRecordSource: true))
        #expect(written(trusting.judge(Self.entry("1-0", source: "w1", record: Self.bucketOfW2))) == Self.bucketOfW2)
    }

    @Test func aStreamBoundToOneSourceRejectsEntriesOfAnother() {
        var filter = StreamRecordFilter(options: .init(boundSource: "w1"))
        #expect(
            written(filter.judge(Self.entry("1-0", source: nil, record: Self.bucketWithout)))?.contains(
                #""source":"w1""#) == true)
        #expect(written(filter.judge(Self.entry("2-0", source: "w1", record: Self.bucketWithout))) != nil)
        if case .reject(let reason) = filter.judge(Self.entry("3-0", source: "w2", record: Self.bucketWithout)) {
            #expect(reason.contains("bound"))
        } else {
            Issue.record("an entry of another source was accepted into a bound stream")
        }
    }

    @Test(arguments: [
        ("{\"type\":\"bucket\",\n\"v\":2}", "more than one line"),
        ("not json", "not a JSON object"),
        ("{\"v\":2}", "not a JSON object"),
        ("{\"type\":\"bucket\",\"v\":2,\"source\":7,\"start\":1}", "not a string"),
    ])
    func rejectsRecordsThatAreNotOneObjectOnOneLine(record: String, reason: String) {
        var filter = StreamRecordFilter(options: .init())
        guard case .reject(let text) = filter.judge(Self.entry("1-0", source: "w1", record: record)) else {
            Issue.record("accepted \(record)")
            return
        }
        #expect(text.contains(reason), "\(text)")
    }

    @Test func rejectsMissingRecordsBadSourcesAndInvalidUTF8() {
        var filter = StreamRecordFilter(options: .init(maximumRecordLength: 100))
        let cases: [StreamEntry] = [
            Self.entry("1-0", source: "w1", record: nil),
            Self.entry("2-0", source: "", record: Self.bucketWithout),
            Self.entry("3-0", source: "a\u{1B}b", record: Self.bucketWithout),
            StreamEntry(
                id: .zero, source: Array("w1".utf8),
                record: Array("{\"type\":\"x\",\"k\":\"".utf8) + [0xFF] + Array("\"}".utf8)),
            Self.entry(
                "4-0", source: "w1", record: "{\"type\":\"x\",\"pad\":\"" + String(repeating: "p", count: 200) + "\"}"),
            Self.entry("5-0", source: nil, record: Self.bucketWithout),
        ]
        for entry in cases {
            guard case .reject = filter.judge(entry) else {
                Issue.record("accepted entry \(entry.id)")
                continue
            }
        }
        #expect(filter.rejected == Int64(cases.count))
    }

    @Test func passesOtherRecordTypesUnchangedWhateverTheirSource() {
        var filter = StreamRecordFilter(options: .init())
        let request =
            #"{"type":"request","v":2,"time":1,"source":"access.log","client":"c","status":200,"bytes":0,"section":"/"}"#
        #expect(written(filter.judge(Self.entry("1-0", source: "w1", record: request))) == request)
        #expect(written(filter.judge(Self.entry("2-0", source: nil, record: request))) == request)
    }

    @Test func dedupeLeavesOutBucketsNotNewerThanTheLastOfTheirSource() {
        var filter = StreamRecordFilter(options: .init(dedupe: true))
        let sequence: [(String, Int64)] = [
            ("w1", 10), ("w2", 10), ("w1", 20), ("w1", 20), ("w2", 10), ("w1", 10), ("w1", 30),
        ]
        var kept: [String] = []
        for (index, (source, start)) in sequence.enumerated() {
            let record = #"{"type":"bucket","v":2,"start":\#(start),"end":\#(start + 10)}"#
            if case .write = filter.judge(Self.entry("\(index + 1)-0", source: source, record: record)) {
                kept.append("\(source)@\(start)")
            }
        }
        #expect(kept == ["w1@10", "w2@10", "w1@20", "w1@30"])
        #expect(filter.duplicates == 3)
        var keeping = StreamRecordFilter(options: .init())
        let twice = Self.entry("1-0", source: "w1", record: Self.bucketWithout)
        _ = keeping.judge(twice)
        #expect(written(keeping.judge(twice)) != nil)
    }
}
