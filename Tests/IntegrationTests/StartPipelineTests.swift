import Foundation
import LogPipe
import Testing

/// Tests of the launcher (`logpipe`, which `bin/start-pipeline` hands over to) with stand-in stages
/// (see `LauncherSandbox`): wiring, the private run directory, supervision, signals, taps and the
/// headless pipe; and a smoke test of the script itself.
@Suite("start-pipeline")
struct StartPipelineTests {
    private let launcher = LauncherHarness.launcherPath

    @Test func viewCommandReceivesTheStreamThroughPrivatePipesThatAreRemovedAfterwards() throws {
        let sandbox = try LauncherSandbox()
        let log = try sandbox.log(lines: 3)
        let outcome = try LauncherHarness.run(
            launcher, ["--once", "--view", LauncherSandbox.record("view") + "exec tr a-z A-Z", log],
            environment: sandbox.environment)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.split(separator: "\n").first?.hasPrefix("LINE 1 XXX") == true)
        #expect(outcome.standardOutput.split(separator: "\n").count == 3)
        let modes = sandbox.modes
        let runDirectory = try #require(modes.keys.first { !$0.hasSuffix(".fifo") })
        #expect(runDirectory.hasPrefix(sandbox.temporary + "/logpipe."))
        #expect(modes[runDirectory] == "700")
        let pipes = modes.filter { $0.key.hasSuffix(".fifo") }
        #expect(pipes.count >= 3)
        #expect(pipes.values.allSatisfy { $0 == "600" }, "\(pipes)")
        #expect(!FileManager.default.fileExists(atPath: runDirectory))
        #expect(sandbox.leftovers.isEmpty)
        #expect(LauncherHarness.eventually(timeout: 2) { sandbox.processesMentioningSandbox.isEmpty })
        #expect(sandbox.pids.keys.sorted() == ["logagg", "logalert", "logtail", "view"])
        #expect(sandbox.pids.values.allSatisfy { !LauncherHarness.isAlive($0) })
    }

    @Test func failingStageIsNamedWithItsStatusAndStderrAndEveryStageStops() throws {
        let sandbox = try LauncherSandbox()
        let log = try sandbox.log(lines: 3)
        var environment = sandbox.environment
        environment["STANDIN_FAIL"] = "logagg"
        let outcome = try LauncherHarness.run(launcher, ["--view", "cat", log], environment: environment)
        #expect(outcome.status == 3)
        #expect(outcome.standardError.contains("stage logagg exited with status 3"), "\(outcome.standardError)")
        #expect(outcome.standardError.contains("logagg: error: cannot count: disk on fire"))
        #expect(outcome.standardError.contains("logagg: warning: about to fail"))
        // logtail follows its file forever: only the launcher can have stopped it.
        let tail = try #require(sandbox.pids["logtail"])
        #expect(!LauncherHarness.isAlive(tail))
        #expect(sandbox.leftovers.isEmpty)
        #expect(LauncherHarness.eventually(timeout: 2) { sandbox.processesMentioningSandbox.isEmpty })
    }

    @Test func endOfTheViewStopsAFollowingPipelineAndLeavesNoProcess() throws {
        let sandbox = try LauncherSandbox()
        let log = try sandbox.log(lines: 10)
        let outcome = try LauncherHarness.run(
            launcher, ["--view", LauncherSandbox.record("view") + "head -n 2", log], environment: sandbox.environment)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.split(separator: "\n").count == 2)
        #expect(sandbox.pids.count == 4)
        #expect(sandbox.pids.values.allSatisfy { !LauncherHarness.isAlive($0) })
        #expect(sandbox.leftovers.isEmpty)
        #expect(LauncherHarness.eventually(timeout: 2) { sandbox.processesMentioningSandbox.isEmpty })
    }

    @Test(arguments: [
        (arguments: ["--bogus"], message: "unknown option '--bogus'"),
        (arguments: ["--threshold", "-1"], message: "option '--threshold' needs a plain decimal number"),
        (arguments: ["--interval", "0"], message: "option '--interval' needs a whole number"),
        (arguments: ["--window"], message: "option '--window' needs a value"),
        (arguments: ["--format", "xml"], message: "option '--format' needs auto, common"),
        (arguments: ["--headless", "--view", "cat"], message: "--headless runs no view"),
        (arguments: ["--demo", "--once"], message: "--demo generates its own live log"),
    ])
    func badUsagePrintsTheUsageAndExits64(arguments: [String], message: String) throws {
        let sandbox = try LauncherSandbox()
        let outcome = try LauncherHarness.run(launcher, arguments, environment: sandbox.environment)
        #expect(outcome.status == 64)
        #expect(outcome.standardError.contains(message), "\(outcome.standardError)")
        #expect(outcome.standardError.contains("Usage: logpipe [<options>]"))
        #expect(outcome.standardError.hasSuffix("See 'logpipe --help' for more information.\n"))
        #expect(outcome.standardOutput.isEmpty)
        #expect(sandbox.pids.isEmpty && sandbox.leftovers.isEmpty)
    }

    @Test func helpDocumentsEveryOption() throws {
        let outcome = try LauncherHarness.run(launcher, ["--help"])
        #expect(outcome.status == 0)
        for option in [
            "--threshold", "--window", "--interval", "--top", "--from-start", "--once", "--format", "--view", "--tap",
            "--headless", "--keep-run-dir", "--demo", "LOGPIPE_BIN_DIR", "EXAMPLES:",
        ] {
            #expect(outcome.standardOutput.contains(option), "missing \(option)")
        }
    }

    @Test func interruptStopsEveryStageAndRemovesTheRunDirectory() throws {
        let sandbox = try LauncherSandbox()
        let log = try sandbox.log(lines: 3)
        let running = try LauncherHarness.start(
            launcher, ["--view", LauncherSandbox.record("view") + "exec cat", log], environment: sandbox.environment)
        #expect(LauncherHarness.eventually { sandbox.pids.count == 4 })
        #expect(
            LauncherHarness.eventually {
                running.standardOutput.text.split(separator: "\n").count == 3
            })
        kill(running.pid, SIGINT)
        let outcome = running.finish()
        #expect(outcome.status == 130)
        #expect(outcome.standardOutput.split(separator: "\n").count == 3)
        #expect(sandbox.pids.values.allSatisfy { !LauncherHarness.isAlive($0) })
        #expect(sandbox.leftovers.isEmpty)
        #expect(LauncherHarness.eventually(timeout: 2) { sandbox.processesMentioningSandbox.isEmpty })
    }

    @Test(arguments: [
        (arguments: ["--view", LauncherSandbox.record("view") + "exec cat"], stages: 5),
        (arguments: ["--headless"], stages: 4),
    ])
    func killedLauncherLeavesNoProcessBehind(arguments: [String], stages: Int) throws {
        let sandbox = try LauncherSandbox()
        let log = try sandbox.log(lines: 3)
        let running = try LauncherHarness.start(
            launcher, arguments + ["--tap", LauncherSandbox.record("tap") + "exec cat", log],
            environment: sandbox.environment)
        #expect(LauncherHarness.eventually { sandbox.pids.count == stages })
        kill(running.pid, SIGKILL)
        _ = running.finish()
        // The watchdog notices the launcher's end, stops the stages and helpers, removes the run directory.
        #expect(
            LauncherHarness.eventually(timeout: 4) { sandbox.pids.values.allSatisfy { !LauncherHarness.isAlive($0) } })
        #expect(LauncherHarness.eventually(timeout: 2) { sandbox.processesMentioningSandbox.isEmpty })
        #expect(LauncherHarness.eventually(timeout: 2) { sandbox.leftovers.isEmpty })
    }

    @Test func slowOrDeadTapsNeitherFreezeNorKillTheView() throws {
        let sandbox = try LauncherSandbox()
        // About 340 KB: far more than a pipe holds, so a tap that blocked the stream would freeze it.
        let log = try sandbox.log(lines: 5000)
        let copy = sandbox.root + "/tap-copy.txt"
        let outcome = try LauncherHarness.run(
            launcher,
            [
                "--once", "--view", "wc -l", "--tap", "exit 0", "--tap",
                LauncherSandbox.record("slow") + "sleep 30; echo 'finished slow' >> \"$LOGPIPE_TEST_REPORT\"",
                "--tap", "cat > '\(copy)'", log,
            ], environment: sandbox.environment, timeout: 60)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "5000")
        // The healthy tap got the whole stream; the slow one was stopped after a 2-second grace.
        let copied = (try? String(contentsOfFile: copy, encoding: .utf8)) ?? ""
        #expect(copied.split(separator: "\n").count == 5000)
        // Stopped, not waited out (how soon is measured by bench/latency).
        #expect(!sandbox.reportLines.contains("finished slow"))
        let slow = try #require(sandbox.pids["slow"])
        #expect(!LauncherHarness.isAlive(slow))
        #expect(sandbox.leftovers.isEmpty)
        #expect(LauncherHarness.eventually(timeout: 2) { sandbox.processesMentioningSandbox.isEmpty })
    }

    @Test func headlessPrintsTheFinalPipeAndServesEachNewReaderFromTheStart() throws {
        let sandbox = try LauncherSandbox()
        let log = try sandbox.log(lines: 3)
        let running = try LauncherHarness.start(launcher, ["--headless", log], environment: sandbox.environment)
        var path = ""
        #expect(
            LauncherHarness.eventually {
                path = running.standardOutput.text
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                return path.hasSuffix("/final.fifo")
            })
        var attributes = stat()
        #expect(stat(path, &attributes) == 0 && attributes.st_mode & 0o777 == 0o600)
        for attempt in 1...2 {
            // read(2) itself: FileHandle.read(upToCount:) waits for the whole count or the end.
            let descriptor = open(path, O_RDONLY)
            #expect(descriptor >= 0)
            var text = ""
            var buffer = [UInt8](repeating: 0, count: 4096)
            while text.split(separator: "\n").count < 3 {
                let count = read(descriptor, &buffer, buffer.count)
                if count <= 0 { break }
                text += String(decoding: buffer[0..<count], as: UTF8.self)
            }
            close(descriptor)
            #expect(text.hasPrefix("line 1 "), "reader \(attempt): \(text)")
        }
        kill(running.pid, SIGTERM)
        let outcome = running.finish()
        #expect(outcome.status == 143)
        #expect(sandbox.pids.values.allSatisfy { !LauncherHarness.isAlive($0) })
        #expect(sandbox.leftovers.isEmpty)
        #expect(LauncherHarness.eventually(timeout: 2) { sandbox.processesMentioningSandbox.isEmpty })
    }

    /// A service's copy of the stream is bounded: with a 4 KiB limit, a 3,000-line stream (about
    /// 200 KiB) leaves two files of about 4 KiB, and a reader attaching afterwards gets whole,
    /// consecutive records from the oldest kept to the last.
    @Test func headlessBoundsItsStreamCopyAndLateReadersStartAtTheOldestKeptRecord() throws {
        let sandbox = try LauncherSandbox()
        let lines = 3000
        let log = try sandbox.log(lines: lines)
        var environment = sandbox.environment
        environment["LOGPIPE_STREAM_COPY_LIMIT"] = "4096"
        let running = try LauncherHarness.start(launcher, ["--headless", log], environment: environment)
        var path = ""
        #expect(
            LauncherHarness.eventually {
                path = running.standardOutput.text.trimmingCharacters(in: .whitespacesAndNewlines)
                return path.hasSuffix("/final.fifo")
            })
        let directory = String(path.dropLast("/final.fifo".count))
        func size(_ name: String) -> Int64? {
            var attributes = stat()
            return stat(directory + "/" + name, &attributes) == 0 ? Int64(attributes.st_size) : nil
        }
        let lastLine = "line \(lines) "
        #expect(
            LauncherHarness.eventually(timeout: 30) {
                // The last record may have been rotated into stream.ndjson.1 with its batch.
                ["stream.ndjson.1", "stream.ndjson"].contains { name in
                    let text = (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? ""
                    return text.contains(lastLine)
                }
            })
        let files = Set(
            ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter {
                $0.hasPrefix("stream.ndjson")
            })
        #expect(files == ["stream.ndjson", "stream.ndjson.1"])
        // Each file stops growing at the first whole record past the limit (records are 70 bytes
        // here; the launcher appends what one read(2) completes, at most 64 KiB).
        for name in files { #expect((size(name) ?? .max) <= 4096 + 65536, "\(name): \(size(name) ?? -1)") }
        let kept = (size("stream.ndjson") ?? 0) + (size("stream.ndjson.1") ?? 0)
        #expect(kept < 200_000 / 2, "kept \(kept) bytes of about 200 KiB")

        let reader = HeadlessReader(path: path)
        var received: [String] = []
        while !received.contains(where: { $0.hasPrefix(lastLine) }) {
            guard reader.read(lines: received.count + 1) else { break }
            received = reader.lines
        }
        reader.close()
        let numbers = received.compactMap { Int($0.split(separator: " ").dropFirst().first ?? "") }
        #expect(numbers.count == received.count, "whole records only: \(received.prefix(3))")
        #expect((numbers.first ?? 1) > 1, "the oldest records were dropped")
        #expect(numbers.last == lines)
        #expect(numbers == Array((numbers.first ?? 0)...(numbers.first ?? 0) + numbers.count - 1))
        kill(running.pid, SIGTERM)
        #expect(running.finish().status == 143)
        #expect(sandbox.leftovers.isEmpty)
    }

    @Test func keptRunDirectoryHoldsEachStagesStderr() throws {
        let sandbox = try LauncherSandbox()
        let log = try sandbox.log(lines: 3)
        let outcome = try LauncherHarness.run(
            launcher, ["--once", "--keep-run-dir", "--view", "cat", log], environment: sandbox.environment)
        #expect(outcome.status == 0)
        let kept = try #require(sandbox.leftovers.first)
        #expect(outcome.standardError.contains("run directory kept: \(sandbox.temporary)/\(kept)"))
        let files = try FileManager.default.contentsOfDirectory(atPath: sandbox.temporary + "/" + kept)
        #expect(Set(files).isSuperset(of: ["logtail.err", "logagg.err", "logalert.err", "view.err", "final.fifo"]))
    }

    @Test func anotherUserCannotOpenThePipes() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
            print("note: skipped: needs root and setpriv to act as another user")
            return
        }
        let sandbox = try LauncherSandbox()
        // The sandbox itself must be reachable for the other user, so only the run directory protects.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: sandbox.root)
        try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: sandbox.temporary)
        let log = try sandbox.log(lines: 3)
        let running = try LauncherHarness.start(launcher, ["--headless", log], environment: sandbox.environment)
        #expect(LauncherHarness.eventually { sandbox.modes.count >= 4 })
        let pipes = sandbox.modes.keys.filter { $0.hasSuffix(".fifo") }
        #expect(pipes.count == 3)
        for pipe in pipes {
            let outcome = try LauncherHarness.run(
                "/usr/bin/setpriv",
                ["--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c", "exec 3<>'\(pipe)'"],
                timeout: 3)
            #expect(outcome.status != 0)
            #expect(outcome.standardError.contains("Permission denied"), "\(pipe): \(outcome.standardError)")
        }
        kill(running.pid, SIGTERM)
        #expect(running.finish().status == 143)
        #expect(sandbox.leftovers.isEmpty)
    }

    @Test func demoFollowsTheLogThatLoggenWritesInTheRunDirectory() throws {
        let sandbox = try LauncherSandbox()
        let running = try LauncherHarness.start(
            launcher, ["--demo", "--view", "cat"], environment: sandbox.environment)
        #expect(
            LauncherHarness.eventually { sandbox.arguments["loggen"] != nil && sandbox.arguments["logtail"] != nil })
        let generator = try #require(sandbox.arguments["loggen"])
        let follower = try #require(sandbox.arguments["logtail"])
        let demoLog = try #require(follower.split(separator: " ").last.map(String.init))
        #expect(demoLog.hasPrefix(sandbox.temporary + "/logpipe.") && demoLog.hasSuffix("/demo.log"))
        #expect(follower.hasPrefix("--from-start "))
        #expect(generator.hasSuffix("--output \(demoLog)"))
        #expect(generator.hasPrefix(demoProfile.joined(separator: " ")))
        // Interrupt only once a generated line has come through to the view: on a loaded machine the
        // stand-ins' relay could otherwise still be starting when SIGINT arrives.
        #expect(
            LauncherHarness.eventually(timeout: 10) {
                running.standardOutput.text.contains("generated")
            })
        kill(running.pid, SIGINT)
        let outcome = running.finish()
        #expect(outcome.status == 130)
        #expect(outcome.standardOutput.contains("generated"))
        #expect(sandbox.leftovers.isEmpty)
        #expect(LauncherHarness.eventually(timeout: 2) { sandbox.processesMentioningSandbox.isEmpty })
    }

    /// The demo's loggen arguments, as the launcher runs them.
    private var demoProfile: [String] { LaunchPlan.demoTraffic }

    @Test func demoTrafficFiresAt49SecondsAndRecoversAt163WithTheDefaultRule() throws {
        #expect(!demoProfile.isEmpty)
        let outcome = try LauncherHarness.run(
            LauncherHarness.binaryDirectory + "/loggen",
            demoProfile + ["--instant", "--start", "1700000000", "--duration", "400", "--format", "common"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        // Lines per second, from the timestamps in the order written.
        var perSecond: [Int] = []
        var previous = ""
        for line in outcome.standardOutput.split(separator: "\n") {
            let stamp = String(line.split(separator: "[")[1].prefix(20))
            if stamp != previous { perSecond.append(0) }
            previous = stamp
            perSecond[perSecond.count - 1] += 1
        }
        #expect(perSecond.count == 400)
        // The rule at each boundary t: hits in [t-120, t) above 1200 fires, below 1200 recovers.
        var alerting = false
        var transitions: [String] = []
        for boundary in 1...400 {
            let hits = perSecond[max(0, boundary - 120)..<boundary].reduce(0, +)
            if !alerting && hits > 1200 {
                alerting = true
                transitions.append("alert \(boundary) \(hits)")
            } else if alerting && hits < 1200 {
                alerting = false
                transitions.append("recovery \(boundary) \(hits)")
            }
        }
        #expect(transitions == ["alert 49 1210", "recovery 163 1182"])
    }

    @Test func headlessReadersSideBySideEachGetWholeRecordsFromTheStart() throws {
        let sandbox = try LauncherSandbox()
        let log = try sandbox.log(lines: 2000)
        let running = try LauncherHarness.start(launcher, ["--headless", log], environment: sandbox.environment)
        var path = ""
        #expect(
            LauncherHarness.eventually {
                path = running.standardOutput.text
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                return path.hasSuffix("/final.fifo")
            })
        // The first reader takes a little, then the second attaches while the first is still open,
        // then both read everything: each must see the 2000 lines in order, whole.
        let first = HeadlessReader(path: path)
        #expect(first.read(lines: 10))
        let second = HeadlessReader(path: path)
        #expect(second.read(lines: 2000))
        #expect(first.read(lines: 2000))
        for reader in [first, second] {
            let lines = reader.lines.prefix(2000)
            #expect(lines.count == 2000)
            #expect(
                lines.enumerated().allSatisfy {
                    $0.element == "line \($0.offset + 1) " + String(repeating: "x", count: 60)
                })
        }
        first.close()
        second.close()
        kill(running.pid, SIGTERM)
        #expect(running.finish().status == 143)
        #expect(sandbox.leftovers.isEmpty)
        #expect(LauncherHarness.eventually(timeout: 2) { sandbox.processesMentioningSandbox.isEmpty })
    }

    @Test func theLastWarningsOfAStageAreRepeatedAtTheEnd() throws {
        // The real tools: logtail warns that the log does not exist, which a full-screen view hides.
        let sandbox = try LauncherSandbox()
        var environment = sandbox.environment
        environment["LOGPIPE_BIN_DIR"] = LauncherHarness.binaryDirectory
        let running = try LauncherHarness.start(launcher, [sandbox.root + "/no-such.log"], environment: environment)
        #expect(
            LauncherHarness.eventually {
                sandbox.leftovers.contains { directory in
                    let text = try? String(
                        contentsOfFile: "\(sandbox.temporary)/\(directory)/logtail.err", encoding: .utf8)
                    return text?.contains("warning:") == true
                }
            })
        kill(running.pid, SIGINT)
        let outcome = running.finish()
        #expect(outcome.status == 130)
        // On a loaded machine a stage may need the SIGKILL after the 2 s grace: then it is reported as
        // ended abnormally with the end of its stderr, which repeats the warning all the same.
        #expect(
            outcome.standardError.contains("logpipe: the last warnings of stage logtail:")
                || outcome.standardError.contains("stage logtail was killed by SIGKILL; the end of its stderr:"),
            "\(outcome.standardError)")
        #expect(outcome.standardError.contains("    logtail: warning: \(sandbox.root)/no-such.log: does not exist"))
        #expect(sandbox.leftovers.isEmpty)
    }

    @Test func theScriptHandsOverToTheLauncherUnderItsOwnName() throws {
        let sandbox = try LauncherSandbox()
        try sandbox.linkLauncher()
        let log = try sandbox.log(lines: 3)
        let script = LauncherHarness.scriptPath
        let outcome = try LauncherHarness.run(
            script, ["--once", "--view", "cat", log], environment: sandbox.environment)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.split(separator: "\n").count == 3)
        #expect(sandbox.leftovers.isEmpty)
        let usage = try LauncherHarness.run(script, ["--interval", "0"], environment: sandbox.environment)
        #expect(usage.status == 64)
        #expect(usage.standardError.hasPrefix("start-pipeline: error: option '--interval' needs a whole number"))
        #expect(usage.standardError.contains("Usage: start-pipeline [<options>] [<file> ...]"))
        let help = try LauncherHarness.run(script, ["--help"], environment: sandbox.environment)
        #expect(help.status == 0 && help.standardOutput.contains("USAGE: start-pipeline [<options>]"))
        let version = try LauncherHarness.run(script, ["--version"], environment: sandbox.environment)
        #expect(version.standardOutput.hasPrefix("start-pipeline 0."))
    }

    @Test func aMissingLauncherInTheToolsDirectoryIsNamed() throws {
        let sandbox = try LauncherSandbox()
        let outcome = try LauncherHarness.run(
            LauncherHarness.scriptPath, ["--once", "x.log"], environment: sandbox.environment)
        #expect(outcome.status == 1)
        #expect(outcome.standardError.contains("no executable \(sandbox.bin)/logpipe"))
    }
}

/// A reader of the headless pipe that keeps what it read, split into lines.
final class HeadlessReader {
    private let descriptor: Int32
    private var pending = ""
    private(set) var lines: [String] = []

    init(path: String) {
        descriptor = open(path, O_RDONLY)
    }

    /// Reads until at least `count` lines have come or the stream ends; whether they came.
    func read(lines count: Int) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while lines.count < count {
            let got = Glibc.read(descriptor, &buffer, buffer.count)
            if got <= 0 { return false }
            pending += String(decoding: buffer[0..<got], as: UTF8.self)
            while let newline = pending.firstIndex(of: "\n") {
                lines.append(String(pending[..<newline]))
                pending = String(pending[pending.index(after: newline)...])
            }
        }
        return true
    }

    func close() {
        Glibc.close(descriptor)
    }
}
