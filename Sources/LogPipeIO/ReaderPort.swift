import Glibc

/// Accepts the readers of the headless stream's named pipe, one session each.
///
/// A thread waits in open(2) for writing, which returns when a reader opens the pipe (fifo(7)). At
/// once it puts a fresh pipe at the same path (mkfifo, then rename(2) over it), so the next reader
/// opens a pipe of its own instead of joining this one, and hands the descriptor to the launcher's
/// loop, which feeds the reader the stream from its start. (Sharing one pipe is what made a second
/// reader start in the middle of a record: it got whatever the previous feed had left in the pipe.)
/// Only two readers that open the pipe within the microseconds between the first one's arrival and
/// the rename can still end up sharing a pipe.
public final class ReaderPort: @unchecked Sendable {
    /// Readable when readers have arrived; take them with `acceptedDescriptors()`.
    public let descriptor: Int32

    private final class Waiter {
        let path: String
        let notify: Int32
        init(path: String, notify: Int32) {
            self.path = path
            self.notify = notify
        }

        func run() {
            while true {
                var reader = open(path, O_WRONLY | O_CLOEXEC)
                if reader < 0 {
                    if errno == EINTR { continue }
                    return
                }
                let next = path + ".next"
                unlink(next)
                if mkfifo(next, 0o600) == 0 { rename(next, path) }
                _ = write(notify, &reader, MemoryLayout<Int32>.size)
            }
        }
    }

    /// Starts accepting readers of the named pipe at `path` (which must exist).
    public init(path: String) {
        let ends = PipePair.make() ?? (-1, -1)
        descriptor = ends.read
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        let waiter = Waiter(path: path, notify: ends.write)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(waiter).toOpaque()
        let started = pthread_create(
            &thread, nil,
            { context in
                Unmanaged<Waiter>.fromOpaque(context!).takeUnretainedValue().run()
                return nil
            }, context)
        if started == 0 { pthread_detach(thread) }
    }

    /// The write descriptors of the readers that arrived since the last call.
    public func acceptedDescriptors() -> [Int32] {
        var result: [Int32] = []
        var value: Int32 = 0
        // Writes of 4 bytes to a pipe are atomic (pipe(7)): a read never gets half a number.
        while read(descriptor, &value, MemoryLayout<Int32>.size) == MemoryLayout<Int32>.size {
            result.append(value)
        }
        return result
    }
}
