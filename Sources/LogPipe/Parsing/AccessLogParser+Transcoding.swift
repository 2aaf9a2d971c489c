// MARK: - Plain Common and Combined lines, straight to records

extension AccessLogParser {
    /// Writes the `request` record of `line` (without its newline) when the line is a plain Common or
    /// Combined request, reading the line and writing the record in one pass; returns false, having
    /// written nothing, for any other line, which the caller then reads with `parse(_:)`.
    ///
    /// This is logtail's fast path. A line is plain when:
    /// - the parser reads `.auto` (before any W3C `#Fields:` directive), `.common` or `.combined`;
    /// - it holds no NUL byte and does not start with `#`, a space, a tab or a carriage return;
    /// - three fields come before the `[timestamp]` (client, identity, user), each of printable ASCII
    ///   without `"` or `\`;
    /// - the timestamp is valid; the quoted request is printable ASCII without `\` and ends at its
    ///   first `"`, which a status follows; the request line is HTTP (not `malformed`);
    /// - the byte count is `-` or 1 to 18 digits, the first not a 0 unless it is the only one;
    /// - where referer and user agent are read (`readsRefererAndAgent`, or `.combined`, which requires
    ///   both), they hold no `\`.
    ///
    /// Nearly every line of a real log is plain. Its record is byte for byte the one that `parse(_:)`
    /// followed by `ParsedRequest.encode(into:source:fields:)` writes (`TranscoderAgreementTests`, on
    /// the corpus and on generated hostile lines), without the `ParsedRequest` and its copies in
    /// between: the client, user, method, path, protocol and section need no escaping and are copied
    /// as they are, the status and byte count as their digits, and the time's digits are the previous
    /// record's when the time is. Any other line is declined, never rejected, as the layout readers of
    /// `Wire/Layout` do.
    /// - Returns: true when the record was written (the line is a request).
    public mutating func transcode(
        _ line: UnsafeBufferPointer<UInt8>, source: String?, fields: RequestFields, into writer: inout JSONWriter
    ) -> Bool {
        guard let p = line.baseAddress else { return false }
        var count = line.count
        // The shortest request line is longer than this (`a - - [28 bytes] "GET /" 200 0` is 48 bytes).
        guard count >= 40, readsCommonLog else { return false }
        if p[count &- 1] == 0x0D { count &-= 1 }
        let line = UnsafeBufferPointer(start: p, count: count)
        guard p[0] != UInt8(ascii: "#"), !Self.isBlank(p[0]) else { return false }

        // Client, identity and user: three fields separated by spaces, then the timestamp.
        let clientEnd = ByteScan.firstVector(ByteScan.SpaceOrJSONAttention.self, in: line, from: 0)
        guard clientEnd &+ 34 < count, p[clientEnd] == UInt8(ascii: " ") else { return false }
        var userStart = clientEnd &+ 3
        var userEnd = clientEnd &+ 4
        var at = clientEnd &+ 5
        if UnsafeRawPointer(p + clientEnd).loadUnaligned(as: UInt32.self) != 0x2D20_2D20  // " - -"
            || p[clientEnd &+ 4] != UInt8(ascii: " ") || p[at] != UInt8(ascii: "[")
        {
            // Not the usual `client - - [`: the fields as `parse` splits them.
            guard let fields = Self.identityAndUser(p, from: clientEnd, count) else { return false }
            (userStart, userEnd, at) = fields
        }

        // The timestamp, a space and the quote that opens the request, with a byte after it.
        guard count &- at > LogTimestamp.commonLogLength &+ 2, let time = stamps.time(line, at: at) else {
            return false
        }
        at &+= LogTimestamp.commonLogLength
        if UnsafeRawPointer(p + at).loadUnaligned(as: UInt16.self) == 0x2220 {  // ` "`
            at &+= 1
        } else {
            while at < count && p[at] == UInt8(ascii: " ") { at &+= 1 }
            guard at < count, p[at] == UInt8(ascii: "\"") else { return false }
        }

        // The request ends at its first quote, which a status must follow, then a space.
        let requestStart = at &+ 1
        let close = ByteScan.firstVector(ByteScan.JSONWriterAttention.self, in: line, from: requestStart)
        // A status with a leading zero is written as its number: left to the general path.
        guard close &+ 6 < count, p[close] == UInt8(ascii: "\""), p[close &+ 1] == UInt8(ascii: " "),
            p[close &+ 2] &- 0x31 <= 8, Self.isDigit(p[close &+ 3]), Self.isDigit(p[close &+ 4]),
            p[close &+ 5] == UInt8(ascii: " ")
        else { return false }
        let statusAt = close &+ 2

        // The byte count: digits, or `-` for none.
        let bytesStart = close &+ 6
        at = bytesStart
        while at < count && p[at] &- 0x30 <= 9 { at &+= 1 }
        let bytesDigits = at &- bytesStart
        if bytesDigits == 0 {
            guard p[bytesStart] == UInt8(ascii: "-") else { return false }
            at &+= 1
        } else if bytesDigits > 18 || (p[bytesStart] == UInt8(ascii: "0") && bytesDigits > 1) {
            // The record has the number, not its digits: the general path writes it.
            return false
        }
        guard at == count || p[at] == UInt8(ascii: " ") else { return false }
        // The rest of the line is not needed for the record, but a NUL byte anywhere makes it invalid.
        if at < count && ByteScan.containsNUL(p, from: at, to: count) { return false }

        guard let request = Self.plainRequest(p + requestStart, close &- requestStart) else { return false }

        guard fields.isEmpty && format != .combined else {
            // Optional members: written with the general request's rules.
            return transcodeWithFields(
                line, time: time, client: clientEnd, user: userStart..<userEnd, request: request,
                statusAt: statusAt, bytes: bytesStart..<(bytesStart &+ bytesDigits), rest: at, source: source,
                fields: fields, into: &writer)
        }

        // The record in logtail's default layout, written through a cursor.
        // About 112 bytes besides the client and section, and up to 16 stored past the end of a piece.
        writer.reserveForUncheckedAppends(160 &+ clientEnd &+ request.sectionLength)
        var out = RecordCursor(writer.uncheckedCursor)
        if WireProtocol.version == 2 {
            out.put("{\"type\":\"request\",\"v\":2,\"time\":")
        } else {
            out.put("{\"type\":\"request\",\"v\":")
            out.put(DecimalText(Int64(WireProtocol.version)))
            out.put(",\"time\":")
        }
        if time != timeText.time || timeText.count == 0 { timeText = DecimalText(time) }
        out.put(timeText)
        out.put(",\"client\":\"")
        out.put(p, clientEnd)
        out.put("\",\"status\":")
        out.put(p + statusAt, 3)
        out.put(",\"bytes\":")
        if bytesDigits == 0 {
            out.put(UInt8(ascii: "0"))
        } else {
            out.put(p + bytesStart, bytesDigits)
        }
        out.put(",\"section\":\"")
        out.put(request.target.baseAddress!, request.sectionPrefix)
        if request.sectionAppendsSlash { out.put(UInt8(ascii: "/")) }
        out.put("\"}\n")
        writer.uncheckedCommit(through: out.pointer)
        return true
    }

