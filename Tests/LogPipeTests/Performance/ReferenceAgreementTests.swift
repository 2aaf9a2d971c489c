import Testing

@testable import LogPipe

/// The optimised writers (word-at-a-time escaping, the raw-buffer writer, the request encoder) and the
/// line splitter against deliberately simple reference implementations, on the whole corpus and on
/// generated hostile input. No timing: only that the optimised code writes the same bytes. (The
/// readers are compared with each other in `LayoutReaderAgreementTests`.)
@Suite("Optimised writers agree with simple reference implementations")
struct ReferenceAgreementTests {
    // MARK: - Encoding

    @Test("the JSON writer escapes any bytes exactly as the reference escaper, at every word boundary")
    func writerMatchesReferenceOnHostileBytes() {
        var random = SplitMix64(seed: 6)
        for _ in 0..<20_000 {
            let bytes = HostileBytes.make(length: Int(random.next() % 70), using: &random)
            var writer = JSONWriter(capacity: 16)
            bytes.withUnsafeBufferPointer { writer.string($0) }
            let expected = [UInt8(ascii: "\"")] + ReferenceJSON.escaped(bytes) + [UInt8(ascii: "\"")]
            #expect(writer.bytes == expected, "input \(bytes)")
        }
    }

    @Test("a copied writer keeps its own bytes when both go on writing")
    func copiedWriterKeepsItsBytes() {
        var first = JSONWriter(capacity: 8)
        first.raw("{\"a\":")
        var second = first
        first.integer(1)
        second.string("two")
        #expect(String(decoding: first.bytes, as: UTF8.self) == "{\"a\":1")
        #expect(String(decoding: second.bytes, as: UTF8.self) == "{\"a\":\"two\"")
    }

    @Test("every corpus request is encoded as the reference encoder writes it, and read back by both reads")
    func corpusRequestsMatchReference() throws {
        guard Corpus.isAvailable else { return }
        var checked = 0
        for file in try CorpusFiles.logs() {
            var parser = AccessLogParser()
            for line in Corpus.lines(try Corpus.contents(file)) {
                Array(line).withUnsafeBufferPointer { bytes in
                    if RequestAgreement.check(bytes, parser: &parser, source: file) { checked += 1 }
                }
            }
        }
        #expect(checked > 40_000, "the corpus holds over 40,000 requests")
    }

    @Test("generated hostile lines are encoded as the reference encoder writes them, and decoded back")
    func hostileRequestsMatchReference() {
        var random = SplitMix64(seed: 2026)
        var parser = AccessLogParser()
        var checked = 0
        for _ in 0..<20_000 {
            let line = HostileBytes.accessLogLine(using: &random)
            line.withUnsafeBufferPointer { bytes in
                if RequestAgreement.check(bytes, parser: &parser, source: "hostile \"\\ log") { checked += 1 }
            }
        }
        #expect(checked > 10_000, "most generated lines are requests")
    }

    // MARK: - Lines

    @Test("the line splitter gives the lines of a naive split, however the input is cut into reads")
    func splitterMatchesNaiveSplit() {
        var random = SplitMix64(seed: 9)
        for _ in 0..<300 {
            var input: [UInt8] = []
            for _ in 0..<Int(random.next() % 40) {
                let length = Int(random.next() % 40)
                input += (0..<length).map { _ in
                    UInt8(truncatingIfNeeded: random.next() % 3 == 0 ? 0x0D : 0x20 + random.next() % 90)
                }
                input.append(0x0A)
            }
            if random.next() % 2 == 0 { input += [0x61, 0x62] }
            let expected = Corpus.lines(input).map(Array.init)
            var splitter = LineSplitter(maximumLineLength: 1 << 16, bufferSize: 4096)
            var lines: [[UInt8]] = []
            var offset = 0
            while offset < input.count {
                let size = min(input.count - offset, 1 + Int(random.next() % 23))
                input[offset..<(offset + size)].withUnsafeBufferPointer { chunk in
                    splitter.append(chunk) { lines.append(Array($0.bytes)) }
                }
                offset += size
            }
            splitter.finish { lines.append(Array($0.bytes)) }
            #expect(lines == expected, "input \(input)")
        }
    }
}

// MARK: - Reference implementations

