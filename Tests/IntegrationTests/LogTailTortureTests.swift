import Foundation
import Glibc
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

    /// Lets `tail` read its output until this writer has written at least `count` lines: on a
    /// loaded machine the writer's pauses last longer, and the test waits for lines, not for time.
    func waitUntilWritten(_ count: Int, reading tail: LogTailProcess) {
        while progress.load(ordering: .sequentiallyConsistent) < count {
            tail.read(timeout: 0.02) { _ in false }
        }
    }

    /// Stops the thread and returns the number after the last line it wrote.
    func stop() -> Int {
        stopRequested.store(true, ordering: .sequentiallyConsistent)
        while written.load(ordering: .sequentiallyConsistent) < 0 { usleep(1000) }
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
                // Half a line now, the rest a little later: it must come out once, whole.
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
            // Reading stdout meanwhile, as a pipeline does: a blocked logtail could not look at its file.
            tail.read(timeout: 0.5) { _ in false }
            TailTestLog.rename(path, to: directory.file("access.log.\(round)"))
            usleep(15_000)
            TailTestLog.create(path)
            usleep(15_000)
            writer.reopenRequested.store(true, ordering: .sequentiallyConsistent)
        }
        tail.read(timeout: 0.3) { _ in false }
        writer.waitUntilWritten(750, reading: tail)
        let afterRotations = writer.stop()
        #expect(tail.read(timeout: 10) { TailRecords.requestCount($0) >= afterRotations })

        // Truncation in place (`> file`) while the server keeps its descriptor; lines written
        // between the last read and the truncation would be lost (the documented race), so the
        // truncation comes once logtail has caught up.
        TailTestLog.truncate(path)
        let second = TortureWriter(path: path, first: afterRotations)
        second.start()
        tail.read(timeout: 0.8) { _ in false }
        second.waitUntilWritten(260, reading: tail)
        let total = second.stop()
        #expect(tail.read(timeout: 10) { TailRecords.requestCount($0) >= total })
        tail.read(timeout: 0.3) { _ in false }
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
