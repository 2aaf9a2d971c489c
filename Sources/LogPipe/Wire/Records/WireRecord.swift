/// One line of the stream, decoded.
public enum WireRecord: Sendable, Equatable {
    case request(RequestRecord)
    case invalid(InvalidLineRecord)
    case heartbeat(HeartbeatRecord)
    case bucket(BucketRecord)
    case gap(GapRecord)
    case window(WindowRecord)
    case alert(AlertRecord)
    case notice(NoticeRecord)
    /// An alert or recovery of an earlier run, from logalert's alert journal.
    case history(HistoryRecord)
    /// A request logtail's filters excluded.
    case excluded(ExcludedRecord)
    /// A well-formed record of a type this program does not know: stages forward it untouched.
    case unknown(type: String)

    /// Decodes one line (without its newline): `RecordReader.record(_:)`.
    /// - Throws: `RecordDecodingError` when the line is not JSON, not a record, of a newer protocol
    ///   version, or a known type lacking a required field.
    public static func decode(_ line: UnsafeBufferPointer<UInt8>) throws(RecordDecodingError) -> WireRecord {
        try RecordReader.record(line)
    }

    /// Decodes one line given as bytes.
    public static func decode(_ line: [UInt8]) throws(RecordDecodingError) -> WireRecord {
        let result: Result<WireRecord, RecordDecodingError> = line.withUnsafeBufferPointer { buffer in
            do throws(RecordDecodingError) { return .success(try decode(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Decodes an already parsed JSON value: the general path, each known type by its `init(json:)`.
    public static func decode(_ json: JSONValue) throws(RecordDecodingError) -> WireRecord {
        guard case .object = json, let type = json["type"]?.stringValue else { throw .notARecord }
        if let version = json["v"]?.integerValue, version > Int64(WireProtocol.version) {
            throw .unsupportedVersion(version)
        }
        switch WireProtocol.RecordType(rawValue: type) {
        case .request: return .request(try RequestRecord(json: json))
        case .invalid: return .invalid(try InvalidLineRecord(json: json))
        case .heartbeat: return .heartbeat(try HeartbeatRecord(json: json))
        case .bucket: return .bucket(try BucketRecord(json: json))
        case .gap: return .gap(try GapRecord(json: json))
        case .window: return .window(try WindowRecord(json: json))
        case .alert: return .alert(try AlertRecord(kind: .alert, json: json))
        case .recovery: return .alert(try AlertRecord(kind: .recovery, json: json))
        case .notice: return .notice(try NoticeRecord(json: json))
        case .history: return .history(try HistoryRecord(json: json))
        case .excluded: return .excluded(try ExcludedRecord(json: json))
        case nil: return .unknown(type: type)
        }
    }

    /// Appends the record as one NDJSON line. `unknown` records have no encoding of their own: their
    /// original line is forwarded instead.
    public func encode(into writer: inout JSONWriter) {
        switch self {
        case .request(let record): record.encode(into: &writer)
        case .invalid(let record): record.encode(into: &writer)
        case .heartbeat(let record): record.encode(into: &writer)
        case .bucket(let record): record.encode(into: &writer)
        case .gap(let record): record.encode(into: &writer)
        case .window(let record): record.encode(into: &writer)
        case .alert(let record): record.encode(into: &writer)
        case .notice(let record): record.encode(into: &writer)
        case .history(let record): record.encode(into: &writer)
        case .excluded(let record): record.encode(into: &writer)
        case .unknown: break
        }
    }
}
