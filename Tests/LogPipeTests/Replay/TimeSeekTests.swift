import Testing

@testable import LogPipe

/// A log held in memory for the search: dated lines `t=<seconds> <padding>` and undated lines
/// `junk <padding>`, with each line's start offset, and a record of the reads made.
private final class MemoryLog {
    let bytes: [UInt8]
    let starts: [Int]
    let times: [Int64?]
    private(set) var reads = 0
    /// Reads at or past this offset fail (to test a failing read).
    var failingFrom = Int.max

    init(_ lines: [TestLine], crlf: Bool = false, unterminatedLast: Bool = false) {
        var bytes: [UInt8] = []
        var starts: [Int] = []
        for (index, line) in lines.enumerated() {
            starts.append(bytes.count)
            let head = line.time.map { "t=\($0) " } ?? "junk "
            bytes += Array(head.utf8) + Array(repeating: UInt8(ascii: "x"), count: line.padding)
            if index < lines.count - 1 || !unterminatedLast { bytes += crlf ? [0x0D, 0x0A] : [0x0A] }
        }
        self.bytes = bytes
        self.starts = starts
        times = lines.map(\.time)
    }

    var size: Int64 { Int64(bytes.count) }

    func read(_ offset: Int64, _ buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        reads += 1
        guard Int(offset) < failingFrom else { return -1 }
        let count = min(buffer.count, bytes.count - Int(offset))
        guard count > 0 else { return 0 }
        for index in 0..<count { buffer[index] = bytes[Int(offset) + index] }
        return count
    }

    /// The documented `--since` rule, written here from its description (not from `SinceGate`): the
    /// indices of the lines kept when reading from line `first` on.
    func kept(since: Int64, fromLine first: Int) -> [Int] {
        var reached = false
        var result: [Int] = []
        for index in first..<times.count {
            if let time = times[index] {
                if time >= since {
                    reached = true
                    result.append(index)
                }
            } else if reached {
                result.append(index)
            }
        }
        return result
    }

    /// The index of the line starting at `offset` (`times.count` for the end).
    func lineIndex(startingAt offset: Int64) -> Int? {
        if offset == size { return times.count }
        return starts.firstIndex(of: Int(offset))
    }
}

/// A line of a `MemoryLog`: its time (nil: undated) and how many padding bytes follow.
private typealias TestLine = (time: Int64?, padding: Int)

/// `count` lines dated from `start`, one second apart (or `perSecond` lines a second).
private func datedLines(_ count: Int, from start: Int64, perSecond: Int = 1, padding: Int) -> [TestLine] {
    (0..<count).map { index -> TestLine in (start + Int64(index / perSecond), padding) }
}

/// `count` undated lines.
private func undatedLines(_ count: Int, padding: Int) -> [TestLine] {
    Array(repeating: (nil, padding), count: count)
}

/// The time of a test line: the digits after `t=`.
private func testLineTime(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
    guard bytes.count > 2, bytes[0] == UInt8(ascii: "t"), bytes[1] == UInt8(ascii: "=") else { return nil }
    var value: Int64 = 0
    var index = 2
    while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
        value = value * 10 + Int64(bytes[index] - 0x30)
        index += 1
    }
    return index > 2 ? value : nil
}

private func search(_ log: MemoryLog, _ configuration: TimeSeek.Configuration) -> TimeSeek.Report {
    TimeSeek.search(size: log.size, configuration: configuration, read: log.read, lineTime: testLineTime)
}

/// Small bounds, so that a log of a few hundred KiB takes a real binary search.
private func smallConfiguration(since: Int64, slack: Int64 = 30) -> TimeSeek.Configuration {
    TimeSeek.Configuration(
        since: since, slack: slack, maximumLineLength: 300, window: 8 * 1024, linearSpan: 512, checkSpan: 2048)
}

