import Foundation
import LogPipeTestSupport
import Testing

/// docs/logpipe.service, checked by `systemd-analyze verify` when the machine has it.
@Suite("The systemd unit")
struct ServiceUnitTests {
    static let analyzer = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Verifies `unit` (the text of a unit file) as `logpipe.service` in a scratch directory, with its
    /// ExecStart pointed at the built launcher (verify checks that the program exists) and without the
    /// man-page check (`--man=no`: the man pages may not be installed). Returns verify's status and
    /// the lines of its output that name the unit: verify reports a bad setting only as such a line.
    static func verify(_ unit: String) throws -> (status: Int32, complaints: [String]) {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/logpipe.service"
        try unit.replacingOccurrences(of: "/usr/local/bin/logpipe", with: ToolProcess.tool("logpipe"))
            .write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = try ToolProcess.run(try #require(analyzer), ["verify", "--man=no", path])
        let complaints = (outcome.standardOutput + outcome.standardError).split(separator: "\n").map(String.init)
            .filter { $0.contains("logpipe.service") }
        return (outcome.status, complaints)
    }

    @Test(
        "docs/logpipe.service passes systemd-analyze verify with no complaint",
        .enabled(if: analyzer != nil, "systemd-analyze is not installed: docs/logpipe.service was not verified"))
    func unitVerifies() throws {
        let unit = try String(contentsOfFile: ToolProcess.packageRoot + "/docs/logpipe.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/local/bin/logpipe --headless"))
        #expect(unit.contains("StateDirectory=logpipe"))
        let result = try Self.verify(unit)
        #expect(result.status == 0)
        #expect(result.complaints.isEmpty, "\(result.complaints)")
        // The check can fail: a misspelt setting is a complaint.
        let broken = try Self.verify(
            unit.replacingOccurrences(of: "ProtectSystem=strict", with: "ProtectSystem=strictly"))
        #expect(!broken.complaints.isEmpty)
    }
}
