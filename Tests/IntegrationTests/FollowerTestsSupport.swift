import Foundation
import Glibc
import LogPipe
import LogPipeIO

/// A private temporary directory for one test, removed when the test is done with it.
final class TailTestDirectory {
    let path: String

    init() {
        var template = Array("/tmp/logtail-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = made.map { String(cString: $0) } ?? "/tmp/logtail-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        if made == nil { mkdir(path, 0o700) }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }
}

/// Plain file operations for the tests, with the same system calls a log writer uses.
enum TailTestLog {
    /// Appends `text` with one `write(2)` on an `O_APPEND` descriptor, as servers write their logs.
    static func append(_ text: String, to path: String) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        precondition(descriptor >= 0, "cannot open \(path)")
        write(text, to: descriptor)
        close(descriptor)
    }

    /// Writes all of `text` to an open descriptor.
    static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes {
                Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset)
            }
            precondition(written > 0, "write failed")
            offset += written
        }
    }

    /// Creates or empties `path`.
    static func create(_ path: String, _ text: String = "") {
        let descriptor = open(path, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0o644)
        precondition(descriptor >= 0, "cannot create \(path)")
        write(text, to: descriptor)
        close(descriptor)
    }

    /// Renames `from` to `to` (rotation by rename).
    static func rename(_ from: String, to: String) {
        precondition(Glibc.rename(from, to) == 0, "rename failed")
    }

    /// Truncates `path` to zero length (`> file`, or the second half of copy-and-truncate).
    static func truncate(_ path: String) {
        precondition(Glibc.truncate(path, 0) == 0, "truncate failed")
    }

    /// The whole content of `path`.
    static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}

/// Runs passes of a follower and keeps the lines it hands out, as strings with their numbers.
final class TailLineCollector {
    let input: any FollowInput
    var lines: [String] = []
    var numbers: [Int64] = []
    var truncated: [Bool] = []
    /// The monotonic time passed to the follower, moved only by the test.
    var now: Int64 = 0

    init(_ input: any FollowInput) {
        self.input = input
    }

    /// Runs passes until the input is drained (or ended), and returns the lines they handed out.
    @discardableResult
    func drain(budget: Int = 1 << 20) -> [String] {
        let before = lines.count
        for _ in 0..<10_000 {
            // `pass` is typed as logtail calls it (lines that may throw `OutputError`); these throw nothing.
            let result = try! input.pass(now: now, budget: budget) { (line: LineSplitter.Line, number: Int64) in
                lines.append(String(decoding: line.bytes, as: UTF8.self))
                numbers.append(number)
                truncated.append(line.truncated)
            }
            if result != .moreReady { break }
        }
        return Array(lines[before...])
    }
}
