import Glibc
import LogPipe

/// One open regular file a `FileFollower` reads: its descriptor, read offset, line splitter, line
/// count and `ContentMark` (its first bytes and the bytes before the offset, to see a truncation that
/// the size hides). The descriptor is closed when the object goes away.
final class FollowedFile {
    /// What one read pass did.
    struct ReadResult {
        /// Bytes read in this pass.
        var bytes = 0
        /// True when `read(2)` returned fewer bytes than asked for, or 0: the file is read to its
        /// end as it was then (a regular file gives short reads only there).
        var atEnd = false
        /// The `errno` of a failed `read(2)`.
        var failure: Int32?
    }

    private(set) var descriptor: Int32
    /// Bytes of the file consumed so far: where the next `read(2)` starts.
    private(set) var offset: Int64
    /// Lines handed out so far: the number of the last one.
    private(set) var lineNumber: Int64 = 0
    /// Monotonic milliseconds when this file was retired or last grew after that.
    var lastGrowth: Int64 = 0
    private var splitter: LineSplitter
    /// The bytes read at the file's start and just before `offset`, kept up to date by `read`.
    private var mark = ContentMark()
    /// True when reading started in the middle of a line (at the end of a file whose last line was
    /// unfinished): that line's remainder is not a whole line and is dropped.
    private var skippingFirstLine: Bool

    /// Takes over `descriptor`, positioned at `offset`.
    init(descriptor: Int32, offset: Int64, maximumLineLength: Int, startsMidLine: Bool = false) {
        self.descriptor = descriptor
        self.offset = offset
        // A smaller buffer than a one-shot read's: many files may be followed at once, each for weeks.
        splitter = LineSplitter(maximumLineLength: maximumLineLength, bufferSize: 256 * 1024)
        skippingFirstLine = startsMidLine
        if offset > 0 { markExistingBytes() }
    }

    deinit {
        Glibc.close(descriptor)
    }

    /// `fstat(2)` of the open file, or the `errno` of its failure.
    func snapshot() -> Result<FileSnapshot, FollowFileError> {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return .failure(FollowFileError(errno: errno)) }
        return .success(
            FileSnapshot(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size)))
    }

    /// Reads until the end of the file or until about `budget` bytes were read, handing out each
    /// complete line with its number.
    func read<E: Error>(budget: Int, lines body: (LineSplitter.Line, Int64) throws(E) -> Void) throws(E) -> ReadResult {
        var result = ReadResult()
        let descriptor = self.descriptor
        var number = lineNumber
        var skipping = skippingFirstLine
        defer {
            lineNumber = number
            skippingFirstLine = skipping
            offset += Int64(result.bytes)
        }
        while result.bytes < budget {
            let position = offset + Int64(result.bytes)
            var asked = 0
            // One copy of at most the mark's capacity per read(2), none per line.
            let read = { (space: UnsafeMutableBufferPointer<UInt8>) throws(E) -> Int in
                asked = space.count
                let count = Glibc.read(descriptor, space.baseAddress, space.count)
                if count > 0 { self.mark.record(UnsafeBufferPointer(rebasing: space[0..<count]), at: position) }
                return count
            }
            let count = try splitter.fill(read) { (line: LineSplitter.Line) throws(E) in
                if skipping {
                    skipping = false
                    return
                }
                number += 1
                try body(line, number)
            }
            if count > 0 {
                result.bytes += count
                // A short read of a regular file is its end: asking again would only return 0, and
                // would read from the old offset were the file truncated and regrown in between.
                if count < asked {
                    result.atEnd = true
                    break
                }
            } else if count == 0 {
                result.atEnd = true
                break
            } else if errno != EINTR {
                result.failure = errno
                break
            }
        }
        return result
    }

    /// Hands out an unfinished last line, for a file that will not be read any more.
    func finish<E: Error>(lines body: (LineSplitter.Line, Int64) throws(E) -> Void) throws(E) {
        var failure: E?
        var number = lineNumber
        let skipping = skippingFirstLine
        splitter.finish { line in
            guard !skipping else { return }
            number += 1
            do throws(E) { try body(line, number) } catch { failure = error }
        }
        lineNumber = number
        if let failure { throw failure }
    }

    /// Whether the file still holds the bytes read from it at its start and just before the offset:
    /// two `pread(2)`s of at most the mark's capacity, made once per look, never per line.
    func checkContent() -> ContentObservation {
        let descriptor = self.descriptor
        return mark.compare { space, at in pread(descriptor, space.baseAddress, space.count, off_t(at)) }
    }

    /// Starts again at offset 0 after a truncation: restarts the count and forgets the bytes read.
    /// A partial line must have been handed out first (`finish`), or it is dropped.
    func restart() {
        _ = lseek(descriptor, 0, SEEK_SET)
        offset = 0
        lineNumber = 0
        skippingFirstLine = false
        splitter.reset()
        mark.reset()
    }

    /// Marks the bytes before a start offset above 0 (a follow that starts at the end), read with
    /// `pread(2)`: the file's start and the bytes before the offset.
    private func markExistingBytes() {
        let descriptor = self.descriptor
        var bytes = [UInt8](repeating: 0, count: mark.capacity)
        for start in [0, max(0, offset - Int64(bytes.count))] {
            let wanted = Int(min(Int64(bytes.count), offset - start))
            let count = bytes.withUnsafeMutableBufferPointer { pread(descriptor, $0.baseAddress, wanted, off_t(start)) }
            guard count > 0 else { continue }
            bytes.withUnsafeBufferPointer { mark.record(UnsafeBufferPointer(rebasing: $0[0..<count]), at: start) }
        }
    }

    /// Swaps in a new descriptor on the same file (SIGHUP), positioned at the current offset.
    func replaceDescriptor(with newDescriptor: Int32) {
        _ = lseek(newDescriptor, off_t(offset), SEEK_SET)
        Glibc.close(descriptor)
        descriptor = newDescriptor
    }
}

/// A failed system call on a followed file.
public struct FollowFileError: Error, Equatable, CustomStringConvertible {
    /// The error number.
    public var errno: Int32

    /// The system's text for the error (`No such file or directory`).
    public var description: String { String(cString: strerror(errno)) }
}
