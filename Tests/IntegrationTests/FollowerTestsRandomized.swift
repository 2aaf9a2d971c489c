import Glibc
import LogPipe
import LogPipeIO
import Testing

/// A reproducible source of choices for the randomized follower test (SplitMix64).
struct TailTestRandom {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next(below bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        value ^= value >> 31
        return Int(value % UInt64(bound))
    }
}

/// `FileFollower` against a server that writes whole and half lines, while its log is rotated by
/// rename (the server reopening a few steps later), truncated and removed, in random order.
@Suite("FileFollower randomized")
struct FollowerRandomizedTests {
    @Test(arguments: Array(1...12) as [UInt64])
    func handsOutEveryCompletedLineExactlyOnce(seed: UInt64) {
        var random = TailTestRandom(seed: seed)
        let directory = TailTestDirectory()
        let path = directory.file("access.log")
        TailTestLog.create(path)
        let follower = TailLineCollector(FileFollower(path: path, startAtEnd: false))
        var server = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        var written: [String] = []
        var number = 0
        var pendingHalf: String?
        var rotatedSinceDrain = false
        var stepsSinceRotation: Int?
        var rotations = 0

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
                        written.append("line \(number - 1) " + String(repeating: "x", count: (number - 1) % 50))
                        pendingHalf = nil
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
                // Truncation loses what was written since the last look, and is missed when the file
                // grows past the old offset before the next look (the documented races), so it comes
                // right after a look and is looked at before anything more is written.
                if pendingHalf == nil && stepsSinceRotation == nil {
                    follower.now += 100
                    follower.drain()
                    TailTestLog.truncate(path)
                    follower.drain()
                    if access(path, F_OK) == 0 { rotatedSinceDrain = false }
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
            written.append("line \(number - 1) " + String(repeating: "x", count: (number - 1) % 50))
        }
        close(server)
        for _ in 0..<3 {
            follower.now += 10_000
            follower.drain()
        }
        #expect(rotations > 10)
        #expect(follower.lines.count == written.count)
        let missing = Set(written).subtracting(follower.lines)
        let unexpected = Set(follower.lines).subtracting(written)
        #expect(missing.isEmpty, "missing: \(missing.sorted().prefix(10))")
        #expect(unexpected.isEmpty, "not written: \(unexpected.sorted().prefix(10))")
        #expect(Set(follower.lines).count == follower.lines.count, "some lines handed out twice")
    }
}
