import Foundation
import LogPipe
import LogPipeTestSupport
import Testing

/// What every built tool says about itself: one version for all, and the same description in its
/// `--help` and its man page (`--help-man`).
@Suite("Tool descriptions")
struct ToolDescriptionTests {
    static let tools = [
        "logpipe", "logtail", "logagg", "logalert", "logview", "loggen", "logmerge", "logship", "logrecv",
    ]

    @Test func everyToolAndTheScriptReportTheChangelogsLatestRelease() throws {
        let changelog = try String(contentsOfFile: ToolProcess.packageRoot + "/CHANGELOG.md", encoding: .utf8)
        let released = try #require(
            changelog.split(separator: "\n").first { $0.wholeMatch(of: /## \d+\.\d+\.\d+/) != nil }?.dropFirst(3))
        #expect(LogPipeRelease.version == String(released))
        for tool in Self.tools {
            let outcome = try ToolProcess.run(ToolProcess.tool(tool), ["--version"])
            #expect(outcome.status == 0)
            #expect(outcome.standardOutput == "\(tool) \(released) (protocol v\(WireProtocol.version))\n")
        }
        let script = try ToolProcess.run(
            ToolProcess.packageRoot + "/bin/start-pipeline", ["--version"],
            environment: ["LOGPIPE_BIN_DIR": ToolProcess.binaryDirectory])
        #expect(script.standardOutput == "start-pipeline \(released) (protocol v\(WireProtocol.version))\n")
    }

    @Test(arguments: tools)
    func theManPageCarriesWhatHelpCarries(tool: String) throws {
        let help = try ToolProcess.run(ToolProcess.tool(tool), ["--help"])
        let man = try ToolProcess.run(ToolProcess.tool(tool), ["--help-man"])
        #expect(help.status == 0 && man.status == 0)
        #expect(ManPageReader.differences(help: help.standardOutput, man: man.standardOutput) == [])
        // groff, where installed, reads the page without a warning.
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/groff") else { return }
        let page = try ToolProcess.temporaryDirectory(prefix: "logpipe-man")
        defer { try? FileManager.default.removeItem(atPath: page) }
        try man.standardOutput.write(toFile: page + "/\(tool).1", atomically: false, encoding: .utf8)
        let groff = try ToolProcess.run("/usr/bin/groff", ["-man", "-Tutf8", "-ww", "-z", page + "/\(tool).1"])
        #expect(groff.status == 0 && groff.standardError.isEmpty, "\(groff.standardError)")
    }

    /// logview's INPUT section names every record type of the protocol, as read or as ignored, so a
    /// type added to `WireProtocol.RecordType` cannot go unmentioned.
    @Test func logviewsHelpNamesEveryRecordType() throws {
        let help = try ToolProcess.run(ToolProcess.tool("logview"), ["--help"]).standardOutput
        let input = try #require(help.split(separator: "OUTPUT:").first).lowercased()
        for type in WireProtocol.RecordType.allCases {
            #expect(input.contains(type.rawValue), "logview --help does not name '\(type.rawValue)' records")
        }
    }
}
