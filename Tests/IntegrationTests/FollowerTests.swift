import Foundation
import Glibc
import LogPipe
import LogPipeIO
import Testing

/// `FileFollower` on real files: rotation, truncation, late files, partial lines.
@Suite("FileFollower")
struct FollowerTests {
    @Test func readsOnlyLinesWrittenAfterTheStartWhenStartingAtTheEnd() {
        let directory = TemporaryDirectory()
        let path = directory.file("access.log")
        LogFile.create(path, "old 1\nold 2\n")
        let follower = LineCollector(FileFollower(path: path, startAtEnd: true))
        #expect(follower.drain() == [])
        LogFile.append("new 1\nnew 2\n", to: path)
        #expect(follower.drain() == ["new 1", "new 2"])
        #expect(follower.numbers == [1, 2])
    }

    @Test func dropsTheRestOfALineThatWasHalfWrittenWhenFollowingStarted() {
        let directory = TemporaryDirectory()
        let path = directory.file("access.log")
        LogFile.create(path, "old 1\nold 2 half")
        let follower = LineCollector(FileFollower(path: path, startAtEnd: true))
        #expect(follower.drain() == [])
        LogFile.append(" rest\nnew 1\n", to: path)
        #expect(follower.drain() == ["new 1"])
    }

    @Test func readsExistingLinesFirstWhenStartingAtTheBeginning() {
        let directory = TemporaryDirectory()
        let path = directory.file("access.log")
        LogFile.create(path, "old 1\nold 2\n")
        let follower = LineCollector(FileFollower(path: path, startAtEnd: false))
        #expect(follower.drain() == ["old 1", "old 2"])
        LogFile.append("new 1\n", to: path)
        #expect(follower.drain() == ["new 1"])
    }

    @Test func handsOutAHalfWrittenLineOnlyOnceItsNewlineIsWritten() {
        let directory = TemporaryDirectory()
        let path = directory.file("access.log")
        LogFile.create(path)
        let follower = LineCollector(FileFollower(path: path, startAtEnd: false))
        LogFile.append("first half", to: path)
        #expect(follower.drain() == [])
        LogFile.append(" and more", to: path)
        #expect(follower.drain() == [])
        LogFile.append(" and the end\nnext", to: path)
        #expect(follower.drain() == ["first half and more and the end"])
        LogFile.append("\n", to: path)
        #expect(follower.drain() == ["next"])
    }

    @Test func followsRotationByRenameSeveralTimesWithoutLosingOrRepeatingALine() {
        let directory = TemporaryDirectory()
        let path = directory.file("access.log")
        LogFile.create(path)
        let follower = LineCollector(FileFollower(path: path, startAtEnd: false))
        var expected: [String] = []
        for round in 1...4 {
            LogFile.append("round \(round) a\n", to: path)
            #expect(follower.drain().count == 1)
            // Written after the last look, then rotated away before the next one: still read.
            LogFile.append("round \(round) b\n", to: path)
            LogFile.rename(path, to: directory.file("access.log.\(round)"))
            LogFile.create(path, "round \(round) c\n")
            follower.drain()
            expected += ["round \(round) a", "round \(round) b", "round \(round) c"]
        }
        #expect(follower.lines == expected)
    }

    @Test func readsLinesTheWriterAddsToTheRotatedFileDuringTheGracePeriod() {
        let directory = TemporaryDirectory()
        let path = directory.file("access.log")
        LogFile.create(path)
        let follower = LineCollector(FileFollower(path: path, startAtEnd: false, retireGraceMilliseconds: 1000))
        // The server holds its descriptor across the rename until it is told to reopen.
        let server = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        defer { close(server) }
        LogFile.write("before\n", to: server)
        follower.drain()
        LogFile.rename(path, to: directory.file("access.log.1"))
        LogFile.create(path, "new file\n")
        follower.drain()
        follower.now = 500
        LogFile.write("late in the old file\nhalf", to: server)
        #expect(follower.drain() == ["late in the old file"])
        follower.now = 1600
        // Past the grace period the old file's unfinished line is handed out and the file closed.
        #expect(follower.drain() == ["half"])
        LogFile.write(" never read\n", to: server)
        follower.now = 3000
        #expect(follower.drain() == [])
        #expect(follower.lines == ["before", "new file", "late in the old file", "half"])
    }

    @Test(arguments: ["truncate", "copy-truncate"])
    func restartsAtTheBeginningAfterTruncation(kind: String) {
        let directory = TemporaryDirectory()
        let path = directory.file("access.log")
        LogFile.create(path)
        let follower = LineCollector(FileFollower(path: path, startAtEnd: false))
        LogFile.append("one\ntwo\nthree\n", to: path)
        #expect(follower.drain() == ["one", "two", "three"])
        if kind == "copy-truncate" {
            LogFile.create(directory.file("access.log.1"), LogFile.read(path))
        }
        LogFile.truncate(path)
        #expect(follower.drain() == [])
        LogFile.append("four\n", to: path)
        #expect(follower.drain() == ["four"])
        #expect(follower.numbers.last == 1)
    }

