import LogPipe
import Testing

/// The stream copy holds whole records only, and every reader gets it from its start.
@Suite("StreamLedger")
struct StreamLedgerTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test(arguments: [
        (["{\"a\":1}\n"], "{\"a\":1}\n"),
        (["{\"a\"", ":1}\n{\"b\"", ":2}\n"], "{\"a\":1}\n{\"b\":2}\n"),
        (["x\ny\nz"], "x\ny\n"),
        (["", "\n", "partial"], "\n"),
    ])
    func handsOutOnlyWholeRecords(pieces: [String], expected: String) {
        var ledger = StreamLedger()
        var copy: [UInt8] = []
        for piece in pieces { copy += ledger.take(Self.bytes(piece)) }
        #expect(String(decoding: copy, as: UTF8.self) == expected)
        #expect(ledger.committed == Int64(copy.count))
    }

    @Test func dropsAPartialLastRecordWhenTheWriterEnds() {
        var ledger = StreamLedger()
        _ = ledger.take(Self.bytes("a\nhalf"))
        ledger.end()
        #expect(ledger.ended && ledger.committed == 2 && ledger.droppedBytes == 4)
        #expect(ledger.take(Self.bytes("\n")) == Self.bytes("\n"))
    }

    @Test func dropsARecordLongerThanTheLimitWhole() {
        var ledger = StreamLedger(maximumRecordLength: 5)
        var copy = ledger.take(Self.bytes("ok\nway too long"))
        copy += ledger.take(Self.bytes(" still\nnext\n"))
        #expect(String(decoding: copy, as: UTF8.self) == "ok\nnext\n")
        #expect(ledger.droppedBytes == Int64("way too long still\n".utf8.count))
    }

    @Test func aReaderStartsAtTheBeginningAndFollowsAtItsOwnPace() {
        var ledger = StreamLedger()
        _ = ledger.take(Self.bytes("one\ntwo\n"))
        var early = FeedCursor()
        #expect(early.nextRange(in: ledger, limit: 5) == 0..<5)
        early.advance(by: 4)
        _ = ledger.take(Self.bytes("three\n"))
        let late = FeedCursor()
        #expect(late.nextRange(in: ledger, limit: 100) == 0..<14)
        #expect(early.nextRange(in: ledger, limit: 100) == 4..<14)
        early.advance(by: 10)
        #expect(early.nextRange(in: ledger, limit: 100) == nil)
        #expect(!early.isComplete(in: ledger))
        ledger.end()
        #expect(early.isComplete(in: ledger) && !late.isComplete(in: ledger))
    }

    @Test(arguments: [("a\nb\nc", 4), ("a\nb\n", 4), ("abc", 3), ("", 0), ("\n", 1)])
    func writesEndAtARecordsEndWhereTheChunkHoldsOne(chunk: String, length: Int) {
        #expect(FeedCursor.writableLength(of: Self.bytes(chunk)[...]) == length)
    }
}
