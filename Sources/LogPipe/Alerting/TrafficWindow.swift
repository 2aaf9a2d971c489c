/// Hits per second over the last `length` seconds, with their running total: the sliding window of
/// the alert rule, in a ring of `length` counters (constant memory, constant time per second).
public struct TrafficWindow: Sendable {
    /// The window length in seconds.
    public let length: Int
    private var ring: [Int]
    /// The newest second counted, or nil before the first.
    public private(set) var newestSecond: Int64?
    /// Hits in seconds `(newestSecond - length, newestSecond]`.
    public private(set) var total = 0

    /// Creates an empty window of `length` seconds.
    public init(length: Int) {
        self.length = max(1, length)
        ring = Array(repeating: 0, count: self.length)
    }

    /// Counts `hits` in `second`.
    ///
    /// A second newer than `newestSecond` moves the window forward (the seconds in between count
    /// zero). An older second still inside the window is added to it (a late line). A second that has
    /// already left the window is not counted.
    /// - Returns: false when the hits were too old to count.
    @discardableResult
    public mutating func add(_ hits: Int, at second: Int64) -> Bool {
        if let newest = newestSecond {
            if second <= newest {
                guard second > newest - Int64(length) else { return false }
                count(hits, at: second)
                return true
            }
            if second == newest &+ 1 && length > 1 {
                // The next second, as a bucket feeds them: `moveForward` by one and `count` in one
                // step, on the one slot both touch (callgrind: about 300 instructions a bucket).
                let index = slot(second)
                total = max(0, total.saturatingSubtracting(ring[index])).saturatingAdding(hits)
                ring[index] = hits
                newestSecond = second
                return true
            }
        }
        moveForward(to: second)
        count(hits, at: second)
        return true
    }

    /// Moves the window forward so that `second` is the newest, counting zero for every second
    /// skipped. Does nothing when `second` is not newer than `newestSecond`.
    public mutating func moveForward(to second: Int64) {
        guard let newest = newestSecond else {
            newestSecond = second
            return
        }
        guard second > newest else { return }
        if second - newest >= Int64(length) {
            for index in ring.indices { ring[index] = 0 }
            total = 0
        } else {
            var cleared = newest + 1
            while cleared <= second {
                // Never below 0, even after a saturated count: `total` is then no longer exact, but
                // neither is a count that reached `Int.max`.
                let index = slot(cleared)
                total = max(0, total.saturatingSubtracting(ring[index]))
                ring[index] = 0
                cleared += 1
            }
        }
        newestSecond = second
    }

    /// Adds `hits` to `second`'s counter and the total, saturating at `Int.max`. A validated stream
    /// cannot reach it through one window of per-second counts (86,400 × 10^12), but late hits for one
    /// second can be sent again and again (the same bucket repeated), and a count must not trap.
    private mutating func count(_ hits: Int, at second: Int64) {
        let index = slot(second)
        ring[index] = ring[index].saturatingAdding(hits)
        total = total.saturatingAdding(hits)
    }

    private func slot(_ second: Int64) -> Int {
        let remainder = Int(second % Int64(length))
        return remainder >= 0 ? remainder : remainder + length
    }
}