    @Test func dropsAPartialLineWhenTheFileIsTruncated() {
        let directory = TemporaryDirectory()
        let path = directory.file("access.log")
        LogFile.create(path)
        let follower = LineCollector(FileFollower(path: path, startAtEnd: false))
        LogFile.append("one\ntw", to: path)
        #expect(follower.drain() == ["one"])
        LogFile.truncate(path)
        follower.drain()
        LogFile.append("fresh\n", to: path)
        #expect(follower.drain() == ["fresh"])
    }

    @Test func waitsForAFileThatDoesNotExistYetAndReadsAllOfIt() {
        let directory = TemporaryDirectory()
        let path = directory.file("later.log")
        let follower = LineCollector(FileFollower(path: path, startAtEnd: true))
        #expect(follower.drain() == [])
        #expect(follower.drain() == [])
        LogFile.create(path, "first\nsecond\n")
        #expect(follower.drain() == ["first", "second"])
    }

    @Test func picksUpAFileRemovedAndCreatedAgain() {
        let directory = TemporaryDirectory()
        let path = directory.file("access.log")
        LogFile.create(path)
        let follower = LineCollector(FileFollower(path: path, startAtEnd: false, retireGraceMilliseconds: 0))
        LogFile.append("one\n", to: path)
        follower.drain()
        unlink(path)
        #expect(follower.drain() == [])
        LogFile.create(path, "two\n")
        #expect(follower.drain() == ["two"])
        #expect(follower.lines == ["one", "two"])
    }

    @Test(.enabled(if: geteuid() != 0, "root reads any file: run the tests as another user to check permissions"))
    func waitsForAnUnreadableFileAndReadsItOnceReadable() {
        let directory = TemporaryDirectory()
        let path = directory.file("secret.log")
        LogFile.create(path, "one\n")
        chmod(path, 0)
        let follower = LineCollector(FileFollower(path: path, startAtEnd: false))
        #expect(follower.drain() == [])
        chmod(path, 0o644)
        #expect(follower.drain() == ["one"])
    }

    @Test func waitsWhileThePathIsADirectoryAndReadsTheFileThatReplacesIt() {
        let directory = TemporaryDirectory()
        let path = directory.file("access.log")
        mkdir(path, 0o700)
        let follower = LineCollector(FileFollower(path: path, startAtEnd: false))
        #expect(follower.drain() == [])
        rmdir(path)
        LogFile.create(path, "one\n")
        #expect(follower.drain() == ["one"])
    }

    @Test func followsTheCurrentTargetOfASymbolicLink() {
        let directory = TemporaryDirectory()
        let link = directory.file("current.log")
        LogFile.create(directory.file("monday.log"), "monday old\n")
        symlink(directory.file("monday.log"), link)
        let follower = LineCollector(FileFollower(path: link, startAtEnd: true, retireGraceMilliseconds: 1000))
        #expect(follower.drain() == [])
        LogFile.append("monday new\n", to: directory.file("monday.log"))
        #expect(follower.drain() == ["monday new"])
        LogFile.create(directory.file("tuesday.log"), "tuesday 1\n")
        unlink(link)
        symlink(directory.file("tuesday.log"), link)
        #expect(follower.drain() == ["tuesday 1"])
        // Once the old target has been quiet for the grace period it is no longer read.
        follower.now = 2000
        #expect(follower.drain() == [])
        LogFile.append("monday late\n", to: directory.file("monday.log"))
        LogFile.append("tuesday 2\n", to: directory.file("tuesday.log"))
        #expect(follower.drain() == ["tuesday 2"])
    }

    @Test func keepsItsPlaceWhenReopenedOnTheSameFile() {
        let directory = TemporaryDirectory()
        let path = directory.file("access.log")
        LogFile.create(path, "one\n")
        let input = FileFollower(path: path, startAtEnd: false)
        let follower = LineCollector(input)
        #expect(follower.drain() == ["one"])
        input.reopen()
        LogFile.append("two\n", to: path)
        #expect(follower.drain() == ["two"])
    }

    @Test func handsOutALineLongerThanTheLimitOnceTruncated() {
        let directory = TemporaryDirectory()
        let path = directory.file("access.log")
        LogFile.create(path, String(repeating: "x", count: 10_000) + "\nshort\n")
        let follower = LineCollector(FileFollower(path: path, startAtEnd: false, maximumLineLength: 100))
        let lines = follower.drain()
        #expect(lines == [String(repeating: "x", count: 100), "short"])
        #expect(follower.truncated == [true, false])
    }

    @Test func readsSeveralMegabytesInPassesOfBoundedSize() {
        let directory = TemporaryDirectory()
        let path = directory.file("access.log")
        let line = String(repeating: "y", count: 99) + "\n"
        LogFile.create(path, String(repeating: line, count: 50_000))
        let input = FileFollower(path: path, startAtEnd: false)
        var passes = 0
        var count = 0
        while input.pass(now: 0, budget: 1 << 20, lines: { (_: LineSplitter.Line, _: Int64) in count += 1 }) == .moreReady {
            passes += 1
        }
        #expect(count == 50_000)
        #expect(passes >= 2)
    }
}
