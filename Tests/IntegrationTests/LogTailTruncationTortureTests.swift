import Foundation
import Glibc
import LogPipe
import Testing

/// logtail following a log that is truncated and regrown before it looks, truncated while it looks,
/// and rotated by rename, with half-written lines at every one of these moments; then the same bytes
/// replayed with `--once`, file by file, which must give the same records and the same counts.
///
/// Every wait is on an event: logtail's read position on the file (`/proc/<pid>/fdinfo`), a record
/// count reached, or logtail stopped (SIGSTOP) while the file is truncated and regrown, so that it
/// cannot look in between however loaded the machine is.
@Suite("logtail truncation torture")
struct LogTailTruncationTortureTests {
    /// What the test did to the log, in the order done, each file's bytes kept for the replay.
    struct Run {
        /// The bytes of every file logtail read, oldest first; the server writes to `current`.
        var files: [String] = [""]
        var current = 0
        var number = 0
        /// The paths of the whole lines written.
        var wholeLines: [String] = []
        /// The unwritten end of a half-written line, its number, and whether a truncation cut it off
        /// from its start (which was then handed out as a line of its own).
        var pendingRest: String?
        var pendingNumber = 0
        var pendingCut = false
        /// Half lines that end up as two lines (cut by a truncation) or one (left in a rotated file).
        var cutByTruncation = 0
        var leftInRotatedFile = 0
        var truncatedUnseen = 0
        var truncatedSeen = 0
        var rotations = 0
    }

    @Test(arguments: [1, 2] as [UInt64])
    func countsEveryLineAsAReplayOfTheSameBytesDoes(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path)
        let tail = try LogTailProcess(["--from-start", path], directory: directory)
        var server = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        defer { close(server) }
        var run = Run()

        func write(_ text: String) {
            TailTestLog.write(text, to: server)
            run.files[run.current] += text
        }
        /// The end of the pending half line, to be written now, as its own line or its line's end.
        func takeRest() -> String {
            guard let rest = run.pendingRest else { return "" }
            if !run.pendingCut { run.wholeLines.append("/seq/\(run.pendingNumber)") }
            run.pendingRest = nil
            return rest
        }
        func wholeLine() -> String {
            defer { run.number += 1 }
            run.wholeLines.append("/seq/\(run.number)")
            return TailTestLine.combined(run.number)
        }
        /// The file at the path is new (truncated, or rotated and created): a half line pending in the
        /// old one is cut from its end.
        func newFile(cutsPendingLine: Bool) {
            if cutsPendingLine && run.pendingRest != nil && !run.pendingCut {
                run.pendingCut = true
                run.cutByTruncation += 1
            }
            run.files.append("")
            run.current = run.files.count - 1
        }

        for round in 0..<12 {
            var text = takeRest()
            for _ in 0...random.next(below: 20) { text += wholeLine() }
            if round < 4 || random.next(below: 3) > 0 {
                // Cut inside the timestamp: neither half reads as a request on its own.
                let line = TailTestLine.combined(run.number)
                let bracket = line.distance(from: line.startIndex, to: line.firstIndex(of: "[")!)
                let cut = line.index(line.startIndex, offsetBy: bracket + 2 + random.next(below: 18))
                text += line[..<cut]
                run.pendingRest = String(line[cut...])
                run.pendingNumber = run.number
                run.pendingCut = false
                run.number += 1
            }
            write(text)
            // logtail has read every byte, the half line too: it holds that in memory.
            try #require(tail.waitUntilRead(path), "round \(round): \(tail.standardError)")

            switch round % 4 {
            case 0:
                // Truncated and written past the old size while logtail cannot look: only the bytes
                // it read tell it. The server ends its half line at the new start of the file.
                let oldSize = run.files[run.current].utf8.count
                try #require(tail.pause())
                TailTestLog.truncate(path)
                newFile(cutsPendingLine: true)
                var regrown = takeRest()
                while regrown.utf8.count <= oldSize { regrown += wholeLine() }
                write(regrown)
                tail.resume()
                run.truncatedUnseen += 1
            case 1:
                // Truncated, and seen so (logtail back at offset 0) before anything more is written.
                TailTestLog.truncate(path)
                newFile(cutsPendingLine: true)
                try #require(tail.waitUntilRead(path), "round \(round): \(tail.standardError)")
                run.truncatedSeen += 1
            case 2:
                // Rotated by rename; once logtail follows the new file, the server, not told yet,
                // ends its half line in the old one (read during the grace period), then reopens.
                TailTestLog.rename(path, to: directory.file("access.log.\(round)"))
                TailTestLog.create(path)
                try #require(tail.waitUntilRead(path), "round \(round): \(tail.standardError)")
                write(takeRest() + wholeLine())
                close(server)
                server = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
                newFile(cutsPendingLine: false)
                run.rotations += 1
            default:
                // Rotated by rename and the server reopens without ending its half line (it died
                // mid-write): the half line is handed out when the old file is let go.
                TailTestLog.rename(path, to: directory.file("access.log.\(round)"))
                TailTestLog.create(path)
                close(server)
                server = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
                if run.pendingRest != nil {
                    run.pendingRest = nil
                    run.leftInRotatedFile += 1
                }
                newFile(cutsPendingLine: false)
                run.rotations += 1
            }
        }
        write(takeRest() + wholeLine())