    /// `","status":S,"bytes":B,"section":"X"` through the cursor: status and byte count as their
    /// digits (no leading zero but a lone `0`, which the caller checked).
    private static func writeTail(
        _ p: UnsafePointer<UInt8>, statusAt: Int, bytesStart: Int, bytesDigits: Int, _ request: PlainRequest,
        into out: inout RecordCursor
    ) {
        out.put("\",\"status\":")
        out.put(p + statusAt, 3)
        out.put(",\"bytes\":")
        if bytesDigits == 0 {
            out.put(UInt8(ascii: "0"))
        } else {
            out.put(p + bytesStart, bytesDigits)
        }
        out.put(",\"section\":\"")
        out.put(request.target.baseAddress!, request.sectionPrefix)
        if request.sectionAppendsSlash { out.put(UInt8(ascii: "/")) }
        out.put(UInt8(ascii: "\""))
    }

    /// The record of a plain line with optional members, in `ParsedRequest.encode`'s order, reading
    /// referer and user agent as `parse` does; false when they have escapes (`parse` decodes them).
    private mutating func transcodeWithFields(
        _ line: UnsafeBufferPointer<UInt8>, time: Int64, client clientEnd: Int, user userRange: Range<Int>,
        request: PlainRequest, statusAt: Int, bytes: Range<Int>, rest: Int, source: String?, fields: RequestFields,
        into writer: inout JSONWriter
    ) -> Bool {
        let p = line.baseAddress!
        let count = line.count
        var referer: UnsafeBufferPointer<UInt8>? = nil
        var agent: UnsafeBufferPointer<UInt8>? = nil
        if format == .combined || (format != .common && readsRefererAndAgent) {
            var at = rest
            while at < count && p[at] == UInt8(ascii: " ") { at &+= 1 }
            if at < count && p[at] == UInt8(ascii: "\"") {
                let field = Self.quotedField(line, from: at &+ 1)
                guard !field.escaped else { return false }
                referer = UnsafeBufferPointer(start: p + (at &+ 1), count: field.end &- at &- 1)
                at = field.end &+ 1
                if field.terminated && at &+ 1 < count && p[at] == UInt8(ascii: " ")
                    && p[at &+ 1] == UInt8(ascii: "\"")
                {
                    let agentField = Self.quotedField(line, from: at &+ 2)
                    guard !agentField.escaped else { return false }
                    agent = UnsafeBufferPointer(start: p + (at &+ 2), count: agentField.end &- at &- 2)
                }
            }
            if format == .combined && agent == nil { return false }
        }
        let user =
            fields.contains(.user)
            ? Self.present(UnsafeBufferPointer(start: p + userRange.lowerBound, count: userRange.count)) : nil
        referer = fields.contains(.referer) ? referer.flatMap(Self.present) : nil
        agent = fields.contains(.agent) ? agent.flatMap(Self.present) : nil
        let writesSource = source != nil && fields.contains(.source)
        var fieldBytes = clientEnd &+ request.sectionLength &+ (user?.count ?? 0)
        fieldBytes &+= request.method.count &+ request.target.count &+ request.protocol.count
        fieldBytes &+= (referer?.count ?? 0) &+ (agent?.count ?? 0)
        if writesSource { fieldBytes &+= source?.utf8.count ?? 0 }
        writer.reserveForUncheckedAppends(512 &+ 6 &* fieldBytes)

        if WireProtocol.version == 2 {
            writer.uncheckedRaw("{\"type\":\"request\",\"v\":2,\"time\":")
        } else {
            writer.uncheckedRaw("{\"type\":\"request\",\"v\":")
            writer.uncheckedInteger(Int64(WireProtocol.version))
            writer.uncheckedRaw(",\"time\":")
        }
        writer.uncheckedInteger(time)
        if writesSource, var source {
            writer.uncheckedRaw(",\"source\":\"")
            source.withUTF8 { writer.uncheckedEscaped($0) }
            writer.uncheckedRaw("\",\"client\":\"")
        } else {
            writer.uncheckedRaw(",\"client\":\"")
        }
        writer.uncheckedRaw(UnsafeBufferPointer(start: p, count: clientEnd))
        if let user {
            writer.uncheckedRaw("\",\"user\":\"")
            writer.uncheckedRaw(user)
        }
        if fields.contains(.method) {
            writer.uncheckedRaw("\",\"method\":\"")
            writer.uncheckedRaw(request.method)
        }
        if fields.contains(.path) {
            writer.uncheckedRaw("\",\"path\":\"")
            writer.uncheckedRaw(request.target)
        }
        if fields.contains(.protocol) {
            writer.uncheckedRaw("\",\"protocol\":\"")
            writer.uncheckedRaw(request.protocol)
        }
        var out = RecordCursor(writer.uncheckedCursor)
        Self.writeTail(
            p, statusAt: statusAt, bytesStart: bytes.lowerBound, bytesDigits: bytes.count, request, into: &out)
        writer.uncheckedCommit(through: out.pointer)
        if let referer {
            writer.uncheckedRaw(",\"referer\":\"")
            writer.uncheckedEscaped(referer)
            writer.uncheckedRaw(UInt8(ascii: "\""))
        }
        if let agent {
            writer.uncheckedRaw(",\"agent\":\"")
            writer.uncheckedEscaped(agent)
            writer.uncheckedRaw(UInt8(ascii: "\""))
        }
        writer.uncheckedRaw("}\n")
        return true
    }

