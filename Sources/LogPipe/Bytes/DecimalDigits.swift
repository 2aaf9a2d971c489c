/// The one writer of decimal digits: `JSONWriter`'s integers, `TextBuffer`'s figures and the
/// transcoder's cached time (`DecimalText`) all use it.
///
/// The digits are counted first, then written in place from the last, two per step from a table of
/// pairs, so no digit is divided out twice (callgrind: about 165 fewer instructions a request record
/// than one digit per step).
enum DecimalDigits {
    /// How many digits `value` has (1 for 0).
    @inline(__always)
    static func count(_ value: UInt64) -> Int {
        var length = 1
        var probe = value
        while probe >= 10_000 {
            probe /= 10_000
            length &+= 4
        }
        if probe >= 100 {
            probe /= 100
            length &+= 2
        }
        if probe >= 10 { length &+= 1 }
        return length
    }

    /// Writes the `count(value)` digits of `value` into the bytes just before `end`.
    @inline(__always)
    static func write(_ value: UInt64, before end: UnsafeMutableRawPointer) {
        let pairs = UnsafeRawPointer(Self.pairs.utf8Start)
        var end = end
        var rest = value
        while rest >= 100 {
            let quotient = rest / 100
            let pair = Int(truncatingIfNeeded: rest &- quotient &* 100)
            end -= 2
            end.storeBytes(of: pairs.loadUnaligned(fromByteOffset: pair &* 2, as: UInt16.self), as: UInt16.self)
            rest = quotient
        }
        if rest >= 10 {
            let pair = Int(truncatingIfNeeded: rest)
            end -= 2
            end.storeBytes(of: pairs.loadUnaligned(fromByteOffset: pair &* 2, as: UInt16.self), as: UInt16.self)
        } else {
            end -= 1
            end.storeBytes(of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest), as: UInt8.self)
        }
    }

    /// `00` through `99`, each number's two digits at twice its offset.
    private static let pairs: StaticString = """
        00010203040506070809101112131415161718192021222324\
        25262728293031323334353637383940414243444546474849\
        50515253545556575859606162636465666768697071727374\
        75767778798081828384858687888990919293949596979899
        """
}
