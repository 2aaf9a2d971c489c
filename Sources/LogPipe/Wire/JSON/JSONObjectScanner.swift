/// Walks the members of one JSON object in place, without building a `JSONValue`: how
/// `RequestMemberReader` reads the requests that arrive at high rate in any layout, and how the Redis
/// transport reads a record's type and start (`RecordOutline`).
///
/// The scan is as strict as `JSONParser`: strings are checked for control characters and (when the
/// caller reads them) UTF-8, numbers follow the JSON grammar, and nested values are validated by
/// `JSONParser` itself.
public struct JSONObjectScanner {
    /// What a member's value is.
    public enum ValueKind: Sendable {
        case string, number, literal, nested
    }

    /// One member, valid while the scanned buffer is.
    public struct Member {
        /// The key's raw bytes between the quotes (escapes not decoded).
        public var key: UnsafeBufferPointer<UInt8>
        /// The value's kind.
        public var kind: ValueKind
        /// The value's raw bytes: for strings, between the quotes, escapes not decoded.
        public var value: UnsafeBufferPointer<UInt8>
        /// For strings: whether the raw bytes contain escapes (decode with `decodedString`).
        public var hasEscapes: Bool
        /// Whether the key's raw bytes contain escapes: then `keyIs` cannot tell its name.
        public var keyHasEscapes = false

        /// Whether the key is exactly `name` (keys written by logpipe have no escapes).
        public func keyIs(_ name: StaticString) -> Bool {
            key.count == name.utf8CodeUnitCount && memcmpEqual(key.baseAddress!, name.utf8Start, key.count)
        }

        /// The value as an integer, when it is an integer number.
        public var integer: Int64? {
            guard kind == .number, !value.isEmpty else { return nil }
            var index = 0
            var negative = false
            if value[0] == UInt8(ascii: "-") {
                negative = true
                index = 1
            }
            guard index < value.count, value.count - index <= 18 else { return nil }
            var result: Int64 = 0
            while index < value.count {
                let digit = value[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                result = result * 10 + Int64(digit)
                index += 1
            }
            return negative ? -result : result
        }

        /// The value as a string, escapes decoded and UTF-8 checked; nil when not a valid string.
        public var decodedString: String? {
            guard kind == .string else { return nil }
            if !hasEscapes {
                guard UTF8Validation.isValid(value) else { return nil }
                return String(decoding: value, as: UTF8.self)
            }
            // Re-parse with the quotes, which sit just outside the raw range.
            let quoted = UnsafeBufferPointer(start: value.baseAddress! - 1, count: value.count + 2)
            return (try? JSONParser.parse(quoted))?.stringValue
        }

        /// The value as a Boolean literal.
        public var boolean: Bool? {
            guard kind == .literal else { return nil }
            if value.count == 4 && value[0] == UInt8(ascii: "t") { return true }
            if value.count == 5 && value[0] == UInt8(ascii: "f") { return false }
            return nil
        }
    }

    /// The object being scanned.
    private let bytes: UnsafeBufferPointer<UInt8>
    /// The next byte to look at.
    private var position = 0
    /// Where the scan stands between calls to `next()`.
    private var stage = Stage.beforeObject

    private enum Stage {
        case beforeObject, firstMember, afterMember, finished
    }

    /// Prepares a scan of `bytes`, which must stay valid while the scanner and its members are used.
    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Calls `visit` for each member of the object in `bytes`, in order.
    /// - Throws: `JSONParseError` when `bytes` is not exactly one JSON object.
    public static func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ visit: (Member) -> Void) throws(JSONParseError) {
        var scanner = JSONObjectScanner(bytes)
        while let member = try scanner.next() { visit(member) }
    }

