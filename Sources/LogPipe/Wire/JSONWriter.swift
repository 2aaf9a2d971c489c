/// Appends JSON text to a growable byte buffer without any intermediate `String`s.
///
/// This is the encoder of the hot path: one `JSONWriter` is reused for every record a stage writes, and
/// strings are escaped byte by byte so that attacker-controlled text (a request path, a user agent)
/// always yields exactly one valid JSON string: quotes, backslashes and control characters are escaped,
/// U+2028/U+2029 are escaped for JavaScript consumers, and invalid UTF-8 becomes U+FFFD.
public struct JSONWriter: Sendable {
    /// The encoded bytes so far.
    public private(set) var bytes: [UInt8]

    /// Creates an empty writer.
    /// - Parameter capacity: bytes to reserve up front, to avoid regrowing a reused buffer.
    public init(capacity: Int = 4096) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Forgets the content but keeps the allocated capacity.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
    }

    /// The number of bytes written so far.
    public var count: Int { bytes.count }

    // MARK: - Raw pieces

    /// Appends one raw byte (punctuation such as `{`, `,` or `\n`).
    public mutating func raw(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// Appends bytes as is: for forwarding a line that is already valid JSON.
    public mutating func raw(_ data: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: data)
    }

    /// Appends ASCII text as is, with no escaping: only for keys and literals written by this program.
    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends a decimal integer.
    public mutating func integer<T: BinaryInteger>(_ value: T) {
        if value == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var magnitude = value.magnitude
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let start = bytes.count
        while magnitude > 0 {
            let digit = UInt8(truncatingIfNeeded: magnitude % 10)
            bytes.append(UInt8(ascii: "0") &+ digit)
            magnitude /= 10
        }
        bytes[start...].reverse()
    }

    /// Appends a number with at most `fractionDigits` decimals, trailing zeros removed (`10`, `10.5`).
    ///
    /// Non-finite values have no JSON form and are written as `null`.
    public mutating func decimal(_ value: Double, fractionDigits: Int = 3) {
        guard value.isFinite else {
            raw("null")
            return
        }
        var scale = 1.0
        for _ in 0..<fractionDigits { scale *= 10 }
        let scaled = (value * scale).rounded()
        guard abs(scaled) < 9.0e15 else {
            // Too large for exact integer arithmetic: fall back to the shortest round-trip form.
            bytes.append(contentsOf: Array("\(value)".utf8))
            return
        }
        var units = Int64(scaled)
        if units < 0 {
            bytes.append(UInt8(ascii: "-"))
            units = -units
        }
        let unitScale = Int64(scale)
        integer(units / unitScale)
        var fraction = units % unitScale
        guard fraction != 0 else { return }
        var digits = fractionDigits
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        bytes.append(UInt8(ascii: "."))
        let start = bytes.count
        for _ in 0..<digits {
            bytes.append(UInt8(ascii: "0") &+ UInt8(fraction % 10))
            fraction /= 10
        }
        bytes[start...].reverse()
    }

    /// Appends `true` or `false`.
    public mutating func boolean(_ value: Bool) {
        value ? raw("true") : raw("false")
    }

    // MARK: - Strings

    /// Appends a JSON string holding `text`.
    public mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { string($0) }
    }

    /// Appends a JSON string holding the given bytes, which may be any bytes at all.
    public mutating func string(_ utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        appendEscaped(utf8)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a JSON string holding the given bytes.
    public mutating func string(_ utf8: some Collection<UInt8>) {
        let done: Void? = utf8.withContiguousStorageIfAvailable { string($0) }
        if done == nil {
            let copy = Array(utf8)
            copy.withUnsafeBufferPointer { string($0) }
        }
    }

    /// Appends the escaped content of a string, without the surrounding quotes.
    public mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var index = 0
        let count = utf8.count
        var runStart = 0
        while index < count {
            let byte = utf8[index]
            // Fast path: printable ASCII that needs no escape is copied in runs.
            if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                index += 1
                continue
            }
            if runStart < index {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
            }
            if byte < 0x80 {
                appendEscapedASCII(byte)
                index += 1
            } else {
                let length = UTF8Validation.sequenceLength(utf8, at: index)
                if length == 0 {
                    appendReplacementCharacter()
                    index += 1
                } else if length == 3 && utf8[index] == 0xE2 && utf8[index + 1] == 0x80
                    && (utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9)
                {
                    // U+2028 and U+2029 are valid JSON but end a line in JavaScript.
                    raw(utf8[index + 2] == 0xA8 ? "\\u2028" : "\\u2029")
                    index += 3
                } else {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[index..<(index + length)]))
                    index += length
                }
            }
            runStart = index
        }
        if runStart < count {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<count]))
        }
    }

    private mutating func appendEscapedASCII(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): raw("\\\"")
        case UInt8(ascii: "\\"): raw("\\\\")
        case 0x0A: raw("\\n")
        case 0x0D: raw("\\r")
        case 0x09: raw("\\t")
        default:
            // Other C0 controls and DEL: \u00XX, so no raw escape sequence ever reaches a terminal.
            raw("\\u00")
            bytes.append(Self.hexDigits[Int(byte >> 4)])
            bytes.append(Self.hexDigits[Int(byte & 0x0F)])
        }
    }

    private mutating func appendReplacementCharacter() {
        bytes.append(contentsOf: [0xEF, 0xBF, 0xBD])
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    // MARK: - Objects

    /// Appends `"key":` after a comma when `first` is false. Keys are program literals, never escaped.
    public mutating func key(_ name: StaticString, first: Bool = false) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        raw(name)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// Starts a record: `{"type":"<type>","v":<version>`. Close it with `endRecord()`.
    public mutating func beginRecord(type: StaticString) {
        raw("{\"type\":\"")
        raw(type)
        raw("\",\"v\":")
        integer(WireProtocol.version)
    }

    /// Ends a record with `}` and the newline that delimits records on the wire.
    public mutating func endRecord() {
        bytes.append(UInt8(ascii: "}"))
        bytes.append(UInt8(ascii: "\n"))
    }
}
