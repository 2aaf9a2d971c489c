import Foundation
import Glibc
import LogPipe
import LogPipeTestSupport
import Testing

/// logalert's `--on-alert` and `--history` as processes: a slow, a failing and a hanging command,
/// nothing notified twice, a journal torn by kill -9, earlier entries reaching logview, the launcher's
/// headless echo.
@Suite("Notifications and alert history")
struct NotificationTests {
    /// Buckets for `logalert --window 10 --threshold 1`: `pairs` times a busy bucket (5 hits a second:
    /// an alert at its third second) and a silent one (a recovery), 2 × `pairs` transitions.
    static func stream(pairs: Int, from start: Int64 = 1_700_000_000) -> [String] {
        (0..<(2 * pairs)).map { index in
            var bucket = BucketRecord(start: start + Int64(index) * 10, end: start + Int64(index + 1) * 10)
            bucket.perSecond = Array(repeating: index % 2 == 0 ? 5 : 0, count: 10)
            bucket.hits = bucket.perSecond.reduce(0, +)
            var writer = JSONWriter()
            bucket.encode(into: &writer)
            return String(decoding: writer.bytes, as: UTF8.self)
        }
    }

    static let rule = ["--window", "10", "--threshold", "1"]

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The `(event at)` of each alert and recovery record in `output`, in order.
    static func transitions(_ output: [String]) -> [String] {
        output.compactMap { line in
            guard line.hasPrefix(#"{"type":"alert""#) || line.hasPrefix(#"{"type":"recovery""#),
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let type = object["type"] as? String, let at = object["at"] as? Int
            else { return nil }
            return "\(type) \(at)"
        }
    }

    @Test("a slow command holds back only the notifications: records flow, and the queue keeps their order")
    func slowCommandDoesNotStallTheStream() throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Each notification records itself, then waits until the test creates `release`.
        let command = #"echo "$LOGPIPE_EVENT $LOGPIPE_AT $(wc -c)" >> notes; until [ -e release ]; do sleep 0.01; done"#
        let logalert = try ToolProcess(
            "/bin/sh",
            ["-c", "cd '\(directory)' && exec '\(ToolProcess.tool("logalert"))' \"$@\"", "sh"]
                + Self.rule + ["--on-alert", command, "--on-alert-timeout", "60"], input: .pipe)
        for bucket in Self.stream(pairs: 3) { logalert.write(bucket) }
        let notes = directory + "/notes"
        #expect(Deadline.waitUntil { Self.lines(notes).count == 1 }, "the first command did not start")
        // While it waits, every bucket is evaluated and forwarded: 6 window records, 6 transitions.
        #expect(logalert.standardOutput.waitForRecords(ofType: "window", count: 6))
        let streamed = Self.transitions(logalert.standardOutput.lines)
        #expect(streamed.count == 6)
        #expect(Self.lines(notes).count == 1, "a second command started while the first still ran")
        _ = FileManager.default.createFile(atPath: directory + "/release", contents: nil)
        #expect(Deadline.waitUntil { Self.lines(notes).count == 6 })
        logalert.closeInput()
        let outcome = logalert.finish()
        #expect(outcome.status == 0)
        // In the stream's order, each once, each with its record (one JSON line) on stdin.
        let noted = Self.lines(notes)
        #expect(noted.map { $0.split(separator: " ").prefix(2).joined(separator: " ") } == streamed)
        #expect(noted.allSatisfy { Int($0.split(separator: " ").last ?? "") ?? 0 > 100 })
        #expect(outcome.standardError.contains("notifications: 6 submitted, 6 succeeded"))
    }

    @Test("beyond 64 waiting notifications the newcomers are not sent, and that is said in the stream and the summary")
    func fullQueueIsReported() throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let command = "echo \"$LOGPIPE_EVENT $LOGPIPE_AT\" >> notes; until [ -e release ]; do sleep 0.01; done"
        let logalert = try ToolProcess(
            "/bin/sh",
            ["-c", "cd '\(directory)' && exec '\(ToolProcess.tool("logalert"))' \"$@\"", "sh"]
                + Self.rule + ["--on-alert", command, "--on-alert-timeout", "60"], input: .pipe)
        // 80 transitions: one runs (held), 64 wait, 15 find the queue full.
        for bucket in Self.stream(pairs: 40) { logalert.write(bucket) }
        #expect(logalert.standardOutput.waitForRecords(ofType: "window", count: 80))
        let full = logalert.standardOutput.lines.filter {
            $0.contains(#""kind":"notify""#) && $0.contains("queue is full")
        }
        #expect(full.count == 5, "the first five drops are shown, the rest counted")
        _ = FileManager.default.createFile(atPath: directory + "/release", contents: nil)
        logalert.closeInput()
        let outcome = logalert.finish()
        #expect(outcome.status == 0)
        let noted = Self.lines(directory + "/notes")
        // The first 65 transitions, in order, each once.
        #expect(noted == Array(Self.transitions(outcome.standardOutput.components(separatedBy: "\n")).prefix(65)))
        #expect(outcome.standardError.contains("notifications: 80 submitted, 65 succeeded, 15 not sent (queue full)"))
        #expect(outcome.standardError.contains("10 more notify warnings were not shown"))
    }

