import Testing

import LogPipe

@Suite("Replay order: several files read as one log")
struct ReplayOrderTests {
    @Test(arguments: [
        ("access.log", 0), ("access.log.1", 1), ("access.log.2.gz", 2), ("access.log.14.bz2", 14),
        ("/var/log/nginx/access.log.3.xz", 3), ("access.log.7.zst", 7), ("access.log-20261123.gz", 0),
        ("access.log-20261123", 0), ("2026.log", 0), ("log.99999999999", 0), ("access.log.", 0),
        ("x.gz", 0),
    ])
    func rotationNumbersAreLogrotates(name: String, number: Int) {
        #expect(ReplayOrder.rotationNumber(of: name) == number)
    }

    /// The shell's order of a rotated set is newest first; the replay's is oldest first.
    @Test func theFirstTimesDecideNotTheNames() {
        let entries = [
            ReplayOrder.Entry(name: "access.log", firstTime: 3000),
            ReplayOrder.Entry(name: "access.log.1", firstTime: 2000),
            ReplayOrder.Entry(name: "access.log.2.gz", firstTime: 1000),
        ]
        #expect(ReplayOrder.order(entries) == [2, 1, 0])
        // Names that lie (a file renamed by hand) do not count: times do.
        let renamed = [
            ReplayOrder.Entry(name: "access.log.1", firstTime: 5000),
            ReplayOrder.Entry(name: "access.log.9", firstTime: 6000),
        ]
        #expect(ReplayOrder.order(renamed) == [0, 1])
    }

    @Test func tiesGoByRotationNumberThenByTheCommandLine() {
        let entries = [
            ReplayOrder.Entry(name: "b.log", firstTime: 1000),
            ReplayOrder.Entry(name: "access.log", firstTime: 1000),
            ReplayOrder.Entry(name: "access.log.2", firstTime: 1000),
            ReplayOrder.Entry(name: "access.log.1", firstTime: 1000),
            ReplayOrder.Entry(name: "a.log", firstTime: 1000),
        ]
        #expect(ReplayOrder.order(entries) == [2, 3, 0, 1, 4])
    }

    @Test func filesWithoutADatedLineComeLastByTheSameRule() {
        let entries = [
            ReplayOrder.Entry(name: "-", firstTime: nil),
            ReplayOrder.Entry(name: "access.log", firstTime: 2000),
            ReplayOrder.Entry(name: "empty.log.3", firstTime: nil),
            ReplayOrder.Entry(name: "access.log.1", firstTime: 1000),
        ]
        #expect(ReplayOrder.order(entries) == [3, 1, 2, 0])
    }

    /// Seeded shuffles of a rotated set: whatever the command-line order, the replay order is the same.
    @Test(arguments: 0..<10)
    func theOrderDoesNotDependOnTheCommandLine(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let names = (0..<12).map { $0 == 0 ? "access.log" : "access.log.\($0)" + ($0 > 1 ? ".gz" : "") }
        let entries = names.enumerated().map { ReplayOrder.Entry(name: $1, firstTime: Int64(100_000 - $0 * 86_400)) }
        let shuffled = entries.shuffled(using: &random)
        let replayed = ReplayOrder.order(shuffled).map { shuffled[$0].name }
        #expect(replayed == names.reversed())
    }
}