    /// The identity and user fields after the client (which ends at `clientEnd`) as `parse` splits
    /// them when exactly three fields come before the timestamp: the user's range and where the `[`
    /// is; nil for any other layout, or for fields with bytes that would need escaping.
    private static func identityAndUser(
        _ p: UnsafePointer<UInt8>, from clientEnd: Int, _ count: Int
    ) -> (userStart: Int, userEnd: Int, bracket: Int)? {
        let line = UnsafeBufferPointer(start: p, count: count)
        var at = clientEnd
        while at < count && p[at] == UInt8(ascii: " ") { at &+= 1 }
        let identityEnd = ByteScan.firstVector(ByteScan.SpaceOrJSONAttention.self, in: line, from: at)
        guard identityEnd < count, p[identityEnd] == UInt8(ascii: " ") else { return nil }
        at = identityEnd
        while at < count && p[at] == UInt8(ascii: " ") { at &+= 1 }
        let userStart = at
        let userEnd = ByteScan.firstVector(ByteScan.SpaceOrJSONAttention.self, in: line, from: at)
        guard userEnd < count, p[userEnd] == UInt8(ascii: " ") else { return nil }
        at = userEnd
        while at < count && p[at] == UInt8(ascii: " ") { at &+= 1 }
        guard at < count, p[at] == UInt8(ascii: "[") else { return nil }
        return (userStart, userEnd, at)
    }

