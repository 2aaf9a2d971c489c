import Glibc
import LogPipe
import LogPipeIO
import Testing

/// `FileFollower` against a server that writes whole and half lines, while its log is rotated by
/// rename (the server reopening a few steps later), truncated (and written again, past the old
/// offset too, before the follower looks) and removed, in random order.
@Suite("FileFollower randomized")
struct FollowerRandomizedTests {
    @Test(arguments: Array(1...24) as [UInt64])
    func handsOutEveryCompletedLineExactlyOnce(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path)
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: false))
        var server = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        var written: [String] = []
        var number = 0
        var pendingHalf: String?
        /// The written part of the pending half line.
        var pendingStart = ""
        /// True when a truncation came between the two halves: the first was handed out as a line
        /// at the truncation, and the second will be a line of its own at the file's new start.
        var halfSplitByTruncation = false
        // The follower opens the file at its first look: a rotation before it is one it cannot know of.
        var rotatedSinceDrain = true
        var stepsSinceRotation: Int?
        var rotations = 0
        var truncations = 0
        var regrowths = 0

        for _ in 0..<600 {
            if let steps = stepsSinceRotation, steps >= 6, pendingHalf == nil {
                // The server is told to reopen its log (nginx -s reopen): later lines go to the new file.
                close(server)
                server = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
                stepsSinceRotation = nil
                // This may have created the file at the path: it too must be looked at before the
                // next rotation.
                rotatedSinceDrain = true
            }
            stepsSinceRotation = stepsSinceRotation.map { $0 + 1 }
            switch random.next(below: 10) {
            case 0, 1, 2:
                let count = 1 + random.next(below: 5)
                var text = ""
                for _ in 0..<count {
                    if let half = pendingHalf {
                        text += half
                        written.append(
                            halfSplitByTruncation
                                ? String(half.dropLast())
                                : "line \(number - 1) " + String(repeating: "x", count: (number - 1) % 50))
                        pendingHalf = nil
                        halfSplitByTruncation = false
                    }
                    text += "line \(number) " + String(repeating: "x", count: number % 50) + "\n"
                    written.append("line \(number) " + String(repeating: "x", count: number % 50))
                    number += 1
                }
                TailTestLog.write(text, to: server)
            case 3:
                if pendingHalf == nil {
                    let line = "line \(number) " + String(repeating: "x", count: number % 50) + "\n"
                    let cut = line.index(line.startIndex, offsetBy: 1 + random.next(below: line.count - 1))
                    TailTestLog.write(String(line[..<cut]), to: server)
                    pendingStart = String(line[..<cut])
                    pendingHalf = String(line[cut...])
                    number += 1
                }
            case 4:
                // Rotation by rename; the follower must look between two rotations (see FileFollower).
                if !rotatedSinceDrain && stepsSinceRotation == nil {
                    rotations += 1
                    TailTestLog.rename(path, to: directory.file("access.log.\(rotations)"))
                    if random.next(below: 2) == 0 { TailTestLog.create(path) }
                    rotatedSinceDrain = true
                    stepsSinceRotation = 0
                }
            case 5:
                // Truncation loses what was written since the last look (the documented race), so it
                // comes right after a look. The server may write again before the next look, past
                // the old offset too; a half line read before the truncation is handed out as a line.
                if stepsSinceRotation == nil {
                    follower.now += 100
                    follower.drain()
                    if access(path, F_OK) == 0 { rotatedSinceDrain = false }
                    var before = stat()
                    let oldSize = stat(path, &before) == 0 ? Int(before.st_size) : 0
                    TailTestLog.truncate(path)
                    truncations += 1
                    if pendingHalf != nil && !halfSplitByTruncation {
                        written.append(pendingStart)
                        halfSplitByTruncation = true
                    }
                    if random.next(below: 2) == 0 {
                        // Regrown past the old size before the follower looks again.
                        var text = ""
                        if let half = pendingHalf {
                            text += half
                            written.append(String(half.dropLast()))
                            pendingHalf = nil
                            halfSplitByTruncation = false
                        }
                        while text.utf8.count <= oldSize {
                            text += "line \(number) " + String(repeating: "x", count: number % 50) + "\n"
                            written.append("line \(number) " + String(repeating: "x", count: number % 50))
                            number += 1
                        }
                        TailTestLog.write(text, to: server)
                        regrowths += 1
                    }
                }
            default:
                follower.now += 100
                follower.drain()
                // A look sees the new file only once it exists (the server may create it on reopen).
                if access(path, F_OK) == 0 { rotatedSinceDrain = false }
            }
        }
        if let half = pendingHalf {
            TailTestLog.write(half, to: server)
            written.append(
                halfSplitByTruncation
                    ? String(half.dropLast())
                    : "line \(number - 1) " + String(repeating: "x", count: (number - 1) % 50))
        }
        close(server)
        for _ in 0..<3 {
            follower.now += 10_000
            follower.drain()
        }
        #expect(rotations > 10)
        #expect(truncations > 10)
        #expect(regrowths > 5)
        #expect(follower.lines.count == written.count)
        let missing = Set(written).subtracting(follower.lines)
        let unexpected = Set(follower.lines).subtracting(written)
        #expect(missing.isEmpty, "missing: \(missing.sorted().prefix(10))")
        #expect(unexpected.isEmpty, "not written: \(unexpected.sorted().prefix(10))")
        // Halves split by a truncation may repeat one another ("x\n"): every line as often as written.
        #expect(follower.lines.sorted() == written.sorted(), "some lines handed out twice")
    }
}
