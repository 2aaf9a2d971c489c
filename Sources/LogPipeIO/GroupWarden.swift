import Glibc

/// The leader of the stage group: a small process (the launcher's own executable, started with
/// `--group-warden`) that the launcher starts first, in a new process group that every stage then
/// joins. It has three jobs:
///
/// - **A group that exists from the start.** A process can only join a group whose leader or a
///   member is alive; with the warden leading, no stage's start races another's end.
/// - **Signals sent to the group reach the launcher.** When the terminal is handed to the stages,
///   Ctrl-C sends SIGINT to the stage group, not to the launcher. The warden blocks SIGINT, SIGTERM
///   and SIGHUP, takes them with sigwaitinfo(2) and writes each one's number to the launcher through
///   its stdout, except those the launcher sent itself (`si_pid`).
/// - **A watchdog.** Its stdin is the read end of a pipe only the launcher holds: when it ends
///   without the launcher having killed the group (the launcher was killed with SIGKILL), it sends
///   SIGTERM to the group, waits up to 2 s for the members to end, removes the run directory (unless
///   kept) and kills whatever is left, itself included.
public enum GroupWarden {
    /// The first argument that starts the launcher's executable as the warden.
    public static let argument = "--group-warden"

    /// How long the watchdog waits for the stages after SIGTERM, in milliseconds.
    static let graceMilliseconds: Int64 = 2000

    /// Runs the warden; never returns.
    /// - Parameters:
    ///   - runDirectory: the run directory to remove when the launcher is gone.
    ///   - keep: whether to keep it instead (`--keep-run-dir`).
    public static func run(runDirectory: String, keep: Bool) -> Never {
        let launcher = getppid()
        var mask = sigset_t()
        sigemptyset(&mask)
        // SIGTSTP too: a warden stopped by Ctrl-Z could no longer pass on the Ctrl-C that follows.
        for number in [SIGINT, SIGTERM, SIGHUP, SIGTSTP] { sigaddset(&mask, number) }
        pthread_sigmask(SIG_BLOCK, &mask, nil)
        SignalWatcher.ignoreBrokenPipe()
        startReporting(mask: mask, launcher: launcher)
        var byte: UInt8 = 0
        while true {
            let count = read(STDIN_FILENO, &byte, 1)
            if count == 0 || (count < 0 && errno != EINTR) { break }
        }
        // The launcher is gone and did not end the group: stop the stages, clean up, then end all.
        let group = getpgrp()
        kill(-group, SIGTERM)
        kill(-group, SIGCONT)
        let deadline = FollowClock.milliseconds() + graceMilliseconds
        while ProcessGroup.hasMembers(group, besides: getpid()) && FollowClock.milliseconds() < deadline {
            usleep(20_000)
        }
        if !keep { RunDirectory.remove(runDirectory) }
        kill(-group, SIGKILL)
        exit(0)
    }

    /// Starts the thread that reports signals from anyone but the launcher on stdout.
    private static func startReporting(mask: sigset_t, launcher: pid_t) {
        final class Context {
            var mask: sigset_t
            let launcher: pid_t
            init(mask: sigset_t, launcher: pid_t) {
                self.mask = mask
                self.launcher = launcher
            }
        }
        var thread = pthread_t()
        let context = Unmanaged.passRetained(Context(mask: mask, launcher: launcher)).toOpaque()
        let started = pthread_create(
            &thread, nil,
            { raw in
                let context = Unmanaged<Context>.fromOpaque(raw!).takeUnretainedValue()
                while true {
                    var info = siginfo_t()
                    let number = sigwaitinfo(&context.mask, &info)
                    guard number > 0 else { continue }
                    if info._sifields._kill.si_pid == context.launcher { continue }
                    var byte = UInt8(truncatingIfNeeded: number)
                    _ = write(STDOUT_FILENO, &byte, 1)
                }
            }, context)
        if started == 0 { pthread_detach(thread) }
    }
}

/// Process groups as /proc shows them (proc(5)).
public enum ProcessGroup {
    /// Whether a live process (not a zombie) other than `excluded` belongs to `group`.
    public static func hasMembers(_ group: pid_t, besides excluded: pid_t) -> Bool {
        for name in RunDirectory.entries(of: "/proc") {
            guard let pid = pid_t(name), pid != excluded, let stat = statFields(pid) else { continue }
            if stat.group == group && stat.state != "Z" { return true }
        }
        return false
    }

    /// The state and process group of `pid` (fields 3 and 5 of /proc/PID/stat), read after the
    /// command's closing parenthesis, since the command itself may hold spaces and parentheses.
    static func statFields(_ pid: pid_t) -> (state: Character, group: pid_t)? {
        let descriptor = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = read(descriptor, &buffer, buffer.count)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 2, let state = fields[0].first, let group = pid_t(fields[2]) else { return nil }
        return (state, group)
    }
}
