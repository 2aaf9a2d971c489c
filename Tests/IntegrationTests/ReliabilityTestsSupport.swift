import Foundation
import LogPipeTestSupport

/// Runs bash scripts for the reliability tests, through the test kit's harness (clean signal mask
/// and dispositions, so the script and every tool it starts see the signals a shell user's process
/// has; output to files, so a chatty script never blocks on a full pipe).
enum ReliabilityShell {
    /// A finished script.
    typealias Outcome = ToolProcess.Outcome

    /// Runs `script` with `bash -c` in `directory`, the tools' directory first on PATH, `TZ=UTC` and
    /// the kit's `wait_for` defined.
    static func run(_ script: String, in directory: String) throws -> Outcome {
        try ToolProcess.shell(script, in: directory)
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