        // The replay: each file logtail read, as it was when logtail let it go.
        var replayPaths: [String] = []
        for (index, bytes) in run.files.enumerated() {
            let file = directory.file("replay-\(index).log")
            TailTestLog.create(file, bytes)
            replayPaths.append(file)
        }
        let replay = try LogTailProcess(["--once"] + replayPaths, directory: directory)
        #expect(replay.waitForExit(timeout: 60) == 0)
        let replayRequests = TailRecords.requestCount(replay.lines)
        let replayInvalid = TailRecords.count("invalid", replay.lines)

        let arrived = tail.read(timeout: 60) {
            TailRecords.requestCount($0) >= replayRequests && TailRecords.count("invalid", $0) >= replayInvalid
        }
        #expect(arrived, "stderr: \(tail.standardError)")
        #expect(tail.waitUntilRead(path))
        #expect(tail.stop() == 0)

        // Every whole line once, and the halves as lines of their own, as written.
        let paths = TailRecords.paths(tail.lines)
        #expect(paths.sorted() == run.wholeLines.sorted())
        #expect(Set(paths).count == paths.count, "some lines were read twice")
        #expect(TailRecords.count("invalid", tail.lines) == 2 * run.cutByTruncation + run.leftInRotatedFile)
        #expect(run.cutByTruncation >= 2)
        #expect(run.leftInRotatedFile >= 1)
        #expect(run.truncatedUnseen == 3 && run.truncatedSeen == 3 && run.rotations == 6)

        // The same records and the same counts as the replay of the same bytes.
        #expect(paths.sorted() == TailRecords.paths(replay.lines).sorted())
        #expect(Self.invalidLines(tail.lines) == Self.invalidLines(replay.lines))
        let live = TailSummary(tail.standardError)
        let replayed = TailSummary(replay.standardError)
        #expect(live.files == 1 && replayed.files == run.files.count)
        #expect(live.description == replayed.description)
        #expect(live.lines == live.requests + live.skipped + live.invalid)

        // Each truncation said once, with how it was seen.
        let notices = tail.standardError.components(separatedBy: "\n")
        #expect(notices.filter { $0.contains("truncated and written again") }.count == run.truncatedUnseen)
        #expect(notices.filter { $0.contains(": truncated; reading it again") }.count == run.truncatedSeen)
    }

    /// The invalid records as `line reason excerpt`, sorted (the source aside: live it is the log's
    /// path, replayed the file's copy).
    static func invalidLines(_ lines: [String]) -> [String] {
        TailRecords.ofType("invalid", lines).map {
            "\($0["line"] as? Int ?? -1) \($0["reason"] as? String ?? "?") \($0["excerpt"] as? String ?? "?")"
        }.sorted()
    }
}
