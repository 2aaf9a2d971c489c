import Testing

@testable import LogPipe

/// A record line and what every decoder must make of it: accepted, or rejected naming `field`.
struct LimitCase: Sendable, CustomTestStringConvertible {
    var name: String
    var line: String
    /// The member the rejection names, or nil when the line is valid.
    var field: String?

    init(_ name: String, _ line: String, rejects field: String? = nil) {
        self.name = name
        self.line = line
        self.field = field
    }

    var testDescription: String { name }
}

/// The member a decoding error names, if any.
func fieldNamed(by error: RecordDecodingError) -> String? {
    switch error {
    case .missingField(_, let field), .invalidField(_, let field, _), .duplicateMember(_, let field): return field
    default: return nil
    }
}

/// Record lines with one member changed.
enum LimitLines {
    /// A request in logtail's layout with the member named in `member` (`"bytes":-1`) replaced, and
    /// `extra` members added before the closing brace.
    static func request(_ member: String = "", adding extra: String = "") -> String {
        var members = [
            #""type":"request""#, #""v":2"#, #""time":1700000000"#, #""client":"10.0.0.1""#, #""status":200"#,
            #""bytes":512"#, #""section":"/a""#,
        ]
        if let colon = member.firstIndex(of: ":"),
            let index = members.firstIndex(where: { $0.hasPrefix(member[...colon]) })
        {
            members[index] = member
        }
        if !extra.isEmpty { members.append(extra) }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// A bucket in logagg's layout, `[1700000000, 1700000010)`, 3 hits and 1 late hit, with `replace`
    /// substituted for the first occurrence of `find`.
    static func bucket(_ find: String = "", _ replace: String = "") -> String {
        substitute(
            #"{"type":"bucket","v":2,"start":1700000000,"end":1700000010,"hits":3,"per_second":[1,0,2,0,0,0,0,0,0,0],"sections":[{"section":"/a","hits":3}],"distinct_sections":1,"status":{"1xx":0,"2xx":3,"3xx":0,"4xx":0,"5xx":0,"other":0},"bytes":9,"clients":[{"client":"c","hits":3}],"distinct_clients":1,"invalid":0,"late":1,"late_seconds":[{"at":1699999990,"hits":1}],"dropped":0}"#,
            find, replace)
    }

    /// A window in logalert's layout, with `replace` substituted for `find`.
    static func window(_ find: String = "", _ replace: String = "") -> String {
        substitute(
            #"{"type":"window","v":2,"at":1700000010,"window":120,"hits":3,"average":0.025,"threshold":10,"state":"ok"}"#,
            find, replace)
    }

    /// An alert in logalert's layout, with `replace` substituted for `find`.
    static func alert(_ find: String = "", _ replace: String = "") -> String {
        substitute(
            #"{"type":"alert","v":2,"at":1700000009,"time":"2023-11-14T22:13:29+00:00","hits":1212,"average":10.1,"threshold":10,"window":120,"message":"m"}"#,
            find, replace)
    }

    private static func substitute(_ line: String, _ find: String, _ replace: String) -> String {
        guard !find.isEmpty, let range = line.range(of: find) else { return line }
        return line.replacingCharacters(in: range, with: replace)
    }
}

@Suite("Wire: limits and validation (docs/PROTOCOL.md)")
struct WireLimitsTests {
    static let requests: [LimitCase] = [
        LimitCase("a request in logtail's layout", LimitLines.request()),
        LimitCase("time Int64.min", LimitLines.request(#""time":-9223372036854775808"#), rejects: "time"),
        LimitCase("time Int64.max", LimitLines.request(#""time":9223372036854775807"#), rejects: "time"),
        LimitCase("time at the start of year 0000", LimitLines.request(#""time":-62167219200"#)),
        LimitCase("time a second before year 0000", LimitLines.request(#""time":-62167219201"#), rejects: "time"),
        LimitCase("time at the end of year 9999", LimitLines.request(#""time":253402300799"#)),
        LimitCase("time a second after year 9999", LimitLines.request(#""time":253402300800"#), rejects: "time"),
        LimitCase("time of 20 digits", LimitLines.request(#""time":12345678901234567890"#), rejects: "time"),
        LimitCase("time 1e300", LimitLines.request(#""time":1e300"#), rejects: "time"),
        LimitCase("time as the text NaN", LimitLines.request(#""time":"NaN""#), rejects: "time"),
        LimitCase("time with a fraction", LimitLines.request(#""time":1700000000.5"#), rejects: "time"),
        LimitCase("time as 1.7e9, a whole number", LimitLines.request(#""time":1.7e9"#)),
        LimitCase("status -1", LimitLines.request(#""status":-1"#), rejects: "status"),
        LimitCase("status 0", LimitLines.request(#""status":0"#)),
        LimitCase("status 999", LimitLines.request(#""status":999"#)),
        LimitCase("status 1000", LimitLines.request(#""status":1000"#), rejects: "status"),
        LimitCase("status 2^63-1", LimitLines.request(#""status":9223372036854775807"#), rejects: "status"),
        LimitCase("status Int64.min", LimitLines.request(#""status":-9223372036854775808"#), rejects: "status"),
        LimitCase("bytes -1", LimitLines.request(#""bytes":-1"#), rejects: "bytes"),
        LimitCase("bytes Int64.min", LimitLines.request(#""bytes":-9223372036854775808"#), rejects: "bytes"),
        LimitCase("bytes of 18 digits", LimitLines.request(#""bytes":999999999999999999"#)),
        LimitCase("bytes Int64.max", LimitLines.request(#""bytes":9223372036854775807"#)),
        LimitCase("bytes 2^63", LimitLines.request(#""bytes":9223372036854775808"#), rejects: "bytes"),
        LimitCase("bytes 1e300", LimitLines.request(#""bytes":1e300"#), rejects: "bytes"),
        LimitCase("bytes 1.5", LimitLines.request(#""bytes":1.5"#), rejects: "bytes"),
        LimitCase("bytes null", LimitLines.request(#""bytes":null"#), rejects: "bytes"),
        LimitCase(
            "no bytes", LimitLines.request().replacingOccurrences(of: #","bytes":512"#, with: ""), rejects: "bytes"),
        LimitCase(
            "no client", LimitLines.request().replacingOccurrences(of: #","client":"10.0.0.1""#, with: ""),
            rejects: "client"),
        LimitCase("a number as client", LimitLines.request(#""client":7"#), rejects: "client"),
        LimitCase(
            "no section", LimitLines.request().replacingOccurrences(of: #","section":"/a""#, with: ""),
            rejects: "section"),
        LimitCase("bytes twice", LimitLines.request(adding: #""bytes":1"#), rejects: "bytes"),
        LimitCase("time twice", LimitLines.request(adding: #""time":1700000001"#), rejects: "time"),
        LimitCase("type twice", LimitLines.request(adding: #""type":"bucket""#), rejects: "type"),
        LimitCase("an optional member twice", LimitLines.request(adding: #""path":"/a","path":"/b""#), rejects: "path"),
        LimitCase("an unknown member twice", LimitLines.request(adding: #""zz":1,"zz":2"#), rejects: "zz"),
        LimitCase(
            "a name written with an escape, twice", LimitLines.request(adding: #""byt\u0065s":1"#), rejects: "bytes"),
        LimitCase("an unknown member", LimitLines.request(adding: #""zz":[1,{"a":2}]"#)),
        LimitCase("an optional member of the wrong kind", LimitLines.request(adding: #""path":7"#)),
        LimitCase("a nested value as an optional member", LimitLines.request(adding: #""user":{"name":"bob"}"#)),
    ]

    /// The request, as given and with white space after its brace (which takes it off the layout
    /// reader and onto the member reader).
    private static func layouts(_ line: String) -> [[UInt8]] {
        [Array(line.utf8), Array(("{ " + line.dropFirst()).utf8)]
    }

    @Test(
        "every decoder of a request accepts and rejects the same records, naming the same member", arguments: requests)
    func requestLimitsAgreeOnEveryPath(_ example: LimitCase) {
        for bytes in Self.layouts(example.line) {
            let tree = bytes.withUnsafeBufferPointer { buffer in
                Result { () throws(RecordDecodingError) in try WireRecord.decode(buffer) }
            }
            let bucketing = bucketingRead(bytes)
            let scanned = memberRead(bytes)
            let layout = requestLayoutRead(bytes)
            switch (tree, bucketing, scanned) {
            case (.success(.request(let record)), .success(let first), .success(let second)):
                #expect(example.field == nil, "accepted, but should be rejected for \(example.field ?? "")")
                #expect(Self.observation(first) == RequestObservation(record))
                #expect(Self.observation(second) == RequestObservation(record))
                if let layout { #expect(layout == RequestObservation(record)) }
            case (.failure(let error), .failure(let first), .failure(let second)):
                #expect(fieldNamed(by: error) == example.field, "\(error)")
                #expect(first == error)
                #expect(second == error)
                #expect(layout == nil, "the layout reader accepted a line the others reject")
            default:
                Issue.record("the decoders disagree: \(tree), \(bucketing), \(scanned)")
            }
        }
    }

    private static func observation(_ read: BucketingRead) -> RequestObservation? {
        guard case .request(let observation) = read else { return nil }
        return observation
    }

    static let records: [LimitCase] = [
        LimitCase("a bucket in logagg's layout", LimitLines.bucket()),
        LimitCase("bucket hits -1", LimitLines.bucket(#""hits":3,"#, #""hits":-1,"#), rejects: "hits"),
        LimitCase(
            "bucket hits 2^63-1", LimitLines.bucket(#""hits":3,"#, #""hits":9223372036854775807,"#), rejects: "hits"),
        LimitCase(
            "bucket hits 10^12 + 1", LimitLines.bucket(#""hits":3,"#, #""hits":1000000000001,"#), rejects: "hits"),
        LimitCase(
            "a per-second count of 10^12",
            LimitLines.bucket(
                #""hits":3,"per_second":[1,0,2"#, #""hits":1000000000000,"per_second":[1000000000000,0,0"#)),
        LimitCase("a fractional per-second count", LimitLines.bucket("[1,0,2,", "[1,0,1.5,"), rejects: "per_second"),
        LimitCase("a negative per-second count", LimitLines.bucket("[1,0,2,", "[4,0,-1,"), rejects: "per_second"),
        LimitCase("a per-second count 1e300", LimitLines.bucket("[1,0,2,", "[1,0,1e300,"), rejects: "per_second"),
        LimitCase(
            "per-second counts that do not add up to the hits", LimitLines.bucket("[1,0,2,", "[1,1,2,"),
            rejects: "per_second"),
        LimitCase(
            "a per-second list of 100,000 entries",
            LimitLines.bucket("[1,0,2,0,0,0,0,0,0,0]", "[" + String(repeating: "0,", count: 99_999) + "0]"),
            rejects: "per_second"),
        LimitCase(
            "bucket start Int64.min", LimitLines.bucket(#""start":1700000000"#, #""start":-9223372036854775808"#),
            rejects: "start"),
        LimitCase(
            "bucket end Int64.max", LimitLines.bucket(#""end":1700000010"#, #""end":9223372036854775807"#),
            rejects: "end"),
        LimitCase("bucket bytes -1", LimitLines.bucket(#""bytes":9"#, #""bytes":-1"#), rejects: "bytes"),
        LimitCase("bucket bytes Int64.max", LimitLines.bucket(#""bytes":9"#, #""bytes":9223372036854775807"#)),
        LimitCase("a status class count of -1", LimitLines.bucket(#""2xx":3"#, #""2xx":-1"#), rejects: "status.2xx"),
        LimitCase("a status class twice", LimitLines.bucket(#""2xx":3"#, #""2xx":3,"2xx":4"#), rejects: "status.2xx"),
        LimitCase(
            "a ranking count of 2^63-1", LimitLines.bucket(#""/a","hits":3"#, #""/a","hits":9223372036854775807"#),
            rejects: "sections.hits"),
        LimitCase(
            "distinct clients -1", LimitLines.bucket(#""distinct_clients":1"#, #""distinct_clients":-1"#),
            rejects: "distinct_clients"),
        LimitCase(
            "invalid 10^12 + 1", LimitLines.bucket(#""invalid":0"#, #""invalid":1000000000001"#), rejects: "invalid"),
        LimitCase("dropped -1", LimitLines.bucket(#""dropped":0"#, #""dropped":-1"#), rejects: "dropped"),
        LimitCase(
            "late hits of 2^63-1",
            LimitLines.bucket(
                #""late":1,"late_seconds":[{"at":1699999990,"hits":1}]"#,
                #""late":1,"late_seconds":[{"at":1699999990,"hits":9223372036854775807}]"#),
            rejects: "late_seconds.hits"),
        LimitCase(
            "late seconds that do not add up to late", LimitLines.bucket(#""late":1,"#, #""late":2,"#),
            rejects: "late_seconds"),
        LimitCase(
            "a late second at the bucket's start", LimitLines.bucket(#""at":1699999990"#, #""at":1700000000"#),
            rejects: "late_seconds.at"),
        LimitCase(
            "a late second after the bucket", LimitLines.bucket(#""at":1699999990"#, #""at":1700000020"#),
            rejects: "late_seconds.at"),
        LimitCase(
            "a late second at Int64.min", LimitLines.bucket(#""at":1699999990"#, #""at":-9223372036854775808"#),
            rejects: "late_seconds.at"),
        LimitCase("bucket hits twice", LimitLines.bucket(#""hits":3,"#, #""hits":3,"hits":3,"#), rejects: "hits"),
        LimitCase("a window in logalert's layout", LimitLines.window()),
        LimitCase("window average -1", LimitLines.window(#""average":0.025"#, #""average":-1"#), rejects: "average"),
        LimitCase(
            "window average 1e400, infinite", LimitLines.window(#""average":0.025"#, #""average":1e400"#),
            rejects: "average"),
        LimitCase(
            "window average as the text NaN", LimitLines.window(#""average":0.025"#, #""average":"NaN""#),
            rejects: "average"),
        LimitCase("window threshold 1e300", LimitLines.window(#""threshold":10"#, #""threshold":1e300"#)),
        LimitCase(
            "window threshold -10", LimitLines.window(#""threshold":10"#, #""threshold":-10"#), rejects: "threshold"),
        LimitCase("window length 0", LimitLines.window(#""window":120"#, #""window":0"#), rejects: "window"),
        LimitCase(
            "window length of a day and a second", LimitLines.window(#""window":120"#, #""window":86401"#),
            rejects: "window"),
        LimitCase("window hits -1", LimitLines.window(#""hits":3"#, #""hits":-1"#), rejects: "hits"),
        LimitCase(
            "window at Int64.min", LimitLines.window(#""at":1700000010"#, #""at":-9223372036854775808"#), rejects: "at"),
        LimitCase(
            "window state neither ok nor alert", LimitLines.window(#""state":"ok""#, #""state":"maybe""#),
            rejects: "state"),
        LimitCase("an alert record", LimitLines.alert()),
        LimitCase(
            "alert hits 2^63-1", LimitLines.alert(#""hits":1212"#, #""hits":9223372036854775807"#), rejects: "hits"),
        LimitCase("alert average -0.5", LimitLines.alert(#""average":10.1"#, #""average":-0.5"#), rejects: "average"),
        LimitCase(
            "alert at after year 9999", LimitLines.alert(#""at":1700000009"#, #""at":253402300800"#), rejects: "at"),
        LimitCase(
            "heartbeat time Int64.min", #"{"type":"heartbeat","v":2,"time":-9223372036854775808}"#, rejects: "time"),
        LimitCase("heartbeat time twice", #"{"type":"heartbeat","v":2,"time":1,"time":2}"#, rejects: "time"),
        LimitCase(
            "invalid-line time after year 9999",
            #"{"type":"invalid","v":2,"line":1,"reason":"r","excerpt":"","time":253402300800}"#, rejects: "time"),
        LimitCase("an unknown type with repeated names, forwarded", #"{"type":"gauge","v":2,"x":1,"x":2}"#),
    ]

    @Test(
        "bucket, window, alert, heartbeat and invalid records outside the limits are rejected naming the member",
        arguments: records)
    func recordLimits(_ example: LimitCase) {
        let bytes = Array(example.line.utf8)
        let tree = Result { () throws(RecordDecodingError) in try WireRecord.decode(try JSONParser.parseRecord(bytes)) }
        let decoded = Result { () throws(RecordDecodingError) in try WireRecord.decode(bytes) }
        let layout = bytes.withUnsafeBufferPointer { RecordReader.layoutRecord($0) }
        switch decoded {
        case .success(let record):
            #expect(example.field == nil, "accepted, but should be rejected for \(example.field ?? "")")
            #expect(tree == .success(record))
            if let layout { #expect(layout == record) }
        case .failure(let error):
            #expect(fieldNamed(by: error) == example.field, "\(error)")
            #expect(tree == .failure(error))
            #expect(layout == nil, "a layout reader accepted a line the tree rejects")
        }
    }

    @Test func warningsNameTheMemberAndNeverEchoAHostileName() {
        let long = String(repeating: "\u{1B}[2J", count: 100)
        let error = RecordDecodingError.duplicateMember(type: "request", field: long)
        #expect(!error.description.contains("\u{1B}"))
        #expect(error.description.utf8.count < 100)
        let range = RecordDecodingError.invalidField(
            type: "bucket", field: "late_seconds.hits", problem: "9223372036854775807 is outside 0...1000000000000")
        #expect(
            range.description
                == #"bucket record: field "late_seconds.hits": 9223372036854775807 is outside 0...1000000000000"#)
    }

    @Test func saturatingArithmeticStopsAtTheBoundsInsteadOfTrapping() {
        #expect(Int64.max.saturatingAdding(1) == .max)
        #expect(Int64.min.saturatingAdding(-1) == .min)
        #expect(Int.max.saturatingSubtracting(-1) == .max)
        #expect(Int.min.saturatingSubtracting(1) == .min)
        #expect(5.saturatingAdding(-7) == -2)
        #expect([Int.max, 1, Int.max].saturatingSum() == .max)
        #expect(Array(repeating: Int64(999_999_999_999_999_999), count: 10).saturatingSum() == .max)
    }

    @Test func windowsOfTheLongestLengthCannotOverflowFromValidatedCounts() {
        // Every second of the longest window at the largest count: the sum the rule keeps.
        let (total, overflow) = WireLimits.maximumCount.multipliedReportingOverflow(by: WireLimits.maximumSpan)
        #expect(!overflow)
        #expect(total == WireLimits.windowHits.upperBound)
        #expect(total < Int64.max / 100)
    }
}

extension JSONParser {
    /// `parse`, with its error as a `RecordDecodingError`.
    fileprivate static func parseRecord(_ bytes: [UInt8]) throws(RecordDecodingError) -> JSONValue {
        do { return try parse(bytes) } catch { throw .invalidJSON(error) }
    }
}
