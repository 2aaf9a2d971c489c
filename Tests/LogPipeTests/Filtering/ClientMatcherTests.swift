import Testing

@testable import LogPipe

@Suite("Client ranges (--exclude-client)")
struct ClientMatcherTests {
    private func matcher(_ ranges: String...) throws -> ClientMatcher {
        var parsed: [AddressRange] = []
        for text in ranges { parsed.append(try AddressRange(text)) }
        return ClientMatcher(parsed)
    }

    private func matches(_ matcher: ClientMatcher, _ client: String) -> Bool {
        Array(client.utf8).withUnsafeBufferPointer { matcher.matches($0) }
    }

    @Test func anIPv4RangeHoldsItsAddressesAndTheirMappedForms() throws {
        let ranges = try matcher("192.0.2.0/24")
        #expect(matches(ranges, "192.0.2.0"))
        #expect(matches(ranges, "192.0.2.255"))
        #expect(matches(ranges, "::ffff:192.0.2.7"))
        #expect(matches(ranges, "::FFFF:C000:0207"))
        #expect(!matches(ranges, "192.0.3.0"))
        #expect(!matches(ranges, "192.0.1.255"))
        #expect(!matches(ranges, "::192.0.2.7"), "IPv4-compatible is another address")
        #expect(!matches(ranges, "2001:db8::1"))
    }

    @Test func aMappedIPv6RangeHoldsPlainIPv4Clients() throws {
        let ranges = try matcher("::ffff:10.0.0.0/104")
        #expect(matches(ranges, "10.1.2.3"))
        #expect(!matches(ranges, "11.0.0.0"))
    }

    @Test func prefixesAtTheLimits() throws {
        #expect(matches(try matcher("0.0.0.0/0"), "255.255.255.255"))
        #expect(matches(try matcher("0.0.0.0/0"), "0.0.0.0"))
        #expect(!matches(try matcher("0.0.0.0/0"), "2001:db8::1"), "/0 of IPv4 is every IPv4 address only")
        #expect(matches(try matcher("::/0"), "2001:db8::1"))
        #expect(matches(try matcher("::/0"), "10.0.0.1"), "every address, IPv4 included (mapped)")
        #expect(matches(try matcher("192.0.2.7/32"), "192.0.2.7"))
        #expect(!matches(try matcher("192.0.2.7/32"), "192.0.2.6"))
        #expect(matches(try matcher("192.0.2.7"), "192.0.2.7"))
        #expect(!matches(try matcher("192.0.2.7"), "192.0.2.8"))
        #expect(matches(try matcher("2001:db8::1/128"), "2001:db8::1"))
        #expect(!matches(try matcher("2001:db8::1/128"), "2001:db8::2"))
        #expect(matches(try matcher("2001:db8::/32"), "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"))
        #expect(!matches(try matcher("2001:db8::/32"), "2001:db9::"))
        #expect(
            matches(
                try matcher("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
    }

    @Test func hostBitsBeyondThePrefixAreIgnored() throws {
        let range = try AddressRange("10.1.2.3/8")
        #expect(range.lowest == IPAddressText.mapped(0x0A00_0000))
        #expect(range.highest == IPAddressText.mapped(0x0AFF_FFFF))
    }

    @Test func clientsThatAreNoAddressMatchNothing() throws {
        let everything = try matcher("::/0")
        for client in ["host.example.com", "-", "", "10.0.0", "unknown", "[::1]", "1.2.3.4:80"] {
            #expect(!matches(everything, client), "\(client)")
        }
        #expect(matches(everything, "fe80::1%eth0"), "a zone id names the interface, not the address")
    }

    static let badRanges = [
        "", "/", "10.0.0.0/", "/8", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/08", "10.0.0.0/1e1", "10.0.0.0/8/8",
        "2001:db8::/129", "2001:db8::/1000", "example.com", "example.com/24", "10.0.0.256/8", "fe80::1%eth0/64",
        "fe80::1%eth0", "10.0.0.0 /8", " 10.0.0.1", "::1/ 8",
    ]

    @Test("refuses what is not a range, with a message naming it", arguments: badRanges)
    func refusesBadRanges(_ text: String) {
        #expect(throws: UsageError.self, "\(text)") { _ = try AddressRange(text) }
        do {
            _ = try AddressRange(text)
        } catch {
            #expect(error.message.contains("'\(text)'"))
        }
    }

    @Test func theMessageSaysWhatIsWrong() {
        #expect(
            throws: UsageError(
                "'10.0.0.0/33': the prefix length '33' must be a whole number from 0 to 32 for an IPv4 address")
        ) {
            _ = try AddressRange("10.0.0.0/33")
        }
        #expect(throws: UsageError("'fe80::1%eth0': a zone id (%…) names an interface, not addresses; leave it out")) {
            _ = try AddressRange("fe80::1%eth0")
        }
    }

    @Test func overlappingAndAdjacentRangesMergeAndAgreeWithTestingEachRange() throws {
        var random = SplitMix64(seed: 0xC1D2)
        for _ in 0..<200 {
            var ranges: [AddressRange] = []
            for _ in 0..<(1 + random.next(below: 12)) {
                let base = UInt32(truncatingIfNeeded: random.next()) & 0x0000_FFFF | 0x0A00_0000
                let text =
                    "\(base >> 24).\(base >> 16 & 0xFF).\(base >> 8 & 0xFF).\(base & 0xFF)/\(16 + random.next(below: 17))"
                ranges.append(try AddressRange(text))
            }
            if random.next(below: 4) == 0 { ranges.append(try AddressRange("::/0")) }
            let matcher = ClientMatcher(ranges)
            for _ in 0..<200 {
                let address = IPAddressText.mapped(
                    UInt32(truncatingIfNeeded: random.next()) & 0x0000_FFFF | 0x0A00_0000)
                let expected = ranges.contains { $0.contains(address) }
                #expect(matcher.contains(address) == expected)
            }
            #expect(matcher.contains(.max) == ranges.contains { $0.contains(.max) })
            #expect(matcher.contains(0) == ranges.contains { $0.contains(0) })
        }
    }

    @Test func anEmptyMatcherMatchesNothing() {
        let matcher = ClientMatcher([])
        #expect(matcher.isEmpty)
        #expect(!matcher.contains(0))
        #expect(!matcher.contains(.max))
    }
}
