import LogPipe
import Testing

/// The filters at the source through the launcher: checked before anything starts, handed to logtail
/// as given, refused where no logtail runs.
@Suite("LauncherOptions: filters at the source")
struct LauncherFilterOptionsTests {
    @Test func everyFilterReachesLogtailAsGivenAndInOrder() throws {
        let arguments = [
            "--exclude-client", "10.0.0.0/8,2001:db8::/32", "--exclude-path", "/healthz", "--exclude-agent", "bots",
            "--exclude-agent", "curl/*", "--only-vhost", "www.example.com", "--once", "access.log",
        ]
        let options = try LauncherOptionsTests.parse(arguments)
        #expect(
            options.tailArguments == [
                "--once", "--exclude-client", "10.0.0.0/8,2001:db8::/32", "--exclude-path", "/healthz",
                "--exclude-agent", "bots", "--exclude-agent", "curl/*", "--only-vhost", "www.example.com",
            ])
        let plan = try LaunchPlanTests.plan(arguments)
        let logtail = try #require(plan.processes.first { $0.name == "logtail" })
        #expect(logtail.command == ["/t/logtail"] + options.tailArguments + ["access.log"])
        let shipping = try LaunchPlanTests.plan(["--ship", "redis://h/s", "--exclude-path", "/healthz", "a.log"])
        #expect(shipping.processes.first { $0.name == "logtail" }?.command.contains("/healthz") == true)
    }

    @Test(arguments: [
        (["--exclude-client", "10.0.0.0/33"], "the prefix length '33' must be a whole number from 0 to 32"),
        (["--exclude-client", "example.com"], "--exclude-client 'example.com': not an IPv4 or IPv6 address"),
        (["--exclude-client", "10.0.0.1,,10.0.0.2"], "an empty entry"),
        (["--exclude-path", "healthz"], "a path starts with '/'"),
        (["--exclude-agent", ""], "--exclude-agent needs a word"),
        (["--only-vhost", "a b"], "--only-vhost needs host names"),
        (["--fleet", "redis://h/s", "--exclude-path", "/healthz"], "--exclude-path filters log lines"),
    ])
    func badFiltersAreUsageErrorsBeforeAnythingStarts(arguments: [String], message: String) {
        #expect {
            _ = try LauncherOptionsTests.parse(arguments)
        } throws: { error in
            (error as? UsageError)?.message.contains(message) == true
        }
    }

    @Test func helpDocumentsTheFilters() {
        let help = LauncherOptions.spec(name: "start-pipeline").helpText
        for option in RequestFilter.optionNames { #expect(help.contains("--\(option) <"), "missing --\(option)") }
    }
}
