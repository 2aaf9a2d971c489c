import Glibc
import LogPipe

/// The part of every tool's `main` that is the same: parse the command line against the tool's
/// `CommandSpec`, answer `--help` and `--version`, and turn a usage error into exit status 64.
public enum ToolLauncher {
    /// The version every tool reports (`LogPipeRelease.version`, the one place it is written).
    public static let version = LogPipeRelease.version

    /// Parses the process's arguments; returns them when the tool should run, or exits.
    public static func arguments(for spec: CommandSpec) -> ParsedArguments {
        do {
            switch try CommandLineParser.parse(Array(CommandLine.arguments.dropFirst()), spec: spec) {
            case .run(let arguments):
                return arguments
            case .help(let text):
                StandardStreams.write(text, to: STDOUT_FILENO)
                exit(ExitStatus.success.rawValue)
            case .version:
                StandardStreams.write(
                    "\(spec.name) \(version) (protocol v\(WireProtocol.version))\n", to: STDOUT_FILENO)
                exit(ExitStatus.success.rawValue)
            }
        } catch {
            usageFailure(error, spec: spec)
        }
    }

    /// Prints a usage error and exits with status 64.
    public static func usageFailure(_ error: UsageError, spec: CommandSpec) -> Never {
        StandardStreams.write(spec.usageErrorText(error), to: STDERR_FILENO)
        exit(ExitStatus.usage.rawValue)
    }
}
