/// Every writer of a `request` record: from a `RequestRecord` (tests, slow paths) and from a
/// `ParsedRequest` straight from the log line's bytes (logtail's hot path). Both write the same bytes
/// for the same request (`ReferenceAgreementTests` compares them with each other and with a reference
/// encoder on every corpus line); `RequestLayoutReader` reads the default layout back.
extension RequestRecord {
    /// Appends this record as one NDJSON line, with the optional members it carries.
    public func encode(into writer: inout JSONWriter) {
        writer.beginRecord(type: "request")
        writer.key("time")
        writer.integer(time)
        optional("source", source, into: &writer)
        writer.key("client")
        writer.string(client)
        optional("user", user, into: &writer)
        optional("method", method, into: &writer)
        optional("path", path, into: &writer)
        optional("protocol", self.protocol, into: &writer)
        writer.key("status")
        writer.integer(status)
        writer.key("bytes")
        writer.integer(bytes)
        writer.key("section")
        writer.string(section)
        if malformedRequest {
            writer.key("malformed")
            writer.boolean(true)
        }
        optional("referer", referer, into: &writer)
        optional("agent", userAgent, into: &writer)
        writer.endRecord()
    }

    private func optional(_ key: StaticString, _ value: String?, into writer: inout JSONWriter) {
        guard let value else { return }
        writer.key(key)
        writer.string(value)
    }
}

extension ParsedRequest {
    /// Appends the `request` record for this request as one NDJSON line, byte for byte what
    /// `RequestRecord.encode(into:)` writes for `record(source:fields:)`, without building any `String`.
    /// - Parameters:
    ///   - source: the file the line came from, written as `source` when `fields` has it.
    ///   - fields: the optional members to write; `user`, `referer` and `agent` only when the line
    ///     has them.
    public func encode(into writer: inout JSONWriter, source: String?, fields: RequestFields) {
        // The bytes of RequestRecord.encode(into:) (a test compares the two on every corpus line, and
        // another with a reference encoder), with each run of punctuation and key written in one
        // piece, and room for the whole record reserved once: each field escapes to at most 6 bytes
        // per byte, and keys, punctuation and numbers take under 512 (about 300 at most).
        let user = fields.contains(.user) ? user : nil
        let referer = fields.contains(.referer) ? referer : nil
        let userAgent = fields.contains(.agent) ? userAgent : nil
        var source = fields.contains(.source) ? source : nil
        var fieldBytes = client.count + section.count + (user?.count ?? 0)
        if fields.contains(.method) { fieldBytes += method.count }
        if fields.contains(.path) { fieldBytes += path.count }
        if fields.contains(.protocol) { fieldBytes += self.protocol.count }
        fieldBytes += (referer?.count ?? 0) + (userAgent?.count ?? 0)
        fieldBytes += source?.utf8.count ?? 0
        writer.reserveForUncheckedAppends(512 + 6 * fieldBytes)
        writer.uncheckedRaw("{\"type\":\"request\",\"v\":")
        writer.uncheckedInteger(Int64(WireProtocol.version))
        writer.uncheckedRaw(",\"time\":")
        writer.uncheckedInteger(time)
        if source != nil {
            writer.uncheckedRaw(",\"source\":\"")
            source!.withUTF8 { writer.uncheckedEscaped($0) }
            writer.uncheckedRaw("\",\"client\":\"")
        } else {
            writer.uncheckedRaw(",\"client\":\"")
        }
        writer.uncheckedEscaped(client)
        if let user {
            writer.uncheckedRaw("\",\"user\":\"")
            writer.uncheckedEscaped(user)
        }
        if fields.contains(.method) {
            writer.uncheckedRaw("\",\"method\":\"")
            writer.uncheckedEscaped(method)
        }
        if fields.contains(.path) {
            writer.uncheckedRaw("\",\"path\":\"")
            writer.uncheckedEscaped(path)
        }
        if fields.contains(.protocol) {
            writer.uncheckedRaw("\",\"protocol\":\"")
            writer.uncheckedEscaped(self.protocol)
        }
        writer.uncheckedRaw("\",\"status\":")
        writer.uncheckedInteger(Int64(status))
        writer.uncheckedRaw(",\"bytes\":")
        writer.uncheckedInteger(bytes)
        writer.uncheckedRaw(",\"section\":\"")
        writer.uncheckedEscaped(section)
        writer.uncheckedRaw(UInt8(ascii: "\""))
        if malformedRequest { writer.uncheckedRaw(",\"malformed\":true") }
        if let referer {
            writer.uncheckedRaw(",\"referer\":\"")
            writer.uncheckedEscaped(referer)
            writer.uncheckedRaw(UInt8(ascii: "\""))
        }
        if let userAgent {
            writer.uncheckedRaw(",\"agent\":\"")
            writer.uncheckedEscaped(userAgent)
            writer.uncheckedRaw(UInt8(ascii: "\""))
        }
        writer.uncheckedRaw("}\n")
    }
}
