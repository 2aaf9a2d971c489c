/// Appends JSON text to a growable byte buffer without any intermediate `String`s.
///
/// This is the encoder of the hot path: one `JSONWriter` is reused for every record a stage writes, and
/// strings are escaped byte by byte so that attacker-controlled text (a request path, a user agent)
/// always yields exactly one valid JSON string: quotes, backslashes and control characters are escaped,
/// U+2028/U+2029 are escaped for JavaScript consumers, and invalid UTF-8 becomes U+FFFD.
public struct JSONWriter: Sendable {
    // The bytes live in one raw allocation owned by `storage`; `capacity` and `count` are kept
    // in the struct so that appends are plain stores with no Array uniqueness or bounds checks per
    // byte (measured with bench/run and callgrind: about half of logtail's encode cost was Array
    // appends). Each append first reserves room with `reserve(_:)`, which also keeps value semantics:
    // a copy of a writer shares the allocation until one of them writes.
    private var storage: Storage
    /// The start of the allocation (a `let` of the storage, so reading it needs no exclusivity check).
    private var base: UnsafeMutablePointer<UInt8> { storage.pointer }
    private var capacity: Int
    /// The number of bytes written so far.
    public private(set) var count: Int

    /// Owns the allocation and frees it with the last writer that uses it.
    private final class Storage: @unchecked Sendable {
        // Only read and freed here; writers mutate the bytes after a uniqueness check.
        let pointer: UnsafeMutablePointer<UInt8>

        init(capacity: Int) {
            pointer = .allocate(capacity: capacity)
        }

        deinit {
            pointer.deallocate()
        }
    }

    /// The encoded bytes so far (a copy; `withUnsafeBytes` reads them without one).
    public var bytes: [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }

    /// Creates an empty writer.
    /// - Parameter capacity: bytes to reserve up front, to avoid regrowing a reused buffer.
    public init(capacity: Int = 4096) {
        let size = max(capacity, 64)
        storage = Storage(capacity: size)
        self.capacity = size
        count = 0
    }

    /// Calls `body` with the bytes written so far, valid only during the call.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    /// Forgets the content but keeps the allocated capacity.
    public mutating func removeAll() {
        count = 0
    }