/// Asserts that reading from the search's start keeps exactly the lines a read from the start keeps.
private func expectExact(
    _ log: MemoryLog, since: Int64, _ report: TimeSeek.Report, sourceLocation: SourceLocation = #_sourceLocation
) {
    guard case .start(let offset) = report.outcome else {
        Issue.record("expected a start, got \(report.outcome)", sourceLocation: sourceLocation)
        return
    }
    guard let first = log.lineIndex(startingAt: offset) else {
        Issue.record("offset \(offset) is not a line start", sourceLocation: sourceLocation)
        return
    }
    #expect(
        log.kept(since: since, fromLine: first) == log.kept(since: since, fromLine: 0), sourceLocation: sourceLocation)
}

@Suite("Time seek: the binary search behind logtail --since")
struct TimeSeekTests {
    /// Seeded logs in time order with bounded disorder, runs of invalid lines, gaps, over-long and
    /// CRLF lines; moments before, inside, in gaps and after: the start always gives the full read's
    /// lines, within the probe bound.
    @Test(arguments: 0..<40)
    func readingFromTheStartFoundKeepsWhatAFullReadKeeps(seed: UInt64) {
        var random = SplitMix64(seed: seed &* 0x9E37_79B9 &+ 7)
        let slack: Int64 = 30
        var lines: [TestLine] = []
        var clock: Int64 = 1_700_000_000
        let count = 2000 + random.next(below: 4000)
        while lines.count < count {
            switch random.next(below: 100) {
            case 0..<3:
                // A run of invalid lines, shorter than the probe window.
                for _ in 0..<(1 + random.next(below: 20)) { lines.append((nil, random.next(below: 120))) }
            case 3:
                clock += Int64(1000 + random.next(below: 20_000))  // a gap
            case 4..<30:
                // Out of order, within the slack.
                lines.append((clock - Int64(random.next(below: Int(slack) + 1)), random.next(below: 200)))
            case 10:
                lines.append((clock, 300 + random.next(below: 600)))  // longer than the maximum
            default:
                clock += Int64(random.next(below: 3))
                lines.append((clock, random.next(below: 200)))
            }
        }
        let log = MemoryLog(lines, crlf: seed % 5 == 0, unterminatedLast: seed % 3 == 0)
        let dated = lines.compactMap(\.time)
        let first = dated.min()!
        let last = dated.max()!
        var moments: [Int64] = [first - 100, first, last, last + 1, last + 1000]
        for _ in 0..<12 { moments.append(first + Int64(random.next(below: Int(last - first + 1)))) }
        // The first line, the tail, one probe per halving down to the linear span, the linear read
        // and the check.
        let probeBound = 4 + (Int64.bitWidth - (log.size / 512).leadingZeroBitCount)
        for since in moments {
            let report = search(log, smallConfiguration(since: since, slack: slack))
            expectExact(log, since: since, report)
            #expect(report.probes <= probeBound, "\(report.probes) probes for \(log.size) bytes")
        }
    }

    @Test func aMomentBeforeTheFirstLineStartsAtZero() {
        let log = MemoryLog(datedLines(5000, from: 1000, padding: 50))
        #expect(search(log, smallConfiguration(since: 10)).outcome == .start(offset: 0))
    }

    @Test func aMomentAfterTheLastLineStartsAtTheEnd() {
        let log = MemoryLog(datedLines(5000, from: 1000, padding: 50))
        #expect(search(log, smallConfiguration(since: 100_000)).outcome == .start(offset: log.size))
    }

    @Test func anUnterminatedLastLineIsWhereAMomentAfterEverythingStarts() {
        let log = MemoryLog(datedLines(5000, from: 1000, padding: 50), unterminatedLast: true)
        let lastStart = Int64(log.starts.last!)
        #expect(search(log, smallConfiguration(since: 100_000)).outcome == .start(offset: lastStart))
        // Dated at the moment, it is the start.
        #expect(search(log, smallConfiguration(since: 5999, slack: 0)).outcome == .start(offset: lastStart))
    }

