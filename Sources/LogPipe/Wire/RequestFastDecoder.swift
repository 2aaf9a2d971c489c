/// Decodes a stream line, taking fast paths for `request` records: one laid out as logtail writes it
/// is read by `CanonicalRequestReader`; any other is scanned with `JSONObjectScanner`, reading the few
/// fields bucketing needs straight from the bytes, with no `JSONValue` tree and no `String` for
/// fields that are not needed. Every other record goes through `WireRecord.decode`.
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
        if let request = CanonicalRequestReader.read(line) { return .request(request) }
        return try decodeScanning(line)
    }

    /// The general path of `decode`, for lines that are not canonical requests.
    static func decodeScanning(_ line: UnsafeBufferPointer<UInt8>) throws(RecordDecodingError) -> Decoded {
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
        var scanner = JSONObjectScanner(line)
        do {
            while let member = try scanner.next() {
                let bit: UInt8
                switch member.key.count {
                case 1 where member.keyIs("v"): bit = 1
                case 4 where member.keyIs("type"): bit = 2
                case 4 where member.keyIs("time"): bit = 4
                case 5 where member.keyIs("bytes"): bit = 8
                case 6 where member.keyIs("status"): bit = 16
                case 6 where member.keyIs("client"): bit = 32
                case 7 where member.keyIs("section"): bit = 64
                default: continue
                }
                if seen & bit != 0 {
                    unusable = true
                    continue
                }
                seen |= bit
                switch bit {
                case 1: version = integer(member, unusable: &unusable)
                case 2: isRequest = member.kind == .string && member.value.count == 7 && member.keyIsRequestValue
                case 4: time = integer(member, unusable: &unusable)
                case 8: bytes = integer(member, unusable: &unusable) ?? 0
                case 16: status = integer(member, unusable: &unusable)
                case 32:
                    if let text = member.decodedString { client = text } else { unusable = true }
                default:
                    section = member.decodedString
                    if section == nil { unusable = true }
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

    /// The member's integer value; a number that is not a plain integer marks the line `unusable`.
    @inline(__always)
    private static func integer(_ member: JSONObjectScanner.Member, unusable: inout Bool) -> Int64? {
        let value = member.integer
        if value == nil && member.kind == .number { unusable = true }
        return value
    }
}

extension JSONObjectScanner.Member {
    /// Whether a string value is exactly `request`.
    fileprivate var keyIsRequestValue: Bool {
        let word: StaticString = "request"
        return !hasEscapes && memcmpEqual(value.baseAddress!, word.utf8Start, 7)
    }
}
