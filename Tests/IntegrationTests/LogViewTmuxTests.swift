import Foundation
import Testing

/// A private tmux server (its own socket, no user configuration) running one command in an 80×24
/// pane, whose screen the tests read back as text.
final class TmuxPane {
    static let available =
        FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")
        || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/tmux")
    private let socket = "logview-test-\(getpid())-\(UUID().uuidString.prefix(8))"

    init(command: String, columns: Int = 80, rows: Int = 24) throws {
        let status = tmux(
            ["-f", "/dev/null", "new-session", "-d", "-x", "\(columns)", "-y", "\(rows)", "-s", "view", command],
            capture: false
        ).status
        try #require(status == 0, "tmux new-session failed")
    }

    deinit {
        _ = tmux(["kill-server"])
        unlink("/tmp/tmux-\(getuid())/\(socket)")
    }

    /// The visible screen, one string per row, lines wrapped by the terminal joined again.
    /// - Parameter joined: whether to join lines the terminal wrapped (for long plain output); the
    ///   rows as drawn otherwise.
    func screen(joined: Bool = true) -> [String] {
        tmux(["capture-pane", "-p"] + (joined ? ["-J"] : []) + ["-t", "view"]).output
            .split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
    }

    func send(_ keys: String...) {
        _ = tmux(["send-keys", "-t", "view"] + keys)
    }

    func resize(columns: Int, rows: Int) {
        _ = tmux(["resize-window", "-t", "view", "-x", "\(columns)", "-y", "\(rows)"])
    }

    /// Polls the screen until `condition` holds (at most `seconds`); returns the last screen seen.
    @discardableResult
    func waitFor(seconds: Double = 10, _ condition: ([String]) -> Bool) -> (satisfied: Bool, screen: [String]) {
        let deadline = Date().addingTimeInterval(seconds)
        var last = screen()
        while !condition(last) {
            if Date() > deadline { return (false, last) }
            usleep(50_000)
            last = screen()
        }
        return (true, last)
    }

