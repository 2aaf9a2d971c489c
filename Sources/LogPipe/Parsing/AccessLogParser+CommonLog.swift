// MARK: - Common, Combined and Apache vhost lines

extension AccessLogParser {
    /// Reads `[vhost] client ident user [time] "request" status bytes ["referer" "agent" …]`.
    ///
    /// The fields before the timestamp are split on spaces. Three fields are Common/Combined; four or
    /// more are read as vhost when the second field is not `-` (in vhost lines it is the client, which
    /// is never `-`) and otherwise as a user name containing spaces. Forced formats skip that guess.
    @inline(__always)
    mutating func parseCommonLog(_ line: UnsafeBufferPointer<UInt8>, checksUTF8: Bool) -> Outcome {
        let count = line.count
        var fieldCount = 0
        var field0 = 0..<0
        var field1 = 0..<0
        var field2Start = 0
        var field3Start = 0
        var lastEnd = 0
        var position = 0
        while true {
            guard position < count else { return notAnAccessLogLine(line) }
            if fieldCount >= 3 && line[position] == UInt8(ascii: "[") { break }
            if fieldCount == 8 { return notAnAccessLogLine(line) }
            let start = position
            position = ByteScan.first(ByteScan.Space.self, in: line, from: position)
            switch fieldCount {
            case 0: field0 = start..<position
            case 1: field1 = start..<position
            case 2: field2Start = start
            case 3: field3Start = start
            default: break
            }
            lastEnd = position
            fieldCount += 1
            while position < count && line[position] == UInt8(ascii: " ") { position += 1 }
        }
        guard count - position >= LogTimestamp.commonLogLength else {
            return .invalid(reason: Reason.badTimestamp, time: nil)
        }
        guard let time = stamps.time(line, at: position) else {
            return .invalid(reason: Reason.badTimestamp, time: nil)
        }
        position += LogTimestamp.commonLogLength

        let isVhost: Bool
        switch format {
        case .vhost:
            guard fieldCount >= 4 else { return .invalid(reason: Reason.missingVirtualHost, time: time) }
            isVhost = true
        case .common, .combined:
            isVhost = false
        default:
            isVhost = fieldCount >= 4 && !(field1.count == 1 && line[field1.lowerBound] == UInt8(ascii: "-"))
        }
        let client = UnsafeBufferPointer(rebasing: line[isVhost ? field1 : field0])
        let userField = UnsafeBufferPointer(rebasing: line[(isVhost ? field3Start : field2Start)..<lastEnd])

        // The request: the quote that closes it is the one followed by a status.
        while position < count && line[position] == UInt8(ascii: " ") { position += 1 }
        guard position < count, line[position] == UInt8(ascii: "\"") else {
            return .invalid(reason: Reason.missingRequest, time: time)
        }
        let requestStart = position + 1
        var close = -1
        var firstClose = -1
        var escaped = false
        var scan = requestStart
        while true {
            scan = ByteScan.first(ByteScan.QuoteOrBackslash.self, in: line, from: scan)
            guard scan < count else { break }
            if line[scan] == UInt8(ascii: "\\") {
                escaped = true
                scan += 2
                continue
            }
            if Self.statusFollows(line, quote: scan) {
                close = scan
                break
            }
            // A quote a server failed to escape: remember it in case no status follows anywhere.
            if firstClose < 0 && (scan + 1 == count || line[scan + 1] == UInt8(ascii: " ")) { firstClose = scan }
            scan += 1
        }
        if close < 0 && escaped {
            // A server that does not escape may have logged a lone backslash just before the quote.
            scan = requestStart
            while scan < count {
                if line[scan] == UInt8(ascii: "\"") && Self.statusFollows(line, quote: scan) {
                    close = scan
                    break
                }
                scan += 1
            }
        }
        guard close >= 0 else {
            return .invalid(reason: firstClose >= 0 ? Reason.badStatus : Reason.unterminatedRequest, time: time)
        }
        let status =
            Int(line[close + 2] &- 0x30) * 100 + Int(line[close + 3] &- 0x30) * 10
            + Int(line[close + 4] &- 0x30)
        position = close + 5
        guard position < count else { return .invalid(reason: Reason.badByteCount, time: time) }
        position += 1
        let bytesStart = position
        // Digits read as they are found; anything else (`-`, junk, too many digits) takes the
        // general path over the whole field.
        var bytes: Int64 = 0
        while position < count {
            let digit = line[position] &- 0x30
            guard digit <= 9 else { break }
            bytes = bytes &* 10 &+ Int64(digit)
            position += 1
        }
        let digitCount = position - bytesStart
        if digitCount == 0 || digitCount > 18 || (position < count && line[position] != UInt8(ascii: " ")) {
            position = ByteScan.first(ByteScan.Space.self, in: line, from: position)
            guard let parsed = Self.byteCount(UnsafeBufferPointer(rebasing: line[bytesStart..<position])) else {
                return .invalid(reason: Reason.badByteCount, time: time)
            }
            bytes = parsed
        }

        // Referer and user agent: the first two quoted fields after the byte count, if any.
        var referer: UnsafeBufferPointer<UInt8>? = nil
        var refererEscaped = false
        var agent: UnsafeBufferPointer<UInt8>? = nil
        var agentEscaped = false
        if format == .combined || (format != .common && readsRefererAndAgent) {
            while position < count && line[position] == UInt8(ascii: " ") { position += 1 }
            if position < count && line[position] == UInt8(ascii: "\"") {
                let field = Self.quotedField(line, from: position + 1)
                referer = UnsafeBufferPointer(rebasing: line[(position + 1)..<field.end])
                refererEscaped = field.escaped
                position = field.end + 1
                if field.terminated && position + 1 < count && line[position] == UInt8(ascii: " ")
                    && line[position + 1] == UInt8(ascii: "\"")
                {
                    let agentField = Self.quotedField(line, from: position + 2)
                    agent = UnsafeBufferPointer(rebasing: line[(position + 2)..<agentField.end])
                    agentEscaped = agentField.escaped
                }
            }
            if format == .combined && agent == nil {
                return .invalid(reason: Reason.missingRefererOrAgent, time: time)
            }
        }

        if checksUTF8 && !(UTF8Validation.isValid(client) && UTF8Validation.isValid(userField)) {
            return .invalid(reason: Reason.invalidUTF8, time: time)
        }

        var requestText = UnsafeBufferPointer(rebasing: line[requestStart..<close])
        if escaped { requestText = decoded(requestText) }
        let request = RequestLine(splitting: requestText)
        let section = request.malformed ? Self.staticBytes("(invalid)") : sectionBytes(of: request.target)
        if refererEscaped, let field = referer { referer = decoded(field) }
        if agentEscaped, let field = agent { agent = decoded(field) }
        return .request(
            ParsedRequest(
                time: time, status: status, bytes: bytes, malformedRequest: request.malformed, client: client,
                user: Self.present(userField), method: request.method, path: request.target,
                protocol: request.protocol, section: section, referer: referer.flatMap(Self.present),
                userAgent: agent.flatMap(Self.present)))
    }