    /// A request line split as `RequestLine` splits it, with its section.
    struct PlainRequest {
        var method: UnsafeBufferPointer<UInt8>
        var target: UnsafeBufferPointer<UInt8>
        var `protocol`: UnsafeBufferPointer<UInt8>
        /// How many leading bytes of the target the section is.
        var sectionPrefix: Int
        /// Whether the section is that prefix followed by `/`.
        var sectionAppendsSlash: Bool
        /// The length of the section.
        var sectionLength: Int { sectionPrefix &+ (sectionAppendsSlash ? 1 : 0) }
    }

    /// The request line of `length` bytes at `text` split as `RequestLine(splitting:)` splits it, or nil
    /// when it is malformed. The usual `GET /path HTTP/1.1` (any method of capital letters) is split
    /// with a few word tests and its section found in the same pass; anything else takes `RequestLine`
    /// and `Section`.
    @inline(__always)
    static func plainRequest(_ text: UnsafePointer<UInt8>, _ length: Int) -> PlainRequest? {
        let raw = UnsafeRawPointer(text)
        var targetStart = 0
        if length >= 14 {  // `GET / HTTP/1.1`
            let head = raw.loadUnaligned(as: UInt64.self)
            // `GET /`, or a method of 3 to 7 capital letters (tokens, as RequestLine wants), one space
            // and `/`.
            if head & 0xFF_FFFF_FFFF == 0x2F_2054_4547 {
                targetStart = 4
            } else if case let spaces = ByteScan.equal(head, UInt8(ascii: " ")), spaces != 0 {
                let methodLength = spaces.trailingZeroBitCount &>> 3
                if methodLength >= 3 && methodLength <= 7 && text[methodLength &+ 1] == UInt8(ascii: "/") {
                    let capitals =
                        (head &+ ByteScan.ones &* (0x80 &- 0x41)) & ~(head &+ ByteScan.ones &* (0x80 &- 0x5B))
                        & ByteScan.highBits
                    let methodBits = ByteScan.highBits & ((UInt64(1) &<< UInt64(methodLength &* 8)) &- 1)
                    if capitals & methodBits == methodBits { targetStart = methodLength &+ 1 }
                }
            }
        }
        // Then one space and ` HTTP/x.y` (no space in its last 8 bytes) at the end.
        if targetStart > 0 {
            let tail = raw.loadUnaligned(fromByteOffset: length &- 8, as: UInt64.self)
            if tail & 0xFF_FFFF_FFFF == 0x2F_5054_5448, RequestLine.hasNoSpace(tail),
                text[length &- 9] == UInt8(ascii: " "), text[length &- 10] != UInt8(ascii: " "),
                length &- 9 > targetStart
            {
                let targetLength = length &- 9 &- targetStart
                let target = text + targetStart
                // The section of an origin-form path: up to its second `/`, `?` or `#` (Section's rule).
                // The 8 bytes after the first are inside the request text (` HTTP/x.y` follows the
                // target): one word test finds most sections' end.
                let word = UnsafeRawPointer(target + 1).loadUnaligned(as: UInt64.self)
                let flags =
                    ByteScan.equal(word, UInt8(ascii: "/")) | ByteScan.equal(word, UInt8(ascii: "?"))
                    | ByteScan.equal(word, UInt8(ascii: "#"))
                var index = flags != 0 ? 1 &+ flags.trailingZeroBitCount &>> 3 : 9
                if index > targetLength { index = targetLength }
                while index < targetLength {
                    let byte = target[index]
                    if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") { break }
                    index &+= 1
                }
                return PlainRequest(
                    method: UnsafeBufferPointer(start: text, count: targetStart &- 1),
                    target: UnsafeBufferPointer(start: target, count: targetLength),
                    protocol: UnsafeBufferPointer(start: text + (length &- 8), count: 8), sectionPrefix: index,
                    sectionAppendsSlash: false)
            }
        }
        let request = RequestLine(splitting: UnsafeBufferPointer(start: text, count: length))
        guard !request.malformed else { return nil }
        let span = Section.span(of: request.target)
        return PlainRequest(
            method: request.method, target: request.target, protocol: request.protocol, sectionPrefix: span.length,
            sectionAppendsSlash: span.appendsSlash)
    }
}

