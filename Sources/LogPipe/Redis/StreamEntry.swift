/// One entry of a Redis stream as logpipe writes it: `XADD key … * source NAME record LINE`.
public struct StreamEntry: Sendable, Equatable {
    /// The field names logpipe writes (docs/PROTOCOL.md, "The stream in Redis").
    public static let sourceField: [UInt8] = Array("source".utf8)
    /// The field holding the NDJSON record.
    public static let recordField: [UInt8] = Array("record".utf8)

    /// The entry's ID.
    public var id: StreamID
    /// The `source` field, when present.
    public var source: [UInt8]?
    /// The `record` field, when present.
    public var record: [UInt8]?

    /// Creates an entry.
    public init(id: StreamID, source: [UInt8]?, record: [UInt8]?) {
        self.id = id
        self.source = source
        self.record = record
    }

    /// The `XADD` that appends `record` for `source`, trimmed to about `maximumLength` entries
    /// (`MAXLEN ~`, which trims whole radix-tree nodes and so costs next to nothing; 0 = no trimming).
    public static func appendCommand(
        stream: String, maximumLength: Int, source: String, record: [UInt8]
    ) -> RESPCommand {
        var arguments: [[UInt8]] = [Array("XADD".utf8), Array(stream.utf8)]
        if maximumLength > 0 {
            arguments += [Array("MAXLEN".utf8), [UInt8(ascii: "~")], Array(String(maximumLength).utf8)]
        }
        arguments += [[UInt8(ascii: "*")], sourceField, Array(source.utf8), recordField, record]
        return RESPCommand(arguments: arguments)
    }

    /// The entries of an `XREAD` reply on one or more streams, in order; none for the null reply of
    /// a `BLOCK` that timed out.
    /// - Throws: `RESPProtocolError` when the reply does not have the shape Redis documents.
    public static func entries(ofRead reply: RESPValue) throws(RESPProtocolError) -> [StreamEntry] {
        guard case .array(let streams) = reply else { throw RESPProtocolError("an XREAD reply that is not an array") }
        var result: [StreamEntry] = []
        for stream in streams ?? [] {
            guard let pair = stream.elements, pair.count == 2 else {
                throw RESPProtocolError("an XREAD reply element that is not [key, entries]")
            }
            result += try entries(ofRange: pair[1])
        }
        return result
    }

    /// The entries of an `XRANGE` or `XREVRANGE` reply, in the reply's order.
    /// - Throws: `RESPProtocolError` when the reply does not have the shape Redis documents.
    public static func entries(ofRange reply: RESPValue) throws(RESPProtocolError) -> [StreamEntry] {
        guard case .array(let items?) = reply else { throw RESPProtocolError("a range reply that is not an array") }
        var result: [StreamEntry] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let pair = item.elements, pair.count == 2, let idText = pair[0].text, let id = StreamID(idText)
            else { throw RESPProtocolError("a stream entry that is not [id, fields]") }
            var entry = StreamEntry(id: id, source: nil, record: nil)
            // A null field list is what Redis gives for an entry deleted while it was being read.
            let fields = pair[1].elements ?? []
            guard fields.count % 2 == 0 else { throw RESPProtocolError("a stream entry with an odd number of fields") }
            var index = 0
            while index < fields.count {
                guard let name = fields[index].bytes, let value = fields[index + 1].bytes else {
                    throw RESPProtocolError("a stream field that is not a string")
                }
                if name == sourceField, entry.source == nil { entry.source = value }
                if name == recordField, entry.record == nil { entry.record = value }
                index += 2
            }
            result.append(entry)
        }
        return result
    }

    /// The `start` of this entry's record when the entry is `source`'s and its record a bucket or gap:
    /// what a restarted shipper resumes after.
    public func timelineStart(ofSource source: String) -> Int64? {
        guard self.source == Array(source.utf8), let record else { return nil }
        return record.withUnsafeBufferPointer { RecordShape($0)?.timelineStart }
    }
}
