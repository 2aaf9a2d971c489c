import LogPipe
import Testing

/// `ContentMark` on byte arrays standing for files: which changes it sees, and that how the bytes
/// were read (in what chunks, from the start or from the end) does not matter.
@Suite("ContentMark")
struct ContentMarkTests {
    /// A file's bytes: `count` bytes that differ from their neighbours.
    static func file(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
    }

    /// Compares `mark` with `file`, read the way `pread(2)` would (`failing`: every read fails).
    static func compare(_ mark: borrowing ContentMark, with file: [UInt8], failing: Bool = false)
        -> ContentObservation
    {
        mark.compare { space, offset in
            if failing { return -1 }
            guard offset < Int64(file.count) else { return 0 }
            let count = min(space.count, file.count - Int(offset))
            for index in 0..<count { space[index] = file[Int(offset) + index] }
            return count
        }
    }

    /// Records `bytes[range]` as read at `range.lowerBound`.
    static func record(_ mark: inout ContentMark, _ bytes: [UInt8], _ range: Range<Int>) {
        bytes.withUnsafeBufferPointer {
            mark.record(UnsafeBufferPointer(rebasing: $0[range]), at: Int64(range.lowerBound))
        }
    }

    @Test func seesNoChangeInAFileThatOnlyGrew() {
        var mark = ContentMark(capacity: 8)
        var bytes = Self.file(40)
        Self.record(&mark, bytes, 0..<40)
        let end = mark.end
        #expect(end == 40)
        bytes += [1, 2, 3]
        #expect(Self.compare(mark, with: bytes) == .unchanged)
    }

    @Test func seesAChangedStart() {
        var mark = ContentMark(capacity: 8)
        var bytes = Self.file(40)
        Self.record(&mark, bytes, 0..<40)
        bytes[7] &+= 1
        #expect(Self.compare(mark, with: bytes) == .startChanged)
    }

    @Test func seesChangedBytesJustBeforeTheOffsetWhenTheStartIsTheSame() {
        var mark = ContentMark(capacity: 8)
        var bytes = Self.file(40)
        Self.record(&mark, bytes, 0..<40)
        bytes[32] &+= 1
        #expect(Self.compare(mark, with: bytes) == .changedBeforeOffset)
    }

    @Test func cannotSeeAChangeBetweenTheStartAndTheBytesBeforeTheOffset() {
        // The documented limit: a rewrite with the same bytes at both places looks like growth.
        var mark = ContentMark(capacity: 8)
        var bytes = Self.file(40)
        Self.record(&mark, bytes, 0..<40)
        bytes[20] &+= 1
        #expect(Self.compare(mark, with: bytes) == .unchanged)
    }

    @Test func takesAFileShorterThanWhatWasReadForAChangedOne() {
        var mark = ContentMark(capacity: 8)
        let bytes = Self.file(40)
        Self.record(&mark, bytes, 0..<40)
        #expect(Self.compare(mark, with: Array(bytes[0..<36])) == .changedBeforeOffset)
        #expect(Self.compare(mark, with: Array(bytes[0..<4])) == .startChanged)
        #expect(Self.compare(mark, with: []) == .startChanged)
    }

    @Test func leavesAFailedReadToTheFollowerThatReadsNext() {
        var mark = ContentMark(capacity: 8)
        Self.record(&mark, Self.file(40), 0..<40)
        #expect(Self.compare(mark, with: [], failing: true) == .unchanged)
    }

    @Test func comparesNothingOnceReset() {
        var mark = ContentMark(capacity: 8)
        Self.record(&mark, Self.file(40), 0..<40)
        mark.reset()
        let (isEmpty, end) = (mark.isEmpty, mark.end)
        #expect(isEmpty)
        #expect(end == 0)
        #expect(Self.compare(mark, with: []) == .unchanged)
    }

    @Test func marksAFileShorterThanItsCapacityWhole() {
        var mark = ContentMark(capacity: 64)
        var bytes = Self.file(10)
        Self.record(&mark, bytes, 0..<4)
        Self.record(&mark, bytes, 4..<10)
        #expect(Self.compare(mark, with: bytes + [9, 9]) == .unchanged)
        bytes[9] &+= 1
        #expect(Self.compare(mark, with: bytes) == .startChanged)
    }

    /// Whatever the chunks, and whether the start was read or only its bytes and those before the
    /// end were looked up (a follow starting at the end), the mark sees a change at exactly the
    /// first `capacity` bytes and the last `capacity` bytes before the end.
    @Test(arguments: Array(1...40) as [UInt64])
    func seesExactlyTheStartAndTheBytesBeforeTheEndWhateverTheChunks(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let capacity = 1 + Int(random.next() % 12)
        let count = 1 + Int(random.next() % 60)
        let bytes = Self.file(count)
        var mark = ContentMark(capacity: capacity)
        if random.next() % 4 == 0 {
            // As a follower starting at the end marks the bytes already there.
            Self.record(&mark, bytes, 0..<min(capacity, count))
            Self.record(&mark, bytes, max(0, count - capacity)..<count)
        } else {
            var position = 0
            while position < count {
                let chunk = 1 + Int(random.next() % UInt64(2 * capacity + 2))
                let end = min(count, position + chunk)
                Self.record(&mark, bytes, position..<end)
                position = end
            }
        }
        let end = mark.end
        #expect(end == Int64(count))
        #expect(Self.compare(mark, with: bytes) == .unchanged)
        for position in 0..<count {
            var changed = bytes
            changed[position] &+= 1
            let expected: ContentObservation =
                position < capacity ? .startChanged : position >= count - capacity ? .changedBeforeOffset : .unchanged
            #expect(
                Self.compare(mark, with: changed) == expected,
                "capacity \(capacity), \(count) bytes, changed at \(position)")
        }
    }

    @Test func ignoresBytesOlderThanTheNewestEndForTheBytesBeforeIt() {
        var mark = ContentMark(capacity: 8)
        let bytes = Self.file(40)
        Self.record(&mark, bytes, 0..<40)
        Self.record(&mark, bytes, 10..<20)
        let end = mark.end
        #expect(end == 40)
        var changed = bytes
        changed[35] &+= 1
        #expect(Self.compare(mark, with: changed) == .changedBeforeOffset)
    }
}
