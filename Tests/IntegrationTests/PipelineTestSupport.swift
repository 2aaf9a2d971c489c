import Foundation
import LogPipeTestSupport

/// The end-to-end tests' names for the test kit's process harness.
enum PipelineTools {
    /// The directory holding the built executables.
    static var binaryDirectory: String { ToolProcess.binaryDirectory }

    /// The path of the tool `name`.
    static func path(_ name: String) -> String { ToolProcess.tool(name) }

    /// The result of a finished command.
    typealias Outcome = ToolProcess.Outcome

    /// Runs `script` with bash in `directory`, the tools' directory first on PATH, and waits for it.
    static func shell(_ script: String, environment: [String: String?] = [:], in directory: String) throws -> Outcome {
        try ToolProcess.shell(script, environment: environment, in: directory)
    }

    /// A fresh private directory, removed by the caller.
    static func temporaryDirectory() throws -> String {
        try ToolProcess.temporaryDirectory(prefix: "logpipe-e2e")
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
