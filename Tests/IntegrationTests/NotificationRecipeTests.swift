import Foundation
import LogPipeTestSupport
import Testing

/// The README's `/etc/logpipe/on-alert` recipe, run as written by logalert for a real alert, with
/// `logger`, `curl` and `sendmail` replaced by stand-ins that record what they were given: every
/// channel gets the alert, and the webhook's secret never reaches a command line.
@Suite("The README's notification recipe")
struct NotificationRecipeTests {
    static func recipe() throws -> String {
        let readme = try String(contentsOfFile: ToolProcess.packageRoot + "/README.md", encoding: .utf8)
        let start = try #require(readme.range(of: "```sh\n#!/bin/sh\n# /etc/logpipe/on-alert"))
        let body = readme[readme.index(start.lowerBound, offsetBy: 6)...]
        let end = try #require(body.range(of: "```"))
        return String(body[..<end.lowerBound])
    }

    @Test("syslog, webhook and mail each get the alert; the secret stays in its file")
    func recipeDeliversWithoutSecretsOnCommandLines() throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let script = try Self.recipe().replacingOccurrences(of: "/usr/sbin/sendmail -t", with: "sendmail -t")
        #expect(script.contains("sendmail -t"))
        // Files this test runner writes and then executes can meet ETXTBSY while another test's fork
        // briefly holds their descriptor: the script is read by sh, the stand-ins are written by a
        // child process of their own.
        try script.write(toFile: directory + "/on-alert", atomically: true, encoding: .utf8)
        let stubs = try ToolProcess.shell(
            #"""
            mkdir stubs
            for name in logger curl sendmail; do
                printf '#!/bin/sh\nprintf "%%s\\n" "%s $*" >> "%s/argv"\ncat > "%s/%s.in"\n' \
                    "$name" "$PWD" "$PWD" "$name" > "stubs/$name"
                chmod 755 "stubs/$name"
            done
            """#, in: directory)
        #expect(stubs.status == 0, "\(stubs.standardError)")
        try FileManager.default.createDirectory(atPath: directory + "/creds", withIntermediateDirectories: true)
        try "url = \"https://chat.example.com/hooks/s3cret\"\nheader = \"Authorization: Bearer s3cret\"\n"
            .write(toFile: directory + "/creds/webhook.curl", atomically: true, encoding: .utf8)
        // One bucket of 5 hits a second against --window 10 --threshold 1: one alert, no recovery.
        let outcome = try ToolProcess.run(
            ToolProcess.tool("logalert"),
            ["--window", "10", "--threshold", "1", "--on-alert", "sh '\(directory)/on-alert'"],
            environment: [
                "PATH": directory + "/stubs:" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                "CREDENTIALS_DIRECTORY": directory + "/creds",
            ],
            input: .bytes(Array(NotificationTests.stream(pairs: 1)[0].utf8)))
        #expect(outcome.status == 0)
        #expect(outcome.standardError.contains("notifications: 1 submitted, 1 succeeded"))
        let argv = try String(contentsOfFile: directory + "/argv", encoding: .utf8)
        #expect(!argv.contains("s3cret"), "a secret reached a command line: \(argv)")
        #expect(argv.contains("logger -t logpipe -p daemon.warning -- High traffic generated an alert - hits = 15"))
        #expect(argv.contains("curl ") && argv.contains("--config \(directory)/creds/webhook.curl"))
        let alertLine = try #require(
            outcome.standardOutput.split(separator: "\n").first { $0.hasPrefix(#"{"type":"alert""#) })
        #expect(try String(contentsOfFile: directory + "/curl.in", encoding: .utf8) == alertLine + "\n")
        let mail = try String(contentsOfFile: directory + "/sendmail.in", encoding: .utf8)
        #expect(mail.hasPrefix("To: ops@example.com\nSubject: [logpipe] alert on "))
        #expect(mail.contains("\n\nHigh traffic generated an alert - hits = 15, triggered at "))
        #expect(mail.contains(String(alertLine)))
    }
}