    @Test func aMomentInAGapStartsAtTheFirstLineAfterIt() {
        let lines = datedLines(3000, from: 1000, padding: 40) + datedLines(3000, from: 90_000, padding: 40)
        let log = MemoryLog(lines)
        let report = search(log, smallConfiguration(since: 50_000))
        #expect(report.outcome == .start(offset: Int64(log.starts[3000])))
    }

    @Test func withoutSlackTheStartIsTheFirstLineAtTheMoment() {
        let log = MemoryLog(datedLines(5000, from: 1000, perSecond: 2, padding: 50))
        // Lines 2000 and 2001 are dated 2000.
        #expect(
            search(log, smallConfiguration(since: 2000, slack: 0)).outcome == .start(offset: Int64(log.starts[2000])))
        // With 30 s of slack it starts 30 s earlier: at the first line dated 1970.
        #expect(search(log, smallConfiguration(since: 2000)).outcome == .start(offset: Int64(log.starts[1940])))
    }

    /// A line dated after the moment written before lines dated before it (a long request logged at
    /// its start time): within the slack it is found.
    @Test func linesOutOfOrderWithinTheSlackNearTheStartAreKept() {
        var lines = datedLines(6000, from: 1000, padding: 60)
        let since: Int64 = 4000
        // Line 2990 (dated 3990) becomes 4005: 15 s ahead of its neighbours, and after the moment.
        lines[2990].time = 4005
        // Line 3010 (dated 4010) becomes 3981: 29 s behind, before the moment.
        lines[3010].time = 3981
        let log = MemoryLog(lines)
        let report = search(log, smallConfiguration(since: since))
        expectExact(log, since: since, report)
        #expect(log.kept(since: since, fromLine: 0).contains(2990))
    }

    /// A line dated at or after the moment in the bytes just before the start shows more disorder than
    /// the slack: the file is read from its start.
    @Test func moreDisorderThanTheSlackBeforeTheStartIsDetected() {
        var lines = datedLines(6000, from: 1000, padding: 20)
        lines[2900].time = 4100  // 200 s ahead, 40 lines (about 1 KiB) before the line dated 3970
        let log = MemoryLog(lines)
        let report = search(log, smallConfiguration(since: 4000))
        #expect(report.outcome == .fullScan(.aheadOfStart(offset: Int64(log.starts[2900]), time: 4100)))
    }

    @Test func logsConcatenatedOutOfOrderAreReadFromTheStart() {
        let dayTwo = datedLines(3000, from: 200_000, padding: 40)
        let dayOne = datedLines(3000, from: 100_000, padding: 40)
        let log = MemoryLog(dayTwo + dayOne)
        // A moment before the first line needs no search: the file is read from its start anyway.
        #expect(search(log, smallConfiguration(since: 101_000)).outcome == .start(offset: 0))
        guard case .fullScan(.outOfOrder) = search(log, smallConfiguration(since: 201_500)).outcome else {
            Issue.record("expected a full scan for lines out of order")
            return
        }
        // Three pieces, the last one in order with the first: a probe finds the middle one's times
        // below the first's.
        let three = MemoryLog(
            datedLines(3000, from: 200_000, padding: 40) + datedLines(3000, from: 100_000, padding: 40)
                + datedLines(3000, from: 300_000, padding: 40))
        guard case .fullScan(.outOfOrder) = search(three, smallConfiguration(since: 250_000)).outcome else {
            Issue.record("expected a full scan for a piece out of order")
            return
        }
    }

    /// Invalid lines at the points the search looks at are skipped to the next dated line.
    @Test func invalidLinesAtTheProbePointsAreSkipped() {
        var lines: [TestLine] = []
        for block in 0..<200 {
            lines += datedLines(30, from: Int64(1000 + block * 30), padding: 50) + undatedLines(30, padding: 50)
        }
        let log = MemoryLog(lines)
        for since in stride(from: Int64(900), through: 7100, by: 173) {
            expectExact(log, since: since, search(log, smallConfiguration(since: since)))
        }
    }

    @Test func aStretchOfInvalidLinesWiderThanTheWindowMeansAFullRead() {
        let lines =
            datedLines(2000, from: 1000, padding: 50) + undatedLines(400, padding: 50)
            + datedLines(2000, from: 3000, padding: 50)
        let log = MemoryLog(lines)
        guard case .fullScan(.noDatedLine) = search(log, smallConfiguration(since: 3500)).outcome else {
            Issue.record("expected a full scan")
            return
        }
        let undated = MemoryLog(undatedLines(5000, padding: 30))
        #expect(search(undated, smallConfiguration(since: 10)).outcome == .fullScan(.noDatedLine(offset: 0)))
    }

    @Test func aFailedReadMeansAFullRead() {
        let log = MemoryLog(datedLines(5000, from: 1000, padding: 50))
        log.failingFrom = 100_000
        guard case .fullScan(.readFailed) = search(log, smallConfiguration(since: 5000)).outcome else {
            Issue.record("expected a full scan")
            return
        }
    }

    @Test func anEmptyFileStartsAtZero() {
        let log = MemoryLog([])
        #expect(search(log, smallConfiguration(since: 10)).outcome == .start(offset: 0))
    }

    /// With the default bounds, a 16 MiB log is searched with a few dozen reads and about 2 MiB.
    @Test func aLargeLogIsSearchedWithFewReads() {
        let log = MemoryLog(datedLines(160_000, from: 1_000_000, perSecond: 10, padding: 90))
        let report = TimeSeek.search(
            size: log.size, configuration: TimeSeek.Configuration(since: 1_008_000, slack: 60), read: log.read,
            lineTime: testLineTime)
        expectExact(log, since: 1_008_000, report)
        #expect(report.probes <= 30)
        #expect(report.bytesRead < 3 << 20, "\(report.bytesRead) bytes read")
        #expect(log.reads < 300)
    }

    @Test func timesAtTheLimitsOfTheirTypeDoNotTrap() {
        let log = MemoryLog(datedLines(3000, from: Int64.max - 3000, padding: 40))
        expectExact(log, since: Int64.max - 10, search(log, smallConfiguration(since: Int64.max - 10, slack: 86_400)))
        let low = MemoryLog(datedLines(3000, from: 0, padding: 40))
        expectExact(low, since: Int64.min, search(low, smallConfiguration(since: Int64.min, slack: 86_400)))
    }

    /// The search sees each line as logtail's splitter hands it out: carriage returns removed, long
    /// lines cut, an unterminated last line included.
    @Test(arguments: 0..<20)
    func linesAreSeenAsTheSplitterSeesThem(seed: UInt64) {
        var random = SplitMix64(seed: seed &+ 101)
        var bytes: [UInt8] = []
        for _ in 0..<(50 + random.next(below: 200)) {
            let length = random.next(below: 10) == 0 ? 100 + random.next(below: 300) : random.next(below: 60)
            bytes += (0..<length).map { _ in UInt8(ascii: "a") + UInt8(random.next(below: 26)) }
            if random.next(below: 6) == 0 { bytes.append(0x0D) }
            bytes.append(0x0A)
        }
        if seed % 2 == 0 { bytes += Array("tail without newline".utf8) }
        let maximum = 80
        var splitter = LineSplitter(maximumLineLength: maximum, bufferSize: 4096)
        var expected: [[UInt8]] = []
        bytes.withUnsafeBufferPointer { source in splitter.append(source) { expected.append(Array($0.bytes)) } }
        splitter.finish { expected.append(Array($0.bytes)) }
        var seen: [[UInt8]] = []
        let log = bytes
        let found = TimeSeek.firstDatedLine(
            size: Int64(log.count), maximumLineLength: maximum, window: Int64(log.count) + 1,
            read: { offset, buffer in
                let count = min(buffer.count, log.count - Int(offset))
                for index in 0..<max(0, count) { buffer[index] = log[Int(offset) + index] }
                return max(0, count)
            },
            lineTime: { line in
                seen.append(Array(line))
                return nil
            })
        #expect(found == nil)
        #expect(seen == expected)
    }
}
