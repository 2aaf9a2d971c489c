import Foundation
import LogPipe
import LogPipeTestSupport
import Testing

/// `bin/install` with this build's binaries (`--from`, no release build): into a temporary prefix,
/// the installed tools run from another folder with nothing but the prefix and the system on PATH,
/// then `--uninstall` leaves the prefix as it was.
@Suite("bin/install")
struct InstallTests {
    static let tools = [
        "logpipe", "logtail", "logagg", "logalert", "logview", "loggen", "logmerge", "logship", "logrecv",
    ]
    static let script = ToolProcess.packageRoot + "/bin/install"

    /// A scratch folder with a prefix beside a folder to run the installed tools from.
    final class Scratch {
        let root: String
        var prefix: String { root + "/prefix" }
        var elsewhere: String { root + "/elsewhere" }

        init() throws {
            root = try ToolProcess.temporaryDirectory(prefix: "logpipe-install")
            try FileManager.default.createDirectory(atPath: root + "/elsewhere", withIntermediateDirectories: false)
        }

        deinit { try? FileManager.default.removeItem(atPath: root) }

        /// Every file and folder under the prefix with its mode and size, to compare before and after.
        var tree: [String: String] {
            var entries: [String: String] = [:]
            guard let walker = FileManager.default.enumerator(atPath: prefix) else { return entries }
            for case let path as String in walker {
                let attributes = (try? FileManager.default.attributesOfItem(atPath: prefix + "/" + path)) ?? [:]
                let mode = (attributes[.posixPermissions] as? Int).map { String($0, radix: 8) } ?? "?"
                let size =
                    attributes[.type] as? FileAttributeType == .typeDirectory ? "dir" : "\(attributes[.size] ?? "?")"
                entries[path] = "\(mode) \(size)"
            }
            return entries
        }

        /// Runs `bin/install` with `arguments`, the built tools given with `--from` unless told.
        func install(_ arguments: [String], from: String? = ToolProcess.binaryDirectory) throws -> ToolProcess.Outcome {
            try ToolProcess.run(
                InstallTests.script, arguments + (from.map { ["--from", $0] } ?? []),
                environment: ["LOGPIPE_BIN_DIR": nil], timeout: 120)
        }

        /// Runs `script` with bash in the folder `elsewhere`, PATH the prefix's bin and the system's
        /// only, so that every tool it names is an installed one.
        func runInstalled(_ script: String, timeout: Double = 60) throws -> ToolProcess.Outcome {
            try ToolProcess.run(
                "/bin/bash", ["-c", "cd '\(elsewhere)' || exit 70\n" + script],
                environment: [
                    "PATH": "\(prefix)/bin:/usr/bin:/bin", "LOGPIPE_BIN_DIR": nil, "MANPATH": nil, "MANPAGER": "cat",
                    "PAGER": "cat", "MANWIDTH": "100",
                ], timeout: timeout)
        }

        func write(_ text: String, to path: String, mode: Int = 0o644) throws {
            let url = URL(fileURLWithPath: prefix + "/" + path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        }
    }

    @Test func installsRunsFromAnywhereAndUninstallsToThePrefixAsItWas() throws {
        let scratch = try Scratch()
        // Someone else's files in the prefix: they stay, and so do the folders that hold them.
        try scratch.write("#!/bin/sh\n", to: "bin/other-tool", mode: 0o755)
        try scratch.write(".TH OTHER 1\n", to: "share/man/man1/other.1")
        let before = scratch.tree

        let installed = try scratch.install(["--prefix", scratch.prefix])
        #expect(installed.status == 0, "\(installed.standardError)")
        #expect(installed.standardOutput.contains("9 tools in \(scratch.prefix)/bin"))
        let tree = scratch.tree
        for tool in Self.tools {
            #expect(tree["bin/\(tool)"]?.hasPrefix("755 ") == true, "bin/\(tool): \(tree["bin/\(tool)"] ?? "missing")")
            #expect(tree["share/man/man1/\(tool).1"]?.hasPrefix("644 ") == true, "\(tool).1")
        }
        let manifest = try String(contentsOfFile: scratch.prefix + "/share/logpipe/install-manifest", encoding: .utf8)
        #expect(manifest.split(separator: "\n").filter { $0.hasPrefix("file ") }.count == 18)
        #expect(!manifest.contains("other"))

        let help = try scratch.runInstalled("logtail --help && logpipe --version && command -v logalert")
        #expect(help.status == 0, "\(help.standardError)")
        #expect(help.standardOutput.contains("USAGE: logtail"))
        #expect(help.standardOutput.contains("logpipe \(LogPipeRelease.version) (protocol v"))
        #expect(help.standardOutput.contains("\(scratch.prefix)/bin/logalert"))

        let page = try scratch.runInstalled(
            "if command -v man >/dev/null; then man -w logalert && man logalert; else echo 'no man:'; cat \"$(dirname \"$(command -v logalert)\")/../share/man/man1/logalert.1\"; fi"
        )
        #expect(page.status == 0, "\(page.standardError)")
        if page.standardOutput.hasPrefix("no man:") {
            #expect(page.standardOutput.contains(".TH \"LOGALERT\" 1"))
        } else {
            #expect(page.standardOutput.hasPrefix("\(scratch.prefix)/share/man/man1/logalert.1\n"))
            // Overstrikes and justification undone.
            let text = page.standardOutput.replacing(/.\u{8}/, with: "").replacing(/\ +/, with: " ")
            #expect(text.contains("logalert - Apply the high-traffic rule"), "\(text.prefix(600))")
            #expect(text.contains("--require-full-window"))
        }

        // A replay of a log made by the installed loggen, through the installed launcher.
        let replay = try scratch.runInstalled(
            """
            loggen --instant --seed 3 --start 1700000000 --profile burst --rate 4 --burst-rate 26 --burst-start 10 \
                --burst-duration 60 --duration 300 --output access.log &&
            logpipe --once --view 'logview --plain' access.log
            """)
        #expect(replay.status == 0, "\(replay.standardError)")
        #expect(
            replay.standardOutput.contains("High traffic generated an alert - hits = "),
            "\(replay.standardOutput.suffix(400))")
        #expect(replay.standardOutput.contains("recovered"))

