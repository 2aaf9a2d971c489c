import Foundation
import Glibc
import LogPipeTestSupport

/// A running `logtail` binary, started by the test kit's harness, its stdout read record by record.
final class LogTailProcess {
    let tool: ToolProcess

    /// Starts `logtail arguments`, with standard input from `input` (a path) or /dev/null. The tests
    /// follow lines by their `path` and `source`, which logtail writes only when asked, so `fields`
    /// (nil for none) is passed as `--fields`.
    init(
        _ arguments: [String], input: String? = nil, fields: String? = "source,path", directory: TailTestDirectory
    ) throws {
        tool = try ToolProcess(
            ToolProcess.tool("logtail"), (fields.map { ["--fields", $0] } ?? []) + arguments,
            input: input.map { .file($0) } ?? .none)
    }

    /// Every complete stdout line received so far.
    var lines: [String] { tool.standardOutput.lines }

    /// What the process wrote to standard error so far.
    var standardError: String { tool.standardError.text }

    /// Waits until `done` holds for the lines received so far, the process exits, or `timeout`
    /// seconds pass. - Returns: whether `done` held.
    @discardableResult
    func read(timeout: Double, until done: ([String]) -> Bool) -> Bool {
        tool.standardOutput.waitForLines(timeout: timeout, until: done)
    }

    /// Sends `signal` and waits for the exit; returns the exit status (nil when it did not exit
    /// within `timeout` seconds, in which case it is killed).
    func stop(with signal: Int32 = SIGTERM, timeout: Double = 20) -> Int32? {
        tool.stop(with: signal, timeout: timeout)
    }

    /// Waits for the process to exit; nil (and killed) when it takes longer than `timeout` seconds.
    func waitForExit(timeout: Double = 20) -> Int32? {
        guard let status = tool.waitForExit(timeout: timeout) else {
            tool.send(SIGKILL)
            _ = tool.waitForExit(timeout: 5)
            return nil
        }
        return status
    }
}

/// The records of logtail's output, decoded for checks.
enum TailRecords {
    /// Each line decoded as a JSON object (lines that are not are left out).
    static func objects(_ lines: [String]) -> [[String: Any]] {
        lines.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    /// The objects of type `type`.
    static func ofType(_ type: String, _ lines: [String]) -> [[String: Any]] {
        objects(lines).filter { $0["type"] as? String == type }
    }

    /// The `path` of every request record.
    static func paths(_ lines: [String]) -> [String] {
        ofType("request", lines).compactMap { $0["path"] as? String }
    }

    /// How many lines are request records (a cheap count for waiting loops).
    static func requestCount(_ lines: [String]) -> Int {
        count("request", lines)
    }

    /// How many lines are records of `type`, from their first bytes only (cheap enough for waiting loops).
    static func count(_ type: String, _ lines: [String]) -> Int {
        ToolOutput.count(ofType: type, in: lines)
    }
}

/// Access-log lines written by the tests: Combined, each with a unique path.
enum TailTestLine {
    /// A Combined line for request `/seq/<number>` (or `/<tag>/<number>`).
    static func combined(_ number: Int, tag: String = "seq", time: String = "23/Nov/2026:20:00:00 +0000") -> String {
        "192.0.2.\(number % 250 + 1) - - [\(time)] \"GET /\(tag)/\(number) HTTP/1.1\" 200 \(512 + number % 1000) \"-\" \"tail-test/1.0\"\n"
    }
}

/// Watching and pausing a following logtail, so a test acts on events instead of guessing how long
/// logtail takes to look at its files.
extension LogTailProcess {
    /// Whether logtail has the file now at `path` open and has read it to its end: one of its
    /// descriptors is that file (same device and inode), at a position equal to the file's size
    /// (`/proc/<pid>/fdinfo`, proc(5)).
    func hasRead(_ path: String) -> Bool {
        let pid = tool.pid
        var file = stat()
        guard stat(path, &file) == 0,
            let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")
        else { return false }
        for descriptor in descriptors {
            var open = stat()
            // stat(2) of /proc/<pid>/fd/<n> follows the link to the open file, renamed or not.
            guard stat("/proc/\(pid)/fd/\(descriptor)", &open) == 0, open.st_dev == file.st_dev,
                open.st_ino == file.st_ino,
                let info = try? String(contentsOfFile: "/proc/\(pid)/fdinfo/\(descriptor)", encoding: .utf8),
                let line = info.split(separator: "\n").first(where: { $0.hasPrefix("pos:") }),
                let position = Int64(line.dropFirst(4).trimmingCharacters(in: .whitespaces))
            else { continue }
            if position == Int64(file.st_size) { return true }
        }
        return false
    }

    /// Waits until logtail has read the file at `path` to its end, or `timeout` seconds pass.
    /// - Returns: whether it has.
    func waitUntilRead(_ path: String, timeout: Double = 30) -> Bool {
        Deadline.waitUntil(timeout: timeout) { !tool.isRunning || hasRead(path) } && tool.isRunning
    }

    /// Stops the process (SIGSTOP) and waits until it is stopped, so nothing done to its files
    /// meanwhile can be seen half done. - Returns: whether it stopped.
    func pause(timeout: Double = 30) -> Bool {
        tool.pause(timeout: timeout)
    }

    /// Lets a paused process go on (SIGCONT).
    func resume() {
        tool.resume()
    }
}

/// logtail's per-file summaries on stderr (`…: 12 lines: 10 requests, 1 skipped, 1 invalid`, and with
/// filters `…, 3 excluded (2 client, 1 path)`), added up.
struct TailSummary: CustomStringConvertible {
    var lines = 0
    var requests = 0
    var skipped = 0
    var invalid = 0
    /// Requests the filters excluded (0 without filters, whose summary has no such part).
    var excluded = 0
    /// How many summaries were added.
    var files = 0

    init(_ standardError: String) {
        for line in standardError.split(separator: "\n") {
            let pattern = #"\d+ lines: \d+ requests, \d+ skipped, \d+ invalid"#
            guard let range = line.range(of: pattern, options: .regularExpression) else { continue }
            let numbers = line[range].split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            guard numbers.count == 4 else { continue }
            lines += numbers[0]
            requests += numbers[1]
            skipped += numbers[2]
            invalid += numbers[3]
            if let part = line.range(of: #", \d+ excluded"#, options: .regularExpression) {
                excluded += Int(line[part].split(whereSeparator: { !$0.isNumber }).first ?? "") ?? 0
            }
            files += 1
        }
    }

    var description: String { "\(lines) lines: \(requests) requests, \(skipped) skipped, \(invalid) invalid" }
}
