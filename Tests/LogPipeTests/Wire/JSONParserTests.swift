import Testing

@testable import LogPipe

@Suite("JSON parser: strict and bounded")
struct JSONParserTests {
    @Test func parsesNestedValuesInOrder() throws {
        let value = try JSONParser.parse(#"{"b":[1,-2.5e1,true,null],"a":{"s":"x\u00e9\ud83d\ude00"}}"#)
        guard case .object(let members) = value else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["b", "a"])
        #expect(value["b"] == .array([.integer(1), .double(-25), .bool(true), .null]))
        #expect(value["a"]?["s"]?.stringValue == "xé😀")
    }

    @Test(
        "rejects malformed input with a reason",
        arguments: [
            "", "{", "{\"a\":}", "[1,]", "{\"a\":1,}", "01", "1.", "-", "tru", "\"unterminated",
            "\"bad \\x escape\"", "\"\\ud800\"", "{\"a\":1} trailing", "\"raw\ncontrol\"", "{'a':1}",
            "NaN", "[1 2]",
        ])
    func rejectsMalformedInput(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsNestingDeeperThanTheLimitWithoutCrashing() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let allowed =
            String(repeating: "[", count: JSONParser.maximumDepth)
            + String(repeating: "]", count: JSONParser.maximumDepth)
        #expect((try? JSONParser.parse(allowed)) != nil)
    }

    @Test func rejectsInvalidUTF8InsideStrings() {
        let bytes: [UInt8] = [0x22, 0x61, 0xFF, 0x22]
        #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
    }

    @Test func neverCrashesOnRandomBytes() {
        var generator = SplitMix64(seed: 42)
        let alphabet = Array("{}[]\",:0123456789-.eE truefalsnul\\u".utf8) + [0x00, 0xFF, 0x0A]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...40, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            _ = try? JSONParser.parse(bytes)
            bytes.withUnsafeBufferPointer { buffer in
                _ = try? JSONObjectScanner.scan(buffer) { _ in }
                _ = try? RecordReader.bucketingInput(buffer)
            }
        }
    }

    @Test func shortNumbersConvertExactlyAsTheStandardLibraryDoes() {
        var random = SplitMix64(seed: 0x17E9)
        var mismatches: [String] = []
        for _ in 0..<50_000 {
            var text = random.next(below: 3) == 0 ? "-" : ""
            let integerDigits = 1 + random.next(below: 20)
            text += String(1 + random.next(below: 9))
            for _ in 1..<integerDigits { text += String(random.next(below: 10)) }
            if random.next(below: 8) == 0 { text = text.hasPrefix("-") ? "-0" : "0" }
            let hasFraction = random.next(below: 2) == 0
            if hasFraction {
                text += "."
                for _ in 0..<(1 + random.next(below: 24)) { text += String(random.next(below: 10)) }
            }
            let bytes = Array(text.utf8)
            let value = bytes.withUnsafeBufferPointer { JSONParser.numberValue($0, isInteger: !hasFraction) }
            let expected: JSONValue? =
                if !hasFraction, let integer = Int64(text) { .integer(integer) } else {
                    Double(text).map { .double($0) }
                }
            switch (value, expected) {
            case let (.integer(a), .integer(b)) where a == b: continue
            case let (.double(a), .double(b)) where a.bitPattern == b.bitPattern: continue
            default:
                mismatches.append("\(text): \(String(describing: value)) instead of \(String(describing: expected))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test func objectsAndArraysKeepTheirMembersAcrossNesting() throws {
        let value = try JSONParser.parse(#"[{"a":[1,[2,3],{"b":{}}],"c":[]},[],{"d":[{"e":4}],"f":5},6]"#)
        let expected: JSONValue = .array([
            .object([
                ("a", .array([.integer(1), .array([.integer(2), .integer(3)]), .object([("b", .object([]))])])),
                ("c", .array([])),
            ]),
            .array([]),
            .object([("d", .array([.object([("e", .integer(4))])])), ("f", .integer(5))]),
            .integer(6),
        ])
        #expect(value == expected)
    }
}
