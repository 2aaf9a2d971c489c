import Foundation
import LogPipeTestSupport
import Testing

/// What a new user of `bin/start-pipeline` tripped over, with a stand-in `swift` that records how it
/// was run and "builds" by copying a script (with the mode a linker gives: 0777 less the umask).
@Suite("start-pipeline script")
struct StartPipelineScriptTests {
    @Test func aLinkInAnotherFolderBuildsTheCheckoutForEveryoneUnderAPrivateUmask() throws {
        let root = try ToolProcess.temporaryDirectory(prefix: "logpipe-script")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = FileManager.default
        for folder in ["checkout/bin", "checkout/Sources", "fakebin", "home/bin", "elsewhere"] {
            try files.createDirectory(atPath: "\(root)/\(folder)", withIntermediateDirectories: true)
        }
        try files.copyItem(
            atPath: ToolProcess.packageRoot + "/bin/start-pipeline", toPath: root + "/checkout/bin/start-pipeline")
        try "// swift-tools-version:6.1\n".write(
            toFile: root + "/checkout/Package.swift", atomically: false, encoding: .utf8)
        try #"""
        #!/bin/sh
        echo "stand-in $(basename "$0") $*"
        """#.write(toFile: root + "/template", atomically: false, encoding: .utf8)
        try #"""
        #!/bin/bash
        umask > "$FAKE_SWIFT_REPORT"
        while (($# > 0)); do [[ $1 == --package-path ]] && package=$2; shift; done
        mkdir -p "$package/.build/release"
        for tool in logpipe logtail logagg logalert logview loggen logmerge logship logrecv; do
            cp "$FAKE_SWIFT_TEMPLATE" "$package/.build/release/$tool"
        done
        """#.write(toFile: root + "/fakebin/swift", atomically: false, encoding: .utf8)
        for script in ["/template", "/fakebin/swift"] {
            try files.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root + script)
        }
        try files.createSymbolicLink(
            atPath: root + "/home/bin/start-pipeline", withDestinationPath: root + "/checkout/bin/start-pipeline")

        let outcome = try ToolProcess.run(
            "/bin/bash", ["-c", "cd '\(root)/elsewhere' && umask 077 && '\(root)/home/bin/start-pipeline' --version"],
            environment: [
                "PATH": root + "/fakebin:/usr/bin:/bin", "LOGPIPE_BIN_DIR": nil, "FAKE_SWIFT_REPORT": root + "/umask",
                "FAKE_SWIFT_TEMPLATE": root + "/template",
            ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput == "stand-in logpipe --version\n")
        #expect(try String(contentsOfFile: root + "/umask", encoding: .utf8) == "0022\n")
        let built = try files.attributesOfItem(atPath: root + "/checkout/.build/release/logtail")
        #expect(built[.posixPermissions] as? Int == 0o755)
    }
}
