import Testing

@testable import LogPipe

@Suite("RESP reader: bytes in, complete replies out")
struct RESPReaderTests {
    /// Every reply kind with its bytes.
    static let table: [(String, RESPValue)] = [
        ("+OK\r\n", .simpleString("OK")),
        ("+\r\n", .simpleString("")),
        (
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            .error("WRONGTYPE Operation against a key holding the wrong kind of value")
        ),
        (":0\r\n", .integer(0)),
        (":-42\r\n", .integer(-42)),
        (":9223372036854775807\r\n", .integer(Int64.max)),
        ("$5\r\nhello\r\n", .bulkString(Array("hello".utf8))),
        ("$0\r\n\r\n", .bulkString([])),
        ("$-1\r\n", .bulkString(nil)),
        ("$4\r\na\r\nb\r\n", .bulkString(Array("a\r\nb".utf8))),
        ("*0\r\n", .array([])),
        ("*-1\r\n", .array(nil)),
        ("*2\r\n:1\r\n$1\r\nx\r\n", .array([.integer(1), .bulkString([UInt8(ascii: "x")])])),
        (
            "*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$6\r\nsource\r\n$2\r\nw1\r\n",
            .array([
                .array([
                    .bulkString(Array("1-0".utf8)),
                    .array([.bulkString(Array("source".utf8)), .bulkString(Array("w1".utf8))]),
                ])
            ])
        ),
    ]

    @Test(arguments: table)
    func readsEachReplyKind(bytes: String, expected: RESPValue) throws {
        var reader = RESPReader()
        reader.feed(Array(bytes.utf8))
        #expect(try reader.next() == expected)
        #expect(try reader.next() == nil)
        #expect(reader.bufferedCount == 0)
    }

    @Test(arguments: table)
    func waitsForTheLastByteWhenFedOneByteAtATime(bytes: String, expected: RESPValue) throws {
        var reader = RESPReader()
        let all = Array(bytes.utf8)
        for (index, byte) in all.enumerated() {
            reader.feed([byte])
            let reply = try reader.next()
            if index < all.count - 1 {
                #expect(reply == nil, "a reply before byte \(index + 1) of \(all.count)")
            } else {
                #expect(reply == expected)
            }
        }
    }

    @Test func givesPipelinedRepliesInOrder() throws {
        var reader = RESPReader()
        reader.feed(Array("+OK\r\n$2\r\nab\r\n:7\r\n-ERR x\r\n$1".utf8))
        #expect(try reader.next() == .simpleString("OK"))
        #expect(try reader.next() == .bulkString(Array("ab".utf8)))
        #expect(try reader.next() == .integer(7))
        #expect(try reader.next() == .error("ERR x"))
        #expect(try reader.next() == nil)
        reader.feed(Array("\r\nz\r\n".utf8))
        #expect(try reader.next() == .bulkString([UInt8(ascii: "z")]))
    }

    /// What a hostile or broken server may send, and must not make us allocate, trap or wait forever.
    static let hostile: [(String, String)] = [
        ("$99999999999\r\n", "exceeds the limit"),
        ("*99999999999\r\n", "exceeds the limit"),
        ("$-2\r\n", "negative"),
        ("*-7\r\n", "negative"),
        (":99999999999999999999\r\n", "bad integer"),
        (":9223372036854775808\r\n", "out of range"),
        (":12a\r\n", "bad integer"),
        ("$\r\n", "bad integer"),
        (":\r\n", "bad integer"),
        ("$3\r\nabcXY", "not followed by CRLF"),
        ("+OK\rX", "CR without LF"),
        ("!3\r\nabc\r\n", "unexpected byte"),
        ("%1\r\n", "unexpected byte"),
        ("HTTP/1.1 400 Bad Request\r\n", "unexpected byte"),
    ]

