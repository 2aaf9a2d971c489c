import Testing

@testable import LogPipe

/// Names that need no escape, and some that do (so the line leaves the fast path).
private let plainNames = ["/", "/api", "/static", "198.51.100.15", "2001:db8::e701", "/é", "/日本", "/\u{1F600}"]
private let escapedNames = ["/a\"b", "/back\\slash", "/tab\there", "\u{1B}[2J", "/\u{7F}"]

/// A count within docs/PROTOCOL.md's limits (0...10^12, or `limit`), often at an edge.
private func randomCount(_ random: inout SplitMix64, upTo limit: Int = Int(WireLimits.maximumCount)) -> Int {
    switch random.next(below: 6) {
    case 0: return 0
    case 1: return min(limit, random.next(below: 10))
    case 2: return limit
    case 3: return min(limit, Int(Int32.max) + random.next(below: 1000))
    default: return min(limit, random.next(below: 100_000))
    }
}

/// A bucket that keeps every rule of docs/PROTOCOL.md: the per-second counts add up to the hits and
/// the late seconds to `late`, every count is within 0...10^12, every late second before the start.
private func randomBucket(_ random: inout SplitMix64, escapes: Bool) -> BucketRecord {
    let start = Int64(1_700_000_000 + random.next(below: 1_000_000)) * (random.next(below: 20) == 0 ? -1 : 1)
    let span = [1, 10, 10, 10, 60, 3600][random.next(below: 6)]
    var bucket = BucketRecord(start: start, end: start + Int64(span))
    let perSecondLimit = Int(WireLimits.maximumCount) / span
    bucket.perSecond = bucket.perSecond.map { _ in randomCount(&random, upTo: perSecondLimit) }
    bucket.hits = bucket.perSecond.reduce(0, +)
    let names = escapes ? plainNames + escapedNames : plainNames
    bucket.sections = (0..<random.next(below: 12)).map { _ in
        RankedCount(name: names[random.next(below: names.count)], hits: randomCount(&random))
    }
    bucket.distinctSections = randomCount(&random)
    for digit in 0..<5 { bucket.statusClasses.classes[digit] = randomCount(&random) }
    bucket.statusClasses.other = randomCount(&random)
    bucket.bytes = random.next(below: 10) == 0 ? Int64.max : Int64(randomCount(&random)) * Int64(random.next(below: 1_000_000))
    bucket.clients = (0..<random.next(below: 6)).map { _ in
        RankedCount(name: names[random.next(below: names.count)], hits: randomCount(&random))
    }
    bucket.distinctClients = randomCount(&random)
    bucket.invalid = randomCount(&random)
    bucket.lateSeconds = (0..<random.next(below: 3)).map { _ in
        SecondCount(at: start - 1 - Int64(random.next(below: 500)), hits: randomCount(&random, upTo: Int(WireLimits.maximumCount) / 2))
    }
    bucket.late = bucket.lateSeconds.reduce(0) { $0 + $1.hits }
    bucket.dropped = randomCount(&random)
    return bucket
}

/// `bucket` with one rule of docs/PROTOCOL.md broken: a count out of range, sums that disagree, a
/// late second that is not before the start, a negative byte count.
private func brokenBucket(_ bucket: BucketRecord, _ random: inout SplitMix64) -> BucketRecord {
    var broken = bucket
    let outside = [-1, Int(WireLimits.maximumCount) + 1, Int.max, Int.min][random.next(below: 4)]
    switch random.next(below: 9) {
    case 0: broken.hits += 1
    case 1: broken.perSecond[random.next(below: broken.perSecond.count)] = outside
    case 2: broken.distinctSections = outside
    case 3: broken.statusClasses.classes[random.next(below: 5)] = outside
    case 4: broken.bytes = -1 - Int64(random.next(below: 10))
    case 5: broken.lateSeconds.append(SecondCount(at: broken.start + Int64(random.next(below: 2)), hits: 1)); broken.late += 1
    case 6: broken.late += 1
    case 7: broken.dropped = outside
    default: broken.clients.append(RankedCount(name: "c", hits: outside))
    }
    return broken
}

