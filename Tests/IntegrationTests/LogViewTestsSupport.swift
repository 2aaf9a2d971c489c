import Foundation
import Testing

/// Runs the built logview binary for the integration tests.
enum LogViewProcess {
    /// The directory of the running test executable, where `swift build` also puts the tools.
    static let binaryDirectory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent()
    /// The built logview, or nil when it is not next to the tests.
    static let binary: String? = {
        let path = binaryDirectory.appendingPathComponent("logview").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()
    /// Tests/Fixtures/view.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/view")

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs logview with `arguments`, `input` on stdin and TZ=UTC, and waits for it.
    static func run(_ arguments: [String], input: Data, environment extra: [String: String] = [:]) throws -> Outcome {
        let binary = try #require(binary, "logview is not built next to the tests")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["TZ"] = "UTC"
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Write and read concurrently so that neither side can fill a pipe and stall the other.
        let writer = Thread {
            try? stdin.fileHandleForWriting.write(contentsOf: input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let errorData = LockedData()
        let errorReader = Thread { errorData.set(stderr.fileHandleForReading.readDataToEndOfFile()) }
        errorReader.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { usleep(1000) }
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self),
            stderr: String(decoding: errorData.value, as: UTF8.self))
    }

    /// Runs a bash script with pipefail, TZ=UTC and `logview` meaning the built binary.
    static func bash(_ script: String) throws -> Outcome {
        let binary = try #require(binary, "logview is not built next to the tests")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "set -o pipefail; logview() { \"$LOGVIEW\" \"$@\"; }; " + script]
        var environment = ProcessInfo.processInfo.environment
        environment["TZ"] = "UTC"
        environment["LOGVIEW"] = binary
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self),
            stderr: String(decoding: errors, as: UTF8.self))
    }
}

/// Data handed from a reader thread to the test.
final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?

    func set(_ value: Data) {
        lock.lock()
        data = value
        lock.unlock()
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return data != nil
    }

    var value: Data {
        lock.lock()
        defer { lock.unlock() }
        return data ?? Data()
    }
}