/// Stores bytes through a pointer where room was reserved: the transcoder's record writer. Pieces
/// are copied in whole words (overlapping at their ends), which is why the room must exceed the
/// record by a few bytes, and never reads a byte outside its source.
struct RecordCursor {
    private(set) var pointer: UnsafeMutablePointer<UInt8>

    @inline(__always)
    init(_ pointer: UnsafeMutablePointer<UInt8>) {
        self.pointer = pointer
    }

    @inline(__always)
    mutating func put(_ byte: UInt8) {
        pointer.pointee = byte
        pointer += 1
    }

    @inline(__always)
    mutating func put(_ text: StaticString) {
        put(text.utf8Start, text.utf8CodeUnitCount)
    }

    /// The digits of `text` (two word stores).
    @inline(__always)
    mutating func put(_ text: DecimalText) {
        let destination = UnsafeMutableRawPointer(pointer)
        destination.storeBytes(of: text.words.0, as: UInt64.self)
        destination.storeBytes(of: text.words.1, toByteOffset: 8, as: UInt64.self)
        pointer += text.count
    }

    @inline(__always)
    mutating func put(_ source: UnsafePointer<UInt8>, _ count: Int) {
        ByteCopy.copy(source, to: pointer, count: count)
        pointer += count
    }
}

/// The decimal digits of one number, kept so that the next record of the same second copies them.
struct DecimalText {
    /// The number the digits spell (meaningless when `count` is 0).
    let time: Int64
    /// Up to 16 bytes of text in two words (little-endian), `count` of them used.
    let words: (UInt64, UInt64)
    /// The length of the text; 0 for none yet.
    let count: Int

    /// No text yet.
    init() {
        time = 0
        words = (0, 0)
        count = 0
    }

    /// The digits of `value`, which must take at most 16 bytes with its sign: every time a log
    /// timestamp can name does (years 0000–9999 take at most 13).
    init(_ value: Int64) {
        time = value
        let magnitude = value.magnitude
        let sign = value < 0 ? 1 : 0
        let length = sign + DecimalDigits.count(magnitude)
        precondition(length <= 16, "a time beyond year 9999")
        var text: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &text) { bytes in
            if sign == 1 { bytes[0] = UInt8(ascii: "-") }
            DecimalDigits.write(magnitude, before: bytes.baseAddress! + length)
        }
        words = text
        count = length
    }
}