    @Test(arguments: hostile)
    func rejectsWhatIsNotRESPOrClaimsTooMuch(bytes: String, reason: String) {
        var reader = RESPReader()
        reader.feed(Array(bytes.utf8))
        #expect {
            _ = try reader.next()
        } throws: { error in
            "\(error)".contains(reason)
        }
        // The reader stays failed: nothing after a framing error can be trusted.
        reader.feed(Array("+OK\r\n".utf8))
        #expect(throws: RESPProtocolError.self) { _ = try reader.next() }
    }

    @Test func refusesNestingDeeperThanTheLimit() {
        var reader = RESPReader(limits: .init(maximumDepth: 4))
        reader.feed(Array(String(repeating: "*1\r\n", count: 5).utf8) + Array(":1\r\n".utf8))
        #expect(throws: RESPProtocolError.self) { _ = try reader.next() }
        var deep = RESPReader()
        // A million nested array headers: refused at the limit, without recursing a million deep.
        deep.feed(Array(String(repeating: "*1\r\n", count: 1_000_000).utf8))
        #expect(throws: RESPProtocolError.self) { _ = try deep.next() }
    }

    @Test func refusesALineWithNoEnd() {
        var reader = RESPReader(limits: .init(maximumLineLength: 100))
        reader.feed(Array(("+" + String(repeating: "a", count: 101)).utf8))
        #expect(throws: RESPProtocolError.self) { _ = try reader.next() }
    }

    @Test func aClaimedHugeArrayReservesOnlyWhatArrived() throws {
        var reader = RESPReader()
        // One million elements claimed, two sent: the reader waits, having allocated next to nothing.
        reader.feed(Array("*1000000\r\n:1\r\n:2\r\n".utf8))
        #expect(try reader.next() == nil)
    }

    // MARK: - Fuzz

    @Test func randomRepliesCutAtRandomPointsReadBackEqual() throws {
        var random = SplitMix64(seed: 14)
        for round in 0..<300 {
            var values: [RESPValue] = []
            var bytes: [UInt8] = []
            for _ in 0..<(1 + random.next(below: 8)) {
                let value = Self.randomValue(&random, depth: 0)
                values.append(value)
                Self.encode(value, into: &bytes)
            }
            var reader = RESPReader()
            var received: [RESPValue] = []
            var offset = 0
            while offset < bytes.count {
                let size = min(bytes.count - offset, 1 + random.next(below: 40))
                reader.feed(bytes[offset..<(offset + size)])
                offset += size
                while let reply = try reader.next() { received.append(reply) }
            }
            #expect(received == values, "round \(round)")
        }
    }

    @Test func randomBytesNeverTrapAndEitherParseFailOrWait() {
        var random = SplitMix64(seed: 1414)
        let pieces: [[UInt8]] = ["*", "$", ":", "+", "-", "\r\n", "\r", "\n", "1", "0", "-1", "2", "99", "x", "OK"].map
        {
            Array($0.utf8)
        }
        for _ in 0..<5_000 {
            var bytes: [UInt8] = []
            for _ in 0..<random.next(below: 24) {
                if random.next(below: 4) == 0 {
                    bytes.append(UInt8(truncatingIfNeeded: random.next()))
                } else {
                    bytes += pieces[random.next(below: pieces.count)]
                }
            }
            var reader = RESPReader(limits: .init(maximumBulkLength: 1 << 16, maximumArrayCount: 1 << 10))
            reader.feed(bytes)
            var replies = 0
            while replies < 100, (try? reader.next()) != nil { replies += 1 }
            #expect(reader.bufferedCount <= bytes.count)
        }
    }

    static func randomValue(_ random: inout SplitMix64, depth: Int) -> RESPValue {
        switch random.next(below: depth < 3 ? 7 : 5) {
        case 0: return .simpleString(String(repeating: "s", count: random.next(below: 10)))
        case 1: return .error("ERR " + String(repeating: "e", count: random.next(below: 10)))
        case 2: return .integer(Int64(bitPattern: random.next()) >> Int64(random.next(below: 64)))
        case 3: return .bulkString((0..<random.next(below: 120)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        case 4: return random.next(below: 2) == 0 ? .bulkString(nil) : .array(nil)
        default: return .array((0..<random.next(below: 5)).map { _ in randomValue(&random, depth: depth + 1) })
        }
    }

    /// An independent writer of RESP2, for the round trip.
    static func encode(_ value: RESPValue, into bytes: inout [UInt8]) {
        func line(_ text: String) { bytes += Array(text.utf8) + [13, 10] }
        switch value {
        case .simpleString(let text): line("+" + text)
        case .error(let text): line("-" + text)
        case .integer(let number): line(":\(number)")
        case .bulkString(nil): line("$-1")
        case .bulkString(let data?):
            line("$\(data.count)")
            bytes += data + [13, 10]
        case .array(nil): line("*-1")
        case .array(let items?):
            line("*\(items.count)")
            for item in items { encode(item, into: &bytes) }
        }
    }
}

@Suite("RESP commands")
struct RESPCommandTests {
    @Test func encodesAnArrayOfBulkStrings() {
        #expect(
            String(decoding: RESPCommand("XLEN", "logpipe").encoded, as: UTF8.self)
                == "*2\r\n$4\r\nXLEN\r\n$7\r\nlogpipe\r\n")
    }

    @Test func carriesAnyBytesIncludingCRLFAndQuotes() throws {
        let record = Array("{\"a\":\"x\\\"\r\n\"}".utf8)
        let command = StreamEntry.appendCommand(stream: "s", maximumLength: 100, source: "web 1", record: record)
        var reader = RESPReader()
        reader.feed(command.encoded)
        let words = try #require(try reader.next()?.elements).compactMap(\.bytes)
        #expect(
            words.map { String(decoding: $0, as: UTF8.self) } == [
                "XADD", "s", "MAXLEN", "~", "100", "*", "source", "web 1", "record",
                String(decoding: record, as: UTF8.self),
            ])
        #expect(command.name == "XADD")
    }

    @Test func noTrimmingWithMaxlenZero() {
        let command = StreamEntry.appendCommand(stream: "s", maximumLength: 0, source: "a", record: [UInt8(ascii: "{")])
        #expect(!command.arguments.contains(Array("MAXLEN".utf8)))
    }
}
