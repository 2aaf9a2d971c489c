import Foundation

/// Runs the built executables for the end-to-end tests.
enum PipelineTools {
    /// The directory holding the built executables: the test runner is built beside them.
    static let binaryDirectory: String = {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (executable as NSString).deletingLastPathComponent
    }()

    /// The path of the tool `name`.
    static func path(_ name: String) -> String {
        "\(binaryDirectory)/\(name)"
    }

    /// The result of a finished command.
    struct Outcome {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// Runs `script` with bash, the tools' directory first on PATH, and waits for it.
    static func shell(_ script: String, environment: [String: String] = [:], in directory: String) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = "\(binaryDirectory):\(env["PATH"] ?? "/usr/bin:/bin")"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        // Output goes to files, not pipes, so a chatty child can never block on a full pipe.
        let token = UUID().uuidString
        let outputPath = NSTemporaryDirectory() + "logpipe-out-\(token)"
        let errorPath = NSTemporaryDirectory() + "logpipe-err-\(token)"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outputPath)
            try? FileManager.default.removeItem(atPath: errorPath)
        }
        process.standardOutput = FileHandle(forWritingAtPath: outputPath)
        process.standardError = FileHandle(forWritingAtPath: errorPath)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus,
            standardOutput: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
    }

    /// A fresh private directory, removed by the caller.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "logpipe-e2e-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return path
    }
}

/// Independent readings of a log and of the alert rule, for the end-to-end expectations: Foundation's
/// date parser instead of the project's, and the rule summed from scratch at every boundary.
enum ReferenceReading {
    /// Hits per second of a Common/Combined log.
    static func hitsPerSecond(ofLog text: String) -> [Int64: Int] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        var counts: [Int64: Int] = [:]
        for line in text.split(separator: "\n") {
            guard let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]"),
                let date = formatter.date(from: String(line[line.index(after: open)..<close]))
            else { continue }
            counts[Int64(date.timeIntervalSince1970), default: 0] += 1
        }
        return counts
    }

    /// The rule's transitions over `perSecond` at every boundary in `boundaries`: at each t, the hits of
    /// [t - window, t) divided by the window, alert above the threshold, recovery below it.
    static func transitions(
        _ perSecond: [Int64: Int], window: Int64, threshold: Double, boundaries: ClosedRange<Int64>
    ) -> [(kind: String, at: Int64, hits: Int)] {
        var alerting = false
        var result: [(kind: String, at: Int64, hits: Int)] = []
        for boundary in boundaries {
            var hits = 0
            for second in (boundary - window)..<boundary { hits += perSecond[second, default: 0] }
            let average = Double(hits) / Double(window)
            if !alerting && average > threshold {
                alerting = true
                result.append(("alert", boundary, hits))
            } else if alerting && average < threshold {
                alerting = false
                result.append(("recovery", boundary, hits))
            }
        }
        return result
    }
}
