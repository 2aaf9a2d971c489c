import Foundation
import LogPipeTestSupport
import Testing

/// `logtail --since` on a file large enough to be searched (8 MiB or more): the records are those of
/// a read from the start (`--no-seek`), and stderr says where the search started and what it read.
@Suite("logtail --since: binary search on a large file")
struct LogTailSinceSeekTests {
    static let start: Int64 = 1_795_400_000

    /// A log of about 10 MiB of the shape `name`, and the moments to search for in it.
    static func scenario(_ name: String) -> (log: ReplayLog, moments: [Int64]) {
        var log = ReplayLog()
        let middle = start + 5000
        switch name {
        case "in order":
            log.append(contentsOf: ReplayLog.requests(64_000, from: start))
            // In the middle, before the first line, at the last line, after the last line.
            return (log, [middle, start - 1000, start + 12_799, start + 20_000])
        case "out of order near the moment":
            // Lines dated up to 55 s ahead written before the moment, and 50 s behind after it.
            for index in 0..<64_000 {
                let time = start + Int64(index / 5)
                if (middle - 60..<middle).contains(time) && index % 7 == 0 {
                    log.append(.request(time + 55))
                } else if (middle..<middle + 30).contains(time) && index % 5 == 0 {
                    log.append(.request(time - 50))
                } else {
                    log.append(.request(time))
                }
            }
            return (log, [middle, middle + 20])
        case "invalid lines everywhere":
            for index in 0..<64_000 {
                let time = start + Int64(index / 5)
                switch index % 60 {
                case 0..<10: log.append(.junk)
                case 10: log.append(.badStatus(time))
                default: log.append(.request(time))
                }
            }
            return (log, [middle + 3, start + 9001])
        case "a gap":
            log.append(contentsOf: ReplayLog.requests(32_000, from: start))
            log.append(contentsOf: ReplayLog.requests(32_000, from: start + 86_400))
            // In the gap, and at the first line after it.
            return (log, [start + 40_000, start + 86_400])
        default:
            preconditionFailure("unknown scenario \(name)")
        }
    }

    /// The records of a search and of a full read are the same (invalid records but for their line
    /// numbers, which count from where reading started).
    @Test(arguments: ["in order", "out of order near the moment", "invalid lines everywhere", "a gap"])
    func searchingGivesTheRecordsOfAFullRead(scenario name: String) throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (log, moments) = Self.scenario(name)
        try log.write(to: "\(directory)/big.log")
        let size = try #require(FileManager.default.attributesOfItem(atPath: "\(directory)/big.log")[.size] as? Int)
        #expect(size >= 8 << 20, "the log must be large enough to be searched")
        for since in moments {
            let arguments = ["--once", "--since", "\(since)", "big.log"]
            let searched = try ReplayTools.logtail(arguments, in: directory)
            let full = try ReplayTools.logtail(["--no-seek"] + arguments, in: directory)
            #expect(searched.status == 0 && full.status == 0, "\(searched.standardError)")
            let output = ReplayTools.withoutLineNumbers(searched.standardOutput)
            #expect(output == ReplayTools.withoutLineNumbers(full.standardOutput), "since \(since)")
            #expect(!full.standardError.contains("--since:"))
            let start = try #require(SearchNote(searched.standardError), "\(searched.standardError)")
            #expect(start.size == size)
            if since < Self.start {
                #expect(start.offset == 0)
            } else {
                #expect(start.offset > size / 3, "\(searched.standardError)")
                #expect(start.kibibytesRead < 4096, "\(searched.standardError)")
            }
            if name == "out of order near the moment" && since == Self.start + 5000 {
                // The lines dated after the moment but written before the first line of its second count.
                let requests = ReplayTools.records(ofType: "request", in: output)
                #expect(requests.count > (Int(Self.start + 12_800 - since) * 5))
            }
        }
    }

    /// Following with --since searches too, then follows: the records until the first heartbeat are
    /// a full read's.
    @Test func followingWithSinceSearchesThenFollows() throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (log, moments) = Self.scenario("in order")
        let since = moments[0]
        try log.write(to: "\(directory)/big.log")
        let full = try ReplayTools.logtail(["--once", "--no-seek", "--since", "\(since)", "big.log"], in: directory)
        let follow = try ToolProcess(
            ToolProcess.tool("logtail"), ["--since", "\(since)", "\(directory)/big.log"])
        #expect(follow.standardOutput.waitForRecords(ofType: "heartbeat", timeout: 60))
        _ = follow.stop()
        let followed = ReplayTools.records(ofType: "request", in: follow.standardOutput.text)
        #expect(followed == ReplayTools.records(ofType: "request", in: full.standardOutput))
        #expect(follow.standardError.text.contains("--since: a binary search on the times starts reading at byte"))
    }

    @Test(arguments: [["--seek-slack", "-1"], ["--seek-slack", "1e3"], ["--seek-slack", "86401"]])
    func aBadSlackIsAUsageError(arguments: [String]) throws {
        let outcome = try ReplayTools.logtail(["--once", "--since", "0"] + arguments + ["/dev/null"], in: "/")
        #expect(outcome.status == 64)
        #expect(outcome.standardError.contains("--seek-slack"))
    }

    /// Inputs that cannot be searched are read from their start, and stderr says why.
    @Test func unsearchableInputsAreReadFromTheStartAndSaySo() throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Two days concatenated the wrong way round.
        var log = ReplayLog()
        log.append(contentsOf: ReplayLog.requests(32_000, from: Self.start + 86_400))
        log.append(contentsOf: ReplayLog.requests(32_000, from: Self.start))
        try log.write(to: "\(directory)/swapped.log")
        let since = Self.start + 86_400 + 2000
        let searched = try ReplayTools.logtail(["--once", "--since", "\(since)", "swapped.log"], in: directory)
        let full = try ReplayTools.logtail(
            ["--once", "--no-seek", "--since", "\(since)", "swapped.log"], in: directory)
        #expect(
            searched.standardError.contains(
                "swapped.log: --since: reading it from the start: the lines are not in time order"),
            "\(searched.standardError)")
        #expect(searched.standardOutput == full.standardOutput)

        let piped = try ToolProcess.shell(
            "logtail --once --since \(since) - < swapped.log > /dev/null", in: directory)
        #expect(
            piped.standardError.contains("-: --since: reading it from the start: standard input cannot be searched"))
        try ReplayTools.compress("swapped.log", into: "swapped.log.gz", with: "gzip", in: directory)
        let compressed = try ReplayTools.logtail(["--once", "--since", "\(since)", "swapped.log.gz"], in: directory)
        #expect(
            compressed.standardError.contains(
                "swapped.log.gz: --since: reading it from the start: a compressed file cannot be searched"))
    }
}

/// logtail's note `NAME: --since: a binary search on the times starts reading at byte N of SIZE (P
/// looks, K KiB read)`.
private struct SearchNote {
    var offset: Int
    var size: Int
    var kibibytesRead: Int

    init?(_ standardError: String) {
        let pattern = #"starts reading at byte (\d+) of (\d+) \((\d+) looks, (\d+) KiB read\)"#
        guard let range = standardError.range(of: pattern, options: .regularExpression) else { return nil }
        let numbers = standardError[range].split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard numbers.count == 4 else { return nil }
        offset = numbers[0]
        size = numbers[1]
        kibibytesRead = numbers[3]
    }
}
