import Foundation
import Glibc
import LogPipe
import LogPipeIO
import Testing

/// `FileFollower` on real files: rotation, truncation, late files, partial lines.
@Suite("FileFollower")
struct FollowerTests {
    @Test func readsOnlyLinesWrittenAfterTheStartWhenStartingAtTheEnd() {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path, "old 1\nold 2\n")
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: true))
        #expect(follower.drain() == [])
        TailTestLog.append("new 1\nnew 2\n", to: path)
        #expect(follower.drain() == ["new 1", "new 2"])
        #expect(follower.numbers == [1, 2])
    }

    @Test func dropsTheRestOfALineThatWasHalfWrittenWhenFollowingStarted() {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path, "old 1\nold 2 half")
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: true))
        #expect(follower.drain() == [])
        TailTestLog.append(" rest\nnew 1\n", to: path)
        #expect(follower.drain() == ["new 1"])
    }

    @Test func readsExistingLinesFirstWhenStartingAtTheBeginning() {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path, "old 1\nold 2\n")
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: false))
        #expect(follower.drain() == ["old 1", "old 2"])
        TailTestLog.append("new 1\n", to: path)
        #expect(follower.drain() == ["new 1"])
    }

    @Test func handsOutAHalfWrittenLineOnlyOnceItsNewlineIsWritten() {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path)
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: false))
        TailTestLog.append("first half", to: path)
        #expect(follower.drain() == [])
        TailTestLog.append(" and more", to: path)
        #expect(follower.drain() == [])
        TailTestLog.append(" and the end\nnext", to: path)
        #expect(follower.drain() == ["first half and more and the end"])
        TailTestLog.append("\n", to: path)
        #expect(follower.drain() == ["next"])
    }

    @Test func followsRotationByRenameSeveralTimesWithoutLosingOrRepeatingALine() {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path)
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: false))
        var expected: [String] = []
        for round in 1...4 {
            TailTestLog.append("round \(round) a\n", to: path)
            #expect(follower.drain().count == 1)
            // Written after the last look, then rotated away before the next one: still read.
            TailTestLog.append("round \(round) b\n", to: path)
            TailTestLog.rename(path, to: directory.file("access.log.\(round)"))
            TailTestLog.create(path, "round \(round) c\n")
            follower.drain()
            expected += ["round \(round) a", "round \(round) b", "round \(round) c"]
        }
        #expect(follower.lines == expected)
    }

    @Test func readsLinesTheWriterAddsToTheRotatedFileDuringTheGracePeriod() {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path)
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: false, retireGraceMilliseconds: 1000))
        // The server holds its descriptor across the rename until it is told to reopen.
        let server = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        defer { close(server) }
        TailTestLog.write("before\n", to: server)
        follower.drain()
        TailTestLog.rename(path, to: directory.file("access.log.1"))
        TailTestLog.create(path, "new file\n")
        follower.drain()
        follower.now = 500
        TailTestLog.write("late in the old file\nhalf", to: server)
        #expect(follower.drain() == ["late in the old file"])
        follower.now = 1600
        // Past the grace period the old file's unfinished line is handed out and the file closed.
        #expect(follower.drain() == ["half"])
        TailTestLog.write(" never read\n", to: server)
        follower.now = 3000
        #expect(follower.drain() == [])
        #expect(follower.lines == ["before", "new file", "late in the old file", "half"])
    }

    @Test(arguments: ["truncate", "copy-truncate"])
    func restartsAtTheBeginningAfterTruncation(kind: String) {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path)
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: false))
        TailTestLog.append("one\ntwo\nthree\n", to: path)
        #expect(follower.drain() == ["one", "two", "three"])
        if kind == "copy-truncate" {
            TailTestLog.create(directory.file("access.log.1"), TailTestLog.read(path))
        }
        TailTestLog.truncate(path)
        #expect(follower.drain() == [])
        TailTestLog.append("four\n", to: path)
        #expect(follower.drain() == ["four"])
        #expect(follower.numbers.last == 1)
    }

    @Test func handsOutAPartialLineAsALineWhenTheFileIsTruncated() {
        // As `--once` reads an unterminated last line at the end of a file: the same bytes give the
        // same lines, live or replayed.
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path)
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: false))
        TailTestLog.append("one\ntw", to: path)
        #expect(follower.drain() == ["one"])
        TailTestLog.truncate(path)
        #expect(follower.drain() == ["tw"])
        TailTestLog.append("fresh\n", to: path)
        #expect(follower.drain() == ["fresh"])
        #expect(follower.numbers == [1, 2, 1])
    }

    /// Truncated, then written past the old read offset before the follower looks again: the size
    /// alone says the file only grew.
    @Test(arguments: ["another start", "the same start"])
    func readsEveryNewLineOfAFileTruncatedAndRegrownBeforeItLooked(start: String) {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        // A W3C header is the same in every file: only the bytes before the offset tell them apart.
        let header = start == "the same start" ? "#Fields: date time c-ip cs-method cs-uri-stem sc-status\n" : ""
        TailTestLog.create(path)
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: false))
        TailTestLog.append(header + "old 1\nold 2\nold 3\n", to: path)
        follower.drain()
        TailTestLog.truncate(path)
        TailTestLog.append(header + "new 1\nnew 2\nnew 3\nnew 4\nnew 5\n", to: path)
        let expected = header.isEmpty ? [] : [String(header.dropLast())]
        #expect(follower.drain() == expected + ["new 1", "new 2", "new 3", "new 4", "new 5"])
        #expect(follower.numbers.last == (header.isEmpty ? 5 : 6))
    }

    @Test func readsAFileTruncatedAndRewrittenToExactlyItsOldLength() {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path)
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: false))
        TailTestLog.append("aaaa\nbbbb\n", to: path)
        #expect(follower.drain() == ["aaaa", "bbbb"])
        TailTestLog.truncate(path)
        TailTestLog.append("cccc\ndddd\n", to: path)
        #expect(follower.drain() == ["cccc", "dddd"])
        TailTestLog.append("eeee\n", to: path)
        #expect(follower.drain() == ["eeee"])
    }

    @Test func handsOutAPartialLineAndThenTheNewLinesOfAFileTruncatedAndRegrown() {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path)
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: false))
        TailTestLog.append("one\ntw", to: path)
        #expect(follower.drain() == ["one"])
        TailTestLog.truncate(path)
        // The writer ends its line after the truncation: at the new start of the file.
        TailTestLog.append("o\nthree\nfour\n", to: path)
        #expect(follower.drain() == ["tw", "o", "three", "four"])
    }

    @Test func seesATruncateAndRegrowOfAFileItStartedFollowingAtItsEnd() {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path, "old 1\nold 2\n")
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: true))
        #expect(follower.drain() == [])
        TailTestLog.truncate(path)
        TailTestLog.append("new 1\nnew 2\nnew 3\n", to: path)
        #expect(follower.drain() == ["new 1", "new 2", "new 3"])
    }

    @Test func handsOutNothingOfAHalfLineItNeverSawTheStartOfWhenTheFileIsTruncated() {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path, "old 1\nold 2 half")
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: true))
        #expect(follower.drain() == [])
        TailTestLog.append(" rest", to: path)
        #expect(follower.drain() == [])
        TailTestLog.truncate(path)
        TailTestLog.append("new 1\n", to: path)
        #expect(follower.drain() == ["new 1"])
    }

    @Test func handsOutAnOverlongLineOnlyOnceWhenTheFileIsTruncatedInItsMiddle() {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path)
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: false, maximumLineLength: 100))
        TailTestLog.append(String(repeating: "x", count: 300), to: path)
        #expect(follower.drain() == [String(repeating: "x", count: 100)])
        TailTestLog.truncate(path)
        TailTestLog.append("next\n", to: path)
        #expect(follower.drain() == ["next"])
        #expect(follower.truncated == [true, false])
    }

    @Test func handsOutTheUnfinishedLastLineOfARotatedFileWhenItIsLetGo() {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path)
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: false, retireGraceMilliseconds: 1000))
        TailTestLog.append("one\nhalf", to: path)
        #expect(follower.drain() == ["one"])
        TailTestLog.rename(path, to: directory.file("access.log.1"))
        TailTestLog.create(path, "new\n")
        #expect(follower.drain() == ["new"])
        follower.now = 1000
        #expect(follower.drain() == ["half"])
    }

    @Test func waitsForAFileThatDoesNotExistYetAndReadsAllOfIt() {
        let directory = TailTestDirectory()
        let path = directory.file("later.log")
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: true))
        #expect(follower.drain() == [])
        #expect(follower.drain() == [])
        TailTestLog.create(path, "first\nsecond\n")
        #expect(follower.drain() == ["first", "second"])
    }

    @Test func picksUpAFileRemovedAndCreatedAgain() {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path)
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: false, retireGraceMilliseconds: 0))
        TailTestLog.append("one\n", to: path)
        follower.drain()
        unlink(path)
        #expect(follower.drain() == [])
        TailTestLog.create(path, "two\n")
        #expect(follower.drain() == ["two"])
        #expect(follower.lines == ["one", "two"])
    }

    @Test(.enabled(if: geteuid() != 0, "root reads any file: run the tests as another user to check permissions"))
    func waitsForAnUnreadableFileAndReadsItOnceReadable() {
        let directory = TailTestDirectory()
        let path = directory.file("secret.log")
        TailTestLog.create(path, "one\n")
        chmod(path, 0)
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: false))
        #expect(follower.drain() == [])
        chmod(path, 0o644)
        #expect(follower.drain() == ["one"])
    }

    @Test func waitsWhileThePathIsADirectoryAndReadsTheFileThatReplacesIt() {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        mkdir(path, 0o700)
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: false))
        #expect(follower.drain() == [])
        rmdir(path)
        TailTestLog.create(path, "one\n")
        #expect(follower.drain() == ["one"])
    }

    @Test func followsTheCurrentTargetOfASymbolicLink() {
        let directory = TailTestDirectory()
        let link = directory.file("current.log")
        TailTestLog.create(directory.file("monday.log"), "monday old\n")
        symlink(directory.file("monday.log"), link)
        let follower = TailLineCollector(FileFollower(path: link, startAtEnd: true, retireGraceMilliseconds: 1000))
        #expect(follower.drain() == [])
        TailTestLog.append("monday new\n", to: directory.file("monday.log"))
        #expect(follower.drain() == ["monday new"])
        TailTestLog.create(directory.file("tuesday.log"), "tuesday 1\n")
        unlink(link)
        symlink(directory.file("tuesday.log"), link)
        #expect(follower.drain() == ["tuesday 1"])
        // Once the old target has been quiet for the grace period it is no longer read.
        follower.now = 2000
        #expect(follower.drain() == [])
        TailTestLog.append("monday late\n", to: directory.file("monday.log"))
        TailTestLog.append("tuesday 2\n", to: directory.file("tuesday.log"))
        #expect(follower.drain() == ["tuesday 2"])
    }

    @Test func keepsItsPlaceWhenReopenedOnTheSameFile() {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path, "one\n")
        let input = FileFollower(path: path, startAtEnd: false)
        let follower = TailLineCollector(input)
        #expect(follower.drain() == ["one"])
        input.reopen()
        TailTestLog.append("two\n", to: path)
        #expect(follower.drain() == ["two"])
    }

    @Test func handsOutALineLongerThanTheLimitOnceTruncated() {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path, String(repeating: "x", count: 10_000) + "\nshort\n")
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: false, maximumLineLength: 100))
        let lines = follower.drain()
        #expect(lines == [String(repeating: "x", count: 100), "short"])
        #expect(follower.truncated == [true, false])
    }

    @Test func readsSeveralMegabytesInPassesOfBoundedSize() {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        let line = String(repeating: "y", count: 99) + "\n"
        TailTestLog.create(path, String(repeating: line, count: 50_000))
        let input = FileFollower(path: path, startAtEnd: false)
        var passes = 0
        var count = 0
        while try! input.pass(now: 0, budget: 1 << 20, lines: { (_: LineSplitter.Line, _: Int64) in count += 1 })
            == .moreReady
        {
            passes += 1
        }
        #expect(count == 50_000)
        #expect(passes >= 2)
    }
}
