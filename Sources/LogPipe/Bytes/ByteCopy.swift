/// The one copy of short byte runs on the hot paths: `JSONWriter`'s pieces, the transcoder's record
/// cursor and the Space-Saving key buffer all call it.
///
/// Most pieces are member names with their punctuation, numbers, sections and addresses, 4 to 32
/// bytes: two or four overlapping word moves beat a call to memcpy (callgrind: about 200 instructions
/// a record in the writer); a longer run goes to memcpy.
enum ByteCopy {
    /// Copies `count` bytes from `source` to `destination` (which must not overlap).
    @inline(__always)
    static func copy(_ source: UnsafePointer<UInt8>, to destination: UnsafeMutablePointer<UInt8>, count: Int) {
        let from = UnsafeRawPointer(source)
        let to = UnsafeMutableRawPointer(destination)
        if count >= 8 && count <= 16 {
            let head = from.loadUnaligned(as: UInt64.self)
            let tail = from.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
            to.storeBytes(of: head, as: UInt64.self)
            to.storeBytes(of: tail, toByteOffset: count &- 8, as: UInt64.self)
        } else if count > 16 && count <= 32 {
            // Record prefixes such as `{"type":"request","v":2,"time":` (31 bytes): four word moves.
            let first = from.loadUnaligned(as: UInt64.self)
            let second = from.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            let third = from.loadUnaligned(fromByteOffset: count &- 16, as: UInt64.self)
            let fourth = from.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
            to.storeBytes(of: first, as: UInt64.self)
            to.storeBytes(of: second, toByteOffset: 8, as: UInt64.self)
            to.storeBytes(of: third, toByteOffset: count &- 16, as: UInt64.self)
            to.storeBytes(of: fourth, toByteOffset: count &- 8, as: UInt64.self)
        } else if count >= 4 && count < 8 {
            let head = from.loadUnaligned(as: UInt32.self)
            let tail = from.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)
            to.storeBytes(of: head, as: UInt32.self)
            to.storeBytes(of: tail, toByteOffset: count &- 4, as: UInt32.self)
        } else if count > 0 && count < 4 {
            // One to three bytes: the first, the middle and the last cover them.
            destination[0] = source[0]
            destination[count >> 1] = source[count >> 1]
            destination[count &- 1] = source[count &- 1]
        } else if count > 32 {
            destination.update(from: source, count: count)
        }
    }
}
