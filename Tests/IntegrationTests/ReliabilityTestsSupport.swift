import Foundation
import Glibc

/// Runs bash scripts for the reliability tests with an empty signal mask and default dispositions.
///
/// Swift Testing runs tests on threads that block some signals, and a blocked mask is inherited
/// across `fork` and `exec`; a tool started from such a thread would never see the SIGINT or SIGTERM
/// a test sends it. `posix_spawn` with `POSIX_SPAWN_SETSIGMASK` (empty) and `POSIX_SPAWN_SETSIGDEF`
/// gives the script, and every tool it starts, the signals a shell user's process has.
enum ReliabilityShell {
    /// A finished script.
    struct Outcome {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// Runs `script` with `bash -c` in `directory`, the tools' directory first on PATH and `TZ=UTC`.
    /// Output goes to files, so a chatty script never blocks on a full pipe.
    static func run(_ script: String, in directory: String) throws -> Outcome {
        let outputPath = directory + "/.script-\(UUID().uuidString).out"
        let errorPath = directory + "/.script-\(UUID().uuidString).err"
        defer {
            unlink(outputPath)
            unlink(errorPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let clean = CleanSpawnAttributes()

        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = "\(PipelineTools.binaryDirectory):\(environment["PATH"] ?? "/usr/bin:/bin")"
        environment["TZ"] = "UTC"
        let quoted = "'" + directory.replacingOccurrences(of: "'", with: "'\\''") + "'"
        let arguments = ["/bin/bash", "-c", "cd \(quoted) || exit 70\n\(script)"]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, "/bin/bash", &actions, &clean.attributes, argv, envp)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        // WIFEXITED/WEXITSTATUS are macros Swift does not import: a normal exit has no signal bits.
        let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Outcome(
            status: exitStatus,
            standardOutput: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
    }

    /// Runs `body` with a fresh private directory holding `sample.log`: 600 generated lines over
    /// 60 s from epoch 1700000000.
    static func withSampleDirectory<T>(_ body: (String) throws -> T) throws -> T {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let made = try run(
            "loggen --instant --start 1700000000 --duration 60 --rate 10 --seed 3 -o sample.log", in: directory)
        guard made.status == 0 else { throw POSIXError(.EIO) }
        return try body(directory)
    }
}
