import Testing

@testable import LogPipe

private func split(_ chunks: [String], maximum: Int = 64, finish: Bool = true) -> [(String, Bool)] {
    var splitter = LineSplitter(maximumLineLength: maximum, bufferSize: 4096)
    var lines: [(String, Bool)] = []
    for chunk in chunks {
        Array(chunk.utf8).withUnsafeBufferPointer { bytes in
            splitter.append(bytes) { lines.append((String(decoding: $0.bytes, as: UTF8.self), $0.truncated)) }
        }
    }
    if finish { splitter.finish { lines.append((String(decoding: $0.bytes, as: UTF8.self), $0.truncated)) } }
    return lines
}

@Suite("Line splitter")
struct LineSplitterTests {
    @Test func keepsAPartialLineUntilItsNewlineArrives() {
        let lines = split(["GET /a", " HTTP/1.1\nGET", " /b\n"], finish: false)
        #expect(lines.map(\.0) == ["GET /a HTTP/1.1", "GET /b"])
    }

    @Test func handsOutAnUnterminatedLastLineOnlyAtTheEnd() {
        #expect(split(["a\nb"], finish: false).map(\.0) == ["a"])
        #expect(split(["a\nb"]).map(\.0) == ["a", "b"])
    }

    @Test func stripsCarriageReturnsAndKeepsEmptyLines() {
        #expect(split(["a\r\n\nb\r\n"]).map(\.0) == ["a", "", "b"])
    }

    @Test func cutsAnOverlongLineOnceAndSkipsItsRest() {
        let long = String(repeating: "x", count: 200)
        let lines = split(["before\n", long, long, "\nafter\n"], maximum: 64)
        #expect(lines.map(\.0) == ["before", String(repeating: "x", count: 64), "after"])
        #expect(lines.map(\.1) == [false, true, false])
    }

    @Test func memoryStaysBoundedWhateverTheLineLength() {
        var splitter = LineSplitter(maximumLineLength: 100, bufferSize: 4096)
        var count = 0
        let chunk = [UInt8](repeating: 0x41, count: 4096)
        for _ in 0..<1000 {
            chunk.withUnsafeBufferPointer { splitter.append($0) { _ in count += 1 } }
        }
        #expect(count == 1)
        let partial = splitter.hasPartialLine
        #expect(partial)
        Array("\nok\n".utf8).withUnsafeBufferPointer {
            splitter.append($0) { line in
                if !line.truncated { count += 1 }
            }
        }
        #expect(count == 2)
    }
}

@Suite("Line splitter against a naive split")
struct LineSplitterLongLineTests {
    @Test("lines of any length, cut at any point, with any limit, give a naive split's lines")
    func longLinesMatchANaiveSplit() {
        var random = SplitMix64(seed: 16)
        for _ in 0..<400 {
            let limit = 8 + random.next(below: 200)
            var input: [UInt8] = []
            for _ in 0..<random.next(below: 30) {
                // Lengths around the 8-, 16- and 32-byte steps of the newline search, and past the limit.
                let length = random.next(below: 4) == 0 ? random.next(below: 400) : random.next(below: 70)
                input += (0..<length).map { _ in UInt8(0x20 + random.next(below: 95)) }
                input.append(0x0A)
            }
            // The expected lines: each cut to the limit (and flagged), as the splitter hands them out.
            var expected: [([UInt8], Bool)] = []
            for line in input.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
                expected.append(line.count > limit ? (Array(line.prefix(limit)), true) : (Array(line), false))
            }
            var splitter = LineSplitter(maximumLineLength: limit, bufferSize: 4096)
            var lines: [([UInt8], Bool)] = []
            var offset = 0
            while offset < input.count {
                let size = min(input.count - offset, 1 + random.next(below: 700))
                input[offset..<(offset + size)].withUnsafeBufferPointer { chunk in
                    splitter.append(chunk) { lines.append((Array($0.bytes), $0.truncated)) }
                }
                offset += size
            }
            #expect(lines.map(\.0) == expected.map(\.0))
            #expect(lines.map(\.1) == expected.map(\.1))
        }
    }
}