/// A JSON string escaper written for clarity, sharing no code with `JSONWriter`: it decodes UTF-8 with
/// arithmetic (not a table), replaces each byte that does not start a well-formed sequence by U+FFFD,
/// escapes quotes, backslashes, C0 controls and DEL, and U+2028/U+2029.
enum ReferenceJSON {
    static func escaped(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let length = scalarLength(bytes, at: index)
            if length == 0 {
                out += [0xEF, 0xBF, 0xBD]
                index += 1
                continue
            }
            if length == 1 {
                let byte = bytes[index]
                switch byte {
                case 0x22: out += Array("\\\"".utf8)
                case 0x5C: out += Array("\\\\".utf8)
                case 0x0A: out += Array("\\n".utf8)
                case 0x0D: out += Array("\\r".utf8)
                case 0x09: out += Array("\\t".utf8)
                case 0..<0x20, 0x7F:
                    let hex = Array("0123456789abcdef".utf8)
                    out += Array("\\u00".utf8) + [hex[Int(byte / 16)], hex[Int(byte % 16)]]
                default: out.append(byte)
                }
            } else if length == 3 && bytes[index] == 0xE2 && bytes[index + 1] == 0x80 && bytes[index + 2] == 0xA8 {
                out += Array("\\u2028".utf8)
            } else if length == 3 && bytes[index] == 0xE2 && bytes[index + 1] == 0x80 && bytes[index + 2] == 0xA9 {
                out += Array("\\u2029".utf8)
            } else {
                out += bytes[index..<(index + length)]
            }
            index += length
        }
        return out
    }

    /// The length of the well-formed sequence at `index`, or 0.
    static func scalarLength(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = UInt32(bytes[index])
        let length: Int
        var value: UInt32
        switch lead {
        case 0..<0x80: return 1
        case 0xC0..<0xE0: (length, value) = (2, lead & 0x1F)
        case 0xE0..<0xF0: (length, value) = (3, lead & 0x0F)
        case 0xF0..<0xF8: (length, value) = (4, lead & 0x07)
        default: return 0
        }
        guard index + length <= bytes.count else { return 0 }
        for offset in 1..<length {
            let byte = UInt32(bytes[index + offset])
            guard byte & 0xC0 == 0x80 else { return 0 }
            value = value << 6 | (byte & 0x3F)
        }
        let smallest: [UInt32] = [0, 0, 0x80, 0x800, 0x1_0000]
        guard value >= smallest[length], value <= 0x10_FFFF, !(0xD800...0xDFFF).contains(value) else { return 0 }
        return length
    }

    /// The request record written member by member as docs/PROTOCOL.md lists them.
    static func requestRecord(_ request: ParsedRequest, source: String?, fields: RequestFields) -> [UInt8] {
        func string(_ field: UnsafeBufferPointer<UInt8>) -> [UInt8] { [0x22] + escaped(Array(field)) + [0x22] }
        var out = Array("{\"type\":\"request\",\"v\":\(WireProtocol.version),\"time\":\(request.time)".utf8)
        if let source, fields.contains(.source) {
            out += Array(",\"source\":".utf8) + [0x22] + escaped(Array(source.utf8)) + [0x22]
        }
        out += Array(",\"client\":".utf8) + string(request.client)
        if let user = request.user, fields.contains(.user) { out += Array(",\"user\":".utf8) + string(user) }
        if fields.contains(.method) { out += Array(",\"method\":".utf8) + string(request.method) }
        if fields.contains(.path) { out += Array(",\"path\":".utf8) + string(request.path) }
        if fields.contains(.protocol) { out += Array(",\"protocol\":".utf8) + string(request.protocol) }
        out += Array(",\"status\":\(request.status),\"bytes\":\(request.bytes)".utf8)
        out += Array(",\"section\":".utf8) + string(request.section)
        if request.malformedRequest { out += Array(",\"malformed\":true".utf8) }
        if let referer = request.referer, fields.contains(.referer) {
            out += Array(",\"referer\":".utf8) + string(referer)
        }
        if let agent = request.userAgent, fields.contains(.agent) { out += Array(",\"agent\":".utf8) + string(agent) }
        return out + Array("}\n".utf8)
    }
}

