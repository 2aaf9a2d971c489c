import LogPipe
import Testing

@Suite("Key")
struct KeyTests {
    @Test(
        "bytes from the terminal decode to keys",
        arguments: [
            ([UInt8(ascii: "q")], [Key.quit]),
            ([0x03], [.quit]),
            ([UInt8(ascii: "p"), UInt8(ascii: "?"), 0x09], [.pause, .help, .nextTopList]),
            ([0x1B, UInt8(ascii: "["), UInt8(ascii: "A"), 0x1B, UInt8(ascii: "["), UInt8(ascii: "B")], [.up, .down]),
            ([0x1B, UInt8(ascii: "O"), UInt8(ascii: "A")], [.up]),
            ([0x1B, UInt8(ascii: "["), UInt8(ascii: "5"), UInt8(ascii: "~")], [.pageUp]),
            ([0x1B, UInt8(ascii: "["), UInt8(ascii: "6"), UInt8(ascii: "~")], [.pageDown]),
            ([0x1B, UInt8(ascii: "["), UInt8(ascii: "H")], [.home]),
            ([0x1B, UInt8(ascii: "["), UInt8(ascii: "4"), UInt8(ascii: "~")], [.end]),
            ([0x1B], [.escape]),
            ([0x1B, UInt8(ascii: "["), UInt8(ascii: "1")], []),
            ([UInt8(ascii: "x")], [.other]),
        ])
    func decodes(bytes: [UInt8], keys: [Key]) {
        #expect(Key.decode(bytes) == keys)
    }

    @Test("scrolling keys stay within the history")
    func scrollsWithinHistory() {
        var options = DashboardOptions(title: "t", startedAt: 0, utcOffset: { _ in 0 })
        #expect(options.handle(.up, historyCount: 5, pageSize: 2, fleet: false) == .none)
        #expect(options.handle(.down, historyCount: 5, pageSize: 2, fleet: false) == .redraw)
        #expect(options.historyScroll == 1)
        _ = options.handle(.pageDown, historyCount: 5, pageSize: 2, fleet: false)
        #expect(options.historyScroll == 3)
        _ = options.handle(.pageDown, historyCount: 5, pageSize: 2, fleet: false)
        #expect(options.historyScroll == 4)
        _ = options.handle(.home, historyCount: 5, pageSize: 2, fleet: false)
        #expect(options.historyScroll == 0)
        #expect(options.handle(.down, historyCount: 0, pageSize: 2, fleet: false) == .none)
        #expect(options.handle(.quit, historyCount: 0, pageSize: 2, fleet: false) == .quit)
    }

    @Test("Tab cycles sections, clients and status")
    func cyclesTopList() {
        var options = DashboardOptions(title: "t", startedAt: 0, utcOffset: { _ in 0 })
        var seen: [TopListMode] = []
        for _ in 0..<3 {
            _ = options.handle(.nextTopList, historyCount: 0, pageSize: 1, fleet: false)
            seen.append(options.topList)
        }
        #expect(seen == [.clients, .status, .sections])
    }

    @Test("in a fleet stream Tab also reaches the sources")
    func cyclesTopListOfAFleet() {
        var options = DashboardOptions(title: "t", startedAt: 0, utcOffset: { _ in 0 })
        var seen: [TopListMode] = []
        for _ in 0..<4 {
            _ = options.handle(.nextTopList, historyCount: 0, pageSize: 1, fleet: true)
            seen.append(options.topList)
        }
        #expect(seen == [.clients, .status, .sources, .sections])
    }
}
