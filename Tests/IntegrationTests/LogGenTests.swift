import Foundation
import LogPipe
import Testing

/// Runs the built `loggen` and checks what it writes.
@Suite("loggen")
struct LogGenTests {
    private let loggen = LauncherHarness.binaryDirectory + "/loggen"

    /// Lines per timestamp text (`14/Nov/2023:22:13:20 +0000`), in order of first appearance.
    private func countsPerTimestamp(_ text: String) -> [(String, Int)] {
        var counts: [(String, Int)] = []
        for line in text.split(separator: "\n") {
            guard let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]") else { continue }
            let stamp = String(line[line.index(after: open)..<close])
            if counts.last?.0 == stamp { counts[counts.count - 1].1 += 1 } else { counts.append((stamp, 1)) }
        }
        return counts
    }

    private func stamp(_ epoch: Int64, offset: Int = 0) -> String {
        String(LogLineGenerator.timestamp(epochSeconds: epoch, utcOffset: offset).dropFirst().dropLast())
    }

    @Test func instantBurstLogHoldsTheProfilesExactCountsPerSecond() throws {
        let sandbox = try LauncherSandbox()
        let path = sandbox.root + "/burst.log"
        let outcome = try LauncherHarness.run(
            loggen,
            [
                "--instant", "--start", "1700000000", "--profile", "burst", "--rate", "3", "--burst-rate", "7",
                "--burst-start", "5", "--burst-duration", "10", "--duration", "30", "--seed", "4", "--format", "common",
                "--output", path,
            ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let expected = (0..<30).map { (stamp(1_700_000_000 + Int64($0)), (5..<15).contains($0) ? 10 : 3) }
        let counts = countsPerTimestamp(text)
        #expect(counts.map(\.0) == expected.map(\.0))
        #expect(counts.map(\.1) == expected.map(\.1))
        #expect(text.hasSuffix("\n"))
        #expect(text.split(separator: "\n").allSatisfy { !$0.hasSuffix("\"") }, "Common lines end with the size")
    }

    @Test func threeHoursAreWrittenInstantlyAndTheSameSeedRepeatsTheFile() throws {
        let arguments = ["--instant", "--start", "1767225600", "--duration", "10800", "--rate", "5", "--seed", "77"]
        let first = try LauncherHarness.run(loggen, arguments)
        let second = try LauncherHarness.run(loggen, arguments)
        // How fast is measured by bench/latency; here only that it ends (the harness's deadline).
        #expect(first.status == 0)
        #expect(first.standardOutput.split(separator: "\n").count == 54_000)
        #expect(first.standardOutput == second.standardOutput)
        let other = try LauncherHarness.run(
            loggen, ["--instant", "--start", "1767225600", "--duration", "10", "--seed", "78"])
        #expect(!first.standardOutput.hasPrefix(other.standardOutput))
    }

    @Test func phasesAndTheWrittenOffsetAreHonoured() throws {
        let outcome = try LauncherHarness.run(
            loggen,
            [
                "--instant", "--start", "1767225600", "--phase", "2:3", "--phase", "0:2", "--phase", "4.5:2",
                "--offset", "+0100", "--seed", "1",
            ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let counts = countsPerTimestamp(outcome.standardOutput)
        let start: Int64 = 1_767_225_600
        #expect(counts.map(\.0) == [0, 1, 2, 5, 6].map { stamp(start + $0, offset: 3600) })
        #expect(counts.map(\.1) == [2, 2, 2, 4, 5])
        #expect(counts.first?.0 == "01/Jan/2026:01:00:00 +0100")
    }

    @Test func appendsToAnExistingFile() throws {
        let sandbox = try LauncherSandbox()
        let path = sandbox.root + "/existing.log"
        try "kept line\n".write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = try LauncherHarness.run(
            loggen, ["--instant", "--start", "0", "--duration", "2", "--rate", "2", "-o", path])
        #expect(outcome.status == 0)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 5 && lines[0] == "kept line")
    }

    @Test func liveModeWritesAtWallClockPaceWithCurrentTimestamps() throws {
        let before = Int64(Date().timeIntervalSince1970)
        let outcome = try LauncherHarness.run(loggen, ["--rate", "4", "--duration", "1", "--seed", "2"])
        let after = Int64(Date().timeIntervalSince1970)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        // It starts at the next whole second and lasts one second (at least: how much more a busy
        // machine adds is bench/latency's business).
        #expect(outcome.elapsed >= 1)
        let counts = countsPerTimestamp(outcome.standardOutput)
        #expect(counts.count == 1 && counts.first?.1 == 4)
        let written = (before...after).map { stamp($0) }
        #expect(counts.first.map { written.contains($0.0) } == true)
    }

    @Test func closedStandardOutputEndsLiveGenerationQuietly() throws {
        let outcome = try LauncherHarness.run(
            "/bin/bash", ["-c", "set -o pipefail; '\(loggen)' --rate 200 | head -n 3 >/dev/null"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardError.isEmpty)
    }

    @Test func terminateStopsLiveGenerationAfterCompleteLines() throws {
        let sandbox = try LauncherSandbox()
        let path = sandbox.root + "/live.log"
        let running = try LauncherHarness.start(loggen, ["--rate", "50", "--output", path])
        #expect(
            LauncherHarness.eventually {
                ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) > 0
            })
        kill(running.pid, SIGTERM)
        let outcome = running.finish(timeout: 3)
        #expect(outcome.status == 0)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("\n"))
    }

    @Test func hangupReopensTheOutputAfterARotation() throws {
        let sandbox = try LauncherSandbox()
        let path = sandbox.root + "/rotating.log"
        let running = try LauncherHarness.start(loggen, ["--rate", "50", "--output", path])
        let size = { (file: String) in (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0 }
        #expect(LauncherHarness.eventually { size(path) > 0 })
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        kill(running.pid, SIGHUP)
        #expect(LauncherHarness.eventually { size(path) > 0 })
        kill(running.pid, SIGTERM)
        #expect(running.finish(timeout: 3).status == 0)
        let rotated = try String(contentsOfFile: path + ".1", encoding: .utf8)
        let fresh = try String(contentsOfFile: path, encoding: .utf8)
        #expect(rotated.hasSuffix("\n") && fresh.hasSuffix("\n"))
    }

    @Test(arguments: [["--bogus"], ["--rate", "fast"], ["--instant"], ["--start", "5"], ["extra"]])
    func badUsageExits64WithTheUsage(arguments: [String]) throws {
        let outcome = try LauncherHarness.run(loggen, arguments)
        #expect(outcome.status == 64)
        #expect(outcome.standardError.hasPrefix("loggen: error: "))
        #expect(outcome.standardError.contains("Usage: loggen"))
        #expect(outcome.standardOutput.isEmpty)
    }

    @Test func unwritableOutputExits74() throws {
        let outcome = try LauncherHarness.run(loggen, ["--instant", "--duration", "1", "-o", "/nonexistent/dir/x.log"])
        #expect(outcome.status == 74)
        #expect(outcome.standardError.contains("cannot open '/nonexistent/dir/x.log'"))
    }
}