    /// Makes room for `extra` more bytes in an allocation this writer alone uses.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity || !isKnownUniquelyReferenced(&storage) { grow(minimum: count + extra) }
    }

    @inline(never)
    private mutating func grow(minimum: Int) {
        let size = max(minimum, capacity * 2, 64)
        let fresh = Storage(capacity: size)
        fresh.pointer.update(from: base, count: count)
        storage = fresh
        capacity = size
    }

    /// Appends `length` bytes at `source`, after reserving room.
    @inline(__always)
    private mutating func append(_ source: UnsafePointer<UInt8>, _ length: Int) {
        reserve(length)
        (base + count).update(from: source, count: length)
        count += length
    }

    /// Appends one byte where room was reserved.
    @inline(__always)
    private mutating func put(_ byte: UInt8) {
        base[count] = byte
        count += 1
    }

    // MARK: - Raw pieces

    /// Appends one raw byte (punctuation such as `{`, `,` or `\n`).
    public mutating func raw(_ byte: UInt8) {
        reserve(1)
        put(byte)
    }

    /// Appends bytes as is: for forwarding a line that is already valid JSON.
    public mutating func raw(_ data: UnsafeBufferPointer<UInt8>) {
        guard let source = data.baseAddress, data.count > 0 else { return }
        append(source, data.count)
    }

    /// Appends ASCII text as is, with no escaping: only for keys and literals written by this program.
    public mutating func raw(_ text: StaticString) {
        append(text.utf8Start, text.utf8CodeUnitCount)
    }

    /// Appends a decimal integer: two digits per step, no digit divided out twice (every record's
    /// numbers are `Int` or `Int64`).
    public mutating func integer(_ value: Int) {
        reserve(21)
        uncheckedInteger(Int64(value))
    }

    /// Appends a decimal integer (see `integer(_: Int)`).
    public mutating func integer(_ value: Int64) {
        reserve(21)
        uncheckedInteger(value)
    }

    /// Appends a decimal integer of any other type.
    public mutating func integer<T: BinaryInteger>(_ value: T) {
        // 40 bytes hold any 128-bit value and its sign; digits are written backwards, then reversed.
        reserve(41)
        if value == 0 {
            put(UInt8(ascii: "0"))
            return
        }
        var magnitude = value.magnitude
        if value < 0 { put(UInt8(ascii: "-")) }
        let start = count
        while magnitude > 0 {
            let digit = UInt8(truncatingIfNeeded: magnitude % 10)
            put(UInt8(ascii: "0") &+ digit)
            magnitude /= 10
        }
        var digits = UnsafeMutableBufferPointer(start: base + start, count: count - start)
        digits.reverse()
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
            var text = "\(value)"
            text.withUTF8 { raw($0) }
            return
        }
        var units = Int64(scaled)
        reserve(1)
        if units < 0 {
            put(UInt8(ascii: "-"))
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
        reserve(digits + 1)
        put(UInt8(ascii: "."))
        let start = count
        for _ in 0..<digits {
            put(UInt8(ascii: "0") &+ UInt8(fraction % 10))
            fraction /= 10
        }
        var written = UnsafeMutableBufferPointer(start: base + start, count: count - start)
        written.reverse()
    }

    /// Appends the shortest decimal that reads back as exactly `value`: `0.0001`, `2.25`, `10`,
    /// `0.30000000000000004`, for a value given by a person (a threshold) that must not be rounded.
    ///
    /// The digits are the standard library's shortest round-trip digits; they are laid out as
    /// ECMAScript's `Number.prototype.toString` does (and so `JSON.stringify`): plain notation for
    /// magnitudes from 1e-6 up to below 1e21, exponent notation (`1e-7`, `1.5e+21`) beyond.
    /// `-0` is written `0`. Non-finite values have no JSON form and are written as `null`.
    public mutating func shortestDecimal(_ value: Double) {
        guard value.isFinite else {
            raw("null")
            return
        }
        // Room for the longest: a sign, "0.", five zeros and 17 digits, or 17 digits, ".", "e-324"
        // (and for 32 digits, more than `description` ever gives).
        reserve(48)
        if value == 0 {
            put(UInt8(ascii: "0"))
            return
        }
        // An integer below 2^53 is exact and its neighbours are at most 1 away, so no shorter digits
        // read back as it: its shortest decimal is the integer (`10`, `-3`, `1000000000`).
        if value.magnitude < 9_007_199_254_740_992, value == value.rounded(.towardZero) {
            uncheckedInteger(Int64(value))
            return
        }
        // `description` gives the shortest round-trip digits as `d.ddd`, `ddd.d` or `d.ddde±x`; it is a
        // small string (no allocation) up to 15 bytes. The digits are laid out from its bytes.
        var described = value.magnitude.description
        let negative = value < 0
        described.withUTF8 { appendShortest(described: $0, negative: negative) }
    }

    /// Writes `described` (`Double.description` of a finite, non-zero magnitude) in the layout of
    /// `shortestDecimal(_:)`, where 48 bytes were reserved.
    private mutating func appendShortest(described: UnsafeBufferPointer<UInt8>, negative: Bool) {
        // value = 0.d1 d2 … dk × 10^n, with d1 not zero: the digits are those of `described` before
        // any `e`, without the point and without leading and trailing zeros.
        var first = 0
        var mantissaEnd = 0
        var pointAt: Int?
        var exponent = 0
        while mantissaEnd < described.count {
            let byte = described[mantissaEnd]
            if byte == UInt8(ascii: "e") {
                var index = mantissaEnd + 1
                let sign = described[index] == UInt8(ascii: "-") ? -1 : 1
                if described[index] == UInt8(ascii: "-") || described[index] == UInt8(ascii: "+") { index += 1 }
                while index < described.count {
                    exponent = exponent * 10 + Int(described[index] &- UInt8(ascii: "0"))
                    index += 1
                }
                exponent *= sign
                break
            }
            if byte == UInt8(ascii: ".") { pointAt = mantissaEnd }
            mantissaEnd += 1
        }
        // Digits before the point (all of them when there is none), then leading zeros dropped.
        var n = (pointAt ?? mantissaEnd) + exponent
        while first < mantissaEnd,
            described[first] == UInt8(ascii: "0") || described[first] == UInt8(ascii: ".")
        {
            if described[first] == UInt8(ascii: "0") { n -= 1 }
            first += 1
        }
        var last = mantissaEnd
        while last > first, described[last - 1] == UInt8(ascii: "0") || described[last - 1] == UInt8(ascii: ".") {
            last -= 1
        }
        // The digits are described[first..<last] without a point that may lie inside.
        // At most 17 (the shortest round-trip digits of a Double); never more than the buffer holds.
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let k: Int = Swift.withUnsafeMutableBytes(of: &digits) { buffer in
            var count = 0
            for index in first..<last where described[index] != UInt8(ascii: ".") && count < buffer.count {
                buffer[count] = described[index]
                count += 1
            }
            return count
        }
        Swift.withUnsafeBytes(of: &digits) { buffer in
            let digit = buffer.bindMemory(to: UInt8.self)
            if negative { put(UInt8(ascii: "-")) }
            if k <= n && n <= 21 {
                for index in 0..<k { put(digit[index]) }
                for _ in 0..<(n - k) { put(UInt8(ascii: "0")) }
            } else if 0 < n && n <= 21 {
                for index in 0..<n { put(digit[index]) }
                put(UInt8(ascii: "."))
                for index in n..<k { put(digit[index]) }
            } else if -6 < n && n <= 0 {
                put(UInt8(ascii: "0"))
                put(UInt8(ascii: "."))
                for _ in 0..<(-n) { put(UInt8(ascii: "0")) }
                for index in 0..<k { put(digit[index]) }
            } else {
                put(digit[0])
                if k > 1 {
                    put(UInt8(ascii: "."))
                    for index in 1..<k { put(digit[index]) }
                }
                put(UInt8(ascii: "e"))
                put(n - 1 < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
                uncheckedInteger(Int64((n - 1).magnitude))
            }
        }
    }

    /// The text `shortestDecimal(_:)` writes, for a finite `value`.
    static func shortestDecimalText(_ value: Double) -> String {
        var writer = JSONWriter(capacity: 64)
        writer.shortestDecimal(value)
        return writer.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
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
        // One reservation for the quotes and the worst case of the escaped content.
        reserve(6 &* utf8.count &+ 2)
        put(UInt8(ascii: "\""))
        uncheckedEscaped(utf8)
        put(UInt8(ascii: "\""))
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
        // The worst case, once per string: every byte a `\u00XX` escape (6 bytes); invalid UTF-8
        // (3 bytes of U+FFFD per byte) and U+2028 (6 bytes for 3) stay within it.
        reserve(6 &* utf8.count)
        uncheckedEscaped(utf8)
    }

    // MARK: - Unchecked appends

    /// Makes room for `extra` more bytes, for a run of `unchecked…` appends that together write at
    /// most that many (an escaped string at most 6 bytes per input byte). One check per record
    /// instead of one per piece: used by `ParsedRequest.encode`, the hottest encoder.
    @inline(__always)
    mutating func reserveForUncheckedAppends(_ extra: Int) {
        reserve(extra)
    }

    /// Where the next byte goes, for a run of stores through a pointer where room was reserved
    /// (`reserveForUncheckedAppends`); end the run with `uncheckedCommit(through:)`. The fastest way to
    /// write a record (logtail's transcoder): the count is not loaded and stored for every piece.
    @inline(__always)
    var uncheckedCursor: UnsafeMutablePointer<UInt8> { base + count }

    /// Marks the bytes up to `end`, written from `uncheckedCursor` on, as written.
    @inline(__always)
    mutating func uncheckedCommit(through end: UnsafeMutablePointer<UInt8>) {
        count = end - base
    }

    /// Appends a literal where room was reserved.
    @inline(__always)
    mutating func uncheckedRaw(_ text: StaticString) {
        copy(text.utf8Start, text.utf8CodeUnitCount)
    }

    /// Appends one byte where room was reserved.
    @inline(__always)
    mutating func uncheckedRaw(_ byte: UInt8) {
        put(byte)
    }

    /// Appends bytes as is where room was reserved.
    @inline(__always)
    mutating func uncheckedRaw(_ data: UnsafeBufferPointer<UInt8>) {
        guard let source = data.baseAddress, data.count > 0 else { return }
        copy(source, data.count)
    }

    /// Appends a decimal integer where room (20 bytes) was reserved (`DecimalDigits`).
    @inline(__always)
    mutating func uncheckedInteger(_ value: Int64) {
        if value < 0 { put(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        let length = DecimalDigits.count(magnitude)
        DecimalDigits.write(magnitude, before: UnsafeMutableRawPointer(base + count) + length)
        count &+= length
    }

    /// Appends escaped string content where room (6 bytes per input byte) was reserved.
    mutating func uncheckedEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        let length = utf8.count
        guard length > 0, let source = utf8.baseAddress else { return }
        // Most strings (addresses, sections) are short and clean: check every byte in whole words,
        // the last one overlapping, and copy in one piece, instead of walking the tail byte by byte.
        if ByteScan.containsNone(ByteScan.JSONWriterAttention.self, source, length) {
            copy(source, length)
            return
        }
        var index = 0
        var runStart = 0
        while true {
            // Eight bytes at a time while none of them needs attention (the common case).
            index = ByteScan.first(ByteScan.JSONWriterAttention.self, in: utf8, from: index)
            guard index < length else { break }
            let byte = source[index]
            if runStart < index { copy(source + runStart, index &- runStart) }
            if byte < 0x80 {
                putEscapedASCII(byte)
                index &+= 1
            } else {
                let sequence = UTF8Validation.sequenceLength(utf8, at: index)
                if sequence == 0 {
                    // U+FFFD, so invalid bytes can never break the consumer's decoding.
                    put(0xEF)
                    put(0xBF)
                    put(0xBD)
                    index &+= 1
                } else if sequence == 3 && byte == 0xE2 && source[index + 1] == 0x80
                    && (source[index + 2] == 0xA8 || source[index + 2] == 0xA9)
                {
                    // U+2028 and U+2029 are valid JSON but end a line in JavaScript.
                    copy(StaticString("\\u202").utf8Start, 5)
                    put(source[index + 2] == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9"))
                    index &+= 3
                } else {
                    copy(source + index, sequence)
                    index &+= sequence
                }
            }
            runStart = index
        }
        if runStart < length { copy(source + runStart, length &- runStart) }
    }

    /// Copies bytes where room was reserved (`ByteCopy`).
    @inline(__always)
    private mutating func copy(_ source: UnsafePointer<UInt8>, _ length: Int) {
        ByteCopy.copy(source, to: base + count, count: length)
        count &+= length
    }

    /// Writes the escape of an ASCII byte where room was reserved (at most 6 bytes).
    private mutating func putEscapedASCII(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): put(UInt8(ascii: "\\")); put(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): put(UInt8(ascii: "\\")); put(UInt8(ascii: "\\"))
        case 0x0A: put(UInt8(ascii: "\\")); put(UInt8(ascii: "n"))
        case 0x0D: put(UInt8(ascii: "\\")); put(UInt8(ascii: "r"))
        case 0x09: put(UInt8(ascii: "\\")); put(UInt8(ascii: "t"))
        default:
            // Other C0 controls and DEL: \u00XX, so no raw escape sequence ever reaches a terminal.
            copy(StaticString("\\u00").utf8Start, 4)
            put(Self.hexDigit(byte >> 4))
            put(Self.hexDigit(byte & 0x0F))
        }
    }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &+ (nibble &- 10)
    }

    // MARK: - Objects

    /// Appends `"key":` after a comma when `first` is false. Keys are program literals, never escaped.
    public mutating func key(_ name: StaticString, first: Bool = false) {
        reserve(name.utf8CodeUnitCount + 4)
        if !first { put(UInt8(ascii: ",")) }
        put(UInt8(ascii: "\""))
        copy(name.utf8Start, name.utf8CodeUnitCount)
        put(UInt8(ascii: "\""))
        put(UInt8(ascii: ":"))
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
        reserve(2)
        put(UInt8(ascii: "}"))
        put(UInt8(ascii: "\n"))
    }
}
