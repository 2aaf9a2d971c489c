/// Why a line of the stream could not be used as a record.
public enum RecordDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The line is not JSON at all.
    case invalidJSON(JSONParseError)
    /// The line is JSON but not an object with a string `type`.
    case notARecord
    /// The record's `v` is newer than this program understands.
    case unsupportedVersion(Int64)
    /// A field the record type requires is absent or of the wrong kind.
    case missingField(type: String, field: String)
    /// A field is of the right kind but its value breaks docs/PROTOCOL.md's limits or rules (a count
    /// below 0, a time after the year 9999, per-second counts that do not add up to the hits).
    case invalidField(type: String, field: String, problem: String)
    /// A member name appears twice in one object of the record.
    case duplicateMember(type: String, field: String)

    public var description: String {
        switch self {
        case .invalidJSON(let error): return "not valid JSON (\(error))"
        case .notARecord: return "not a record: expected a JSON object with a string \"type\""
        case .unsupportedVersion(let version):
            return "protocol version \(version) is newer than this program's \(WireProtocol.version)"
        case .missingField(let type, let field): return "\(type) record without a valid \"\(field)\""
        case .invalidField(let type, let field, let problem): return "\(type) record: field \"\(field)\": \(problem)"
        case .duplicateMember(let type, let field):
            return "\(type) record: duplicate member \"\(Self.shown(field))\""
        }
    }

    /// A member name from the input as it may appear in a warning: printable ASCII only, at most 40
    /// characters, so that a hostile name can neither flood nor drive the terminal.
    private static func shown(_ name: String) -> String {
        var text = ""
        for scalar in name.unicodeScalars {
            guard text.unicodeScalars.count < 40 else { return text + "…" }
            text.unicodeScalars.append((0x20..<0x7F).contains(scalar.value) ? scalar : "?")
        }
        return text
    }
}

/// Typed access to an object's members, throwing a `RecordDecodingError` that names the member.
///
/// Creating a reader checks that no member name appears twice: the object is then unambiguous, and
/// every decoder of the record (the tree path here, the byte-level fast paths) must reject it too.
struct FieldReader {
    let type: String
    /// The object's members, in input order.
    let members: [(key: String, value: JSONValue)]
    /// What goes before a member's name in errors: empty for the record itself, `status.` for a member
    /// of its `status` object.
    let prefix: String

    /// Reads the record (or nested object) `object`.
    /// - Parameters:
    ///   - path: the name of the member holding `object` when it is nested (`status`, `sections`).
    /// - Throws: `missingField` naming `path` when `object` is not an object; `duplicateMember` when a
    ///   name appears twice.
    init(type: String, object: JSONValue, path: String? = nil) throws(RecordDecodingError) {
        guard case .object(let members) = object else { throw .missingField(type: type, field: path ?? "type") }
        self.type = type
        self.members = members
        prefix = path.map { $0 + "." } ?? ""
        if let duplicate = Self.firstDuplicate(members) {
            throw .duplicateMember(type: type, field: prefix + duplicate)
        }
    }

    /// The first name that appears a second time, in input order.
    private static func firstDuplicate(_ members: [(key: String, value: JSONValue)]) -> String? {
        // Records have a few dozen members at most: comparing pairs is cheaper than hashing them, but a
        // hostile object with thousands must not cost millions of comparisons.
        if members.count <= 32 {
            for index in members.indices.dropFirst() {
                let key = members[index].key
                for earlier in 0..<index where members[earlier].key == key { return key }
            }
            return nil
        }
        var seen: Set<String> = []
        for member in members where !seen.insert(member.key).inserted { return member.key }
        return nil
    }

    /// The member named `name`, or nil.
    subscript(name: String) -> JSONValue? {
        members.first(where: { $0.key == name })?.value
    }

    private func missing(_ name: String) -> RecordDecodingError { .missingField(type: type, field: prefix + name) }

    func integer(_ name: String) throws(RecordDecodingError) -> Int64 {
        guard let value = self[name]?.integerValue else { throw missing(name) }
        return value
    }

    /// An optional integer member: nil when absent, an error when present but not an integer.
    func optionalInteger(_ name: String) throws(RecordDecodingError) -> Int64? {
        guard self[name] != nil else { return nil }
        return try integer(name)
    }

    /// A required time member, in the years 0000–9999 (`WireLimits.times`).
    func time(_ name: String) throws(RecordDecodingError) -> Int64 {
        try WireLimits.time(integer(name), type: type, field: prefix + name)
    }

    /// An optional time member: nil when absent, an error when present but not a valid time.
    func optionalTime(_ name: String) throws(RecordDecodingError) -> Int64? {
        guard self[name] != nil else { return nil }
        return try time(name)
    }

    /// A required integer member in `range`.
    func integer(_ name: String, in range: ClosedRange<Int64>) throws(RecordDecodingError) -> Int {
        try WireLimits.within(range, integer(name), type: type, field: prefix + name)
    }

    /// An optional integer member in `range`: nil when absent, an error when present but invalid.
    func optionalInteger(_ name: String, in range: ClosedRange<Int64>) throws(RecordDecodingError) -> Int? {
        guard self[name] != nil else { return nil }
        return try integer(name, in: range)
    }

    /// A required count (`WireLimits.counts`).
    func count(_ name: String) throws(RecordDecodingError) -> Int {
        try integer(name, in: WireLimits.counts)
    }

    /// An optional count: nil when absent, an error when present but not a valid count.
    func optionalCount(_ name: String) throws(RecordDecodingError) -> Int? {
        try optionalInteger(name, in: WireLimits.counts)
    }

    func double(_ name: String) throws(RecordDecodingError) -> Double {
        guard let value = self[name]?.doubleValue else { throw missing(name) }
        return value
    }

    /// A required rate or threshold: finite and at least 0.
    func rate(_ name: String) throws(RecordDecodingError) -> Double {
        try WireLimits.rate(double(name), type: type, field: prefix + name)
    }

    func string(_ name: String) throws(RecordDecodingError) -> String {
        guard let value = self[name]?.stringValue else { throw missing(name) }
        return value
    }

    func optionalString(_ name: String) -> String? {
        self[name]?.stringValue
    }

    func array(_ name: String) throws(RecordDecodingError) -> [JSONValue] {
        guard let value = self[name]?.arrayValue else { throw missing(name) }
        return value
    }
}
