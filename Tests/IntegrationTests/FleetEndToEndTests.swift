import Foundation
import LogPipeTestSupport
import Testing

/// Three web servers, none above the threshold alone, the fleet above it: logagg --source on each,
/// logmerge, logalert. The fleet's transitions must equal the rule computed from scratch on the
/// union of the three logs (Foundation's date parser, the rule summed at every boundary).
@Suite("Fleet end to end: one alert for the sum of several web servers")
struct FleetEndToEndTests {
    /// Each server: 2.5 req/s, plus a burst of 4 req/s, at different moments, so that only the sum of
    /// the three crosses 10 req/s over 120 s.
    static let servers: [(name: String, seed: Int, burstStart: Int)] = [
        ("web1", 1, 200), ("web2", 2, 230), ("web3", 3, 260),
    ]

    @Test(arguments: ["files", "interleaved stdin, one source after another"])
    func theFleetAlertEqualsTheRuleOnTheUnionOfTheLogs(wiring: String) throws {
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var script = ""
        for server in Self.servers {
            script += """
                loggen --instant --start 1700000000 --duration 900 --profile burst --rate 2.5 --burst-rate 4 \
                  --burst-start \(server.burstStart) --burst-duration 200 --seed \(server.seed) -o \(server.name).log
                logtail --once \(server.name).log 2>/dev/null | logagg --source \(server.name) > \(server.name).ndjson
                logalert < \(server.name).ndjson > \(server.name).alone

                """
        }
        let names = Self.servers.map(\.name)
        if wiring == "files" {
            script += "logmerge \(names.map { "\($0).ndjson" }.joined(separator: " ")) > merged.ndjson\n"
        } else {
            script +=
                "cat \(names.map { "\($0).ndjson" }.joined(separator: " ")) | logmerge --sources \(names.joined(separator: ",")) > merged.ndjson\n"
        }
        script += "logalert < merged.ndjson > final.ndjson\n"
        let outcome = try PipelineTools.shell(script, in: directory)
        #expect(outcome.status == 0, "\(outcome.standardError)")

        var union: [Int64: Int] = [:]
        for name in names {
            let log = try String(contentsOfFile: "\(directory)/\(name).log", encoding: .utf8)
            let alone = ReferenceReading.hitsPerSecond(ofLog: log)
            union.merge(alone) { $0 + $1 }
            let aloneTransitions = try String(contentsOfFile: "\(directory)/\(name).alone", encoding: .utf8)
            #expect(!aloneTransitions.contains(#""type":"alert""#), "\(name) alone stays below the threshold")
            let expectedAlone = ReferenceReading.transitions(
                alone, window: 120, threshold: 10, boundaries: 1_700_000_001...1_700_000_900)
            #expect(expectedAlone.isEmpty)
        }
        let expected = ReferenceReading.transitions(
            union, window: 120, threshold: 10, boundaries: 1_700_000_001...1_700_000_900)
        #expect(expected.count == 2, "the generated fleet crosses the threshold once and recovers")
        let final = try String(contentsOfFile: "\(directory)/final.ndjson", encoding: .utf8)
        let actual = try final.split(separator: "\n").compactMap { line -> (kind: String, at: Int64, hits: Int)? in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            guard let kind = object["type"] as? String, kind == "alert" || kind == "recovery" else { return nil }
            return (kind, Int64(object["at"] as! Int), object["hits"] as! Int)
        }
        #expect(actual.map(\.kind) == expected.map(\.kind))
        #expect(actual.map(\.at) == expected.map(\.at))
        #expect(actual.map(\.hits) == expected.map(\.hits))
        let merged = try String(contentsOfFile: "\(directory)/merged.ndjson", encoding: .utf8)
        #expect(merged.split(separator: "\n").count == 90, "one merged bucket per interval, none doubled")
        #expect(merged.contains(#""sources":[{"source":"web1","#))
    }
}

/// The issue's "done when", through real Redis and the launcher: three hosts run
/// `logpipe --ship URL --source webN --once` on their logs, the center runs
/// `logpipe --fleet URL --once --sources ...`; the fleet's alert and recovery equal the rule on the union
/// of the three logs, and the view's input lists every source.
@Suite(
    "Fleet end to end through Redis and the launcher", .serialized,
    .enabled(if: RedisTestServer.executable != nil, Comment(rawValue: RedisTestServer.missingNote)))
