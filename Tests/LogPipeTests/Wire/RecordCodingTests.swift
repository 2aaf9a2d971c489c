import Testing

@testable import LogPipe

private func encode(_ record: WireRecord) -> [UInt8] {
    var writer = JSONWriter()
    record.encode(into: &writer)
    return writer.bytes
}

private func decodeLine(_ bytes: [UInt8]) throws -> WireRecord {
    #expect(bytes.last == 0x0A)
    #expect(bytes.dropLast().contains(0x0A) == false)
    return try WireRecord.decode(Array(bytes.dropLast()))
}

@Suite("Wire records: every type round-trips through its encoding")
struct RecordCodingTests {
    static var sampleBucket: BucketRecord {
        var bucket = BucketRecord(start: 1_700_000_000, end: 1_700_000_010)
        bucket.hits = 7
        bucket.perSecond = [1, 0, 2, 0, 0, 0, 4, 0, 0, 0]
        bucket.sections = [RankedCount(name: "/api", hits: 5), RankedCount(name: "/x\"\u{1B}", hits: 2)]
        bucket.distinctSections = 2
        bucket.statusClasses.count(status: 200, hits: 6)
        bucket.statusClasses.count(status: 503)
        bucket.bytes = 12_345
        bucket.clients = [RankedCount(name: "2001:db8::1", hits: 7)]
        bucket.distinctClients = 1
        bucket.invalid = 3
        bucket.late = 2
        bucket.lateSeconds = [SecondCount(at: 1_699_999_990, hits: 2)]
        bucket.dropped = 1
        return bucket
    }

    static let samples: [WireRecord] = [
        .request(
            RequestRecord(
                time: 1_700_000_000, source: "access.log", client: "::1", user: "frank", method: "GET",
                path: "/a \"b\"\\c\n", protocol: "HTTP/1.1", status: 200, bytes: 2326, section: "/a")),
        .request(
            RequestRecord(
                time: 1, client: "h", method: "", path: "", protocol: "", status: 400, bytes: 0, section: "(invalid)",
                malformedRequest: true, referer: "-", userAgent: "curl/8")),
        .invalid(
            InvalidLineRecord(source: "a.log", line: 12, reason: "no timestamp", excerpt: "garbage\\x1b", time: nil)),
        .invalid(InvalidLineRecord(source: nil, line: 1, reason: "bad status", excerpt: "x", time: 99)),
        .heartbeat(HeartbeatRecord(time: 1_700_000_001)),
        .bucket(sampleBucket),
        .window(
            WindowRecord(at: 1_700_000_010, window: 120, hits: 1201, average: 10.008, threshold: 10, alerting: true)),
        .alert(
            AlertRecord(
                kind: .alert, at: 5, time: "1970-01-01T00:00:05+00:00", hits: 1201, average: 10.008, threshold: 10,
                window: 120, message: AlertMessage.alert(hits: 1201, time: "1970-01-01T00:00:05+00:00"))),
        .alert(
            AlertRecord(
                kind: .recovery, at: 9, time: "1970-01-01T00:00:09+00:00", hits: 3, average: 0.025, threshold: 10,
                window: 120, message: AlertMessage.recovery(hits: 3, time: "1970-01-01T00:00:09+00:00"))),
        .gap(GapRecord(start: 1_700_000_010, end: 1_700_086_410, source: "web1")),
        .notice(
            NoticeRecord(
                tool: "logtail", kind: "file", message: "a.log: does not exist", file: "a.log", fileState: .missing)),
        .excluded(ExcludedRecord(time: 1_700_000_002, reason: .path)),
        .excluded(ExcludedRecord(time: -62_167_219_200, reason: .vhost)),
        .bucket(sampleBucketWithExclusions),
        .history(
            HistoryRecord(
                entry: AlertRecord(
                    kind: .alert, at: 5, time: "1970-01-01T00:00:05+00:00", hits: 1201, average: 10.008,
                    threshold: 10, window: 120,
                    message: AlertMessage.alert(hits: 1201, time: "1970-01-01T00:00:05+00:00")),
                unresolved: true)),
    ]

    static var sampleBucketWithExclusions: BucketRecord {
        var bucket = sampleBucket
        bucket.excluded[.client] = 4
        bucket.excluded[.vhost] = 1_000_000_000_000
        bucket.observedEnd = 1_700_000_005
        return bucket
    }

    @Test func everyRecordTypeHasASample() {
        let sampled = Set(
            Self.samples.map { record -> String in
                var bytes = encode(record)
                bytes.removeLast()
                guard case .object(let members) = try? JSONParser.parse(bytes) else { return "" }
                return members.first { $0.key == "type" }?.value.stringValue ?? ""
            })
        let missing = WireProtocol.RecordType.allCases.map(\.rawValue).filter { !sampled.contains($0) }
        #expect(missing.isEmpty, "no sample of \(missing)")
    }

