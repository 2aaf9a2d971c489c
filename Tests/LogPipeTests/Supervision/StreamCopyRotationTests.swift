import LogPipeTestSupport
import Testing

@testable import LogPipe

/// The bounded copy of the final stream: two files at most, each offset found in the right one, and a
/// reader behind the oldest kept byte skipped forward (never served bytes that are gone).
@Suite("Stream copy rotation")
struct StreamCopyRotationTests {
    @Test func rotatesAtTheLimitAndFindsEachOffsetInItsFile() {
        var rotation = StreamCopyRotation(limit: 100)
        #expect(!rotation.shouldRotate(committed: 99))
        #expect(rotation.place(of: 50) == .current(position: 50))
        #expect(rotation.shouldRotate(committed: 130))
        rotation.rotated(at: 130)
        #expect(rotation.oldestKept == 0)
        #expect(rotation.place(of: 10) == .previous(position: 10, available: 120))
        #expect(rotation.place(of: 130) == .current(position: 0))
        #expect(!rotation.shouldRotate(committed: 229))
        rotation.rotated(at: 240)
        // The first file is gone: 0..<130 is no longer kept.
        #expect(rotation.oldestKept == 130)
        #expect(rotation.place(of: 129) == nil)
        #expect(rotation.place(of: 135) == .previous(position: 5, available: 105))
        #expect(rotation.place(of: 250) == .current(position: 10))
    }

    /// Whatever sizes the appends have, the kept bytes stay under two limits plus one append, and
    /// every kept offset maps to a position inside its file.
    @Test func keepsAtMostTwoFilesWhateverTheAppends() {
        var random = SplitMix64(seed: 6)
        let limit: Int64 = 1000
        var rotation = StreamCopyRotation(limit: limit)
        var committed: Int64 = 0
        var largest: Int64 = 0
        for _ in 0..<5000 {
            let append = Int64(1 + random.next(below: 400))
            largest = max(largest, append)
            committed += append
            if rotation.shouldRotate(committed: committed) { rotation.rotated(at: committed) }
            #expect(committed - rotation.oldestKept <= 2 * (limit + largest))
            let probe = rotation.oldestKept + Int64(random.next(below: Int(committed - rotation.oldestKept) + 1))
            switch rotation.place(of: probe) {
            case .current(let position)?: #expect(position == probe - rotation.currentStart)
            case .previous(let position, let available)?:
                #expect(position >= 0 && available > 0 && probe + available == rotation.currentStart)
            case nil: Issue.record("a kept offset \(probe) was not found")
            }
        }
    }

    @Test func aReaderBehindTheOldestKeptSkipsForwardAndCountsWhatItMissed() {
        var cursor = FeedCursor(offset: 40)
        #expect(cursor.skip(to: 30) == 0)
        #expect(cursor.offset == 40)
        #expect(cursor.skip(to: 100) == 60)
        #expect(cursor.offset == 100)
    }

    @Test func theLimitComesFromTheEnvironmentOrTheDefault() {
        #expect(StreamCopyRotation.limit(fromEnvironment: nil) == StreamCopyRotation.defaultLimit)
        #expect(StreamCopyRotation.limit(fromEnvironment: "4096") == 4096)
        #expect(StreamCopyRotation.limit(fromEnvironment: "0") == nil)
        #expect(StreamCopyRotation.limit(fromEnvironment: "1M") == nil)
        #expect(StreamCopyRotation.limit(fromEnvironment: "") == nil)
    }
}
