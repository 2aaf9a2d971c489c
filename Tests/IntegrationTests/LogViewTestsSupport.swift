import Foundation
import LogPipeTestSupport
import Testing

/// Runs the built logview binary for the integration tests, through the test kit's harness.
enum LogViewProcess {
    /// The built logview, or nil when it is not next to the tests.
    static let binary: String? = {
        let path = ToolProcess.tool("logview")
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()
    /// Tests/Fixtures/view.
    static let fixtures = URL(fileURLWithPath: ToolProcess.packageRoot).appendingPathComponent("Tests/Fixtures/view")

    typealias Outcome = ToolProcess.Outcome

    /// Runs logview with `arguments`, `input` on stdin (fed by a thread, so neither side can stall the
    /// other) and TZ=UTC, and waits for it.
    static func run(_ arguments: [String], input: Data, environment extra: [String: String] = [:]) throws -> Outcome {
        let binary = try #require(binary, "logview is not built next to the tests")
        return try ToolProcess.run(binary, arguments, environment: extra, input: .bytes([UInt8](input)))
    }

    /// Runs a bash script with pipefail, TZ=UTC and `logview` meaning the built binary.
    static func bash(_ script: String) throws -> Outcome {
        let binary = try #require(binary, "logview is not built next to the tests")
        return try ToolProcess.shell(
            "set -o pipefail; logview() { \"$LOGVIEW\" \"$@\"; }; " + script, environment: ["LOGVIEW": binary])
    }
}
