/// Reads IPv4 and IPv6 addresses written as text, from bytes, into one 128-bit space.
///
/// An IPv4 address `a.b.c.d` becomes the IPv4-mapped IPv6 address `::ffff:a.b.c.d`, so that one
/// range test serves both families and a client logged as `::ffff:192.0.2.7` (a dual-stack server)
/// falls in `192.0.2.0/24` exactly as `192.0.2.7` does.
///
/// What is read (RFC 4291 section 2.2, with RFC 6943's strict IPv4):
/// - IPv4: four decimal parts from 0 to 255, separated by dots, without leading zeros (`010` could
///   mean 8 or 10: no guess is made), nothing else;
/// - IPv6: up to eight groups of one to four hexadecimal digits (either case), with at most one `::`
///   standing for one or more zero groups, and optionally the last 32 bits as an IPv4 address
///   (`::ffff:1.2.3.4`, `64:ff9b::192.0.2.1`).
///
/// Anything else, a host name, an empty or overlong text, a zone id (`fe80::1%eth0`, see
/// `clientAddress`), brackets or a port, is not an address. The work is bounded by the text's first
/// 45 bytes (the longest address is `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255`), so a hostile
/// field costs nothing more than a short one.
public enum IPAddressText {
    /// The longest address text: eight groups, or six groups and an IPv4 address.
    static let maximumLength = 45

    /// The address `text` names, and whether it was written as IPv4, or nil when it is not exactly an
    /// IPv4 or IPv6 address.
    public static func parse(_ text: UnsafeBufferPointer<UInt8>) -> (address: UInt128, isIPv4: Bool)? {
        let count = text.count
        guard count >= 2, count <= maximumLength else { return nil }
        if let value = ipv4(text, from: 0) { return (mapped(value), true) }
        guard let value = ipv6(text) else { return nil }
        return (value, false)
    }

    /// The address of a client field as logged: like `parse`, except that an IPv6 zone id (`%eth0`,
    /// which a server may log for a link-local client) is left out, as it names the interface, not
    /// the address.
    public static func clientAddress(_ field: UnsafeBufferPointer<UInt8>) -> UInt128? {
        var text = field
        if let percent = field.firstIndex(of: UInt8(ascii: "%")), percent > 0,
            field[0..<percent].contains(UInt8(ascii: ":"))
        {
            text = UnsafeBufferPointer(rebasing: field[0..<percent])
        }
        return parse(text)?.address
    }

    /// The IPv4-mapped IPv6 address of the IPv4 address `value`: `::ffff:a.b.c.d`.
    static func mapped(_ value: UInt32) -> UInt128 {
        UInt128(0xFFFF) << 32 | UInt128(value)
    }

    /// A dotted-quad IPv4 address filling `text` from `start` to its end, or nil.
    static func ipv4(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt32? {
        let count = text.count
        var value: UInt32 = 0
        var index = start
        for part in 0..<4 {
            if part > 0 {
                guard index < count, text[index] == UInt8(ascii: ".") else { return nil }
                index += 1
            }
            let partStart = index
            var number: UInt32 = 0
            while index < count, index - partStart < 3 {
                let digit = text[index] &- 0x30
                guard digit <= 9 else { break }
                number = number * 10 + UInt32(digit)
                index += 1
            }
            let digits = index - partStart
            guard digits > 0, number <= 255, digits == 1 || text[partStart] != UInt8(ascii: "0") else { return nil }
            value = value << 8 | number
        }
        return index == count ? value : nil
    }

    /// An IPv6 address filling `text`, or nil.
    static func ipv6(_ text: UnsafeBufferPointer<UInt8>) -> UInt128? {
        let count = text.count
        // The groups before and after the `::`, in order; `gap` is where it stands.
        var groups: (UInt128, Int) = (0, 0)  // value so far, and how many 16-bit groups it holds
        var tail: (UInt128, Int) = (0, 0)
        var gapSeen = false
        var index = 0
        if text[0] == UInt8(ascii: ":") {
            guard text[1] == UInt8(ascii: ":") else { return nil }
            gapSeen = true
            index = 2
            if index == count { return 0 }
        }
        while true {
            let groupStart = index
            var group: UInt32 = 0
            while index < count, index - groupStart < 4, let digit = hexDigit(text[index]) {
                group = group << 4 | UInt32(digit)
                index += 1
            }
            if index < count, text[index] == UInt8(ascii: ".") {
                // The last 32 bits written as IPv4: only where two groups are still free.
                guard let value = ipv4(text, from: groupStart) else { return nil }
                let used = groups.1 + tail.1
                guard used <= 6 else { return nil }
                if gapSeen {
                    tail = (tail.0 << 32 | UInt128(value), tail.1 + 2)
                } else {
                    groups = (groups.0 << 32 | UInt128(value), groups.1 + 2)
                }
                index = count
                break
            }
            guard index > groupStart else { return nil }
            if gapSeen {
                tail = (tail.0 << 16 | UInt128(group), tail.1 + 1)
            } else {
                groups = (groups.0 << 16 | UInt128(group), groups.1 + 1)
            }
            guard groups.1 + tail.1 <= 8 else { return nil }
            if index == count { break }
            guard text[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            guard index < count else { return nil }  // a single trailing colon
            if text[index] == UInt8(ascii: ":") {
                guard !gapSeen else { return nil }  // a second `::`
                gapSeen = true
                index += 1
                if index == count { break }
            }
        }
        let used = groups.1 + tail.1
        if gapSeen {
            // `::` stands for at least one zero group.
            guard used <= 7 else { return nil }
            return groups.0 << (16 * (8 - groups.1)) | tail.0
        }
        return used == 8 ? groups.0 : nil
    }

    @inline(__always)
    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        let digit = byte &- 0x30
        if digit <= 9 { return digit }
        let letter = (byte | 0x20) &- 0x61
        return letter <= 5 ? letter + 10 : nil
    }
}
