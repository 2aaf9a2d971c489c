import Testing

@testable import LogPipe

/// Prometheus-style step tables: a synthetic clock walks from the start, and each row gives the input
/// at that step and the state expected after it. One table per state machine.
@Suite("Step tables: the alert rule and the aggregator, step by step")
struct StepTableTests {
    /// One step of the alert rule: `hits` in the second before `boundary`, then the boundary evaluated.
    struct RuleStep: Sendable, CustomStringConvertible {
        var boundary: Int64
        var hits: Int
        var state: AlertRule.State
        var transition: AlertRecord.Kind?
        var description: String { "t=\(boundary) hits=\(hits)" }
    }

    /// Window 4 s, threshold 1 req/s (more than 4 hits in the window fires), `--for 2`.
    static let ruleSteps: [RuleStep] = [
        RuleStep(boundary: 1, hits: 2, state: .normal, transition: nil),  // 2 in the window
        RuleStep(boundary: 2, hits: 2, state: .normal, transition: nil),  // 4: equal, not above
        RuleStep(boundary: 3, hits: 1, state: .pending(since: 3), transition: nil),  // 5: above, pending
        RuleStep(boundary: 4, hits: 0, state: .pending(since: 3), transition: nil),  // 5
        RuleStep(boundary: 5, hits: 1, state: .normal, transition: nil),  // 4: equal drops a pending alert
        RuleStep(boundary: 6, hits: 3, state: .pending(since: 6), transition: nil),  // 5
        RuleStep(boundary: 7, hits: 2, state: .pending(since: 6), transition: nil),  // 6
        RuleStep(boundary: 8, hits: 0, state: .alerting(since: 8), transition: .alert),  // 6, held 2 s: fires
        RuleStep(boundary: 9, hits: 2, state: .alerting(since: 8), transition: nil),  // 7
        RuleStep(boundary: 10, hits: 0, state: .alerting(since: 8), transition: nil),  // 4: equal keeps the alert
        RuleStep(boundary: 11, hits: 0, state: .normal, transition: .recovery),  // 2: below
    ]

    @Test func theAlertRuleWalksItsTable() {
        var configuration = AlertRule.Configuration()
        configuration.window = 4
        configuration.threshold = 1
        configuration.holdFor = 2
        var rule = AlertRule(configuration: configuration)
        for step in Self.ruleSteps {
            rule.record(hits: step.hits, at: step.boundary - 1)
            let transition = rule.evaluate(at: step.boundary)
            #expect(rule.state == step.state, "\(step)")
            #expect(transition?.kind == step.transition, "\(step)")
        }
    }

    /// One step of the aggregator: a request or a heartbeat, then the clock, what is held and the
    /// buckets and gaps emitted so far.
    struct AggregatorStep: Sendable, CustomStringConvertible {
        enum Input: Sendable {
            case request(Int64)
            case heartbeat(Int64)
            case end
        }
        var input: Input
        var watermark: Int64?
        var held: Int64?
        var emitted: [String]
        var description: String { "\(input)" }
    }

    /// Interval 10 s, lateness 0, maximum jump 3600 s.
    static let aggregatorSteps: [AggregatorStep] = [
        AggregatorStep(input: .request(1005), watermark: nil, held: 1005, emitted: []),  // the first is held
        AggregatorStep(input: .request(1007), watermark: 1007, held: nil, emitted: []),  // confirmed
        AggregatorStep(input: .request(1012), watermark: 1012, held: nil, emitted: ["b1000:2"]),
        AggregatorStep(input: .request(1008), watermark: 1012, held: nil, emitted: ["b1000:2"]),  // late
        AggregatorStep(input: .request(4_070_908_800), watermark: 1012, held: 4_070_908_800, emitted: ["b1000:2"]),
        AggregatorStep(input: .heartbeat(1013), watermark: 1013, held: nil, emitted: ["b1000:2"]),  // 2099 dropped
        AggregatorStep(input: .request(1013 + 7200), watermark: 1013, held: 8213, emitted: ["b1000:2"]),
        AggregatorStep(
            input: .request(8214), watermark: 8214, held: nil, emitted: ["b1000:2", "b1010:1", "g1020-8210"]),
        AggregatorStep(
            input: .end, watermark: 8214, held: nil, emitted: ["b1000:2", "b1010:1", "g1020-8210", "b8210:2"]),
    ]

    @Test func theAggregatorWalksItsTable() {
        var configuration = BucketAggregator.Configuration()
        configuration.allowedLateness = 0
        var aggregator = BucketAggregator(configuration: configuration)
        var output = AggregatorOutput()
        for step in Self.aggregatorSteps {
            switch step.input {
            case .request(let time):
                aggregator.observe(
                    RequestObservation(time: time, status: 200, bytes: 1, section: "/", client: "c"), into: &output)
            case .heartbeat(let time): aggregator.advance(to: time, into: &output)
            case .end: aggregator.finish(into: &output)
            }
            #expect(aggregator.watermark == step.watermark, "\(step)")
            #expect(aggregator.heldRequestTime == step.held, "\(step)")
            let emitted = output.records.map { record in
                switch record {
                case .bucket(let bucket): "b\(bucket.start):\(bucket.hits)"
                case .gap(let gap): "g\(gap.start)-\(gap.end)"
                }
            }
            #expect(emitted == step.emitted, "\(step)")
        }
        #expect(output.buckets[1].late == 1, "the line for 1008 came after its bucket was emitted")
        #expect(output.buckets[1].dropped == 1, "the line dated 2099")
    }
}
