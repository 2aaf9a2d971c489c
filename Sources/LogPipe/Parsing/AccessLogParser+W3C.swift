// MARK: - W3C Extended lines (IIS)

extension AccessLogParser {
    /// Reads a W3C Extended data line with the fields named by the latest `#Fields:` directive.
    ///
    /// Fields are separated by single spaces and `-` means empty. `date` and `time` are UTC. The path
    /// is `cs-uri-stem`, followed by `?` and `cs-uri-query` when the query is not `-`; the section
    /// comes from the stem. In `cs(User-Agent)` IIS writes spaces as `+`, which are turned back into
    /// spaces; other fields are kept as logged. The request is malformed when `cs-method` is missing
    /// or not a method token, or `cs-uri-stem` is missing.
    mutating func parseW3C(_ line: UnsafeBufferPointer<UInt8>, checksUTF8: Bool) -> Outcome {
        guard let fieldMap else { return .invalid(reason: Reason.noFieldsDirective, time: nil) }
        var count = line.count
        while count > 0 && Self.isBlank(line[count - 1]) { count -= 1 }
        var date: Range<Int>? = nil
        var timeOfDay: Range<Int>? = nil
        var client: Range<Int>? = nil
        var user: Range<Int>? = nil
        var method: Range<Int>? = nil
        var stem: Range<Int>? = nil
        var query: Range<Int>? = nil
        var statusField: Range<Int>? = nil
        var bytesField: Range<Int>? = nil
        var agentField: Range<Int>? = nil
        var refererField: Range<Int>? = nil
        var version: Range<Int>? = nil
        let roles = fieldMap.roles
        var fieldIndex = 0
        var position = 0
        while true {
            let start = position
            while position < count && line[position] != UInt8(ascii: " ") { position += 1 }
            if fieldIndex < roles.count {
                let range = start..<position
                switch roles[fieldIndex] {
                case .ignored: break
                case .date: date = range
                case .time: timeOfDay = range
                case .client: client = range
                case .user: user = range
                case .method: method = range
                case .uriStem: stem = range
                case .uriQuery: query = range
                case .status: statusField = range
                case .bytes: bytesField = range
                case .userAgent: agentField = range
                case .referer: refererField = range
                case .version: version = range
                }
            }
            fieldIndex += 1
            if position >= count { break }
            position += 1
        }

        func bytes(_ range: Range<Int>?) -> UnsafeBufferPointer<UInt8>? {
            guard let range else { return nil }
            return Self.present(UnsafeBufferPointer(rebasing: line[range]))
        }
        guard let date, let timeOfDay else {
            return .invalid(reason: fieldIndex == roles.count ? Reason.noTimestamp : Reason.wrongFieldCount, time: nil)
        }
        guard
            let time = LogTimestamp.parseW3C(
                date: UnsafeBufferPointer(rebasing: line[date]), time: UnsafeBufferPointer(rebasing: line[timeOfDay]))
        else { return .invalid(reason: Reason.badTimestamp, time: nil) }
        guard fieldIndex == roles.count else { return .invalid(reason: Reason.wrongFieldCount, time: time) }
        guard let statusField, let status = Self.statusCode(UnsafeBufferPointer(rebasing: line[statusField])) else {
            return .invalid(reason: Reason.badStatus, time: time)
        }
        var byteCount: Int64 = 0
        if let bytesField {
            guard let value = Self.byteCount(UnsafeBufferPointer(rebasing: line[bytesField])) else {
                return .invalid(reason: Reason.badByteCount, time: time)
            }
            byteCount = value
        }
        let clientBytes = client.map { UnsafeBufferPointer(rebasing: line[$0]) } ?? RequestLine.empty
        let userBytes = bytes(user)
        if checksUTF8
            && !(UTF8Validation.isValid(clientBytes) && UTF8Validation.isValid(userBytes ?? RequestLine.empty))
        {
            return .invalid(reason: Reason.invalidUTF8, time: time)
        }

        var methodBytes = bytes(method) ?? RequestLine.empty
        var malformed = methodBytes.isEmpty
        if !methodBytes.allSatisfy(RequestLine.isTokenCharacter) {
            methodBytes = RequestLine.empty
            malformed = true
        }
        let stemBytes = bytes(stem) ?? RequestLine.empty
        if stemBytes.isEmpty { malformed = true }
        var path = stemBytes
        if let queryBytes = bytes(query), !queryBytes.isEmpty {
            let destination = scratch.cursor
            if let base = stemBytes.baseAddress { destination.update(from: base, count: stemBytes.count) }
            destination[stemBytes.count] = UInt8(ascii: "?")
            (destination + stemBytes.count + 1).update(from: queryBytes.baseAddress!, count: queryBytes.count)
            path = scratch.commit(stemBytes.count + 1 + queryBytes.count)
        }
        var agent = bytes(agentField)
        if let raw = agent, raw.contains(UInt8(ascii: "+")) {
            let destination = scratch.cursor
            for (index, byte) in raw.enumerated() {
                destination[index] = byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte
            }
            agent = scratch.commit(raw.count)
        }
        let section = malformed ? Self.staticBytes("(invalid)") : sectionBytes(of: stemBytes)
        return .request(
            ParsedRequest(
                time: time, status: status, bytes: byteCount, malformedRequest: malformed, client: clientBytes,
                user: userBytes, method: methodBytes, path: path, protocol: bytes(version) ?? RequestLine.empty,
                section: section, referer: bytes(refererField), userAgent: agent))
    }
}