        // The demo, live: the view ends at the first bucket with hits, which stops the pipeline.
        let demo = try scratch.runInstalled(#"logpipe --demo --interval 1 --view 'grep -m 1 "\"hits\":[1-9]"'"#)
        #expect(demo.status == 0, "\(demo.standardError)")
        #expect(demo.standardOutput.hasPrefix(#"{"type":"bucket""#), "\(demo.standardOutput)")

        // Installing again replaces its own files and changes nothing else.
        let again = try scratch.install(["--prefix=\(scratch.prefix)"])
        #expect(again.status == 0, "\(again.standardError)")
        #expect(scratch.tree == tree)

        let removed = try scratch.install(["--uninstall", "--prefix", scratch.prefix], from: nil)
        #expect(removed.status == 0, "\(removed.standardError)")
        #expect(removed.standardOutput.contains("removed 18 files"))
        #expect(scratch.tree == before)
    }

    @Test func aFreshPrefixIsCreatedAndRemovedWhole() throws {
        let scratch = try Scratch()
        let prefix = scratch.prefix + "/deeper"
        let installed = try scratch.install(["--prefix", prefix])
        #expect(installed.status == 0, "\(installed.standardError)")
        let removed = try scratch.install(["--uninstall", "--prefix", prefix], from: nil)
        #expect(removed.status == 0, "\(removed.standardError)")
        #expect(!FileManager.default.fileExists(atPath: prefix))
    }

    @Test func aFileThatIsNotItsOwnIsNeitherOverwrittenNorRemoved() throws {
        let scratch = try Scratch()
        try scratch.write("#!/bin/sh\necho another logtail\n", to: "bin/logtail", mode: 0o755)
        let before = scratch.tree
        let refused = try scratch.install(["--prefix", scratch.prefix])
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("\(scratch.prefix)/bin/logtail"), "\(refused.standardError)")
        #expect(scratch.tree == before)

        // A manifest that names anything outside the prefix is not followed.
        try "precious\n".write(toFile: scratch.root + "/victim", atomically: false, encoding: .utf8)
        try scratch.write("file bin/logtail\nfile ../victim\n", to: "share/logpipe/install-manifest")
        let tampered = try scratch.install(["--uninstall", "--prefix", scratch.prefix], from: nil)
        #expect(tampered.status == 1)
        #expect(tampered.standardError.contains("'file ../victim' is not an entry"), "\(tampered.standardError)")
        #expect(FileManager.default.fileExists(atPath: scratch.root + "/victim"))
        #expect(FileManager.default.fileExists(atPath: scratch.prefix + "/bin/logtail"))
    }

    @Test(arguments: [
        (["--bogus"], 64, "unexpected argument '--bogus'"),
        (["--prefix"], 64, "option '--prefix' needs a value"),
        (["--prefix="], 64, "option '--prefix' needs a folder"),
        (["--from", "/x", "--uninstall"], 64, "--uninstall removes files; drop --from"),
        (["somewhere"], 64, "unexpected argument 'somewhere'"),
        (["--uninstall", "--prefix", "/nonexistent/logpipe-prefix"], 1, "no logpipe installation under"),
        (
            ["--from", "/nonexistent/bin", "--prefix", "/nonexistent/logpipe-prefix"], 1,
            "no executable /nonexistent/bin/logpipe"
        ),
    ])
    func badUsageIsRefusedBeforeAnythingChanges(arguments: [String], status: Int32, message: String) throws {
        let outcome = try ToolProcess.run(Self.script, arguments, environment: ["LOGPIPE_BIN_DIR": nil])
        #expect(outcome.status == status)
        #expect(outcome.standardError.contains(message), "\(outcome.standardError)")
        if status == 64 { #expect(outcome.standardError.contains("Usage: install [--prefix DIR]")) }
    }

    /// bin/package refuses a bad command line before it builds anything (building is for bench/package-check).
    @Test func packageRefusesBadUsageBeforeBuilding() throws {
        let package = ToolProcess.packageRoot + "/bin/package"
        for arguments in [["--bogus"], ["--output"], ["dist"]] {
            let outcome = try ToolProcess.run(package, arguments)
            #expect(outcome.status == 64, "\(arguments)")
            #expect(outcome.standardError.contains("Usage: package [--output DIR]"), "\(outcome.standardError)")
            #expect(!outcome.standardError.contains("building"))
        }
        let help = try ToolProcess.run(package, ["--help"])
        #expect(help.status == 0 && help.standardOutput.contains("--static-swift-stdlib"))
    }
}