struct FleetThroughRedisTests {
    @Test func shippedHostsMergeIntoOneExactFleetAlert() throws {
        let server = try RedisTestServer()
        let directory = try PipelineTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let url = server.url("logpipe")
        var script = ""
        for server in FleetEndToEndTests.servers {
            script += """
                loggen --instant --start 1700000000 --duration 900 --profile burst --rate 2.5 --burst-rate 4 \
                  --burst-start \(server.burstStart) --burst-duration 200 --seed \(server.seed) -o \(server.name).log
                logpipe --ship '\(url)' --source \(server.name) --once \(server.name).log 2> \(server.name).err || exit 10

                """
        }
        let names = FleetEndToEndTests.servers.map(\.name)
        script +=
            "logpipe --fleet '\(url)' --once --sources \(names.joined(separator: ",")) --view 'cat > final.ndjson' 2> fleet.err || exit 11\n"
        let outcome = try PipelineTools.shell(script, in: directory)
        let errors = (try? String(contentsOfFile: directory + "/fleet.err", encoding: .utf8)) ?? ""
        #expect(outcome.status == 0, "\(outcome.standardError) \(errors)")
        var union: [Int64: Int] = [:]
        for name in names {
            let log = try String(contentsOfFile: "\(directory)/\(name).log", encoding: .utf8)
            union.merge(ReferenceReading.hitsPerSecond(ofLog: log)) { $0 + $1 }
        }
        let expected = ReferenceReading.transitions(
            union, window: 120, threshold: 10, boundaries: 1_700_000_001...1_700_000_900)
        #expect(expected.count == 2)
        let final = try String(contentsOfFile: "\(directory)/final.ndjson", encoding: .utf8)
        var actual: [(kind: String, at: Int64, hits: Int)] = []
        var buckets = 0
        for line in final.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let type = object["type"] as? String
            if type == "alert" || type == "recovery" {
                actual.append((type!, Int64(object["at"] as! Int), object["hits"] as! Int))
            }
            if type == "bucket" {
                buckets += 1
                let sources = (object["sources"] as? [[String: Any]])?.compactMap { $0["source"] as? String }
                #expect(sources == names)
            }
        }
        #expect(buckets == 90, "one merged bucket per interval, none doubled")
        #expect(actual.map(\.kind) == expected.map(\.kind))
        #expect(actual.map(\.at) == expected.map(\.at))
        #expect(actual.map(\.hits) == expected.map(\.hits))
    }
}

/// One source falls silent while the others go on: after --source-timeout the merge writes without
/// it (marked stale), and the bucket it sends later counts as late, by its seconds, never lost.
@Suite("logmerge with a silent source, live")
struct FleetSilentSourceTests {
    @Test func aSilentSourceIsMarkedStaleAndItsLateBucketCountsAsLate() throws {
        let merge = try ToolProcess.transport(
            PipelineTools.path("logmerge"), ["--sources", "a,b", "--source-timeout", "1"], input: true)
        func bucket(_ source: String, _ start: Int64, _ hits: Int) -> String {
            TransportRecords.withSource(TransportRecords.bucket(start, hits: hits), source)
        }
        merge.write([bucket("a", 1_700_000_000, 3), bucket("b", 1_700_000_000, 4)].joined(separator: "\n") + "\n")
        #expect(merge.standardOutput.wait(until: { $0.contains(#""start":1700000000"#) }))
        // b falls silent; a goes on: once b is stale, a's intervals are written without it.
        merge.write(bucket("a", 1_700_000_010, 5) + "\n")
        #expect(
            merge.standardOutput.wait(until: { $0.contains(#""start":1700000010"#) && $0.contains(#""state":"stale""#) }
            ))
        // b comes back with the interval already written: its hits count as late in the next one.
        merge.write(
            [bucket("b", 1_700_000_010, 6), bucket("a", 1_700_000_020, 1), bucket("b", 1_700_000_020, 1)].joined(
                separator: "\n") + "\n")
        merge.closeInput()
        #expect(merge.waitForExit() == 0)
        let lines = merge.standardOutput.text.split(separator: "\n").filter { $0.contains(#""type":"bucket""#) }
        #expect(lines.count == 3)
        #expect(lines[2].contains(#""late":6,"#), "\(lines)")
        #expect(merge.standardError.text.contains("source b is stale"))
    }
}
