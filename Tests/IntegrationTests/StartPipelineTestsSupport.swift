import Foundation
import LogPipeTestSupport

/// Runs the launcher (`logpipe`, and `bin/start-pipeline`, which hands over to it) and the built
/// `loggen` as processes, for the launcher and generator tests.
///
/// The launcher is tested with stand-in stages: tiny shell scripts named like the tools, found through
/// `LOGPIPE_BIN_DIR`, which record their PIDs (and the run directory's modes) in a report file so the
/// test can check that every one of them is gone afterwards.
enum LauncherHarness {
    /// The directory of the built executables.
    static var binaryDirectory: String { ToolProcess.binaryDirectory }

    /// The `logpipe` launcher of this build.
    static let launcherPath = ToolProcess.tool("logpipe")

    /// `bin/start-pipeline` of this package.
    static let scriptPath = ToolProcess.packageRoot + "/bin/start-pipeline"

    /// A finished process.
    typealias Outcome = ToolProcess.Outcome

    /// A process started by `start`.
    typealias Running = ToolProcess

    /// Starts `executable` with `arguments` and the extra `environment`, stdin from /dev/null and output
    /// to files, with the clean signal mask and dispositions a bash launcher needs to run its cleanup
    /// trap. With `ownGroup`, the process leads a new process group, so that a test can signal the
    /// whole group as a service manager or a closing terminal does.
    static func start(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], ownGroup: Bool = false
    ) throws -> Running {
        try ToolProcess(executable, arguments, environment: environment, leadsGroup: ownGroup)
    }

    /// Runs `executable` to the end (killed after `timeout` seconds, status 137).
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 30
    ) throws -> Outcome {
        try start(executable, arguments, environment: environment).finish(timeout: timeout)
    }

    /// Whether process `pid` still exists.
    static func isAlive(_ pid: Int32) -> Bool {
        ToolProcess.isAlive(pid)
    }

    /// Waits up to `timeout` seconds for `condition`; returns whether it came true.
    static func eventually(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
        Deadline.waitUntil(timeout: timeout, condition)
    }
}

/// A private scratch directory with stand-in stages, a report file and its own TMPDIR, so that the
/// launcher's run directory can be found (and shown to be gone) without looking anywhere shared.
final class LauncherSandbox {
    let root: String
    let bin: String
    let temporary: String
    let report: String