    /// True when the quote at `quote` is followed by ` ddd` and then a space or the end of the line.
    @inline(__always)
    static func statusFollows(_ line: UnsafeBufferPointer<UInt8>, quote: Int) -> Bool {
        let count = line.count
        guard quote + 4 < count, line[quote + 1] == UInt8(ascii: " "), isDigit(line[quote + 2]),
            isDigit(line[quote + 3]), isDigit(line[quote + 4])
        else { return false }
        return quote + 5 == count || line[quote + 5] == UInt8(ascii: " ")
    }

    /// Finds the end of a quoted field starting at `start` (after its opening quote): the first
    /// unescaped quote followed by a space or the end of the line, or the end of the line when the
    /// field is cut off.
    static func quotedField(_ line: UnsafeBufferPointer<UInt8>, from start: Int) -> (
        end: Int, terminated: Bool, escaped: Bool
    ) {
        let count = line.count
        var escaped = false
        var scan = start
        while true {
            scan = ByteScan.first(ByteScan.QuoteOrBackslash.self, in: line, from: scan)
            guard scan < count else { break }
            if line[scan] == UInt8(ascii: "\\") {
                escaped = true
                scan += 2
                continue
            }
            if scan + 1 == count || line[scan + 1] == UInt8(ascii: " ") { return (scan, true, escaped) }
            scan += 1
        }
        return (count, false, escaped)
    }

    /// The reason for a line no format fits, telling W3C lines read without their `#Fields:` apart.
    private func notAnAccessLogLine(_ line: UnsafeBufferPointer<UInt8>) -> Outcome {
        let looksLikeW3C =
            line.count > 11 && Self.isDigit(line[0]) && Self.isDigit(line[1])
            && Self.isDigit(line[2]) && Self.isDigit(line[3]) && line[4] == UInt8(ascii: "-")
            && Self.isDigit(line[5]) && Self.isDigit(line[6]) && line[7] == UInt8(ascii: "-")
            && Self.isDigit(line[8]) && Self.isDigit(line[9]) && line[10] == UInt8(ascii: " ")
        return .invalid(reason: looksLikeW3C ? Reason.noFieldsDirective : Reason.notAnAccessLogLine, time: nil)
    }
}
