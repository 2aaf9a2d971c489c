/// A growable run of UTF-8 bytes that text for a terminal or a pipe is written into: literals,
/// strings, decimal integers and fixed-point numbers, with no `String` built on the way.
///
/// Made to be reused: `removeAll()` keeps the storage, so once it has grown to the size of a block,
/// writing the next block allocates nothing (`logview --plain` writes one per interval). Each append
/// is a capacity test and a copy into storage it owns, which `Array`'s appends (uniqueness test,
/// generic `append(contentsOf:)`) cost several times over. Noncopyable, so that it can own its
/// storage without reference counting or run-time exclusivity checks (a class's properties pay one
/// per access): it is passed `inout` to the code that fills it. The numbers follow `ViewFormat`'s
/// rules; its string functions are built on these.
public struct TextBuffer: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// The number of bytes written.
    public private(set) var count = 0

    /// Creates an empty buffer with room for `capacity` bytes before it grows.
    public init(capacity: Int = 64) {
        self.capacity = max(32, capacity)
        storage = .allocate(capacity: self.capacity)
    }

    deinit {
        storage.deallocate()
    }

    /// Whether nothing has been written.
    public var isEmpty: Bool { count == 0 }

    /// The text as a string (valid UTF-8: every append writes whole characters).
    public var string: String {
        String(decoding: UnsafeBufferPointer(start: storage, count: count), as: UTF8.self)
    }

    /// Calls `body` with the bytes written, valid only during the call.
    public func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: storage, count: count))
    }

    /// Forgets the text, keeping the storage for the next.
    public mutating func removeAll() {
        count = 0
    }

    /// Room for `extra` more bytes: where they go.
    @inline(__always)
    private mutating func reserve(_ extra: Int) -> UnsafeMutablePointer<UInt8> {
        if capacity - count < extra { grow(toHold: extra) }
        return storage + count
    }

    private mutating func grow(toHold extra: Int) {
        let newCapacity = max(capacity * 2, count + extra)
        let newStorage = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newStorage.initialize(from: storage, count: count)
        storage.deallocate()
        storage = newStorage
        capacity = newCapacity
    }

    /// Appends one byte (an ASCII character: a multi-byte character goes in whole with `append(text:)`).
    public mutating func append(_ byte: UInt8) {
        reserve(1).pointee = byte
        count += 1
    }

    /// Appends bytes as they are.
    public mutating func append(_ raw: UnsafeBufferPointer<UInt8>) {
        guard let base = raw.baseAddress, raw.count > 0 else { return }
        reserve(raw.count).update(from: base, count: raw.count)
        count += raw.count
    }

    /// Appends a literal.
    public mutating func append(_ literal: StaticString) {
        guard literal.hasPointerRepresentation else {
            append(text: literal.description)
            return
        }
        append(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends `text` as it is (text from a log is sanitised first: `TerminalText.sanitized`).
    public mutating func append(text: String) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { append($0) }
        if done == nil { for byte in text.utf8 { append(byte) } }
    }

    /// Appends `value` in decimal, with a `-` when negative, as `String(value)` writes it.
    public mutating func append(decimal value: Int) {
        append(decimal: Int64(value))
    }

    /// Appends `value` in decimal, with a `-` when negative, as `String(value)` writes it.
    public mutating func append(decimal value: Int64) {
        if value < 0 { append(UInt8(ascii: "-")) }
        append(digitsOf: value.magnitude, minimumCount: 1)
    }

    /// Appends `value`'s decimal digits, with zeros in front up to `minimumCount` digits.
    public mutating func append(digitsOf value: UInt64, minimumCount: Int) {
        let digits = DecimalDigits.count(value)
        let width = max(digits, minimumCount)
        let start = reserve(width)
        start.initialize(repeating: UInt8(ascii: "0"), count: width &- digits)
        DecimalDigits.write(value, before: UnsafeMutableRawPointer(start + width))
        count += width
    }

    /// Appends `value` with exactly `decimals` digits after the point (`12.50`), rounded half away
    /// from zero; `-` when not finite, `huge` (or `-huge`) when it does not fit 18 digits. The rule
    /// of `ViewFormat.fixed`.
    public mutating func append(fixed value: Double, decimals: Int) {
        guard value.isFinite else {
            append(UInt8(ascii: "-"))
            return
        }
        var scale = 1.0
        for _ in 0..<max(0, decimals) { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e18 else {
            append(value < 0 ? "-huge" as StaticString : "huge")
            return
        }
        let units = UInt64(scaled)
        let divisor = UInt64(scale)
        if value < 0 && units != 0 { append(UInt8(ascii: "-")) }
        append(digitsOf: units / divisor, minimumCount: 1)
        if decimals > 0 {
            append(UInt8(ascii: "."))
            append(digitsOf: units % divisor, minimumCount: decimals)
        }
    }

    /// Removes the last byte when it is `byte`.
    mutating func dropLast(ifEqualTo byte: UInt8) {
        if count > 0 && storage[count - 1] == byte { count -= 1 }
    }
}
