/// Bytes the parser writes while reading one line (decoded escapes, an IIS path rebuilt from stem and
/// query), reused from line to line so that the common case allocates nothing.
///
/// A `ParsedRequest` may point into it, so its storage only moves in `reset`, at the start of a line.
final class ScratchBuffer: @unchecked Sendable {
    // @unchecked: the parser replaces a shared buffer before writing (copy on write), so no two
    // parsers ever write the same storage.
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    private(set) var used = 0

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit {
        base.deallocate()
    }

    /// Forgets the previous line's bytes and guarantees room for `minimumCapacity` bytes in total.
    func reset(minimumCapacity: Int) {
        used = 0
        if capacity < minimumCapacity {
            base.deallocate()
            capacity = max(minimumCapacity, capacity * 2)
            base = .allocate(capacity: capacity)
        }
    }

    /// Where the next bytes go.
    var cursor: UnsafeMutablePointer<UInt8> { base + used }

    /// Marks `count` bytes written at `cursor` as used and returns them.
    func commit(_ count: Int) -> UnsafeBufferPointer<UInt8> {
        precondition(used + count <= capacity, "scratch buffer overrun")
        let written = UnsafeBufferPointer(start: base + used, count: count)
        used += count
        return written
    }
}
