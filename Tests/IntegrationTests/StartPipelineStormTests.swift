import Dispatch
import Foundation
import LogPipe
import Testing

/// A storm of SIGINT, SIGTERM and SIGHUP against the real launcher and the real tools, at random
/// moments from right after start to the middle of shutdown, to the launcher and to its whole
/// process group (as a service manager or a closing terminal sends them): every try must end within
/// a bound with the signal's status, no process of the run left and no run directory.
///
/// Each try waits for events (the run directory appearing, a stage's stderr file, the first output,
/// the launcher's exit, processes vanishing), never for a guessed duration; the random delays only
/// pick the moment of a signal. `LOGPIPE_STORM_TRIES` sets the number of tries (default 48;
/// `bench/storm` runs hundreds) and `LOGPIPE_STORM_SEED` the seed.
@Suite("launcher storm")
struct StartPipelineStormTests {
    static let tries = ProcessInfo.processInfo.environment["LOGPIPE_STORM_TRIES"].flatMap(Int.init) ?? 48
    static let seed =
        ProcessInfo.processInfo.environment["LOGPIPE_STORM_SEED"].flatMap(UInt64.init)
        ?? UInt64(UInt32.random(in: 1...UInt32.max))

    /// How long the launcher may take to end after the first signal, in seconds: its own bound is
    /// 2 s of grace and 1 s after SIGKILL; the rest is for a machine shared with other work.
    static let exitBound = 6.0

    enum Log: CaseIterable { case missing, written, demo }
    enum Consumer: CaseIterable { case view, headless, tap }
    enum Moment: CaseIterable { case atOnce, runDirectory, stagesStarting, firstOutput }

    struct Plan: CustomStringConvertible {
        var log: Log
        var consumer: Consumer
        var moment: Moment
        var jitterMicroseconds: UInt32
        var signal: Int32
        var toGroup: Bool
        /// A second signal during the shutdown: the signal, whether to the group, after how long.
        var second: (signal: Int32, toGroup: Bool, delayMicroseconds: UInt32)?

        var description: String {
            var text =
                "\(log) \(consumer) at \(moment)+\(jitterMicroseconds)µs SIG\(signal == SIGINT ? "INT" : signal == SIGTERM ? "TERM" : "HUP") to \(toGroup ? "group" : "pid")"
            if let second {
                text +=
                    ", then \(second.signal) to \(second.toGroup ? "group" : "pid") after \(second.delayMicroseconds)µs"
            }
            return text
        }

        init(random: inout SplitMix64) {
            let signals = [SIGINT, SIGTERM, SIGHUP]
            log = Log.allCases[random.next(below: Log.allCases.count)]
            consumer = Consumer.allCases[random.next(below: Consumer.allCases.count)]
            moment = Moment.allCases[random.next(below: Moment.allCases.count)]
            jitterMicroseconds = UInt32(random.next(below: 20_000))
            signal = signals[random.next(below: 3)]
            toGroup = random.next(below: 2) == 0
            if random.next(below: 2) == 0 {
                second = (
                    signals[random.next(below: 3)], random.next(below: 2) == 0, UInt32(random.next(below: 60_000))
                )
            }
        }
    }

