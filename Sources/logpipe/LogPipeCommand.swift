import Glibc
import LogPipe
import LogPipeIO

/// logpipe: runs logtail -> logagg -> logalert -> logview wired by named pipes in a private run
/// directory, and supervises them (`bin/start-pipeline` builds the tools, then hands over to it).
@main
enum LogPipeCommand {
    static func main() {
        let raw = CommandLine.arguments
        if raw.count == 4 && raw[1] == GroupWarden.argument {
            GroupWarden.run(runDirectory: raw[2], keep: raw[3] == "keep")
        }
        // First, before any other thread or child exists: no signal can be lost from here on.
        let signals = SignalWatcher([SIGINT, SIGTERM, SIGHUP, SIGCHLD])
        // Blocked, not handled: the launcher takes the terminal back from the background at the end.
        var background = sigset_t()
        sigemptyset(&background)
        sigaddset(&background, SIGTTOU)
        pthread_sigmask(SIG_BLOCK, &background, nil)
        SignalWatcher.ignoreBrokenPipe()
        ProcessSpawner.closeInheritedDescriptorsOnExec()

        let program = raw.first.map { String($0.split(separator: "/").last ?? "logpipe") } ?? "logpipe"
        let spec = LauncherOptions.spec(name: program)
        var options: LauncherOptions
        do throws(UsageError) {
            options = try LauncherOptions(ToolLauncher.arguments(for: spec))
        } catch {
            ToolLauncher.usageFailure(error, spec: spec)
        }
        // The core cannot look at the file system: a directory given as --textfile is refused here,
        // before anything starts, by logalert's own check.
        if let index = options.alertArguments.firstIndex(of: "--textfile"), index + 1 < options.alertArguments.count {
            do throws(UsageError) {
                _ = try TextfilePublisher.validatedPath(options.alertArguments[index + 1])
            } catch {
                ToolLauncher.usageFailure(error, spec: spec)
            }
        }
        let diagnostics = Diagnostics(tool: program)
        guard let streamCopyLimit = StreamCopyRotation.limit(fromEnvironment: environment("LOGPIPE_STREAM_COPY_LIMIT"))
        else {
            ToolLauncher.usageFailure(
                UsageError("LOGPIPE_STREAM_COPY_LIMIT must be a whole number of bytes of at least 1"), spec: spec)
        }
        options.resolveHistory(
            defaultFile: HistoryLocation.defaultFile(
                stateDirectory: environment("STATE_DIRECTORY"), xdgStateHome: environment("XDG_STATE_HOME"),
                home: environment("HOME"), isRoot: geteuid() == 0))
        let executable = ownExecutable()
        let tools =
            environment("LOGPIPE_BIN_DIR").flatMap { $0.isEmpty ? nil : $0 }
            ?? String(
                executable.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/"))

        umask(0o077)
        let runDirectory: RunDirectory
        do throws(RunDirectory.Failure) {
            runDirectory = try RunDirectory(in: environment("TMPDIR").flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp")
        } catch {
            diagnostics.error("\(error)")
            exit(ExitStatus.failure.rawValue)
        }
        let plan = LaunchPlan(options: options, tools: tools, runDirectory: runDirectory.path)
        for tool in plan.tools where access(tool, X_OK) != 0 {
            RunDirectory.remove(runDirectory.path)
            diagnostics.error("no executable \(tool); build first or fix LOGPIPE_BIN_DIR")
            exit(ExitStatus.failure.rawValue)
        }
        // The tools' directory first on PATH, for --view and --tap commands.
        var childEnvironment = ProcessSpawner.currentEnvironment().filter { !$0.hasPrefix("PATH=") }
        childEnvironment.append("PATH=\(tools):\(environment("PATH") ?? "/usr/local/bin:/usr/bin:/bin")")
        var setup = Supervisor.Setup(
            program: program, plan: plan, runDirectory: runDirectory, keepRunDirectory: options.keepRunDirectory,
            environment: childEnvironment, wardenExecutable: executable)
        setup.echoesAlerts = options.headless
        setup.streamCopyLimit = streamCopyLimit
        exit(Supervisor(setup, signals: signals).run())
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// The path of this program (/proc/self/exe), to start it again as the group warden.
    private static func ownExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