/// A window within docs/PROTOCOL.md's limits.
private func randomWindow(_ random: inout SplitMix64) -> WindowRecord {
    let averages = [0, 0.001, 1.925, 10, 10.5, 99_999.999, 999_999_999.999, Double(random.next(below: 1_000_000)) / 1000]
    return WindowRecord(
        at: Int64(1_700_000_000 + random.next(below: 1_000_000)), window: [1, 60, 120, 3600, 86_400][random.next(below: 5)],
        hits: randomCount(&random) * [1, 86_400][random.next(below: 2)], average: averages[random.next(below: averages.count)],
        threshold: averages[random.next(below: averages.count)], alerting: random.next(below: 2) == 0)
}

/// `window` with one limit broken.
private func brokenWindow(_ window: WindowRecord, _ random: inout SplitMix64) -> WindowRecord {
    var broken = window
    switch random.next(below: 5) {
    case 0: broken.at = [WireLimits.latestTime + 1, WireLimits.earliestTime - 1, Int64.min][random.next(below: 3)]
    case 1: broken.window = [0, -120, 86_401][random.next(below: 3)]
    case 2: broken.hits = [-1, Int(WireLimits.windowHits.upperBound) + 1][random.next(below: 2)]
    case 3: broken.average = -0.5
    default: broken.threshold = -10
    }
    return broken
}

private func line(of record: WireRecord) -> [UInt8] {
    var writer = JSONWriter()
    record.encode(into: &writer)
    var bytes = writer.bytes
    bytes.removeLast()
    return bytes
}

/// What the general path (a `JSONValue` tree, then the record's `init(json:)`) makes of a line.
private func treeDecode(_ line: [UInt8]) -> Result<WireRecord, RecordDecodingError> {
    do throws(RecordDecodingError) {
        let json: JSONValue
        do { json = try JSONParser.parse(line) } catch { throw .invalidJSON(error) }
        return .success(try WireRecord.decode(json))
    } catch {
        return .failure(error)
    }
}

private func canonicalDecode(_ line: [UInt8]) -> WireRecord? {
    line.withUnsafeBufferPointer { WireRecord.decodeCanonical($0) }
}

/// Bytes that steer mutations into the decisions of the fast path.
private let tokens: [[UInt8]] = [
    "\"", "\\", "{", "}", "[", "]", ":", ",", "-", "0", "00", "1e3", ".5", "99999999999999999999", "null",
    " ", "\"hits\":1,", "\\u0041", "\"v\":3", "\"type\":\"window\",",
].map { Array($0.utf8) } + [[0x00], [0xFF], [0xC3], [0xE2, 0x80], [0x0A], [0x1F]]

private func mutate(_ seed: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
    var line = seed
    for _ in 0..<(1 + random.next(below: 3)) {
        let position = random.next(below: line.count + 1)
        switch random.next(below: 8) {
        case 0 where position < line.count:
            line[position] = UInt8(truncatingIfNeeded: random.next())
        case 1 where position < line.count:
            // A digit for a digit keeps most lines on the fast path with a different value.
            if line[position] &- UInt8(ascii: "0") < 10 { line[position] = UInt8(ascii: "0") + UInt8(random.next(below: 10)) }
        case 2, 3:
            line.insert(contentsOf: tokens[random.next(below: tokens.count)], at: position)
        case 4 where position < line.count:
            line.removeSubrange(position..<min(line.count, position + 1 + random.next(below: 6)))
        case 5:
            line = Array(line.prefix(position))
        default:
            line.insert(tokens[random.next(below: tokens.count)].first ?? 0x20, at: position)
        }
    }
    return line
}

@Suite("Wire: decoding lines in the writers' own layout")
struct CanonicalLineDecodingTests {
    @Test func generatedBucketsDecodeOnTheFastPathToTheRecordThatWasWritten() throws {
        var random = SplitMix64(seed: 0xB0C4E7)
        for _ in 0..<2_000 {
            let bucket = randomBucket(&random, escapes: false)
            let bytes = line(of: .bucket(bucket))
            #expect(canonicalDecode(bytes) == .bucket(bucket), "\(String(decoding: bytes, as: UTF8.self))")
            #expect(try treeDecode(bytes).get() == .bucket(bucket))
        }
    }