/// Encodes one line's request both ways and reads the result back with the full read and logagg's.
enum RequestAgreement {
    /// Returns whether the line was a request (and so was checked).
    static func check(_ line: UnsafeBufferPointer<UInt8>, parser: inout AccessLogParser, source: String) -> Bool {
        guard case .request(let request) = parser.parse(line) else { return false }
        for (source, fields) in [
            (Optional(source), RequestFields.all), (source, RequestFields()), (nil, [.path, .user]),
        ] as [(String?, RequestFields)] {
            var writer = JSONWriter(capacity: 64)
            request.encode(into: &writer, source: source, fields: fields)
            let written = writer.bytes
            let reference = ReferenceJSON.requestRecord(request, source: source, fields: fields)
            #expect(written == reference, "line \(String(decoding: line, as: UTF8.self))")
            let record = Array(written.dropLast())
            let full = try? WireRecord.decode(record)
            let bucketing = try? bucketingRead(record).get()
            guard case .request(let decoded)? = full, case .request(let observation)? = bucketing else {
                Issue.record("a written record did not decode: \(String(decoding: record, as: UTF8.self))")
                continue
            }
            #expect(observation == RequestObservation(decoded))
            #expect(decoded == request.record(source: source, fields: fields))
        }
        return true
    }
}

/// The corpus's log files.
enum CorpusFiles {
    static func logs() throws -> [String] {
        let listing = try Corpus.contents("SOURCES.md")
        let text = String(decoding: listing, as: UTF8.self)
        // SOURCES.md names every file; take the names that look like logs and exist.
        var names: Set<String> = []
        for word in text.split(whereSeparator: { " `|()[]*,\n\t".contains($0) }) where word.hasSuffix(".log") {
            names.insert(String(word))
        }
        return names.sorted().filter { (try? Corpus.contents($0)) != nil }
    }
}

/// Generated hostile input: bytes weighted towards what escaping and scanning must get right.
enum HostileBytes {
    static let specials: [[UInt8]] = [
        [0x22], [0x5C], [0x0A], [0x0D], [0x09], [0x01], [0x1B], [0x7F], [0x80], [0xBF], [0xC0, 0xAF],
        [0xC3, 0xA9], [0xE2, 0x80, 0xA8], [0xE2, 0x80, 0xA9], [0xE2, 0x82], [0xED, 0xA0, 0x80],
        [0xF0, 0x9F, 0x98, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFF], [0x5C, 0x78, 0x34, 0x31], [0x5C, 0x22],
    ]

    static func make(length: Int, using random: inout SplitMix64) -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < length {
            if random.next() % 6 == 0 {
                bytes += specials[Int(random.next() % UInt64(specials.count))]
            } else {
                bytes.append(UInt8(0x20 + random.next() % 95))
            }
        }
        return bytes
    }

    /// A Combined line whose user, request target, referer and agent are hostile (no raw newline or
    /// NUL, which a line cannot hold).
    static func accessLogLine(using random: inout SplitMix64) -> [UInt8] {
        func field(_ length: Int) -> [UInt8] {
            make(length: length, using: &random).filter { $0 != 0x0A && $0 != 0x00 && $0 != 0x0D }
        }
        var line = Array("203.0.113.\(random.next() % 256) - ".utf8)
        line += random.next() % 3 == 0 ? field(6).map { $0 == 0x20 ? 0x5F : $0 } : Array("-".utf8)
        line += Array(" [14/Nov/2023:22:13:\(10 + random.next() % 50) +0100] \"GET /".utf8)
        line += field(Int(random.next() % 40)).map { $0 == 0x20 ? 0x2F : $0 }
        line += Array(" HTTP/1.1\" \(200 + random.next() % 400) \(random.next() % 100_000) \"".utf8)
        line += field(Int(random.next() % 30)) + Array("\" \"".utf8) + field(Int(random.next() % 60)) + [0x22]
        return line
    }

    /// `record` with one random change: cut short, a byte replaced, or a byte inserted.
    static func damage(_ record: [UInt8], using random: inout SplitMix64) -> [UInt8] {
        var damaged = record
        let position = Int(random.next() % UInt64(record.count))
        let byte = [0x22, 0x5C, 0x7B, 0x7D, 0x2C, 0x3A, 0x30, 0x2D, 0x01, 0x20, 0xFF, 0x41][Int(random.next() % 12)]
        switch random.next() % 3 {
        case 0: damaged.removeSubrange(position...)
        case 1: damaged[position] = UInt8(byte)
        default: damaged.insert(UInt8(byte), at: position)
        }
        return damaged
    }
}
