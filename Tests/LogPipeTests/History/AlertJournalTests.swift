import Testing

@testable import LogPipe

@Suite("AlertJournal")
struct AlertJournalTests {
    static func record(_ kind: AlertRecord.Kind, at: Int64) -> AlertRecord {
        AlertRecord(
            kind: kind, at: at, time: "t\(at)", hits: 1300, average: 10.833, threshold: 10, window: 120,
            message: "\(kind.rawValue) at \(at)")
    }

    static func journal(_ records: [AlertRecord]) -> [UInt8] {
        records.flatMap { AlertJournal.line(for: $0) }
    }

    @Test("a clean journal reads back every entry; the last alert is marked unresolved")
    func readsCleanJournal() {
        let entries = [Self.record(.alert, at: 100), Self.record(.recovery, at: 200), Self.record(.alert, at: 300)]
        let reading = AlertJournal.read(tail: Self.journal(entries), fromFileStart: true)
        #expect(reading.entries == entries)
        #expect(reading.tornBytes == 0 && reading.unreadableLines == 0 && !reading.partial && !reading.isForeign)
        #expect(reading.earlier.map(\.unresolved) == [false, false, true])
        #expect(reading.earlier.map(\.entry) == entries)
        #expect(reading.keys.contains(AlertJournal.Key(Self.record(.recovery, at: 200))))
        #expect(!reading.keys.contains(AlertJournal.Key(Self.record(.alert, at: 200))))
        // Ending with a recovery, nothing is unresolved.
        let closed = AlertJournal.read(tail: Self.journal(Array(entries.prefix(2))), fromFileStart: true)
        #expect(!closed.earlier.contains { $0.unresolved })
    }

    @Test("a torn last line, cut at any byte, is counted and never read as an entry", arguments: [1, 2, 10, 100, 200])
    func ignoresTornLastLine(cut: Int) {
        let whole = Self.journal([Self.record(.alert, at: 100), Self.record(.recovery, at: 200)])
        let last = AlertJournal.line(for: Self.record(.alert, at: 300))
        let torn = whole + last.prefix(min(cut, last.count - 1))
        let reading = AlertJournal.read(tail: torn, fromFileStart: true)
        #expect(reading.entries.map(\.at) == [100, 200])
        #expect(reading.tornBytes == min(cut, last.count - 1))
        #expect(!reading.isForeign)
        #expect(!reading.earlier.contains { $0.unresolved })
    }

    @Test("only the last 50 entries are shown as earlier; the end of a long journal is read alone")
    func boundsEarlierEntries() {
        let entries = (0..<120).map { Self.record($0 % 2 == 0 ? .alert : .recovery, at: Int64(1000 + $0)) }
        let bytes = Self.journal(entries)
        let reading = AlertJournal.read(tail: bytes, fromFileStart: true)
        #expect(reading.earlier.count == AlertJournal.earlierLimit)
        #expect(reading.earlier.first?.entry.at == 1070)
        #expect(reading.keys.count == 120)
        // A window starting mid-line: the partial first line is dropped, the rest read.
        let lastTen = Self.journal(Array(entries.suffix(10))).count
        let cut = Array(bytes.suffix(lastTen + 5))
        let partial = AlertJournal.read(tail: cut, fromFileStart: false)
        #expect(partial.partial)
        #expect(partial.entries.map(\.at) == Array(1110..<1120))
        #expect(partial.unreadableLines == 0)
        // A window starting exactly at a line, with the byte before it: that line is kept.
        let exact = Array(bytes.suffix(lastTen + 1))
        #expect(AlertJournal.read(tail: exact, fromFileStart: false).entries.count == 10)
    }

    @Test("a file that is not a journal is recognised and not taken for one")
    func recognisesForeignFiles() {
        let log = Array("127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326\nmore\n".utf8)
        let reading = AlertJournal.read(tail: log, fromFileStart: true)
        #expect(reading.isForeign && reading.unreadableLines == 2 && reading.firstUnreadableLine == 1)
        // An unterminated end that does not start like a record is not a torn entry.
        let unterminated = AlertJournal.read(
            tail: Self.journal([Self.record(.alert, at: 1)]) + Array("partial log line".utf8), fromFileStart: true)
        #expect(unterminated.isForeign)
        // A journal with a stray bad line among entries is still a journal: the line is counted.
        let mixed =
            Self.journal([Self.record(.alert, at: 1)]) + Array("garbage\n".utf8)
            + Self.journal([Self.record(.recovery, at: 2)])
        let read = AlertJournal.read(tail: mixed, fromFileStart: true)
        #expect(!read.isForeign && read.unreadableLines == 1 && read.firstUnreadableLine == 2)
        #expect(read.entries.count == 2)
        // No newline at all in a window of a longer file: nothing to trust.
        #expect(AlertJournal.read(tail: [UInt8](repeating: 0x41, count: 70_000), fromFileStart: false).isForeign)
        #expect(AlertJournal.read(tail: [], fromFileStart: true) == AlertJournal.Reading())
    }

    @Test("history records round-trip, unresolved included, and reject an unknown event")
    func roundTripsHistoryRecords() throws {
        for unresolved in [false, true] {
            let record = HistoryRecord(entry: Self.record(.alert, at: 1_700_000_000), unresolved: unresolved)
            var writer = JSONWriter()
            record.encode(into: &writer)
            let line = Array(writer.bytes.dropLast())
            #expect(try WireRecord.decode(line) == .history(record))
            #expect(String(decoding: line, as: UTF8.self).hasPrefix(#"{"type":"history","v":2,"event":"alert""#))
        }
        let bad = Array(
            #"{"type":"history","v":2,"event":"page","at":1,"time":"x","hits":1,"average":1,"threshold":1,"window":1,"message":"m"}"#
                .utf8)
        #expect(throws: RecordDecodingError.self) { try WireRecord.decode(bad) }
    }

    @Test(
        "the default journal follows the service's, the XDG and root's state directories, in that order",
        arguments: [
            ("/var/lib/logpipe", "/x", "/home/u", false, "/var/lib/logpipe/alerts.ndjson"),
            ("/var/lib/a:/var/lib/b", nil, nil, false, "/var/lib/a/alerts.ndjson"),
            (nil, "/x/state/", "/home/u", true, "/x/state/logpipe/alerts.ndjson"),
            (nil, "relative", "/home/u", false, "/home/u/.local/state/logpipe/alerts.ndjson"),
            (nil, nil, "/home/u", true, "/var/lib/logpipe/alerts.ndjson"),
            (nil, nil, "/", false, "/.local/state/logpipe/alerts.ndjson"),
            (nil, nil, nil, false, nil),
        ] as [(String?, String?, String?, Bool, String?)])
    func locatesDefaultJournal(state: String?, xdg: String?, home: String?, root: Bool, expected: String?) {
        #expect(
            HistoryLocation.defaultFile(stateDirectory: state, xdgStateHome: xdg, home: home, isRoot: root) == expected)
    }
}
