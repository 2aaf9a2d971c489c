/// Decodes a stream line, taking a fast path for `request` records: their few fields that bucketing
/// needs are read straight from the bytes with `JSONObjectScanner`, with no `JSONValue` tree and no
/// `String` for fields that are not needed. Every other record goes through `WireRecord.decode`.
public enum RequestFastDecoder {
    /// A decoded line.
    public enum Decoded: Sendable {
        /// A request, reduced to what bucketing uses.
        case request(RequestObservation)
        /// Any other record.
        case other(WireRecord)
    }

    /// Decodes one line (without its newline).
    /// - Throws: `RecordDecodingError`, as `WireRecord.decode` would for the same line.
    public static func decode(_ line: UnsafeBufferPointer<UInt8>) throws(RecordDecodingError) -> Decoded {
        var isRequest = false
        var version: Int64?
        var time: Int64?
        var status: Int64?
        var bytes: Int64 = 0
        var section: String?
        var client = ""
        var unusable = false
        do {
            try JSONObjectScanner.scan(line) { member in
                switch member.key.count {
                case 1 where member.keyIs("v"):
                    version = member.integer
                case 4 where member.keyIs("type"):
                    isRequest = member.kind == .string && member.value.count == 7 && member.keyIsRequestValue
                case 4 where member.keyIs("time"):
                    time = member.integer
                case 5 where member.keyIs("bytes"):
                    bytes = member.integer ?? 0
                case 6 where member.keyIs("status"):
                    status = member.integer
                case 6 where member.keyIs("client"):
                    if let text = member.decodedString { client = text } else { unusable = true }
                case 7 where member.keyIs("section"):
                    section = member.decodedString
                    if section == nil { unusable = true }
                default:
                    break
                }
            }
        } catch {
            throw .invalidJSON(error)
        }
        if let version, version > Int64(WireProtocol.version) { throw .unsupportedVersion(version) }
        guard isRequest, !unusable else { return .other(try WireRecord.decode(line)) }
        guard let time else { throw .missingField(type: "request", field: "time") }
        guard let status else { throw .missingField(type: "request", field: "status") }
        guard let section else { throw .missingField(type: "request", field: "section") }
        return .request(
            RequestObservation(time: time, status: Int(clamping: status), bytes: bytes, section: section, client: client))
    }
}

extension JSONObjectScanner.Member {
    /// Whether a string value is exactly `request`.
    fileprivate var keyIsRequestValue: Bool {
        let word: StaticString = "request"
        return !hasEscapes && memcmpEqual(value.baseAddress!, word.utf8Start, 7)
    }
}