    /// Runs one tmux command with posix_spawn(3) and waitpid(2), its output going to a temporary file.
    /// Neither a pipe nor Foundation's `Process` is used: the server that `new-session` forks would
    /// inherit a pipe and keep it open, and `Process` was seen never to notice the client's exit.
    @discardableResult
    private func tmux(_ arguments: [String], capture: Bool = true) -> (status: Int32, output: String) {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-\(UUID().uuidString)").path
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(
            &actions, 1, capture ? outputPath : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = (["tmux", "-L", socket] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let clean = CleanSpawnAttributes()
        var pid = pid_t()
        guard posix_spawnp(&pid, "tmux", &actions, &clean.attributes, argv, environ) == 0 else { return (-1, "") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = capture ? ((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "") : ""
        return ((status >> 8) & 0xFF, output)
    }
}

/// A named pipe that the test writes the stream into and logview reads as its stdin.
final class StreamFIFO {
    let path: String
    private var descriptor: Int32

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "logview-tmux-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("stream").path
        try #require(mkfifo(path, 0o600) == 0)
        // Read-write, so opening does not wait for the reader and the reader sees no early end of input.
        // Close-on-exec, or the tmux server spawned later would inherit it and keep the pipe open.
        descriptor = open(path, O_RDWR | O_CLOEXEC)
        try #require(descriptor >= 0)
    }

    func write(_ data: Data) {
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// Closes the writing end: logview sees the end of input.
    func close() {
        if descriptor >= 0 { _ = Foundation.close(descriptor) }
        descriptor = -1
    }

    deinit {
        close()
        try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }
}

@Suite(
    "logview under tmux",
    .enabled(if: TmuxPane.available, "tmux is not installed: the full-screen terminal tests are skipped"),
    .enabled(if: LogViewProcess.binary != nil, "logview is not built next to the test executable"),
    .serialized)
struct LogViewTmuxTests {
    static func command(fifo: String) -> String {
        let binary = LogViewProcess.binary ?? "logview"
        // After logview: its status and the terminal modes it left behind, for the test to read.
        return "env TZ=UTC '\(binary)' --title tmux-test --no-bell < '\(fifo)'; echo \"exit=$?\"; "
            + "stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo; sleep 60"
    }

    /// logview started in the background of a non-interactive shell, as a shell script would start it
    /// (SIGINT ignored on entry, same process group as the shell), its PID written next to the FIFO.
    static func backgroundCommand(fifo: String) -> String {
        let binary = LogViewProcess.binary ?? "logview"
        return "env TZ=UTC '\(binary)' --title tmux-test --no-bell < '\(fifo)' & echo $! > '\(fifo).pid'; wait $!; "
            + "echo \"exit=$?\"; stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo; sleep 60"
    }

    static var stream: Data {
        get throws { try Data(contentsOf: LogViewProcess.fixtures.appendingPathComponent("stream.ndjson")) }
    }

    @Test("the dashboard fills the screen, follows Tab, p and a resize, and q restores the terminal")
    func drawsAndQuits() throws {
        let fifo = try StreamFIFO()
        let pane = try TmuxPane(command: Self.command(fifo: fifo.path))
        fifo.write(try Self.stream)

        var result = pane.waitFor { $0.joined(separator: "\n").contains("alert history 2 entries") }
        try #require(result.satisfied, "no dashboard:\n\(result.screen.joined(separator: "\n"))")
        #expect(result.screen[0].hasPrefix("tmux-test"))
        #expect(result.screen[0].contains("OK  2m avg 3.0 req/s < 10"))
        #expect(result.screen.contains { $0.contains("High traffic alert recovered - hits = 1183") })
        #expect(result.screen.prefix(24).allSatisfy { $0.count <= 80 })

        pane.send("Tab")
        result = pane.waitFor { $0.contains { $0.contains("top clients") } }
        #expect(result.satisfied, "Tab did not switch to clients")
        pane.send("p")
        result = pane.waitFor { $0.contains { $0.contains("PAUSED") } }
        #expect(result.satisfied, "p did not pause")
        pane.send("p")

        pane.resize(columns: 60, rows: 16)
        result = pane.waitFor { $0.first?.contains("OK 3.0<10") == true }
        #expect(result.satisfied, "no relayout after the resize:\n\(result.screen.joined(separator: "\n"))")
        // Rows as drawn: tmux keeps the wrap marks of its reflow, so joined rows could exceed 60.
        #expect(pane.screen(joined: false).prefix(16).allSatisfy { $0.count <= 60 })
        #expect(result.screen.contains { $0.contains("alert history") })

        pane.send("q")
        result = pane.waitFor { $0.contains { $0.contains("icanon") } }
        try #require(result.satisfied, "logview did not quit on q")
        let text = result.screen.joined(separator: "\n")
        #expect(text.contains("exit=0"))
        // The main screen is back (no dashboard) and the line discipline is as before.
        #expect(!text.contains("alert history"))
        #expect(text.contains("icanon echo") || text.contains("echo icanon"))
        #expect(!text.contains("-icanon") && !text.contains("-echo "))
    }

    @Test("at the end of input the terminal is restored and the last interval and every alert are printed")
    func printsSummaryAtEndOfInput() throws {
        let fifo = try StreamFIFO()
        let pane = try TmuxPane(command: Self.command(fifo: fifo.path))
        fifo.write(try Self.stream)
        let drawn = pane.waitFor { $0.joined(separator: "\n").contains("alert history 2 entries") }
        try #require(drawn.satisfied)
        fifo.close()
        let result = pane.waitFor { $0.contains { $0.contains("icanon") } }
        try #require(result.satisfied, "logview did not exit at the end of input")
        let text = result.screen.joined(separator: "\n")
        #expect(text.contains("logview: end of input"))
        #expect(text.contains("interval 2026-11-18T11:12:00+00:00 10s hits=31"))
        #expect(text.contains("alert history: 2 entries"))
        #expect(text.contains("High traffic generated an alert - hits = 1218, triggered at 2026-11-18T11:08:36+00:00"))
        #expect(text.contains("exit=0"))
        #expect(!text.contains("-icanon"))
    }

    @Test("Ctrl-C restores the terminal and exits with status 0")
    func quitsOnControlC() throws {
        let fifo = try StreamFIFO()
        let pane = try TmuxPane(command: Self.command(fifo: fifo.path))
        fifo.write(try Self.stream)
        let drawn = pane.waitFor { $0.joined(separator: "\n").contains("alert history 2 entries") }
        try #require(drawn.satisfied)
        pane.send("C-c")
        let result = pane.waitFor { $0.contains { $0.contains("icanon") } }
        try #require(result.satisfied, "logview did not stop on Ctrl-C")
        let text = result.screen.joined(separator: "\n")
        #expect(text.contains("exit=0"))
        #expect(!text.contains("alert history"))
        #expect(!text.contains("-icanon") && !text.contains("-echo "))
    }

    @Test("SIGTERM to logview in the background of a script restores the terminal")
    func stopsOnTerminate() throws {
        let fifo = try StreamFIFO()
        let pane = try TmuxPane(command: Self.backgroundCommand(fifo: fifo.path))
        fifo.write(try Self.stream)
        let drawn = pane.waitFor { $0.joined(separator: "\n").contains("alert history 2 entries") }
        try #require(drawn.satisfied, "no dashboard:\n\(drawn.screen.joined(separator: "\n"))")
        let pidText = try String(contentsOfFile: fifo.path + ".pid", encoding: .utf8)
        let pid = try #require(pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, SIGTERM) == 0)
        let result = pane.waitFor { $0.contains { $0.contains("icanon") } }
        try #require(result.satisfied, "logview did not stop on SIGTERM")
        let text = result.screen.joined(separator: "\n")
        #expect(text.contains("exit=0"))
        #expect(!text.contains("alert history"))
        #expect(!text.contains("-icanon") && !text.contains("-echo "))
    }
}

/// Problems the stages notice reach the screen (issue 12): the whole pipeline runs in a pane.
@Suite(
    "The view shows what the stages warn about",
    .enabled(if: TmuxPane.available, "tmux is not installed: the full-screen terminal tests are skipped"),
    .serialized)
struct ViewShowsProblemsTests {
    private static func pipeline(_ tail: String, in directory: String) -> String {
        let bin = PipelineTools.binaryDirectory
        return "cd '\(directory)' && '\(bin)/logtail' \(tail) 2>/dev/null | '\(bin)/logagg' 2>/dev/null "
            + "| '\(bin)/logalert' 2>/dev/null | env TZ=UTC '\(bin)/logview' --title problems --no-bell; sleep 60"
    }

    @Test("a missing log file turns the badge to NO INPUT and says why; it clears when the file appears")
    func aMissingFileIsShown() throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pane = try TmuxPane(command: Self.pipeline("missing.log", in: directory), columns: 100, rows: 30)
        var result = pane.waitFor(seconds: 20) { screen in
            screen.first?.contains("NO INPUT") == true && screen.contains { $0.contains("missing.log: does not exist") }
        }
        #expect(result.satisfied, "\(result.screen.joined(separator: "\n"))")
        _ = FileManager.default.createFile(atPath: directory + "/missing.log", contents: Data())
        result = pane.waitFor(seconds: 20) { screen in
            screen.first?.contains("NO INPUT") == false && screen.contains { $0.contains("now readable") }
        }
        #expect(result.satisfied, "\(result.screen.joined(separator: "\n"))")
        pane.send("q")
    }

    @Test("a file whose lines are not access-log lines is called out, not shown as a quiet site")
    func anAllInvalidFileIsShown() throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lines = (1...8).map { #"{"level":"info","msg":"json log line \#($0)"}"# }.joined(separator: "\n") + "\n"
        _ = FileManager.default.createFile(atPath: directory + "/app.log", contents: Data(lines.utf8))
        let pane = try TmuxPane(command: Self.pipeline("--from-start app.log", in: directory), columns: 100, rows: 30)
        let result = pane.waitFor(seconds: 20) { screen in
            screen.contains { $0.contains("app.log: not an access log?") }
        }
        #expect(result.satisfied, "\(result.screen.joined(separator: "\n"))")
        pane.send("q")
    }
}