    @Test func bucketsWithEscapedNamesLeaveTheFastPathAndStillDecode() throws {
        var random = SplitMix64(seed: 0xE5C)
        var escaped = 0
        for _ in 0..<1_000 {
            let bucket = randomBucket(&random, escapes: true)
            let bytes = line(of: .bucket(bucket))
            let fast = canonicalDecode(bytes)
            if fast == nil { escaped += 1 } else { #expect(fast == .bucket(bucket)) }
            #expect(try WireRecord.decode(bytes) == .bucket(bucket))
        }
        #expect(escaped > 100)
    }

    @Test func bucketsAndWindowsBreakingARuleAreDeclinedByTheFastPathAndRejectedNamingTheField() {
        var random = SplitMix64(seed: 0xBAD)
        for _ in 0..<2_000 {
            for record in [
                WireRecord.bucket(brokenBucket(randomBucket(&random, escapes: false), &random)),
                .window(brokenWindow(randomWindow(&random), &random)),
            ] {
                let bytes = line(of: record)
                #expect(canonicalDecode(bytes) == nil, "\(String(decoding: bytes, as: UTF8.self))")
                guard case .failure(.invalidField(_, let field, _)) = treeDecode(bytes) else {
                    Issue.record("not rejected for a field: \(String(decoding: bytes, as: UTF8.self))")
                    continue
                }
                #expect(!field.isEmpty)
            }
        }
    }

    @Test func generatedWindowsDecodeOnTheFastPathAsTheGeneralPathDoes() throws {
        var random = SplitMix64(seed: 0x3141)
        for _ in 0..<2_000 {
            let bytes = line(of: .window(randomWindow(&random)))
            let fast = try #require(canonicalDecode(bytes))
            #expect(fast == (try treeDecode(bytes).get()))
        }
    }

    @Test func damagedLinesDecodeOrFailExactlyAsOnTheGeneralPath() {
        var random = SplitMix64(seed: 0xDA11A9E)
        var seeds: [[UInt8]] = []
        for index in 0..<60 {
            let bucket = randomBucket(&random, escapes: random.next(below: 4) == 0)
            let window = randomWindow(&random)
            // A sixth of the seeds break a rule: the fast path must decline them, the tree reject them.
            seeds.append(line(of: .bucket(index % 6 == 0 ? brokenBucket(bucket, &random) : bucket)))
            seeds.append(line(of: .window(index % 6 == 0 ? brokenWindow(window, &random) : window)))
        }
        var fastAccepted = 0
        var treeRejected = 0
        var differences: [String] = []
        for round in 0..<20_000 {
            let bytes = mutate(seeds[round % seeds.count], &random)
            let tree = treeDecode(bytes)
            if case .failure = tree { treeRejected += 1 }
            if let fast = canonicalDecode(bytes) {
                fastAccepted += 1
                if case .success(let record) = tree, record == fast { continue }
                differences.append("fast path reads \(String(decoding: bytes, as: UTF8.self)) as \(fast), the tree as \(tree)")
            }
            let viaDecode = bytes.withUnsafeBufferPointer { buffer in
                Result { () throws(RecordDecodingError) in try WireRecord.decode(buffer) }
            }
            if viaDecode != tree {
                differences.append("WireRecord.decode disagrees with the tree on \(String(decoding: bytes, as: UTF8.self))")
            }
        }
        #expect(differences.isEmpty, "\(differences.prefix(5))")
        // Fewer than before the limits: a digit changed in `per_second` or `late_seconds` now breaks a
        // sum, and a sixth of the seeds break a rule from the start.
        #expect(fastAccepted > 500, "the mutations should keep many lines on the fast path")
        #expect(treeRejected > 2_500, "the mutations should break many lines")
    }

    @Test(arguments: [
        #"{"type":"bucket","v":3,"start":0,"end":10,"hits":0,"per_second":[0,0,0,0,0,0,0,0,0,0],"sections":[],"distinct_sections":0,"status":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0},"bytes":0,"clients":[],"distinct_clients":0,"invalid":0,"late":0,"late_seconds":[],"dropped":0}"#,
        #"{"type":"bucket","v":2,"start":0,"end":10,"hits":0,"per_second":[0,0,0,0,0,0,0,0,0],"sections":[],"distinct_sections":0,"status":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0},"bytes":0,"clients":[],"distinct_clients":0,"invalid":0,"late":0,"late_seconds":[],"dropped":0}"#,
        #"{"type":"bucket","v":2,"start":10,"end":10,"hits":0,"per_second":[],"sections":[],"distinct_sections":0,"status":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0},"bytes":0,"clients":[],"distinct_clients":0,"invalid":0,"late":0,"late_seconds":[],"dropped":0}"#,
        #"{"type":"bucket","v":2,"start":0,"end":100000,"hits":0,"per_second":[0],"sections":[],"distinct_sections":0,"status":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0},"bytes":0,"clients":[],"distinct_clients":0,"invalid":0,"late":0,"late_seconds":[],"dropped":0}"#,
        #"{"type":"bucket","v":2,"start":0,"end":1,"hits":0,"per_second":[0],"sections":[{"section":"\xff","hits":1}],"distinct_sections":0,"status":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0},"bytes":0,"clients":[],"distinct_clients":0,"invalid":0,"late":0,"late_seconds":[],"dropped":0}"#,
        #"{"type":"bucket","v":2,"start":0,"end":1,"hits":0,"per_second":[0],"sections":[],"distinct_sections":0,"status":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0},"bytes":0,"clients":[],"distinct_clients":0,"invalid":0,"late":0,"late_seconds":[],"dropped":0} "#,
        #"{"type":"window","v":2,"at":1,"window":120,"hits":1.5,"average":0.1,"threshold":10,"state":"ok"}"#,
        #"{"type":"window","v":2,"at":1,"window":120,"hits":1,"average":01,"threshold":10,"state":"ok"}"#,
    ])
    func linesTheGeneralPathRejectsOrReadsLooselyLeaveTheFastPath(text: String) {
        var bytes = Array(text.utf8)
        if let marker = bytes.firstIndex(of: UInt8(ascii: "\\")), text.contains(#""\xff""#) {
            bytes.replaceSubrange(marker..<(marker + 4), with: [0xFF])
        }
        #expect(canonicalDecode(bytes) == nil)
    }

    @Test func shortNumbersConvertExactlyAsTheStandardLibraryDoes() {
        var random = SplitMix64(seed: 0x17E9)
        var mismatches: [String] = []
        for _ in 0..<50_000 {
            var text = random.next(below: 3) == 0 ? "-" : ""
            let integerDigits = 1 + random.next(below: 20)
            text += String(1 + random.next(below: 9))
            for _ in 1..<integerDigits { text += String(random.next(below: 10)) }
            if random.next(below: 8) == 0 { text = text.hasPrefix("-") ? "-0" : "0" }
            let hasFraction = random.next(below: 2) == 0
            if hasFraction {
                text += "."
                for _ in 0..<(1 + random.next(below: 24)) { text += String(random.next(below: 10)) }
            }
            let bytes = Array(text.utf8)
            let value = bytes.withUnsafeBufferPointer { JSONParser.numberValue($0, isInteger: !hasFraction) }
            let expected: JSONValue? =
                if !hasFraction, let integer = Int64(text) { .integer(integer) } else { Double(text).map { .double($0) } }
            switch (value, expected) {
            case let (.integer(a), .integer(b)) where a == b: continue
            case let (.double(a), .double(b)) where a.bitPattern == b.bitPattern: continue
            default: mismatches.append("\(text): \(String(describing: value)) instead of \(String(describing: expected))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test func objectsAndArraysKeepTheirMembersAcrossNesting() throws {
        let value = try JSONParser.parse(#"[{"a":[1,[2,3],{"b":{}}],"c":[]},[],{"d":[{"e":4}],"f":5},6]"#)
        let expected: JSONValue = .array([
            .object([
                ("a", .array([.integer(1), .array([.integer(2), .integer(3)]), .object([("b", .object([]))])])),
                ("c", .array([])),
            ]),
            .array([]),
            .object([("d", .array([.object([("e", .integer(4))])])), ("f", .integer(5))]),
            .integer(6),
        ])
        #expect(value == expected)
    }
}
