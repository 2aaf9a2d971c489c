import Glibc

/// posix_spawn(3) attributes that give a child an empty signal mask and every signal's default
/// disposition. Swift Testing runs tests on threads that block most signals, and a child inherits
/// that mask (and any ignored dispositions) across execve(2): without these, a spawned tool would
/// never see SIGINT, SIGTERM, SIGHUP or SIGWINCH. Foundation's `Process` does not reset them.
public final class CleanSpawnAttributes {
    /// Pass `&clean.attributes` to posix_spawn or posix_spawnp.
    public var attributes = posix_spawnattr_t()

    public init() {
        posix_spawnattr_init(&attributes)
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    }

    deinit {
        posix_spawnattr_destroy(&attributes)
    }
}