    @Test func everySignalAtAnyMomentEndsTheRunWithinTheBoundAndLeavesNothing() throws {
        var random = SplitMix64(seed: Self.seed)
        let plans = (0..<Self.tries).map { _ in Plan(random: &random) }
        let failures = Failures()
        // Two tries at a time: the machine has two cores, and a try mostly waits.
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for index in stride(from: worker, to: plans.count, by: 2) {
                do {
                    if let problem = try Self.attempt(plans[index]) {
                        failures.add("try \(index): \(plans[index]): \(problem)")
                    }
                } catch {
                    failures.add("try \(index): \(plans[index]): \(error)")
                }
            }
        }
        let found = failures.all
        print("storm: \(Self.tries) tries, \(found.count) failures (seed \(Self.seed))")
        #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
    }

    /// One try; returns what went wrong, or nil.
    static func attempt(_ plan: Plan) throws -> String? {
        let sandbox = try StormSandbox()
        defer { sandbox.remove() }
        var writer: LauncherHarness.Running?
        defer {
            if let writer {
                kill(writer.pid, SIGKILL)
                _ = writer.finish(timeout: 2)
            }
        }
        var arguments = ["--interval", "1"]
        switch plan.log {
        case .missing: arguments.append(sandbox.root + "/no-such.log")
        case .written:
            writer = try LauncherHarness.start(
                LauncherHarness.binaryDirectory + "/loggen",
                ["--rate", "200", "--output", sandbox.root + "/access.log"])
            arguments.append(sandbox.root + "/access.log")
        case .demo: arguments.append("--demo")
        }
        switch plan.consumer {
        case .view: break
        case .headless: arguments.append("--headless")
        case .tap: arguments += ["--tap", "cat > /dev/null"]
        }
        let launcher = try LauncherHarness.start(
            LauncherHarness.launcherPath, arguments, environment: sandbox.environment, ownGroup: true)
        var outcome: LauncherHarness.Outcome?
        defer { if outcome == nil { kill(launcher.pid, SIGKILL); _ = launcher.finish(timeout: 2) } }

        switch plan.moment {
        case .atOnce: break
        case .runDirectory: _ = LauncherHarness.eventually(timeout: 5) { !sandbox.runDirectories.isEmpty }
        case .stagesStarting: _ = LauncherHarness.eventually(timeout: 5) { sandbox.exists("logtail.err") }
        case .firstOutput:
            _ = LauncherHarness.eventually(timeout: 5) {
                ((try? Data(contentsOf: URL(fileURLWithPath: launcher.outputPath)))?.count ?? 0) > 0
            }
        }
        usleep(plan.jitterMicroseconds)
        let signalled = Date()
        kill(plan.toGroup ? -launcher.pid : launcher.pid, plan.signal)
        if let second = plan.second {
            usleep(second.delayMicroseconds)
            kill(second.toGroup ? -launcher.pid : launcher.pid, second.signal)
        }
        let finished = launcher.finish(timeout: Self.exitBound + 4)
        outcome = finished
        let elapsed = Date().timeIntervalSince(signalled)
        var problems: [String] = []
        if elapsed > Self.exitBound { problems.append("the launcher took \(String(format: "%.1f", elapsed)) s to end") }
        // Two signals pending at once are taken lowest number first (signal(7)), so after a second
        // one either may have decided the status.
        let expected = [128 + plan.signal] + (plan.second.map { [128 + $0.signal] } ?? [])
        if !expected.contains(finished.status) {
            problems.append("status \(finished.status), expected \(expected): \(finished.standardError)")
        }
        if !LauncherHarness.eventually(timeout: 2, { sandbox.processesOfTheRun.isEmpty }) {
            problems.append("processes left: \(sandbox.describe(sandbox.processesOfTheRun))")
            sandbox.processesOfTheRun.forEach { kill($0, SIGKILL) }
        }
        if !sandbox.runDirectories.isEmpty { problems.append("run directory left: \(sandbox.runDirectories)") }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }
}

/// The failures of the tries, collected from several threads.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []

    func add(_ failure: String) {
        lock.lock()
        list.append(failure)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return list
    }
}

/// A scratch directory with its own TMPDIR, and a token in the environment of the launcher, which
/// every process of the run inherits: a process is the run's if its environment holds the token.
private final class StormSandbox {
    let root: String
    let temporary: String
    let token = UUID().uuidString

    init() throws {
        root = NSTemporaryDirectory() + "logpipe-storm-\(token)"
        temporary = root + "/tmp"
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }

    var environment: [String: String] {
        [
            "LOGPIPE_BIN_DIR": LauncherHarness.binaryDirectory, "TMPDIR": temporary, "LOGPIPE_STORM_TOKEN": token,
            "TZ": "UTC",
        ]
    }

    /// The run directories in this sandbox's TMPDIR.
    var runDirectories: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []).filter { $0.hasPrefix("logpipe.") }
    }

    /// Whether the run directory holds `name`.
    func exists(_ name: String) -> Bool {
        runDirectories.contains { FileManager.default.fileExists(atPath: "\(temporary)/\($0)/\(name)") }
    }

    /// Live processes (not zombies, whose environment reads empty) with the token.
    var processesOfTheRun: [Int32] {
        let marker = Array("LOGPIPE_STORM_TOKEN=\(token)".utf8)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), pid != getpid(),
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/environ")
            else { return nil }
            return data.split(separator: 0).contains { Array($0) == marker } ? pid : nil
        }
    }

    func describe(_ pids: [Int32]) -> String {
        pids.map { pid in
            let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
            return "\(pid) " + String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        }.joined(separator: ", ")
    }
}
