import Foundation
import Glibc
import LogPipeTestSupport
import Synchronization
import Testing

/// A log writer on its own thread, like a busy server: appends numbered lines at a few hundred per
/// second through one `O_APPEND` descriptor, writes some lines in two halves, and reopens its log
/// only when asked to (as nginx does on SIGUSR1 after logrotate renamed the file).
final class TortureWriter: Sendable {
    let path: String
    let first: Int
    /// Set by the rotator after it renamed the log and created the new one.
    let reopenRequested = Atomic<Bool>(false)
    let stopRequested = Atomic<Bool>(false)
    /// The next number to write, once the thread has finished: so the lines `first..<written`.
    let written = Atomic<Int>(-1)
    /// Lines written so far, while the thread runs.
    let progress = Atomic<Int>(0)

    init(path: String, first: Int) {
        self.path = path
        self.first = first
    }

    func start() {
        Thread.detachNewThread { self.run() }
    }

    /// Lines written so far.
    var linesWritten: Int { progress.load(ordering: .sequentiallyConsistent) }

    /// Waits until this writer has written at least `count` lines: on a loaded machine the writer's
    /// pauses last longer, and the test waits for lines, not for time. - Returns: whether it has.
    @discardableResult
    func waitUntilWritten(_ count: Int, timeout: Double = 60) -> Bool {
        Deadline.waitUntil(timeout: timeout) { linesWritten >= count }
    }

    /// Stops the thread and returns the number after the last line it wrote.
    func stop() -> Int {
        stopRequested.store(true, ordering: .sequentiallyConsistent)
        Deadline.waitUntil(timeout: 60) { written.load(ordering: .sequentiallyConsistent) >= 0 }
        return written.load(ordering: .sequentiallyConsistent)
    }

    private func run() {
        var descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        var number = first
        while !stopRequested.load(ordering: .sequentiallyConsistent) {
            if reopenRequested.exchange(false, ordering: .sequentiallyConsistent) {
                close(descriptor)
                descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            }
            let line = TailTestLine.combined(number)
            if number % 7 == 3 {
                // Half a line now, the rest a little later: it must come out once, whole. (The sleeps
                // here pace the writer deliberately, as a server writes over time.)
                let cut = line.index(line.startIndex, offsetBy: line.count / 2)
                TailTestLog.write(String(line[..<cut]), to: descriptor)
                usleep(2000)
                TailTestLog.write(String(line[cut...]), to: descriptor)
            } else {
                TailTestLog.write(line, to: descriptor)
            }
            number += 1
            progress.store(number - first, ordering: .sequentiallyConsistent)
            usleep(2500)
        }
        close(descriptor)
        written.store(number, ordering: .sequentiallyConsistent)
    }
}

/// logtail under a writer that never stops while its log is rotated and truncated.
@Suite("logtail torture")
struct LogTailTortureTests {
    @Test func emitsExactlyTheLinesWrittenThroughRotationsAndATruncation() throws {
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path)
        let tail = try LogTailProcess(["--from-start", path], directory: directory)

        // Rotation by rename, five times, the way logrotate does it with `create` and a postrotate
        // signal: rename, create the new file, then tell the server, which writes to the old file
        // until it has reopened.
        let writer = TortureWriter(path: path, first: 0)
        writer.start()
        for round in 1...5 {
            // A hundred lines or more into each file before it is rotated.
            #expect(writer.waitUntilWritten(writer.linesWritten + 100))
            TailTestLog.rename(path, to: directory.file("access.log.\(round)"))
            // Paces the rotator deliberately: logrotate's steps come apart, the log missing meanwhile.
            usleep(15_000)
            TailTestLog.create(path)
            usleep(15_000)
            writer.reopenRequested.store(true, ordering: .sequentiallyConsistent)
        }
        #expect(writer.waitUntilWritten(750))
        let afterRotations = writer.stop()
        #expect(tail.read(timeout: 30) { TailRecords.requestCount($0) >= afterRotations })

        // Truncation in place (`> file`) while the server keeps its descriptor; lines written
        // between the last read and the truncation would be lost (the documented race), so the
        // truncation comes once logtail has caught up.
        TailTestLog.truncate(path)
        let second = TortureWriter(path: path, first: afterRotations)
        second.start()
        #expect(second.waitUntilWritten(260))
        let total = second.stop()
        #expect(tail.read(timeout: 30) { TailRecords.requestCount($0) >= total })
        // Two more heartbeats: logtail has looked at its files again since the last line, so a line
        // it would read twice would be out by now.
        let heartbeats = TailRecords.count("heartbeat", tail.lines)
        #expect(tail.read(timeout: 20) { TailRecords.count("heartbeat", $0) >= heartbeats + 2 })
        #expect(tail.stop() == 0)

        let paths = TailRecords.paths(tail.lines)
        let expected = (0..<total).map { "/seq/\($0)" }
        #expect(total > 1000)
        #expect(paths.count == total, "\(paths.count) records for \(total) lines")
        let missing = Set(expected).subtracting(paths).compactMap { Int($0.dropFirst(5)) }.sorted()
        #expect(
            missing.isEmpty, "missing \(missing.count) lines: \(Self.ranges(missing)); stderr: \(tail.standardError)")
        #expect(Set(paths).count == paths.count, "some lines were read twice")
        #expect(TailRecords.ofType("invalid", tail.lines).isEmpty)
        // Within a file the order is kept: the second phase is one file, read in order.
        #expect(Array(paths.suffix(total - afterRotations)) == Array(expected.suffix(total - afterRotations)))
    }

    /// `[3, 4, 5, 9]` as `3-5, 9`, for short failure messages.
    static func ranges(_ numbers: [Int]) -> String {
        var parts: [String] = []
        var index = 0
        while index < numbers.count {
            var end = index
            while end + 1 < numbers.count && numbers[end + 1] == numbers[end] + 1 { end += 1 }
            parts.append(end == index ? "\(numbers[index])" : "\(numbers[index])-\(numbers[end])")
            index = end + 1
        }
        return parts.joined(separator: ", ")
    }
}
