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

    public var description: String {
        switch self {
        case .invalidJSON(let error): return "not valid JSON (\(error))"
        case .notARecord: return "not a record: expected a JSON object with a string \"type\""
        case .unsupportedVersion(let version):
            return "protocol version \(version) is newer than this program's \(WireProtocol.version)"
        case .missingField(let type, let field): return "\(type) record without a valid \"\(field)\""
        }
    }
}

/// Typed access to an object's members, throwing `RecordDecodingError.missingField`.
struct FieldReader {
    let type: String
    let object: JSONValue

    func integer(_ name: String) throws(RecordDecodingError) -> Int64 {
        guard let value = object[name]?.integerValue else { throw .missingField(type: type, field: name) }
        return value
    }

    func int(_ name: String) throws(RecordDecodingError) -> Int {
        Int(try integer(name))
    }

    func double(_ name: String) throws(RecordDecodingError) -> Double {
        guard let value = object[name]?.doubleValue else { throw .missingField(type: type, field: name) }
        return value
    }

    func string(_ name: String) throws(RecordDecodingError) -> String {
        guard let value = object[name]?.stringValue else { throw .missingField(type: type, field: name) }
        return value
    }

    func optionalString(_ name: String) -> String? {
        object[name]?.stringValue
    }

    func optionalInt(_ name: String) -> Int? {
        object[name]?.integerValue.map { Int($0) }
    }

    func array(_ name: String) throws(RecordDecodingError) -> [JSONValue] {
        guard let value = object[name]?.arrayValue else { throw .missingField(type: type, field: name) }
        return value
    }
}