    @Test("a failing command is reported in the stream and on stderr, counted, and not retried")
    func failingCommandIsReported() throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let command =
            "echo \"$LOGPIPE_EVENT\" >> '\(directory)/tries'; echo 'curl: (6) Could not resolve host' >&2; exit 6"
        let outcome = try ToolProcess.run(
            ToolProcess.tool("logalert"), Self.rule + ["--on-alert", command],
            input: .bytes(Array(Self.stream(pairs: 1).joined().utf8)))
        #expect(outcome.status == 0)
        #expect(Self.lines(directory + "/tries") == ["alert", "recovery"])
        let notices = outcome.standardOutput.split(separator: "\n").filter { $0.contains(#""kind":"notify""#) }
        #expect(
            notices.contains {
                $0.contains("the alert at")
                    && $0.contains("exited with status 6; its last output: curl: (6) Could not resolve host")
            })
        #expect(notices.contains { $0.contains("notifications: 2 submitted, 0 succeeded, 2 failed") })
        #expect(outcome.standardError.contains("logalert: warning: notifications: 2 submitted, 0 succeeded, 2 failed"))
    }

    @Test("a hanging command is killed with its process group at the timeout, reported, and the next one runs")
    func hangingCommandIsKilled() throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A grandchild that would outlive a kill of the shell alone.
        let command = "sleep 30 & echo $! >> '\(directory)/sleepers'; wait"
        let outcome = try ToolProcess.run(
            ToolProcess.tool("logalert"), Self.rule + ["--on-alert", command, "--on-alert-timeout", "0.3"],
            input: .bytes(Array(Self.stream(pairs: 1).joined().utf8)))
        #expect(outcome.status == 0)
        let sleepers = Self.lines(directory + "/sleepers").compactMap { Int32($0) }
        #expect(sleepers.count == 2, "each of the two notifications started")
        for pid in sleepers {
            // Gone, or a zombie waiting for a reaper that is not ours: not sleeping on.
            #expect(
                Deadline.waitUntil(timeout: 5) {
                    let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
                    return stat.isEmpty || stat.contains(") Z ")
                }, "sleep \(pid) outlived the timeout")
        }
        #expect(outcome.standardOutput.contains("timed out after 0.3 s: its process group was killed"))
        #expect(outcome.standardError.contains("notifications: 2 submitted, 0 succeeded, 2 timed out"))
        #expect(outcome.elapsed < 20)
    }

    @Test("the journal is private, keeps every transition once across restarts, and shows them as earlier")
    func journalSurvivesRestarts() throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = directory + "/state/logpipe/alerts.ndjson"
        let notes = directory + "/notes"
        let arguments = Self.rule + ["--history", journal, "--on-alert", "cat >> '\(notes)'"]
        let input = Array(Self.stream(pairs: 2).joined().utf8)
        let first = try ToolProcess.run(ToolProcess.tool("logalert"), arguments, input: .bytes(input))
        #expect(first.status == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: journal)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let directoryMode = try FileManager.default.attributesOfItem(atPath: directory + "/state/logpipe")
        #expect((directoryMode[.posixPermissions] as? Int) == 0o700)
        let journaled = Self.lines(journal)
        #expect(Self.transitions(journaled) == Self.transitions(first.standardOutput.components(separatedBy: "\n")))
        #expect(journaled.count == 4)
        // Restarted on the same input (a --from-start after a restart): nothing journaled or notified twice.
        let second = try ToolProcess.run(ToolProcess.tool("logalert"), arguments, input: .bytes(input))
        #expect(second.status == 0)
        #expect(Self.lines(journal) == journaled)
        #expect(Self.lines(notes).count == 4)
        #expect(second.standardError.contains("4 transition(s) already in the alert history"))
        let output = second.standardOutput.split(separator: "\n")
        #expect(output.prefix(4).allSatisfy { $0.hasPrefix(#"{"type":"history","v":2,"event":"#) })
        #expect(!output.prefix(4).contains { $0.contains("unresolved") }, "the journal ends with a recovery")
        // logview shows them, marked earlier.
        let view = try ToolProcess.shell(
            "logalert --history '\(journal)' < /dev/null | logview --plain", in: directory)
        #expect(view.status == 0)
        #expect(view.standardOutput.contains("earlier: High traffic generated an alert - hits = 15, triggered at"))
        #expect(view.standardOutput.split(separator: "\n").filter { $0.hasPrefix("earlier: High traffic") }.count == 4)
    }

    @Test("kill -9 leaves whole lines; a torn last line is reported, cut off, and the unresolved alert said so")
    func journalTornByKill() throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = directory + "/alerts.ndjson"
        let logalert = try ToolProcess(
            ToolProcess.tool("logalert"), Self.rule + ["--history", journal], input: .pipe)
        // The first bucket only: an alert, no recovery yet.
        logalert.write(Self.stream(pairs: 1)[0])
        #expect(Deadline.waitUntil { Self.lines(journal).count == 1 })
        logalert.send(SIGKILL)
        #expect(logalert.waitForExit() == 128 + SIGKILL)
        let whole = try Data(contentsOf: URL(fileURLWithPath: journal))
        #expect(whole.last == 0x0A)
        // What a crash in the middle of the next write(2) would leave.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: journal))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"type":"recovery","v":2,"at":17000"#.utf8))
        try handle.close()
        let restarted = try ToolProcess.run(ToolProcess.tool("logalert"), Self.rule + ["--history", journal])
        #expect(restarted.status == 0)
        #expect(restarted.standardError.contains("ended with a torn line of 35 bytes"))
        let output = restarted.standardOutput.split(separator: "\n")
        #expect(output.first?.hasPrefix(#"{"type":"history","v":2,"event":"alert""#) == true)
        #expect(output.first?.hasSuffix(#","unresolved":true}"#) == true)
        #expect(output.contains { $0.contains(#""kind":"history""#) && $0.contains("torn line") })
        #expect(try Data(contentsOf: URL(fileURLWithPath: journal)) == whole, "the torn line was not cut off")
        // A second logalert on a journal in use reads it but does not write it.
        let holder = try ToolProcess(ToolProcess.tool("logalert"), ["--history", journal], input: .pipe)
        #expect(holder.standardError.waitForLine { $0.contains("1 entry read, shown as earlier") } != nil)
        let second = try ToolProcess.run(
            ToolProcess.tool("logalert"), Self.rule + ["--history", journal],
            input: .bytes(Array(Self.stream(pairs: 1, from: 1_800_000_000).joined().utf8)))
        #expect(second.standardError.contains("is kept by another running logalert"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: journal)) == whole)
        holder.closeInput()
        #expect(holder.finish().status == 0)
    }

    @Test("headless, the launcher writes each alert and recovery on stderr, notifies, and journals")
    func headlessLauncherEchoesAlerts() throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = directory + "/access.log"
        let generated = try ToolProcess.run(
            ToolProcess.tool("loggen"),
            [
                "--instant", "--start", "1700000000", "--duration", "900", "--profile", "burst", "--rate", "2",
                "--burst-rate", "20", "--burst-start", "300", "--burst-duration", "120", "--seed", "11", "-o", log,
            ])
        #expect(generated.status == 0)
        let journal = directory + "/history/alerts.ndjson"
        let outcome = try ToolProcess.run(
            ToolProcess.tool("logpipe"),
            [
                "--headless", "--once", "--history", journal, "--on-alert",
                "echo \"$LOGPIPE_EVENT $LOGPIPE_HITS $LOGPIPE_TIME\" >> '\(directory)/notes'", log,
            ], timeout: 60)
        #expect(outcome.status == 0)
        let expected = [
            "logpipe: alert: High traffic generated an alert - hits = 1220, triggered at 2023-11-14T22:19:09+00:00",
            "logpipe: recovery: High traffic alert recovered - hits = 1180, recovered at 2023-11-14T22:21:33+00:00",
        ]
        let echoed = outcome.standardError.split(separator: "\n").map(String.init).filter {
            $0.hasPrefix("logpipe: alert:") || $0.hasPrefix("logpipe: recovery:")
        }
        #expect(echoed == expected)
        #expect(
            Self.lines(directory + "/notes") == [
                "alert 1220 2023-11-14T22:19:09+00:00", "recovery 1180 2023-11-14T22:21:33+00:00",
            ])
        #expect(Self.transitions(Self.lines(journal)) == ["alert 1700000349", "recovery 1700000493"])
    }
}
