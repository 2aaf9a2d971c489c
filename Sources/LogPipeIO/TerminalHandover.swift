import Glibc

/// Lends the terminal to the stage group while the view runs, as a shell does for a job.
///
/// logview reads keys from /dev/tty and switches the terminal's modes, which only the terminal's
/// foreground process group may do (a background one is stopped by SIGTTIN or SIGTTOU). So when the
/// launcher is in the foreground, it makes the stage group the foreground group (tcsetpgrp(3)), and
/// at the end takes the terminal back and restores the modes saved at the start (whatever happened
/// to the view). Ctrl-C then goes to the stage group; its leader, the `GroupWarden`, passes it on to
/// the launcher. SIGTTOU must be blocked in the launcher, which takes the terminal back from the
/// background.
public final class TerminalHandover {
    private let descriptor: Int32
    private let ownGroup: pid_t
    private var saved: termios

    private init(descriptor: Int32, saved: termios) {
        self.descriptor = descriptor
        self.saved = saved
        ownGroup = getpgrp()
    }

    /// The terminal on stdin, stdout or stderr, when this process's group is its foreground group;
    /// nil otherwise (no terminal, or the launcher runs in the background).
    public static func forForegroundJob() -> TerminalHandover? {
        for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where isatty(descriptor) == 1 {
            guard tcgetpgrp(descriptor) == getpgrp() else { return nil }
            var settings = termios()
            guard tcgetattr(descriptor, &settings) == 0 else { return nil }
            return TerminalHandover(descriptor: descriptor, saved: settings)
        }
        return nil
    }

    /// Makes `group` the terminal's foreground process group.
    public func lend(to group: pid_t) {
        _ = tcsetpgrp(descriptor, group)
    }

    /// Makes the launcher's group the foreground group again and restores the saved modes.
    public func takeBack() {
        _ = tcsetpgrp(descriptor, ownGroup)
        _ = tcsetattr(descriptor, TCSANOW, &saved)
    }
}
