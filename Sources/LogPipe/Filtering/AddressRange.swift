/// A CIDR range of addresses, `192.0.2.0/24` or `2001:db8::/32`, or a single address, in the
/// 128-bit space of `IPAddressText` (an IPv4 range `a.b.c.d/n` is the mapped range `::ffff:a.b.c.d/(96 + n)`).
public struct AddressRange: Sendable, Equatable, CustomStringConvertible {
    /// The first address of the range.
    public let lowest: UInt128
    /// The last address of the range.
    public let highest: UInt128
    /// The range as written on the command line, for messages.
    public let text: String

    /// Reads `text`: an address, or an address, `/` and a prefix length (0 to 32 for IPv4, 0 to 128
    /// for IPv6, in plain decimal). Bits of the address beyond the prefix are ignored: `10.1.2.3/8`
    /// is `10.0.0.0/8`, the range that contains it.
    /// - Throws: `UsageError` saying what is wrong with `text`.
    public init(_ text: String) throws(UsageError) {
        self.text = text
        var utf8 = Array(text.utf8)
        var prefixText: [UInt8]?
        if let slash = utf8.firstIndex(of: UInt8(ascii: "/")) {
            prefixText = Array(utf8[(slash + 1)...])
            utf8 = Array(utf8[..<slash])
        }
        if utf8.contains(UInt8(ascii: "%")) {
            throw UsageError("'\(text)': a zone id (%…) names an interface, not addresses; leave it out")
        }
        guard let (address, isIPv4) = utf8.withUnsafeBufferPointer({ IPAddressText.parse($0) }) else {
            throw UsageError(
                "'\(text)': not an IPv4 or IPv6 address or CIDR range (such as 192.0.2.7, 10.0.0.0/8, 2001:db8::/32)")
        }
        let familyBits = isIPv4 ? 32 : 128
        var length = familyBits
        if let prefixText {
            guard let value = Self.prefixLength(prefixText), value <= familyBits else {
                let digits = String(decoding: prefixText, as: UTF8.self)
                throw UsageError(
                    "'\(text)': the prefix length '\(digits)' must be a whole number from 0 to \(familyBits) for an \(isIPv4 ? "IPv4" : "IPv6") address"
                )
            }
            length = value
        }
        let bits = length + (isIPv4 ? 96 : 0)
        // The host part: the low 128 - bits bits (all of them for /0, none for a full-length prefix).
        let hostMask: UInt128 = bits == 0 ? .max : (bits >= 128 ? 0 : (UInt128(1) << (128 - bits)) - 1)
        lowest = address & ~hostMask
        highest = address | hostMask
    }

    /// Whether `address` lies in the range.
    public func contains(_ address: UInt128) -> Bool {
        address >= lowest && address <= highest
    }

    public var description: String { text }

    /// A prefix length in plain decimal: 1 to 3 digits, no leading zero (except `0` itself).
    private static func prefixLength(_ digits: [UInt8]) -> Int? {
        guard (1...3).contains(digits.count), digits.count == 1 || digits[0] != UInt8(ascii: "0") else { return nil }
        var value = 0
        for byte in digits {
            let digit = byte &- 0x30
            guard digit <= 9 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }
}

/// `--exclude-client`: whether a client field names an address in any of a set of ranges.
///
/// The ranges are merged into disjoint intervals sorted by address, so a test is one parse of the
/// client and a binary search, however many ranges were given. A client that is not an address (a
/// host name, `-`, garbage) is in no range.
public struct ClientMatcher: Sendable {
    /// Disjoint, sorted, non-adjacent intervals covering the ranges.
    private let intervals: [(lowest: UInt128, highest: UInt128)]

    /// Creates the matcher of `ranges`.
    public init(_ ranges: [AddressRange]) {
        var merged: [(lowest: UInt128, highest: UInt128)] = []
        for range in ranges.sorted(by: { $0.lowest < $1.lowest }) {
            if let last = merged.last, last.highest == .max || range.lowest <= last.highest + 1 {
                merged[merged.count - 1].highest = max(last.highest, range.highest)
            } else {
                merged.append((range.lowest, range.highest))
            }
        }
        intervals = merged
    }

    /// Whether no range was given.
    public var isEmpty: Bool { intervals.isEmpty }

    /// Whether the client field `client`, as logged, is an address in one of the ranges.
    public func matches(_ client: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let address = IPAddressText.clientAddress(client) else { return false }
        return contains(address)
    }

    /// Whether `address` is in one of the ranges.
    public func contains(_ address: UInt128) -> Bool {
        // The last interval starting at or before the address.
        var low = 0
        var high = intervals.count
        while low < high {
            let middle = (low + high) / 2
            if intervals[middle].lowest <= address {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low > 0 && address <= intervals[low - 1].highest
    }
}
