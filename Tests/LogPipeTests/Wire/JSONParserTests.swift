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
        let allowed = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
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
                _ = try? RequestFastDecoder.decode(buffer)
            }
        }
    }
}