    init() throws {
        root = NSTemporaryDirectory() + "launcher-test-\(UUID().uuidString)"
        bin = root + "/bin"
        temporary = root + "/tmp"
        report = root + "/report.txt"
        for directory in [root, bin, temporary] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        _ = FileManager.default.createFile(atPath: report, contents: nil)
        // logtail: records its PID and the modes of the run directory and its pipes (its stdout is one
        // of them), then replays (--once) or follows its files.
        try script(
            "logtail",
            """
            #!/usr/bin/env bash
            echo "pid logtail $$" >> "$LOGPIPE_TEST_REPORT"
            echo "args logtail $*" >> "$LOGPIPE_TEST_REPORT"
            out=$(readlink /proc/$$/fd/1)
            stat -c 'mode %a %n' "${out%/*}" "${out%/*}"/*.fifo >> "$LOGPIPE_TEST_REPORT"
            once=false files=()
            for a in "$@"; do case $a in --once) once=true ;; --from-start) ;; *) files+=("$a") ;; esac; done
            if $once; then exec cat -- "${files[@]}"; fi
            exec tail -n +1 -f -- "${files[@]}"
            """)
        for stage in ["logagg", "logalert", "logview"] {
            try script(
                stage,
                """
                #!/bin/sh
                echo "pid \(stage) $$" >> "$LOGPIPE_TEST_REPORT"
                if [ "${STANDIN_FAIL-}" = \(stage) ]; then
                    # Fail only once logtail has started (at most 5 s), so a test sees the launcher stop
                    # a stage that was running rather than racing its start.
                    tries=0
                    while ! grep -q '^pid logtail ' "$LOGPIPE_TEST_REPORT" 2>/dev/null && [ $tries -lt 50 ]; do
                        sleep 0.1
                        tries=$((tries + 1))
                    done
                    echo "\(stage): warning: about to fail" >&2
                    echo "\(stage): error: cannot count: disk on fire" >&2
                    exit 3
                fi
                exec cat
                """)
        }
        // loggen: records its arguments and writes a line now and then.
        try script(
            "loggen",
            """
            #!/usr/bin/env bash
            echo "pid loggen $$" >> "$LOGPIPE_TEST_REPORT"
            echo "args loggen $*" >> "$LOGPIPE_TEST_REPORT"
            while :; do echo generated >> "${@: -1}"; sleep 0.2; done
            """)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The environment that points the launcher at the stand-ins and this sandbox.
    var environment: [String: String] {
        ["LOGPIPE_BIN_DIR": bin, "LOGPIPE_TEST_REPORT": report, "TMPDIR": temporary]
    }

    /// A log file in the sandbox with `lines` numbered lines.
    func log(lines: Int, name: String = "access.log") throws -> String {
        let path = root + "/" + name
        let text = (1...max(1, lines)).map { "line \($0) " + String(repeating: "x", count: 60) }.joined(separator: "\n")
        try (text + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The report's lines.
    var reportLines: [String] {
        ((try? String(contentsOfFile: report, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Arguments recorded by the stand-ins, by name (`args NAME ...` lines).
    var arguments: [String: String] {
        var result: [String: String] = [:]
        for line in reportLines where line.hasPrefix("args ") {
            let parts = line.split(separator: " ", maxSplits: 2)
            if parts.count == 3 { result[String(parts[1])] = String(parts[2]) }
        }
        return result
    }

    /// PIDs recorded so far, by name (`pid NAME PID` lines).
    var pids: [String: Int32] {
        var result: [String: Int32] = [:]
        for line in reportLines {
            let parts = line.split(separator: " ")
            if parts.count == 3, parts[0] == "pid", let pid = Int32(parts[2]) { result[String(parts[1])] = pid }
        }
        return result
    }

    /// Permission modes recorded by logtail, by file name (`mode 700 /tmp/.../logpipe.X` lines).
    var modes: [String: String] {
        var result: [String: String] = [:]
        for line in reportLines {
            let parts = line.split(separator: " ", maxSplits: 2)
            if parts.count == 3, parts[0] == "mode" { result[String(parts[2])] = String(parts[1]) }
        }
        return result
    }

    /// What is left in the sandbox's TMPDIR (run directories the launcher did not remove).
    var leftovers: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
    }

    /// PIDs of processes whose command line mentions this sandbox: the launcher, its group warden, or
    /// stand-ins; after the launcher's end there must be none.
    var processesMentioningSandbox: [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), pid != getpid(),
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
            else { return nil }
            let commandLine = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return commandLine.contains(root) ? pid : nil
        }
    }

    /// A shell snippet for `--view`/`--tap` commands that records the command's PID under `name`.
    static func record(_ name: String) -> String {
        "echo \"pid \(name) $$\" >> \"$LOGPIPE_TEST_REPORT\"; "
    }

    /// Puts this build's `logpipe` among the stand-ins, for `bin/start-pipeline`, which runs the
    /// launcher found in `LOGPIPE_BIN_DIR`.
    func linkLauncher() throws {
        try FileManager.default.createSymbolicLink(
            atPath: bin + "/logpipe", withDestinationPath: LauncherHarness.launcherPath)
    }

    /// Writes an executable script. With O_CLOEXEC, so that no process another test forks at that
    /// moment keeps it open for writing, which would make starting it fail with ETXTBSY.
    private func script(_ name: String, _ text: String) throws {
        let path = bin + "/" + name
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { close(descriptor) }
        let bytes = Array((text + "\n").utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else { throw CocoaError(.fileWriteUnknown) }
    }
}
