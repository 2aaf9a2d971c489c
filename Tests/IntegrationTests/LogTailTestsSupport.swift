import Foundation
import Glibc

/// A running `logtail` binary (built next to the test bundle), its stdout read record by record.
final class LogTailProcess {
    let process = Process()
    private let output = Pipe()
    private let errorFile: String
    private var pending: [UInt8] = []
    /// Every stdout line received so far.
    private(set) var lines: [String] = []

    /// The built executable `name`, in the directory of the running test bundle.
    static func executable(_ name: String) -> String {
        let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        var directory = (link as NSString).deletingLastPathComponent
        // On Linux the tests run from `<bin>/logpipePackageTests.xctest`, the executables beside it.
        if !FileManager.default.fileExists(atPath: "\(directory)/\(name)") {
            directory = (directory as NSString).deletingLastPathComponent
        }
        return "\(directory)/\(name)"
    }

    /// Starts `logtail arguments`, with standard input from `input` (a path) or /dev/null. The tests
    /// follow lines by their `path` and `source`, which logtail writes only when asked, so `fields`
    /// (nil for none) is passed as `--fields`.
    init(
        _ arguments: [String], input: String? = nil, fields: String? = "source,path", directory: TailTestDirectory
    ) throws {
        errorFile = directory.file("logtail-stderr-\(UInt32.random(in: 0...UInt32.max)).txt")
        _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
        process.executableURL = URL(fileURLWithPath: Self.executable("logtail"))
        process.arguments = (fields.map { ["--fields", $0] } ?? []) + arguments
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: errorFile)
        process.standardInput = FileHandle(forReadingAtPath: input ?? "/dev/null")
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// What the process wrote to standard error so far.
    var standardError: String {
        (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
    }

    /// Reads stdout until `done` holds for the lines received so far or `timeout` seconds pass.
    /// - Returns: whether `done` held.
    @discardableResult
    func read(timeout: Double, until done: ([String]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        let descriptor = output.fileHandleForReading.fileDescriptor
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while !done(lines) {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return false }
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, Int32(min(left, 0.1) * 1000) + 1) > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { return done(lines) }
            pending.append(contentsOf: chunk[0..<count])
            while let newline = pending.firstIndex(of: 0x0A) {
                lines.append(String(decoding: pending[..<newline], as: UTF8.self))
                pending.removeSubrange(...newline)
            }
        }
        return true
    }

    /// Reads stdout to its end (the process closing it) within `timeout` seconds.
    func readToEnd(timeout: Double = 10) {
        let descriptor = output.fileHandleForReading.fileDescriptor
        let deadline = Date().addingTimeInterval(timeout)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while deadline.timeIntervalSinceNow > 0 {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            pending.append(contentsOf: chunk[0..<count])
        }
        while let newline = pending.firstIndex(of: 0x0A) {
            lines.append(String(decoding: pending[..<newline], as: UTF8.self))
            pending.removeSubrange(...newline)
        }
    }

    /// Sends `signal` and waits for the exit; returns the exit status (nil when it did not exit
    /// within `timeout` seconds, in which case it is killed).
    func stop(with signal: Int32 = SIGTERM, timeout: Double = 5) -> Int32? {
        kill(process.processIdentifier, signal)
        return waitForExit(timeout: timeout)
    }

    /// Waits for the process to exit; nil (and killed) when it takes longer than `timeout` seconds.
    func waitForExit(timeout: Double = 10) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && deadline.timeIntervalSinceNow > 0 {
            readToEnd(timeout: 0.05)
        }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        readToEnd(timeout: 1)
        return process.terminationStatus
    }

    /// CPU time (user + system) the process has used, in seconds, from /proc/<pid>/stat.
    var cpuSeconds: Double {
        guard let text = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command name: state is field 3, utime 14 and stime 15 (proc(5)).
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
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
        let prefix = "{\"type\":\"\(type)\""
        return lines.reduce(0) { $0 + ($1.hasPrefix(prefix) ? 1 : 0) }
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
        let pid = process.processIdentifier
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

    /// Reads stdout (so logtail never blocks on it) until logtail has read the file at `path` to its
    /// end, or `timeout` seconds pass. - Returns: whether it has.
    func waitUntilRead(_ path: String, timeout: Double = 30) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !hasRead(path) {
            guard process.isRunning, deadline.timeIntervalSinceNow > 0 else { return false }
            read(timeout: 0.02) { _ in false }
        }
        return true
    }

    /// Stops the process (SIGSTOP) and waits until it is stopped (state `T` in /proc/<pid>/stat), so
    /// nothing done to its files meanwhile can be seen half done. - Returns: whether it stopped.
    func pause(timeout: Double = 30) -> Bool {
        let pid = process.processIdentifier
        kill(pid, SIGSTOP)
        let deadline = Date().addingTimeInterval(timeout)
        while deadline.timeIntervalSinceNow > 0 {
            if let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = text.lastIndex(of: ")"),
                text[text.index(after: close)...].split(separator: " ").first == "T"
            {
                return true
            }
            usleep(1000)
        }
        return false
    }

    /// Lets a paused process go on (SIGCONT).
    func resume() {
        kill(process.processIdentifier, SIGCONT)
    }
}

/// logtail's per-file summaries on stderr (`…: 12 lines: 10 requests, 1 skipped, 1 invalid`), added up.
struct TailSummary: CustomStringConvertible {
    var lines = 0
    var requests = 0
    var skipped = 0
    var invalid = 0
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
            files += 1
        }
    }

    var description: String { "\(lines) lines: \(requests) requests, \(skipped) skipped, \(invalid) invalid" }
}
