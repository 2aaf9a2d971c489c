import Testing

@testable import LogPipe

/// What a parser made of one line, as an owned value that tests can compare.
enum ParsedLine: Equatable, Sendable, CustomStringConvertible {
    case request(RequestRecord)
    case skipped(AccessLogParser.SkipReason)
    case invalid(String, time: Int64?)

    var description: String {
        switch self {
        case .request(let record):
            return
                "request(\(record.method ?? "-") \(record.path ?? "-") \(record.protocol ?? "-") \(record.status) section \(record.section))"
        case .skipped(let reason): return "skipped(\(reason))"
        case .invalid(let reason, let time): return "invalid(\(reason), time: \(time.map(String.init) ?? "nil"))"
        }
    }

    var record: RequestRecord? {
        if case .request(let record) = self { return record }
        return nil
    }
}

/// Parses one line given as bytes with `parser`, keeping every optional member.
func parseOne(_ bytes: [UInt8], with parser: inout AccessLogParser, fields: RequestFields = .all) -> ParsedLine {
    bytes.withUnsafeBufferPointer { line in
        switch parser.parse(line) {
        case .request(let request): return .request(request.record(source: nil, fields: fields))
        case .skipped(let reason): return .skipped(reason)
        case .invalid(let reason, let time): return .invalid(reason, time: time)
        }
    }
}

/// Parses lines of text with a fresh parser.
func parse(_ lines: [String], format: LogFormat = .auto) -> [ParsedLine] {
    var parser = AccessLogParser(format: format)
    return lines.map { parseOne(Array($0.utf8), with: &parser) }
}

/// Parses one line of text with a fresh parser.
func parse(_ line: String, format: LogFormat = .auto) -> ParsedLine {
    parse([line], format: format)[0]
}

/// Encodes the request `line` gives both ways: with `ParsedRequest.encode` and with
/// `record(...).encode`. nil when the line is not a request.
func encodeBothWays(
    _ line: UnsafeBufferPointer<UInt8>, with parser: inout AccessLogParser, source: String?, fields: RequestFields
) -> (direct: [UInt8], viaRecord: [UInt8])? {
    guard case .request(let request) = parser.parse(line) else { return nil }
    var direct = JSONWriter()
    request.encode(into: &direct, source: source, fields: fields)
    var viaRecord = JSONWriter()
    request.record(source: source, fields: fields).encode(into: &viaRecord)
    return (direct.bytes, viaRecord.bytes)
}

/// A request record with the fields most tests care about, the rest defaulted.
func request(
    _ time: Int64, client: String = "192.0.2.7", user: String? = nil, _ method: String, _ path: String,
    _ protocolName: String = "HTTP/1.1", status: Int = 200, bytes: Int64 = 512, section: String,
    malformed: Bool = false, referer: String? = nil, agent: String? = nil
) -> ParsedLine {
    .request(
        RequestRecord(
            time: time, source: nil, client: client, user: user, method: method, path: path,
            protocol: protocolName, status: status, bytes: bytes, section: section, malformedRequest: malformed,
            referer: referer, userAgent: agent))
}

/// A table row: a line of text and what it must give.
struct LineCase: Sendable, CustomTestStringConvertible {
    var name: String
    var line: String
    var format: LogFormat = .auto
    var expected: ParsedLine

    init(_ name: String, _ line: String, format: LogFormat = .auto, _ expected: ParsedLine) {
        self.name = name
        self.line = line
        self.format = format
        self.expected = expected
    }

    var testDescription: String { name }
}

/// A table row whose line holds bytes that are not text.
struct ByteLineCase: Sendable, CustomTestStringConvertible {
    var name: String
    var line: [UInt8]
    var expected: ParsedLine

    init(_ name: String, _ parts: [[UInt8]], _ expected: ParsedLine) {
        self.name = name
        self.line = parts.flatMap { $0 }
        self.expected = expected
    }

    var testDescription: String { name }
}

extension Array where Element == UInt8 {
    /// The UTF-8 of `text`, for building byte lines.
    static func text(_ text: String) -> [UInt8] { Array(text.utf8) }
}
