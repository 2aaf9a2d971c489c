import Foundation
import Glibc
import LogPipe
import LogPipeTestSupport
import Testing

/// The built `logtail` binary, run as a process on real files.
@Suite("logtail")
struct LogTailTests {
    @Test func onceReadsEveryLineIncludingAnUnterminatedLastOneAndExits() throws {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        var text = (0..<3).map { TailTestLine.combined($0) }.joined()
        text += String(TailTestLine.combined(3).dropLast())
        TailTestLog.create(path, text)
        let tail = try LogTailProcess(["--once", path], directory: directory)
        #expect(tail.waitForExit() == 0)
        #expect(TailRecords.paths(tail.lines) == ["/seq/0", "/seq/1", "/seq/2", "/seq/3"])
        #expect(TailRecords.ofType("heartbeat", tail.lines).isEmpty)
        #expect(TailRecords.ofType("request", tail.lines).allSatisfy { $0["source"] as? String == path })
        #expect(tail.standardError.contains("4 lines: 4 requests, 0 skipped, 0 invalid"))
    }

    @Test func onceWithAMissingFileExitsWithStatus66AndSaysWhy() throws {
        let directory = TailTestDirectory()
        let tail = try LogTailProcess(["--once", directory.file("absent.log")], directory: directory)
        #expect(tail.waitForExit() == 66)
        #expect(tail.lines.isEmpty)
        #expect(tail.standardError.hasPrefix("logtail: error: cannot read '\(directory.file("absent.log"))'"))
    }

    @Test(arguments: [["--bogus"], ["--max-line", "abc"], ["--format", "xml"], ["-", "-"]])
    func rejectsABadCommandLineWithStatus64(arguments: [String]) throws {
        let directory = TailTestDirectory()
        let tail = try LogTailProcess(arguments, directory: directory)
        #expect(tail.waitForExit() == 64)
        #expect(tail.standardError.hasPrefix("logtail: error: "))
    }

    @Test func oncePipedIntoHeadExitsWithStatus0Quietly() throws {
        let directory = TailTestDirectory()
        let path = directory.file("big.log")
        TailTestLog.create(path, (0..<60_000).map { TailTestLine.combined($0) }.joined())
        let shell = try ToolProcess.shell(
            "logtail --once '\(path)' 2>'\(directory.file("err"))' | head -1 >/dev/null; echo \"${PIPESTATUS[0]}\"")
        #expect(shell.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        #expect(TailTestLog.read(directory.file("err")) == "")
    }

    @Test func turnsBadAndOverlongLinesIntoInvalidRecordsAndGoesOn() throws {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        let long =
            "192.0.2.1 - - [23/Nov/2026:20:00:07 +0000] \"GET /" + String(repeating: "a", count: 2000)
            + " HTTP/1.1\" 200 1\n"
        TailTestLog.create(
            path,
            TailTestLine.combined(1) + "not a log line \u{1B}[2J\n" + long + "\n# comment\n" + TailTestLine.combined(2))
        let tail = try LogTailProcess(["--once", "--max-line", "256", path], directory: directory)
        #expect(tail.waitForExit() == 0)
        #expect(TailRecords.paths(tail.lines) == ["/seq/1", "/seq/2"])
        let invalid = TailRecords.ofType("invalid", tail.lines)
        #expect(invalid.count == 2)
        #expect(invalid.first?["line"] as? Int == 2)
        #expect(invalid.first?["source"] as? String == path)
        #expect((invalid.first?["excerpt"] as? String)?.contains("\u{1B}") == false)
        #expect(invalid.last?["reason"] as? String == "line too long")
        #expect(invalid.last?["line"] as? Int == 3)
        #expect(invalid.last?["time"] as? Int == 1_795_464_007)
        #expect(!tail.standardError.contains("\u{1B}"))
        #expect(tail.standardError.contains("6 lines: 2 requests, 2 skipped, 2 invalid"))
    }

    @Test func readsSeveralFilesAndStandardInputNamingEachSource() throws {
        let directory = TailTestDirectory()
        let first = directory.file("a.log")
        let second = directory.file("b.log")
        let input = directory.file("stdin.log")
        TailTestLog.create(first, TailTestLine.combined(1, tag: "a"))
        TailTestLog.create(second, TailTestLine.combined(2, tag: "b"))
        TailTestLog.create(input, TailTestLine.combined(3, tag: "c"))
        let tail = try LogTailProcess(["--once", first, "-", second], input: input, directory: directory)
        #expect(tail.waitForExit() == 0)
        let sources = Dictionary(
            uniqueKeysWithValues: TailRecords.ofType("request", tail.lines).map {
                ($0["path"] as? String ?? "", $0["source"] as? String ?? "")
            })
        #expect(sources == ["/a/1": first, "/b/2": second, "/c/3": "-"])
    }

