import Foundation
import LogPipeTestSupport
import Testing

/// `logtail --once` on a day of rotated logs: several files in time order, compressed ones read
/// through the system's decompressor, failures said and counted.
@Suite("logtail --once on rotated and compressed logs")
struct LogTailReplayTests {
    /// A log with requests, dated invalid lines and undated ones, and an unterminated last line.
    private static func mixedLog(lines count: Int = 6000) -> ReplayLog {
        var log = ReplayLog()
        for index in 0..<count {
            switch index % 97 {
            case 13: log.append(.junk)
            case 51: log.append(.badStatus(1_795_460_000 + Int64(index / 4)))
            default: log.append(.request(1_795_460_000 + Int64(index / 4)))
            }
        }
        return log
    }

    /// The same bytes plain and gzip-compressed, each in a directory of its own under the same name,
    /// give the same records, byte for byte.
    @Test func gzipReplayEqualsPlainReplayByteForByte() throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: "\(directory)/plain", withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: "\(directory)/gzip", withIntermediateDirectories: false)
        try Self.mixedLog().write(to: "\(directory)/plain/access.log", unterminatedLast: true)
        try ReplayTools.compress("plain/access.log", into: "gzip/access.log", with: "gzip", in: directory)
        let plain = try ReplayTools.logtail(["--once", "--fields", "all", "access.log"], in: "\(directory)/plain")
        let compressed = try ReplayTools.logtail(["--once", "--fields", "all", "access.log"], in: "\(directory)/gzip")
        #expect(plain.status == 0 && compressed.status == 0, "\(compressed.standardError)")
        #expect(ReplayTools.records(ofType: "request", in: plain.standardOutput).count > 5800)
        #expect(ReplayTools.records(ofType: "invalid", in: plain.standardOutput).count == 124)
        #expect(compressed.standardOutput == plain.standardOutput)
        #expect(compressed.standardError == plain.standardError)
    }

    /// Every corpus log, gzip-compressed, replays as itself.
    @Test(.enabled(if: ReplayCorpus.isAvailable, "../shared/corpus is absent: the corpus gzip replay is skipped"))
    func everyCorpusLogReplaysTheSameCompressed() throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for name in ReplayCorpus.files {
            let gzipped = "\(directory)/\(name).gz"
            try ReplayTools.compress("\(ReplayCorpus.directory)/\(name)", into: gzipped, with: "gzip", in: directory)
            let plain = try ReplayTools.logtail(
                ["--once", "--fields", "all", "\(ReplayCorpus.directory)/\(name)"], in: directory)
            let compressed = try ReplayTools.logtail(["--once", "--fields", "all", gzipped], in: directory)
            #expect(compressed.status == 0, "\(name): \(compressed.standardError)")
            let renamed = compressed.standardOutput.replacingOccurrences(
                of: "\"source\":\"\(gzipped)\"", with: "\"source\":\"\(ReplayCorpus.directory)/\(name)\"")
            #expect(renamed == plain.standardOutput, "\(name)")
        }
    }

    /// The shell lists a rotated set newest first; logtail reads it oldest first, as one log: the
    /// records and logagg's buckets are those of the concatenated log, with no late line.
    @Test func aRotatedSetInShellOrderGivesTheConcatenatedLogInTimeOrder() throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pieces = [
            ("access.log.3.gz", 0..<5000), ("access.log.2.gz", 5000..<9000), ("access.log.1", 9000..<15000),
            ("access.log", 15000..<16000),
        ]
        let all = ReplayLog.requests(16000, from: 1_795_460_000, perSecond: 7)
        var whole = ReplayLog()
        whole.append(contentsOf: all)
        try whole.write(to: "\(directory)/all.log")
        for (name, range) in pieces {
            // The requests keep their numbers: the log is written whole, then cut into pieces.
            let text =
                try String(contentsOfFile: "\(directory)/all.log", encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false)[range].joined(separator: "\n") + "\n"
            let plainName = name.hasSuffix(".gz") ? String(name.dropLast(3)) : name
            try text.write(toFile: "\(directory)/\(plainName)", atomically: false, encoding: .utf8)
            if name.hasSuffix(".gz") {
                try ReplayTools.compress(plainName, into: name, with: "gzip", in: directory)
                try FileManager.default.removeItem(atPath: "\(directory)/\(plainName)")
            }
        }
        let shellOrder = ["access.log", "access.log.1", "access.log.2.gz", "access.log.3.gz"]
        let rotated = try ToolProcess.shell(
            "logtail --once \(shellOrder.joined(separator: " ")) 2> rotated.err | tee rotated.ndjson | logagg > rotated.buckets",
            in: directory)
        let concatenated = try ToolProcess.shell(
            "logtail --once all.log 2> /dev/null | tee all.ndjson | logagg > all.buckets", in: directory)
        #expect(rotated.status == 0 && concatenated.status == 0, "\(rotated.standardError)")
        func read(_ name: String) throws -> String {
            try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)
        }
        #expect(ReplayTools.records(ofType: "request", in: try read("rotated.ndjson")).count == 16000)
        #expect(try read("rotated.ndjson") == read("all.ndjson"))
        #expect(try read("rotated.buckets") == read("all.buckets"))
        #expect(try read("rotated.buckets").range(of: #""late":[1-9]"#, options: .regularExpression) == nil)
        let notes = try read("rotated.err")
        #expect(
            notes.contains(
                "replaying 4 files one after another, in time order: access.log.3.gz (from 2026-11-23T18:53:20+00:00), "
                    + "access.log.2.gz"), "\(notes)")

        // With --fields source, each record names its own file, in the order read.
        let sourced = try ReplayTools.logtail(["--once", "--fields", "source"] + shellOrder, in: directory)
        let sources = ReplayTools.records(ofType: "request", in: sourced.standardOutput).compactMap { record in
            record.range(of: #""source":"[^"]*""#, options: .regularExpression).map {
                String(record[$0].dropFirst(10).dropLast())
            }
        }
        // Compared as runs (file, records), so that a failure stays readable.
        var runs: [String] = []
        var previous: String?
        var length = 0
        for source in sources + [""] {
            if source != previous, let previous {
                runs.append("\(previous) × \(length)")
                length = 0
            }
            previous = source
            length += 1
        }
        #expect(runs == pieces.map { "\($0.0) × \($0.1.count)" })
    }

    @Test(.enabled(if: ReplayTools.which("bzip2") != nil, "bzip2 is not installed: its replay test is skipped"))
    func bzip2ReplayEqualsPlainReplay() throws { try compressedReplayEqualsPlain(with: "bzip2") }

    @Test(.enabled(if: ReplayTools.which("xz") != nil, "xz is not installed: its replay test is skipped"))
    func xzReplayEqualsPlainReplay() throws { try compressedReplayEqualsPlain(with: "xz") }

    @Test(.enabled(if: ReplayTools.which("zstd") != nil, "zstd is not installed: its replay test is skipped"))
    func zstdReplayEqualsPlainReplay() throws { try compressedReplayEqualsPlain(with: "zstd") }

    /// Compressed by `program` and named without its suffix: the magic number decides.
    private func compressedReplayEqualsPlain(with program: String) throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: "\(directory)/c", withIntermediateDirectories: false)
        try Self.mixedLog(lines: 3000).write(to: "\(directory)/access.log")
        try ReplayTools.compress("access.log", into: "c/access.log", with: program, in: directory)
        let plain = try ReplayTools.logtail(["--once", "--fields", "all", "access.log"], in: directory)
        let compressed = try ReplayTools.logtail(["--once", "--fields", "all", "access.log"], in: "\(directory)/c")
        #expect(compressed.status == 0, "\(compressed.standardError)")
        #expect(compressed.standardOutput == plain.standardOutput)
    }

    /// A damaged archive: the decompressor's complaint on stderr and in a notice, the other files still
    /// read, the failure counted at the end and in the exit status (74).
    @Test func aCorruptGzipIsReportedAndCounted() throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.mixedLog().write(to: "\(directory)/access.log.1")
        try ReplayTools.compress("access.log.1", into: "access.log.2.gz", with: "gzip", in: directory)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(directory)/access.log.2.gz")))
        for index in stride(from: bytes.count / 2, to: bytes.count / 2 + 64, by: 1) { bytes[index] ^= 0x5A }
        try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/access.log.2.gz"))
        let outcome = try ReplayTools.logtail(["--once", "access.log.1", "access.log.2.gz"], in: directory)
        #expect(outcome.status == 74)
        #expect(
            outcome.standardError.contains("access.log.2.gz: gzip -d -c exited with status 1"),
            "\(outcome.standardError)")
        #expect(outcome.standardError.contains("1 compressed file was not read to its end"))
        let notices = ReplayTools.records(ofType: "notice", in: outcome.standardOutput)
        #expect(notices.contains { $0.contains(#""file":"access.log.2.gz""#) && $0.contains("gzip -d -c exited") })
        // The plain file is read all the same.
        #expect(outcome.standardError.contains("access.log.1: 6000 lines"))
    }

    /// A truncated archive gives the lines before the cut (the last one cut short becomes a line, as
    /// at the end of a plain file cut at the same byte) and a warning.
    @Test func aTruncatedGzipGivesTheLinesItHadAndAWarning() throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.mixedLog().write(to: "\(directory)/access.log")
        try ReplayTools.compress("access.log", into: "whole.gz", with: "gzip", in: directory)
        let whole = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/whole.gz"))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: "\(directory)/cut.gz"))
        let plain = try ReplayTools.logtail(["--once", "access.log"], in: directory)
        let cut = try ReplayTools.logtail(["--once", "cut.gz"], in: directory)
        #expect(cut.status == 74)
        #expect(cut.standardError.contains("unexpected end of file"), "\(cut.standardError)")
        let all = ReplayTools.records(ofType: "request", in: plain.standardOutput)
        let kept = ReplayTools.records(ofType: "request", in: cut.standardOutput)
        #expect(kept.count > 1000 && kept.count < all.count)
        // Every whole line is there, in order; only the last may be cut short.
        #expect(Array(kept.dropLast()) == Array(all.prefix(kept.count - 1)))
    }

    @Test func aMissingDecompressorIsAnErrorBeforeAnythingIsRead() throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.mixedLog(lines: 500).write(to: "\(directory)/access.log")
        try ReplayTools.compress("access.log", into: "access.log.1.gz", with: "gzip", in: directory)
        let outcome = try ReplayTools.logtail(
            ["--once", "access.log", "access.log.1.gz"], in: directory, environment: ["PATH": "/nonexistent"])
        #expect(outcome.status == 66)
        #expect(
            outcome.standardError.contains(
                "cannot read 'access.log.1.gz': it is gzip-compressed, and 'gzip' is not installed"),
            "\(outcome.standardError)")
        #expect(outcome.standardOutput.isEmpty)
    }

    /// A decompressor killed midway: its lines so far, a warning naming the signal, status 74.
    @Test func aKilledDecompressorIsReported() throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: "\(directory)/bin", withIntermediateDirectories: false)
        let fake = """
            #!/bin/sh
            printf '%s\\n' '192.0.2.1 - - [23/Nov/2026:20:00:00 +0000] "GET /before/kill HTTP/1.1" 200 5'
            kill -KILL $$
            """
        try fake.write(toFile: "\(directory)/bin/gzip", atomically: false, encoding: .utf8)
        chmod("\(directory)/bin/gzip", 0o755)
        try Data([0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0]).write(to: URL(fileURLWithPath: "\(directory)/a.gz"))
        let outcome = try ReplayTools.logtail(
            ["--once", "--fields", "path", "a.gz"], in: directory,
            environment: ["PATH": "\(directory)/bin:/usr/bin:/bin"])
        #expect(outcome.status == 74)
        #expect(outcome.standardError.contains("a.gz: gzip -d -c was killed by SIGKILL"), "\(outcome.standardError)")
        #expect(ReplayTools.records(ofType: "request", in: outcome.standardOutput).count == 1)
    }

    /// Compressed files are not written live: following one is a usage error, by content or by name.
    @Test func followingACompressedFileIsAUsageError() throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.mixedLog(lines: 50).write(to: "\(directory)/access.log")
        try ReplayTools.compress("access.log", into: "rotated", with: "gzip", in: directory)
        let existing = try ReplayTools.logtail(["rotated"], in: directory)
        #expect(existing.status == 64)
        #expect(existing.standardError.contains("'rotated' is gzip-compressed"), "\(existing.standardError)")
        let missing = try ReplayTools.logtail(["--from-start", "later.log.gz"], in: directory)
        #expect(missing.status == 64)
        #expect(missing.standardError.contains("'later.log.gz' is named like a gzip file"))
    }

    /// File names with shell and option syntax are opened by logtail, never put on a command line.
    @Test func aFileNameNeverReachesACommandLine() throws {
        let directory = try ToolProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.mixedLog(lines: 100).write(to: "\(directory)/access.log")
        let names = ["a;touch pwned;.gz", "$(touch pwned2).gz", "-c.gz", "` touch pwned3 `.gz"]
        for name in names {
            try ReplayTools.compress("access.log", into: name, with: "gzip", in: directory)
        }
        let outcome = try ReplayTools.logtail(["--once"] + names.map { "./" + $0 }, in: directory)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(ReplayTools.records(ofType: "request", in: outcome.standardOutput).count == 4 * 98)
        for trap in ["pwned", "pwned2", "pwned3"] {
            #expect(!FileManager.default.fileExists(atPath: "\(directory)/\(trap)"))
        }
    }
}

/// The corpus in `../shared/corpus`, beside the package; absent in a user's clone.
enum ReplayCorpus {
    static let directory: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("../shared/corpus").standardizedFileURL.path
    }()

    static let files: [String] =
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".log") }
        .sorted()

    static var isAvailable: Bool { !files.isEmpty }
}
