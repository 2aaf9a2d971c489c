import Foundation
import Glibc
import LogPipe
import LogPipeTestSupport
import Testing

/// The alert journal's mode: a journal readable by others is made 0600, but a file that is not a
/// journal (a mistyped `--history`, or a symlink to a system file) is left exactly as it was.
@Suite("Alert journal mode")
struct AlertJournalModeTests {
    static func mode(_ path: String) -> mode_t {
        var status = stat()
        return stat(path, &status) == 0 ? status.st_mode & 0o777 : 0
    }

    @Test("a file that is not a journal keeps its mode and its bytes, also through a symlink")
    func foreignFileIsLeftAlone() throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let hosts = directory + "/hosts"
        let bytes = "127.0.0.1 localhost\n::1 localhost\n"
        try bytes.write(toFile: hosts, atomically: false, encoding: .utf8)
        #expect(chmod(hosts, 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: directory + "/link.ndjson", withDestinationPath: hosts)
        for given in [hosts, directory + "/link.ndjson"] {
            let outcome = try ToolProcess.run(ToolProcess.tool("logalert"), ["--history", given])
            #expect(outcome.status == 0)
            #expect(outcome.standardError.contains("does not look like an alert history"))
            #expect(!outcome.standardError.contains("made 0600"))
            #expect(
                Self.mode(hosts) == 0o644, "logalert --history \(given) changed the mode of a file it does not write")
            #expect(try String(contentsOfFile: hosts, encoding: .utf8) == bytes)
        }
    }

    @Test("an empty journal readable by others is made 0600, with a warning")
    func openJournalIsMadePrivate() throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = directory + "/alerts.ndjson"
        #expect(FileManager.default.createFile(atPath: journal, contents: nil))
        #expect(chmod(journal, 0o644) == 0)
        let outcome = try ToolProcess.run(ToolProcess.tool("logalert"), ["--history", journal])
        #expect(outcome.status == 0)
        #expect(outcome.standardError.contains("was mode 644, readable by others: made 0600"))
        #expect(Self.mode(journal) == 0o600)
    }
}
