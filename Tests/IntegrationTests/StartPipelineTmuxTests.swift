import Foundation
import Testing

/// The launcher on a real terminal (a tmux pane) with the real tools: it lends the terminal to the
/// stage group so that logview can draw and read keys, and Ctrl-C (which then reaches the group, and
/// the launcher through the group's warden) or `q` ends everything and gives the terminal back as it
/// was.
@Suite(
    "launcher under tmux",
    .enabled(if: TmuxPane.available, "tmux is not installed: the launcher's terminal tests are skipped"),
    .serialized)
struct StartPipelineTmuxTests {
    /// The pane's command: the demo, then the launcher's status and the terminal modes it left. The
    /// pane's shell traps SIGINT, as an interactive shell ignores it, and ignores it once the launcher
    /// has ended: a second Ctrl-C that comes after the launcher took the terminal back must end
    /// neither the pane nor the commands that report the modes.
    static func command(root: String, token: String) -> String {
        "trap ':' INT; env LOGPIPE_BIN_DIR='\(LauncherHarness.binaryDirectory)' TMPDIR='\(root)' TZ=UTC LOGPIPE_STORM_TOKEN=\(token) "
            + "'\(LauncherHarness.launcherPath)' --demo 2>'\(root)/stderr'; echo \"exit=$?\"; trap '' INT; "
            + "stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo; sleep 60"
    }

    /// Runs the demo in a pane, waits for the dashboard, sends `keys`, and checks the end.
    func stop(with keys: [String], expectedStatus: Int) throws {
        let token = UUID().uuidString
        let root = NSTemporaryDirectory() + "launcher-tmux-\(token)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let pane = try TmuxPane(command: Self.command(root: root, token: token))
        let drawn = pane.waitFor(seconds: 20) { $0.first?.hasPrefix("demo (loggen)") == true }
        try #require(drawn.satisfied, "no dashboard:\n\(drawn.screen.joined(separator: "\n"))")
        for key in keys { pane.send(key) }
        let result = pane.waitFor { $0.contains { $0.contains("icanon") } }
        try #require(result.satisfied, "the launcher did not end:\n\(result.screen.joined(separator: "\n"))")
        let text = result.screen.joined(separator: "\n")
        let stderr = (try? String(contentsOfFile: root + "/stderr", encoding: .utf8)) ?? ""
        #expect(text.contains("exit=\(expectedStatus)"), "\(text)\n\(stderr)")
        // The main screen is back and the modes are those from before.
        #expect(!text.contains("top sections"))
        #expect(!text.contains("-icanon") && !text.contains("-echo "))
        let left = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter {
            $0.hasPrefix("logpipe.")
        }
        #expect(left.isEmpty)
        #expect(LauncherHarness.eventually(timeout: 2) { Self.processes(withToken: token).isEmpty })
    }

    @Test func controlCOnTheTerminalEndsEverythingWith130() throws {
        try stop(with: ["C-c"], expectedStatus: 130)
    }

    @Test func qInTheViewEndsEverythingWith0() throws {
        try stop(with: ["q"], expectedStatus: 0)
    }

    @Test func twoQuickControlCsEndEverythingWith130() throws {
        try stop(with: ["C-c", "C-c"], expectedStatus: 130)
    }

    /// Live processes whose environment holds the token.
    static func processes(withToken token: String) -> [Int32] {
        let marker = Array("LOGPIPE_STORM_TOKEN=\(token)".utf8)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/environ")
            else {
                return nil
            }
            return data.split(separator: 0).contains { Array($0) == marker } ? pid : nil
        }
    }
}