    @Test(arguments: samples)
    func roundTrips(record: WireRecord) throws {
        #expect(try decodeLine(encode(record)) == record)
    }

    @Test(arguments: samples)
    func carriesTypeAndVersionFirst(record: WireRecord) throws {
        let text = String(decoding: encode(record), as: UTF8.self)
        #expect(text.hasPrefix("{\"type\":\""))
        #expect(text.contains("\",\"v\":\(WireProtocol.version),"))
    }

    @Test func logaggsReadAgreesWithTheFullReadOnRequests() throws {
        for case .request(let record) in Self.samples {
            var bytes = encode(.request(record))
            bytes.removeLast()
            guard case .request(let observation) = try bucketingRead(bytes).get() else {
                Issue.record("not read as a request")
                continue
            }
            #expect(observation == RequestObservation(record))
        }
    }

    @Test func logaggsReadPassesOtherRecordsThrough() throws {
        var bytes = encode(.heartbeat(HeartbeatRecord(time: 5)))
        bytes.removeLast()
        let decoded = try bucketingRead(bytes).get()
        guard case .other(.heartbeat(let heartbeat)) = decoded else {
            Issue.record("expected a heartbeat")
            return
        }
        #expect(heartbeat.time == 5)
    }

    @Test func unknownTypesDecodeAsUnknown() throws {
        #expect(
            try WireRecord.decode(Array(#"{"type":"annotation","v":1,"text":"deploy"}"#.utf8))
                == .unknown(type: "annotation"))
    }

    @Test func newerProtocolVersionsAreRejectedWithAClearReason() {
        for type in ["heartbeat", "request"] {
            let line = Array(
                #"{"type":"\#(type)","v":3,"time":1,"client":"h","status":200,"bytes":1,"section":"/"}"#.utf8)
            #expect(throws: RecordDecodingError.unsupportedVersion(3)) { try WireRecord.decode(line) }
            #expect(throws: RecordDecodingError.unsupportedVersion(3)) {
                try bucketingRead(line).get()
            }
        }
    }

    @Test func version1RequestsWithEveryMemberAreStillRead() throws {
        let line = Array(
            #"{"type":"request","v":1,"time":7,"source":"a.log","client":"h","user":null,"method":"GET","path":"/a/b","protocol":"HTTP/1.1","status":200,"bytes":3,"section":"/a"}"#
                .utf8)
        let expected = RequestRecord(
            time: 7, source: "a.log", client: "h", method: "GET", path: "/a/b", protocol: "HTTP/1.1", status: 200,
            bytes: 3, section: "/a")
        #expect(try WireRecord.decode(line) == .request(expected))
        guard case .request(let observation) = try bucketingRead(line).get()
        else {
            Issue.record("not read as a request")
            return
        }
        #expect(observation == RequestObservation(expected))
    }

    @Test func missingFieldsAreNamed() {
        let line = Array(#"{"type":"request","v":1,"status":200,"section":"/"}"#.utf8)
        #expect(throws: RecordDecodingError.missingField(type: "request", field: "time")) {
            try WireRecord.decode(line)
        }
        #expect(throws: RecordDecodingError.missingField(type: "request", field: "time")) {
            try bucketingRead(line).get()
        }
    }

    @Test func notARecordIsReported() {
        #expect(throws: RecordDecodingError.notARecord) { try WireRecord.decode(Array("[1,2]".utf8)) }
        #expect(throws: RecordDecodingError.notARecord) { try WireRecord.decode(Array(#"{"type":3}"#.utf8)) }
    }
}

extension WireRecord: CustomTestStringConvertible {
    public var testDescription: String {
        var writer = JSONWriter()
        encode(into: &writer)
        return String(decoding: writer.bytes.prefix(60), as: UTF8.self)
    }
}

@Suite("Wire records: hostile buckets")
struct HostileBucketTests {
    @Test(
        arguments: [
            #"{"type":"bucket","v":1,"start":10,"end":0,"hits":0,"per_second":[],"sections":[],"clients":[]}"#,
            #"{"type":"bucket","v":1,"start":0,"end":4000000000000000000,"hits":0,"per_second":[],"sections":[],"clients":[]}"#,
            #"{"type":"bucket","v":1,"start":0,"end":10,"hits":0,"per_second":[1,2],"sections":[],"clients":[]}"#,
            #"{"type":"bucket","v":1,"start":-9223372036854775808,"end":9223372036854775807,"hits":0,"per_second":[],"sections":[],"clients":[]}"#,
        ])
    func anImpossibleSpanOrSecondCountIsRejectedNotFatal(line: String) {
        #expect(throws: RecordDecodingError.self) { try WireRecord.decode(Array(line.utf8)) }
    }
}
