/// Reads a `request` record in any layout member by member with `JSONObjectScanner`, taking the few
/// members bucketing needs straight from the bytes, with no `JSONValue` tree and no `String` for
/// members that are not needed: the first step of the general path for logagg, after
/// `RequestLayoutReader` declined the line (`RecordReader.bucketingInput`).
enum RequestMemberReader {
    /// The line as bucketing reads it.
    ///
    /// It returns a request of its own only when it is sure that `WireRecord.decode` would read the
    /// same one: every member has a name of the protocol, written without escapes and not repeated, and
    /// the five members bucketing reads are present, of the right kind and within
    /// `RequestRecord.checkLimits`. Anything else (an unknown or repeated name, a missing member, a
    /// number out of range or written as `1e9`, another record type) hands the line to
    /// `RecordReader.record`, which accepts or rejects it with the reason, so both paths always agree,
    /// down to the error (`LayoutReaderAgreementTests`).
    /// - Throws: `RecordDecodingError`, as `RecordReader.record` would for the same line.
    static func read(
        _ line: UnsafeBufferPointer<UInt8>
    ) throws(RecordDecodingError) -> RecordReader.BucketingInput {
        var isRequest = false
        var version: Int64?
        var time: Int64?
        var status: Int64?
        var bytes: Int64?
        var section: String?
        var client: String?
        var unusable = false
        var seen: UInt16 = 0
        var scanner = JSONObjectScanner(line)
        do {
            while let member = try scanner.next() {
                let bit = member.keyHasEscapes ? 0 : Self.memberBit(member)
                // No member of a request holds an object or an array: the full parser judges those
                // (their depth counts from the record, which a nested scan cannot see).
                if bit == 0 || seen & bit != 0 || member.kind == .nested {
                    unusable = true
                    continue
                }
                seen |= bit
                switch bit {
                case MemberBit.version: version = integer(member, unusable: &unusable)
                case MemberBit.type:
                    isRequest = member.kind == .string && member.value.count == 7 && member.keyIsRequestValue
                case MemberBit.time: time = integer(member, unusable: &unusable)
                case MemberBit.bytes: bytes = integer(member, unusable: &unusable)
                case MemberBit.status: status = integer(member, unusable: &unusable)
                case MemberBit.client: client = member.decodedString
                case MemberBit.section: section = member.decodedString
                default: continue
                }
            }
        } catch {
            throw .invalidJSON(error)
        }
        guard !unusable, isRequest, version ?? 0 <= Int64(WireProtocol.version), let time, let status, let bytes,
            let section, let client, RequestRecord.withinLimits(time: time, status: status, bytes: bytes)
        else { return try general(line) }
        return .request(
            RequestObservation(time: time, status: Int(status), bytes: bytes, section: section, client: client))
    }

    /// The full decoding of a line this reader cannot vouch for.
    private static func general(
        _ line: UnsafeBufferPointer<UInt8>
    ) throws(RecordDecodingError) -> RecordReader.BucketingInput {
        switch try RecordReader.record(line) {
        case .request(let record):
            // A request read in full (a repeated key, a number written as 1e9): only its bucketing part.
            return .request(RequestObservation(record))
        case let record:
            return .other(record)
        }
    }

    /// One bit per member name of a `request` record, to notice a repeated name.
    private enum MemberBit {
        static let version: UInt16 = 1 << 0
        static let type: UInt16 = 1 << 1
        static let time: UInt16 = 1 << 2
        static let bytes: UInt16 = 1 << 3
        static let status: UInt16 = 1 << 4
        static let client: UInt16 = 1 << 5
        static let section: UInt16 = 1 << 6
        /// The optional members, which bucketing does not read.
        static let optional: UInt16 = 1 << 7
    }

    /// The bit of the member's name, or 0 for a name a request record does not have.
    @inline(__always)
    private static func memberBit(_ member: JSONObjectScanner.Member) -> UInt16 {
        switch member.key.count {
        case 1 where member.keyIs("v"): return MemberBit.version
        case 4 where member.keyIs("type"): return MemberBit.type
        case 4 where member.keyIs("time"): return MemberBit.time
        case 4 where member.keyIs("path"): return MemberBit.optional << 0
        case 4 where member.keyIs("user"): return MemberBit.optional << 1
        case 5 where member.keyIs("bytes"): return MemberBit.bytes
        case 5 where member.keyIs("agent"): return MemberBit.optional << 2
        case 6 where member.keyIs("status"): return MemberBit.status
        case 6 where member.keyIs("client"): return MemberBit.client
        case 6 where member.keyIs("source"): return MemberBit.optional << 3
        case 6 where member.keyIs("method"): return MemberBit.optional << 4
        case 7 where member.keyIs("section"): return MemberBit.section
        case 7 where member.keyIs("referer"): return MemberBit.optional << 5
        case 8 where member.keyIs("protocol"): return MemberBit.optional << 6
        case 9 where member.keyIs("malformed"): return MemberBit.optional << 7
        default: return 0
        }
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
