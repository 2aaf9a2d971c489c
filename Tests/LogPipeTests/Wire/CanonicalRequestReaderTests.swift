import Testing

@testable import LogPipe

/// The canonical-shape shortcut must be invisible: for every line it either declines or reads exactly
/// what the general scanning path reads.
@Suite("Canonical request reader")
struct CanonicalRequestReaderTests {
    static let canonical =
        #"{"type":"request","v":2,"time":1700000000,"client":"192.0.2.7","status":200,"bytes":2326,"section":"/pages"}"#

    @Test func readsTheRecordLogtailWritesByDefault() throws {
        let observation = try #require(read(Self.canonical))
        #expect(
            observation
                == RequestObservation(time: 1_700_000_000, status: 200, bytes: 2326, section: "/pages", client: "192.0.2.7"))
    }

    /// Lines the shortcut must decline; the general path then decides (and may still accept them).
    static let declined: [String] = [
        // Whitespace, another order, extra members.
        #"{ "type":"request","v":2,"time":1,"client":"h","status":200,"bytes":1,"section":"/"}"#,
        #"{"type":"request","v":2,"time":1,"client":"h","status":200,"bytes":1,"section":"/"} "#,
        #"{"v":2,"type":"request","time":1,"client":"h","status":200,"bytes":1,"section":"/"}"#,
        #"{"type":"request","v":2,"time":1,"source":"a","client":"h","status":200,"bytes":1,"section":"/"}"#,
        #"{"type":"request","v":2,"time":1,"client":"h","status":200,"bytes":1,"section":"/","path":"/x"}"#,
        // Escapes, control characters, invalid UTF-8 (the last two are rejected by the general path too).
        #"{"type":"request","v":2,"time":1,"client":"h","status":200,"bytes":1,"section":"/a\"b"}"#,
        #"{"type":"request","v":2,"time":1,"client":"h\u0041","status":200,"bytes":1,"section":"/"}"#,
        "{\"type\":\"request\",\"v\":2,\"time\":1,\"client\":\"h\u{1}\",\"status\":200,\"bytes\":1,\"section\":\"/\"}",
        // Numbers the general path reads differently or rejects.
        #"{"type":"request","v":2,"time":1e9,"client":"h","status":200,"bytes":1,"section":"/"}"#,
        #"{"type":"request","v":2,"time":1.0,"client":"h","status":200,"bytes":1,"section":"/"}"#,
        #"{"type":"request","v":2,"time":01,"client":"h","status":200,"bytes":1,"section":"/"}"#,
        #"{"type":"request","v":2,"time":-,"client":"h","status":200,"bytes":1,"section":"/"}"#,
        #"{"type":"request","v":2,"time":1234567890123456789,"client":"h","status":200,"bytes":1,"section":"/"}"#,
        // A newer version, a truncated line, trailing data.
        #"{"type":"request","v":3,"time":1,"client":"h","status":200,"bytes":1,"section":"/"}"#,
        #"{"type":"request","v":2,"time":1,"client":"h","status":200,"bytes":1,"section":"/"#,
        #"{"type":"request","v":2,"time":1,"client":"h","status":200,"bytes":1,"section":"/"}}"#,
        #"{"type":"request","v":2,"time":1,"client":"h","status":200,"bytes":1,"section":"/","malformed":false}"#,
    ]

    @Test("declines every line that is not exactly canonical", arguments: declined)
    func declinesAnythingElse(_ line: String) {
        #expect(read(line) == nil)
    }

    /// Canonical lines with unusual but valid values: the shortcut and the general path agree.
    static let accepted: [String] = [
        canonical,
        #"{"type":"request","v":1,"time":-5,"client":"2001:db8::1","status":0,"bytes":0,"section":"(invalid)","malformed":true}"#,
        #"{"type":"request","v":2,"time":0,"client":"","status":999,"bytes":999999999999999999,"section":""}"#,
        #"{"type":"request","v":2,"time":1,"client":"h\#u{E9}\#u{1F600}","status":200,"bytes":1,"section":"/caf\#u{E9}"}"#,
        #"{"type":"request","v":2,"time":1,"client":"a-very-long-host-name.example.org","status":200,"bytes":1,"section":"/a-section-name-longer-than-sixteen"}"#,
    ]

    @Test("agrees with the general path", arguments: accepted)
    func agreesWithTheGeneralPath(_ line: String) throws {
        let shortcut = try #require(read(line))
        let bytes = Array(line.utf8)
        let general = try bytes.withUnsafeBufferPointer { try RequestFastDecoder.decodeScanning($0) }
        guard case .request(let observation) = general else {
            Issue.record("the general path did not read a request")
            return
        }
        #expect(shortcut == observation)
    }

    @Test func agreesWithTheGeneralPathOnDamagedCanonicalLines() {
        var random = SplitMix64(seed: 2026)
        let base = Array(Self.canonical.utf8)
        var accepted = 0
        for _ in 0..<20_000 {
            var line = base
            for _ in 0...(random.next() % 3) {
                let position = Int(random.next() % UInt64(line.count))
                switch random.next() % 3 {
                case 0: line[position] = UInt8(truncatingIfNeeded: random.next())
                case 1: line.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
                default: line.remove(at: position)
                }
            }
            let shortcut = line.withUnsafeBufferPointer { CanonicalRequestReader.read($0) }
            guard let shortcut else { continue }
            accepted += 1
            let general = line.withUnsafeBufferPointer { try? RequestFastDecoder.decodeScanning($0) }
            guard case .request(let observation)? = general else {
                Issue.record("shortcut accepted what the general path does not: \(String(decoding: line, as: UTF8.self))")
                continue
            }
            #expect(shortcut == observation, "\(String(decoding: line, as: UTF8.self))")
        }
        #expect(accepted > 100, "some damaged lines stay canonical (digits changed, say)")
    }

    /// Values both shorter and longer than the scanners' 8-byte steps, the bad byte anywhere in them.
    @Test(
        "both paths reject invalid UTF-8 in any string, read or not, at any offset",
        arguments: [("GET", 0), ("GET", 2), ("GET", 3), ("PATCH", 4), ("GETPOSTPUTPATCH", 3), ("GETPOSTPUTPATCH", 12)])
    func invalidUTF8IsRejectedEverywhere(text: String, offset: Int) {
        let method = Array(text.utf8)
        var value = method
        value.insert(0xFF, at: offset)
        let line =
            Array(#"{"type":"request","v":2,"time":1,"client":"h","method":""#.utf8) + value
            + Array(#"","status":200,"bytes":1,"section":"/"}"#.utf8)
        #expect(throws: RecordDecodingError.self) { try line.withUnsafeBufferPointer { try RequestFastDecoder.decode($0) } }
        #expect(throws: RecordDecodingError.self) { try WireRecord.decode(line) }
    }

    private func read(_ line: String) -> RequestObservation? {
        Array(line.utf8).withUnsafeBufferPointer { CanonicalRequestReader.read($0) }
    }
}
