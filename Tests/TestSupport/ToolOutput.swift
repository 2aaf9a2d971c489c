import Foundation
import Glibc

/// What a spawned tool writes to its stdout or its stderr, collected from the file it writes into.
///
/// A file, not a pipe: a child never blocks on an output nobody reads, and a grandchild that keeps
/// the descriptor open (a daemon, tmux's server, a stage left behind) cannot hold a wait hostage.
/// Everything the child wrote before it exited is in the file once `waitpid(2)` has returned, so a
/// wait that sees the exit and then reads once more has seen all of it.
///
/// The waits return as soon as what they wait for is there, and give up at a deadline (or when the
/// tool has exited and cannot write more) so that a hang fails instead of stalling the suite.
public final class ToolOutput: @unchecked Sendable {
    /// The file the tool writes into.
    public let path: String
    private let lock = NSLock()
    private let descriptor: Int32
    private var bytes: [UInt8] = []
    /// The complete lines so far, and where the incomplete rest starts in `bytes`.
    private var completeLines: [String] = []
    private var restStart = 0
    /// Whether the writer has exited (checked before the last read of a wait).
    private let writerEnded: @Sendable () -> Bool

    init(path: String, writerEnded: @escaping @Sendable () -> Bool) {
        self.path = path
        self.writerEnded = writerEnded
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
    }

    /// An output that never receives anything (for a stdout left to an unread pipe).
    init(emptyAt path: String) {
        self.path = path
        writerEnded = { true }
        descriptor = -1
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    // MARK: - Reading what is there now

    /// Everything received so far.
    public var text: String {
        lock.lock()
        defer { lock.unlock() }
        refreshLocked()
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The complete lines received so far (a last line without its newline is left out until it has one,
    /// or until the tool has exited).
    public var lines: [String] {
        let ended = writerEnded()
        lock.lock()
        defer { lock.unlock() }
        refreshLocked()
        if ended && restStart < bytes.count {
            return completeLines + [String(decoding: bytes[restStart...], as: UTF8.self)]
        }
        return completeLines
    }

    /// How many bytes have been received.
    public var byteCount: Int {
        lock.lock()
        defer { lock.unlock() }
        refreshLocked()
        return bytes.count
    }

    /// Reads whatever is new in the file (read(2) returns 0 at the current end of a regular file).
    private func refreshLocked() {
        guard descriptor >= 0 else { return }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            let start = bytes.count
            bytes.append(contentsOf: chunk[0..<count])
            var index = max(start, restStart)
            while let newline = bytes[index...].firstIndex(of: 0x0A) {
                completeLines.append(String(decoding: bytes[restStart..<newline], as: UTF8.self))
                restStart = newline + 1
                index = restStart
            }
        }
    }

    // MARK: - Waiting for an event

    /// Waits until `done(text)` holds, the tool has exited, or `timeout` seconds pass.
    /// - Returns: whether `done` held.
    @discardableResult
    public func wait(timeout: Double = 20, until done: (String) -> Bool) -> Bool {
        poll(timeout: timeout) { done($0.text) }
    }

    /// Waits until `done(lines)` holds for the complete lines, the tool has exited, or `timeout`
    /// seconds pass. - Returns: whether `done` held.
    @discardableResult
    public func waitForLines(timeout: Double = 20, until done: ([String]) -> Bool) -> Bool {
        poll(timeout: timeout) { done($0.lines) }
    }

    /// Waits for a complete line for which `matching` holds; returns the first such line, or nil when
    /// none came within `timeout` seconds or before the tool exited.
    @discardableResult
    public func waitForLine(timeout: Double = 20, matching: (String) -> Bool) -> String? {
        var found: String?
        poll(timeout: timeout) { output in
            found = output.lines.first(where: matching)
            return found != nil
        }
        return found
    }

    /// Waits until at least `count` complete lines are records of `type` (recognised by their first
    /// bytes, `{"type":"<type>"`, as every stage writes them). - Returns: whether they came.
    @discardableResult
    public func waitForRecords(ofType type: String, count: Int = 1, timeout: Double = 20) -> Bool {
        waitForLines(timeout: timeout) { ToolOutput.count(ofType: type, in: $0) >= count }
    }

    /// Waits for a record of `type` for which `matching` holds, decoded with JSONSerialization;
    /// returns it, or nil at the deadline or the tool's exit.
    public func waitForRecord(
        ofType type: String, timeout: Double = 20, where matching: ([String: Any]) -> Bool = { _ in true }
    ) -> [String: Any]? {
        var found: [String: Any]?
        let prefix = "{\"type\":\"\(type)\""
        poll(timeout: timeout) { output in
            for line in output.lines where line.hasPrefix(prefix) {
                if let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                    matching(object)
                {
                    found = object
                    return true
                }
            }
            return false
        }
        return found
    }

    /// How many of `lines` are records of `type`, from their first bytes only.
    public static func count(ofType type: String, in lines: [String]) -> Int {
        let prefix = "{\"type\":\"\(type)\""
        return lines.reduce(0) { $0 + ($1.hasPrefix(prefix) ? 1 : 0) }
    }

    /// Checks `done` after every read until it holds, the writer has ended (checked before the read,
    /// so the last check sees everything), or the deadline passes.
    @discardableResult
    private func poll(timeout: Double, _ done: (ToolOutput) -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        var pause = 1
        while true {
            let ended = writerEnded()
            if done(self) { return true }
            if ended || ContinuousClock.now >= deadline { return false }
            // The file has no readiness event worth the machinery (inotify); a short poll that backs
            // off to 10 ms notices a line within a few milliseconds.
            usleep(UInt32(pause * 1000))
            pause = min(pause * 2, 10)
        }
    }
}