    // How soon a line reaches stdout, the CPU used while idle and the heartbeat rate are measured by
    // bench/latency; this test keeps what must hold however slow the machine is.
    @Test func followsNewLinesAsTheyAreWrittenAndKeepsBeatingWhileIdle() throws {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path, TailTestLine.combined(0))
        let tail = try LogTailProcess([path], directory: directory)
        // The first heartbeat says the file is open (at its end, so line 0 is not read).
        #expect(tail.read(timeout: 20) { TailRecords.count("heartbeat", $0) > 0 })
        var writerPace = SplitMix64(seed: 5)
        for number in 1...5 {
            TailTestLog.append(TailTestLine.combined(number), to: path)
            #expect(tail.read(timeout: 20) { TailRecords.requestCount($0) == number })
            // Paces the writer deliberately: lines come apart, as a server writes them.
            usleep(UInt32(10_000 + writerPace.next(below: 140_000)))
        }
        let heartbeatsBefore = TailRecords.ofType("heartbeat", tail.lines).count
        #expect(
            tail.read(timeout: 20) { TailRecords.count("heartbeat", $0) >= heartbeatsBefore + 2 },
            "heartbeats go on while idle")
        let heartbeats = TailRecords.ofType("heartbeat", tail.lines)
        let times = heartbeats.compactMap { $0["time"] as? Int }
        #expect(times == times.sorted(), "heartbeat times never go back")
        #expect(abs((heartbeats.last?["time"] as? Int ?? 0) - Int(Date().timeIntervalSince1970)) <= 2)
        #expect(TailRecords.paths(tail.lines) == (1...5).map { "/seq/\($0)" })
        #expect(tail.stop() == 0)
    }

    @Test func waitsForAFileCreatedLateSayingSoOnce() throws {
        let directory = TailTestDirectory()
        let path = directory.file("later.log")
        let tail = try LogTailProcess([path], directory: directory)
        #expect(tail.read(timeout: 20) { TailRecords.count("heartbeat", $0) >= 2 })
        TailTestLog.create(path, TailTestLine.combined(1))
        #expect(tail.read(timeout: 20) { TailRecords.requestCount($0) == 1 })
        #expect(tail.stop() == 0)
        let warnings = tail.standardError.components(separatedBy: "does not exist").count - 1
        #expect(warnings == 1)
    }

    @Test func reopensOnHangupAndFlushesOnTerminate() throws {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path)
        let tail = try LogTailProcess(["--from-start", path], directory: directory)
        TailTestLog.append(TailTestLine.combined(1), to: path)
        #expect(tail.read(timeout: 20) { TailRecords.requestCount($0) == 1 })
        // Signal a logtail that has been running a while: a dispatch signal source installs its
        // handler asynchronously, so a signal in the first moments after start can be lost (noted
        // on issue 7 as a known limit of SignalWatcher).
        #expect(tail.read(timeout: 20) { TailRecords.count("heartbeat", $0) >= 1 })
        tail.tool.send(SIGHUP)
        // Wait for the reopen to be reported, so a loaded machine cannot deliver the SIGINT below first.
        #expect(tail.tool.standardError.wait(timeout: 20) { $0.contains("SIGHUP") })
        TailTestLog.append(TailTestLine.combined(2), to: path)
        #expect(tail.read(timeout: 20) { TailRecords.requestCount($0) == 2 })
        #expect(tail.tool.isRunning)
        #expect(tail.stop(with: SIGINT) == 0)
        #expect(TailRecords.paths(tail.lines) == ["/seq/1", "/seq/2"])
        #expect(tail.standardError.contains("SIGHUP"))
    }

    @Test func writesNoHeartbeatWhileABacklogIsReadFromTheStart() throws {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path, (0..<30_000).map { TailTestLine.combined($0) }.joined())
        let tail = try LogTailProcess(["--from-start", path], directory: directory)
        #expect(tail.read(timeout: 20) { TailRecords.count("heartbeat", $0) > 0 })
        #expect(tail.stop() == 0)
        let firstHeartbeat = tail.lines.firstIndex { $0.hasPrefix("{\"type\":\"heartbeat\"") } ?? 0
        #expect(TailRecords.requestCount(Array(tail.lines[..<firstHeartbeat])) == 30_000)
    }

    @Test func followsSeveralFilesAtOnceNamingEachSource() throws {
        let directory = TailTestDirectory()
        let first = directory.file("a.log")
        let second = directory.file("b.log")
        TailTestLog.create(first)
        TailTestLog.create(second)
        let tail = try LogTailProcess([first, second], directory: directory)
        #expect(tail.read(timeout: 20) { TailRecords.count("heartbeat", $0) > 0 })
        TailTestLog.append(TailTestLine.combined(1, tag: "a"), to: first)
        TailTestLog.append(TailTestLine.combined(2, tag: "b"), to: second)
        TailTestLog.append(TailTestLine.combined(3, tag: "a"), to: first)
        #expect(tail.read(timeout: 20) { TailRecords.requestCount($0) == 3 })
        #expect(tail.stop() == 0)
        let requests = TailRecords.ofType("request", tail.lines)
        #expect(
            requests.filter { $0["source"] as? String == first }.compactMap { $0["path"] as? String } == [
                "/a/1", "/a/3",
            ])
        #expect(requests.filter { $0["source"] as? String == second }.compactMap { $0["path"] as? String } == ["/b/2"])
    }

    @Test(arguments: [[], ["--from-start", "access.log"]])
    func followingADirectoryIsAUsageErrorWithStatus64(before: [String]) throws {
        let directory = TailTestDirectory()
        TailTestLog.create(directory.file("access.log"), TailTestLine.combined(1))
        let arguments = before.map { $0.hasPrefix("-") ? $0 : directory.file($0) } + [directory.path]
        let tail = try LogTailProcess(arguments, directory: directory)
        #expect(tail.waitForExit() == 64)
        #expect(tail.lines.isEmpty)
        let message = tail.standardError
        #expect(message.hasPrefix("logtail: error: '\(directory.path)' is a directory"), "\(message)")
        #expect(message.contains("Usage: logtail "))
        #expect(message.contains("See 'logtail --help'"))
    }

    @Test func writesEachFilesLineCountsWhenStoppedWhileFollowing() throws {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path)
        let tail = try LogTailProcess([path], directory: directory)
        #expect(tail.read(timeout: 20) { TailRecords.count("heartbeat", $0) > 0 })
        TailTestLog.append(TailTestLine.combined(1) + "garbage\n\n" + TailTestLine.combined(2), to: path)
        #expect(tail.read(timeout: 20) { TailRecords.requestCount($0) == 2 })
        #expect(tail.stop() == 0)
        #expect(tail.standardError.contains("logtail: \(path): 4 lines: 2 requests, 1 skipped, 1 invalid"))
    }

    @Test func onceWithADirectoryExitsWithStatus66() throws {
        let directory = TailTestDirectory()
        let tail = try LogTailProcess(["--once", directory.path], directory: directory)
        #expect(tail.waitForExit() == 66)
        #expect(tail.standardError.contains("directory"))
    }

    @Test func stopsOnTerminateEvenWhileItsOutputPipeIsFullAndUnread() throws {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path, (0..<20_000).map { TailTestLine.combined($0) }.joined())
        let tail = try ToolProcess(ToolProcess.tool("logtail"), ["--from-start", path], output: .unreadPipe)
        // The event: logtail blocked in write(2) on its full stdout (its wait channel, proc(5)).
        // (`pipe_write`, or `anon_pipe_write` on newer kernels.)
        let blocked = Deadline.waitUntil(timeout: 20) {
            (try? String(contentsOfFile: "/proc/\(tail.pid)/wchan", encoding: .utf8))?.hasSuffix("pipe_write") == true
        }
        #expect(blocked, "logtail never blocked on its full output pipe")
        // How soon it ends is measured by bench/latency; the deadline only makes a hang fail.
        #expect(tail.stop(with: SIGTERM, timeout: 20) == 0)
    }

    @Test func exitsAtTheEndOfStandardInputWhenItIsTheOnlyInput() throws {
        let directory = TailTestDirectory()
        let input = directory.file("stdin.log")
        TailTestLog.create(input, TailTestLine.combined(1) + TailTestLine.combined(2))
        let tail = try LogTailProcess(["-"], input: input, directory: directory)
        #expect(tail.waitForExit() == 0)
        #expect(TailRecords.paths(tail.lines) == ["/seq/1", "/seq/2"])
    }
}
