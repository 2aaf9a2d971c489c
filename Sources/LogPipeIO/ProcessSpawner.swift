import Glibc
import LogPipe

/// Starts a supervised process with posix_spawn(3): given descriptors as its stdin, stdout and
/// stderr, in a given process group, with an empty signal mask and every signal's default action.
///
/// The launcher blocks the signals it waits for (`SignalWatcher`) and ignores SIGPIPE; a child
/// inherits both across execve(2) unless they are reset here, and a stage that never saw SIGTERM
/// could not be stopped. Every other descriptor of the launcher is close-on-exec.
public enum ProcessSpawner {
    /// Why a process could not be started.
    public struct SpawnError: Error, CustomStringConvertible {
        /// The program.
        public var program: String
        /// The error number posix_spawn returned.
        public var code: Int32

        public var description: String { "\(program): \(String(cString: strerror(code)))" }
    }

    /// Starts `command` (`command[0]` is an absolute path, or a name looked up on `PATH` of
    /// `environment`).
    /// - Parameters:
    ///   - command: the program and its arguments.
    ///   - environment: `NAME=value` strings.
    ///   - input, output, error: the descriptors that become its 0, 1 and 2.
    ///   - group: the process group to join, or 0 to lead a new one (setpgid(2)).
    /// - Returns: the new process's PID.
    /// - Throws: `SpawnError` when the program cannot be found or started.
    public static func spawn(
        _ command: [String], environment: [String], input: Int32, output: Int32, error: Int32, group: pid_t
    ) throws(SpawnError) -> pid_t {
        let program = resolve(command[0], environment: environment)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (descriptor, target) in [(input, Int32(0)), (output, 1), (error, 2)] {
            posix_spawn_file_actions_adddup2(&actions, descriptor, target)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, group)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        let argv = command.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        var result = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
        // ETXTBSY: the program is still open for writing somewhere (being rebuilt or written, or a
        // descriptor another process's fork holds until its exec). That passes: retry for up to
        // about a second and a quarter.
        var pause: UInt32 = 5000
        while result == ETXTBSY && pause <= 640_000 {
            usleep(pause)
            pause *= 2
            result = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
        }
        guard result == 0 else { throw SpawnError(program: command[0], code: result) }
        return pid
    }

    /// `name` itself when it holds a `/`, else the first executable `name` in `PATH`.
    static func resolve(_ name: String, environment: [String]) -> String {
        guard !name.contains("/") else { return name }
        let path = environment.first { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) } ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return name
    }

    /// The environment of this process, as `NAME=value` strings.
    public static func currentEnvironment() -> [String] {
        var result: [String] = []
        var entry = environ
        while let pointer = entry.pointee {
            result.append(String(cString: pointer))
            entry += 1
        }
        return result
    }

    /// Marks every open descriptor from 3 up close-on-exec, so that none the launcher inherited
    /// reaches a stage (a stage holding a pipe's write end would keep its reader from ever seeing
    /// the end).
    public static func closeInheritedDescriptorsOnExec() {
        // The listing's own descriptor is closed by the time the loop runs.
        for name in RunDirectory.entries(of: "/proc/self/fd") {
            guard let descriptor = Int32(name), descriptor > 2 else { continue }
            _ = fcntl(descriptor, F_SETFD, fcntl(descriptor, F_GETFD) | FD_CLOEXEC)
        }
    }

    /// How a process reaped by `waitpid(2)` ended, from its raw status.
    public static func end(fromWaitStatus raw: Int32) -> ProcessEnd {
        // wait(2): the low 7 bits are the terminating signal, or 0 and the exit status above them.
        let signal = raw & 0x7F
        return signal == 0 ? .exited((raw >> 8) & 0xFF) : .signalled(signal)
    }
}