    /// The next member of the object, or nil after the last one, once the closing brace and the end
    /// of the input have been checked. An iterator rather than a callback, so that callers keep their
    /// state in plain locals (state captured by a closure paid run-time exclusivity checks per member).
    /// - Throws: `JSONParseError` when `bytes` is not exactly one JSON object.
    public mutating func next() throws(JSONParseError) -> Member? {
        switch stage {
        case .finished:
            return nil
        case .beforeObject:
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "{") else { throw fail("expected an object") }
            position += 1
            skipWhitespace()
            if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
                position += 1
                try finish()
                return nil
            }
        case .firstMember:
            break
        case .afterMember:
            skipWhitespace()
            guard position < bytes.count else { throw fail("unexpected end of input") }
            if bytes[position] == UInt8(ascii: "}") {
                position += 1
                try finish()
                return nil
            }
            guard bytes[position] == UInt8(ascii: ",") else { throw fail("expected ',' or '}'") }
            position += 1
        }
        let member = try member()
        stage = .afterMember
        return member
    }

    /// Checks that nothing but whitespace follows the object's closing brace.
    private mutating func finish() throws(JSONParseError) {
        skipWhitespace()
        guard position == bytes.count else { throw fail("unexpected data after the value") }
        stage = .finished
    }

    /// Scans one `"key": value` pair starting at (or before whitespace before) its key.
    @inline(__always)
    private mutating func member() throws(JSONParseError) -> Member {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
            throw fail("expected a member name")
        }
        let (key, keyHasEscapes) = try scanString()
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw fail("expected ':'") }
        position += 1
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end of input") }
        let valueStart = position
        switch bytes[position] {
        case UInt8(ascii: "\""):
            let (content, escapes) = try scanString()
            return Member(key: key, kind: .string, value: content, hasEscapes: escapes, keyHasEscapes: keyHasEscapes)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            while position < bytes.count, Self.isNumberByte(bytes[position]) { position += 1 }
            let text = UnsafeBufferPointer(rebasing: bytes[valueStart..<position])
            guard Self.isValidNumber(text) else { throw fail("invalid number") }
            return Member(key: key, kind: .number, value: text, hasEscapes: false, keyHasEscapes: keyHasEscapes)
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            while position < bytes.count, bytes[position] >= UInt8(ascii: "a"), bytes[position] <= UInt8(ascii: "z") {
                position += 1
            }
            let text = UnsafeBufferPointer(rebasing: bytes[valueStart..<position])
            guard Self.isLiteral(text) else { throw fail("invalid literal") }
            return Member(key: key, kind: .literal, value: text, hasEscapes: false, keyHasEscapes: keyHasEscapes)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            position = try Self.endOfNested(bytes, from: valueStart)
            let text = UnsafeBufferPointer(rebasing: bytes[valueStart..<position])
            do {
                _ = try JSONParser.parse(text)
            } catch {
                throw JSONParseError(reason: error.reason, offset: valueStart + error.offset)
            }
            return Member(key: key, kind: .nested, value: text, hasEscapes: false, keyHasEscapes: keyHasEscapes)
        default:
            throw fail("unexpected character")
        }
    }

    private func fail(_ reason: String) -> JSONParseError { JSONParseError(reason: reason, offset: position) }

    @inline(__always)
    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// Scans a string starting at its opening quote; returns its raw content and whether it has escapes.
    @inline(__always)
    private mutating func scanString() throws(JSONParseError) -> (UnsafeBufferPointer<UInt8>, Bool) {
        position += 1
        let start = position
        var escapes = false
        var highBits: UInt64 = 0
        while position < bytes.count {
            // Most string bytes on the wire are plain: passed over eight at a time (measured with
            // callgrind on logagg's input).
            position = ByteScan.first(ByteScan.JSONStringStop.self, in: bytes, from: position, passedOver: &highBits)
            guard position < bytes.count else { break }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let content = UnsafeBufferPointer(rebasing: bytes[start..<position])
                // As strict as JSONParser for every string, read or not: non-ASCII must be UTF-8
                // and escapes well formed. Both are rare on the wire, so the common string pays
                // only the ORs that collect every byte's high bit.
                if highBits & ByteScan.highBits != 0 {
                    guard UTF8Validation.isValid(content) else { throw fail("invalid UTF-8 in string") }
                }
                if escapes {
                    let quoted = UnsafeBufferPointer(rebasing: bytes[(start - 1)...position])
                    do {
                        _ = try JSONParser.parse(quoted)
                    } catch {
                        throw fail("invalid escape in string")
                    }
                }
                position += 1
                return (content, escapes)
            }
            if byte < 0x20 { throw fail("unescaped control character in string") }
            // A backslash: the byte it escapes is passed over unchecked here (the full parse above
            // checks every escape).
            escapes = true
            position += 2
        }
        throw fail("unterminated string")
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
            UInt8(ascii: "e"), UInt8(ascii: "E"):
            return true
        default:
            return false
        }
    }

    /// The JSON number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private static func isValidNumber(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < text.count, text[index] >= UInt8(ascii: "0"), text[index] <= UInt8(ascii: "9") { index += 1 }
            return index - start
        }
        if index < text.count && text[index] == UInt8(ascii: "-") { index += 1 }
        guard index < text.count else { return false }
        if text[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            return false
        }
        if index < text.count && text[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < text.count && (text[index] == UInt8(ascii: "e") || text[index] == UInt8(ascii: "E")) {
            index += 1
            if index < text.count && (text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-")) {
                index += 1
            }
            guard digits() > 0 else { return false }
        }
        return index == text.count
    }

    private static func isLiteral(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        for word: StaticString in ["true", "false", "null"]
        where text.count == word.utf8CodeUnitCount && memcmpEqual(text.baseAddress!, word.utf8Start, text.count) {
            return true
        }
        return false
    }

    /// The index just past the nested value starting at `start`, matching brackets outside strings.
    private static func endOfNested(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) throws(JSONParseError) -> Int
    {
        var depth = 0
        var position = start
        var inString = false
        while position < bytes.count {
            let byte = bytes[position]
            if inString {
                if byte == UInt8(ascii: "\\") {
                    position += 1
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    // The record itself is the first level, as JSONParser counts it.
                    if depth > JSONParser.maximumDepth - 1 {
                        throw JSONParseError(reason: "nesting deeper than \(JSONParser.maximumDepth)", offset: position)
                    }
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return position + 1 }
                default: break
                }
            }
            position += 1
        }
        throw JSONParseError(reason: "unterminated value", offset: position)
    }
}
