import Glibc
import Testing

@testable import LogPipe

/// The address parser against hand-worked values, and against glibc's inet_pton(3), an independent
/// implementation of the same RFCs, on random texts.
@Suite("IP address text")
struct IPAddressTextTests {
    private func parse(_ text: String) -> (address: UInt128, isIPv4: Bool)? {
        Array(text.utf8).withUnsafeBufferPointer { IPAddressText.parse($0) }
    }

    private func client(_ text: String) -> UInt128? {
        Array(text.utf8).withUnsafeBufferPointer { IPAddressText.clientAddress($0) }
    }

    static let valid: [(String, UInt128, Bool)] = [
        ("0.0.0.0", 0xFFFF_0000_0000, true),
        ("192.0.2.7", 0xFFFF_C000_0207, true),
        ("255.255.255.255", 0xFFFF_FFFF_FFFF, true),
        ("::", 0, false),
        ("::1", 1, false),
        ("1::", UInt128(1) << 112, false),
        ("2001:db8::1", UInt128(0x2001_0DB8) << 96 | 1, false),
        ("2001:DB8:0:0:0:0:0:1", UInt128(0x2001_0DB8) << 96 | 1, false),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", UInt128(0x2001_0DB8) << 96 | 1, false),
        ("::ffff:192.0.2.7", 0xFFFF_C000_0207, false),
        ("::FFFF:c000:0207", 0xFFFF_C000_0207, false),
        ("64:ff9b::192.0.2.1", UInt128(0x0064_FF9B) << 96 | 0xC000_0201, false),
        ("1:2:3:4:5:6:7::", UInt128(0x0001_0002_0003_0004) << 64 | UInt128(0x0005_0006_0007_0000), false),
        ("::2:3:4:5:6:7:8", UInt128(0x0000_0002_0003_0004) << 64 | UInt128(0x0005_0006_0007_0008), false),
        ("1:2:3:4:5:6:1.2.3.4", UInt128(0x0001_0002_0003_0004) << 64 | UInt128(0x0005_0006_0102_0304), false),
        (
            "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", .max, false
        ),
    ]

    @Test("reads IPv4, IPv6, compressed and mapped forms", arguments: valid)
    func readsAddresses(_ text: String, _ value: UInt128, _ isIPv4: Bool) {
        let parsed = parse(text)
        #expect(parsed?.address == value, "\(text)")
        #expect(parsed?.isIPv4 == isIPv4, "\(text)")
    }

    static let invalid = [
        "", "1", ":", ":::", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "01.2.3.4", "1.2.3.04", "1..2.3",
        "1.2.3.4 ", " 1.2.3.4", "1.2.3.4/8", "example.com", "localhost", "-", "1:2:3:4:5:6:7:8:9", "1::2::3",
        "12345::", "1:2:3:4:5:6:7", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "::1.2.3", "::1.2.3.4:5",
        "1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "g::1", "[::1]", "::1%eth0",
        "1.2.3.4:80", "fe80::1%", "1.2.3.4.", "::ffff:256.1.1.1", "::ffff:1.2.3.4.5", "1:2:3:4:5:6:7:8:",
    ]

    @Test("refuses what is not exactly an address", arguments: invalid)
    func refusesNonAddresses(_ text: String) {
        #expect(parse(text) == nil, "\(text)")
    }

    @Test func aClientsZoneIdIsLeftOutButNothingElseIsForgiven() {
        #expect(client("fe80::1%eth0") == UInt128(0xFE80) << 112 | 1)
        #expect(client("fe80::1%") == UInt128(0xFE80) << 112 | 1)
        #expect(client("1.2.3.4%eth0") == nil, "a zone belongs to IPv6 only")
        #expect(client("%eth0") == nil)
        #expect(client("host.example.com") == nil)
        #expect(client("192.0.2.7") == 0xFFFF_C000_0207)
    }

    @Test func hostileFieldsCostNothingAndMatchNothing() {
        let long = String(repeating: "1", count: 70_000)
        #expect(parse(long) == nil)
        #expect(parse(String(repeating: ":", count: 45)) == nil)
        #expect(parse(String(repeating: "f", count: 45)) == nil)
        #expect(client(String(repeating: "a:", count: 30_000) + "%x") == nil)
        let binary = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        #expect(binary.withUnsafeBufferPointer { IPAddressText.clientAddress($0) } == nil)
    }

    /// glibc's inet_pton(3): AF_INET first, then AF_INET6, as 128 bits in the mapped space.
    private func systemParse(_ text: String) -> UInt128? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return IPAddressText.mapped(UInt32(bigEndian: v4.s_addr))
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        return withUnsafeBytes(of: &v6) { bytes in bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) } }
    }

    @Test func agreesWithInetPtonOnRandomTexts() {
        var random = SplitMix64(seed: 0xADD2E55)
        let alphabet = Array("0123456789abcdefABCDEF:.:::..".utf8) + [UInt8(ascii: "g"), UInt8(ascii: "1")]
        var agreedValid = 0
        for round in 0..<60_000 {
            var text: String
            if round % 3 == 0 {
                // A real address's text, then damaged a little: near misses find the edge cases.
                var groups = (0..<8).map { _ in String(random.next(below: 0x10000), radix: 16) }
                if random.next(below: 3) == 0 {
                    let dropFrom = random.next(below: 8)
                    let dropCount = random.next(below: 8 - dropFrom) + 1
                    groups.replaceSubrange(dropFrom..<(dropFrom + dropCount), with: [""])
                    if groups.first == "" { groups.insert("", at: 0) }
                    if groups.last == "" { groups.append("") }
                }
                text = groups.joined(separator: ":")
                if random.next(below: 4) == 0 {
                    text = (0..<4).map { _ in String(random.next(below: 300)) }.joined(separator: ".")
                }
                var bytes = Array(text.utf8)
                if random.next(below: 2) == 0, !bytes.isEmpty {
                    bytes[random.next(below: bytes.count)] = alphabet[random.next(below: alphabet.count)]
                }
                text = String(decoding: bytes, as: UTF8.self)
            } else {
                let length = random.next(below: 20)
                text = String(
                    decoding: (0..<length).map { _ in alphabet[random.next(below: alphabet.count)] }, as: UTF8.self)
            }
            let ours = parse(text)?.address
            let theirs = systemParse(text)
            #expect(
                ours == theirs,
                "\(text): ours \(ours.map { String($0, radix: 16) } ?? "nil"), inet_pton \(theirs.map { String($0, radix: 16) } ?? "nil")"
            )
            if ours == theirs && ours != nil { agreedValid += 1 }
            if ours != theirs { return }
        }
        #expect(agreedValid > 5_000, "the generator must produce valid addresses too (\(agreedValid))")
    }
}
