// MARK: - The virtual host of a line, for --only-vhost

extension AccessLogParser {
    /// The virtual host of `line`, which this parser has just read as `request`, or nil when the line
    /// names none.
    ///
    /// The request record does not carry the virtual host, and reading it costs nothing unless
    /// `--only-vhost` asks: it is found again from what the parse decided.
    /// - Common, Combined and vhost lines: a vhost line is one whose client is not its first field
    ///   (the parser's own decision, `parseCommonLog`), and its virtual host is that first field
    ///   (`www.example.com:443`); Common and Combined lines have none.
    /// - W3C lines: the `cs-host` field (the Host header) when the latest `#Fields:` directive lists
    ///   it and the line has a value there (not `-`).
    public func virtualHost(of request: ParsedRequest, in line: UnsafeBufferPointer<UInt8>)
        -> UnsafeBufferPointer<UInt8>?
    {
        guard let lineStart = line.baseAddress else { return nil }
        if format == .w3c || (format == .auto && fieldMap != nil) {
            guard let position = fieldMap?.hostField else { return nil }
            let field = Self.w3cField(position, of: line)
            return field.isEmpty ? nil : Self.present(field)
        }
        // The client is a view of the line (`ParsedRequest`): after its start, a field came first.
        guard let clientStart = request.client.baseAddress, clientStart > lineStart,
            clientStart <= lineStart + line.count
        else { return nil }
        let end = line.firstIndex(of: UInt8(ascii: " ")) ?? line.count
        return end > 0 ? UnsafeBufferPointer(rebasing: line[0..<end]) : nil
    }

    /// Field `position` (from 0) of a W3C line, whose fields are separated by single spaces.
    private static func w3cField(_ position: Int, of line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0
        var field = 0
        let count = line.count
        while true {
            var end = start
            while end < count && line[end] != UInt8(ascii: " ") { end += 1 }
            if field == position {
                // The parse ignores trailing blanks and a carriage return: the last field does too.
                var last = end
                while last > start && isBlank(line[last - 1]) { last -= 1 }
                return UnsafeBufferPointer(rebasing: line[start..<last])
            }
            guard end < count else { return UnsafeBufferPointer(rebasing: line[count..<count]) }
            start = end + 1
            field += 1
        }
    }
}
