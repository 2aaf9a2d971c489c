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
        // Anything the fast path would read differently from `WireRecord.decode` (a repeated key, where
        // the full decoder keeps the first; an integer written as 1e9 or 1.0) sends the line there.
        var unusable = false
        var seen: UInt8 = 0
        func firstTime(_ bit: UInt8) -> Bool {
            defer { seen |= bit }
            guard seen & bit == 0 else {
                unusable = true
                return false
            }
            return true
        }
        func integer(_ member: JSONObjectScanner.Member) -> Int64? {
            let value = member.integer
            if value == nil && member.kind == .number { unusable = true }
            return value
        }
        do {
            try JSONObjectScanner.scan(line) { member in
                switch member.key.count {
                case 1 where member.keyIs("v"):
                    if firstTime(1) { version = integer(member) }
                case 4 where member.keyIs("type"):
                    if firstTime(2) {
                        isRequest = member.kind == .string && member.value.count == 7 && member.keyIsRequestValue
                    }
                case 4 where member.keyIs("time"):
                    if firstTime(4) { time = integer(member) }
                case 5 where member.keyIs("bytes"):
                    if firstTime(8) { bytes = integer(member) ?? 0 }
                case 6 where member.keyIs("status"):
                    if firstTime(16) { status = integer(member) }
                case 6 where member.keyIs("client"):
                    if firstTime(32) {
                        if let text = member.decodedString { client = text } else { unusable = true }
                    }
                case 7 where member.keyIs("section"):
                    if firstTime(64) {
                        section = member.decodedString
                        if section == nil { unusable = true }
                    }
                default:
                    break
                }
            }
        } catch {
            throw .invalidJSON(error)
        }
        if unusable { return .other(try WireRecord.decode(line)) }
        if let version, version > Int64(WireProtocol.version) { throw .unsupportedVersion(version) }
        guard isRequest else { return .other(try WireRecord.decode(line)) }
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
