import LogPipe
import Testing

/// The supervision decisions as tables: a run's processes, then a timed list of events, each with
/// the actions expected, on a synthetic clock from 0 (grace 2 s, feed grace 2 s, kill wait 1 s).
@Suite("SupervisorStateMachine")
struct SupervisorStateMachineTests {
    enum Event: Sendable {
        case exited(String, ProcessEnd)
        case signal(Int32)
        case streamEnded
        case feedsFinished
        case deadline
        case spawnFailed(String)
    }

    struct Step: Sendable {
        var at: Double
        var event: Event
        var expected: [SupervisorAction]
        init(_ at: Double, _ event: Event, _ expected: [SupervisorAction] = []) {
            self.at = at
            self.event = event
            self.expected = expected
        }
    }

    struct Scenario: CustomTestStringConvertible, Sendable {
        var label: String
        var processes: [(String, SupervisorStateMachine.Member)] = pipeline
        var steps: [Step]
        var failedStage: String?
        var testDescription: String { label }
    }

    static let interrupt = SignalNumber.interrupt
    static let terminate = SignalNumber.terminate
    static let hangUp = SignalNumber.hangUp
    static let killed = ProcessEnd.signalled(SignalNumber.kill)
    static let terminated = ProcessEnd.signalled(SignalNumber.terminate)

    /// logtail -> logagg -> logalert -> view.
    static let pipeline: [(String, SupervisorStateMachine.Member)] = [
        ("view", .stage(endsPipeline: true)), ("logalert", .stage()), ("logagg", .stage()), ("logtail", .stage()),
    ]
    /// The same with one tap: logalert writes to the launcher, which feeds the view and the tap.
    static let tapped: [(String, SupervisorStateMachine.Member)] = [
        ("view", .stage(endsPipeline: true)), ("logalert", .stage()), ("logagg", .stage()),
        ("logtail", .stage()), ("tap0", .tap),
    ]
    /// Headless: logalert's end ends the pipeline.
    static let headless: [(String, SupervisorStateMachine.Member)] = [
        ("logalert", .stage(endsPipeline: true)), ("logagg", .stage()), ("logtail", .stage()),
    ]

    static func allTerminated(at time: Double, last status: Int32, except: Set<String> = []) -> [Step] {
        let names = ["view", "logalert", "logagg", "logtail"].filter { !except.contains($0) }
        return names.enumerated().map { index, name in
            Step(time, .exited(name, terminated), index == names.count - 1 ? [.finish(status: status)] : [])
        }
    }

    static let scenarios: [Scenario] = [
        Scenario(
            label: "Ctrl-C: terminate the group, finish with 130 once all have ended",
            steps: [Step(1, .signal(interrupt), [.terminateGroup])] + allTerminated(at: 1.2, last: 130)),
        Scenario(
            label: "SIGTERM: 143; SIGHUP: 129",
            steps: [Step(1, .signal(terminate), [.terminateGroup])] + allTerminated(at: 1.2, last: 143)),
        Scenario(
            label: "SIGHUP: 129",
            steps: [Step(1, .signal(hangUp), [.terminateGroup])] + allTerminated(at: 1.2, last: 129)),
        Scenario(
            label: "stages that ignore SIGTERM are killed after the grace period",
            steps: [
                Step(1, .signal(terminate), [.terminateGroup]), Step(2.9, .deadline), Step(3, .deadline, [.killGroup]),
                Step(3.1, .exited("view", killed)), Step(3.1, .exited("logalert", killed)),
                Step(3.1, .exited("logagg", killed)), Step(3.1, .exited("logtail", killed), [.finish(status: 143)]),
            ]),
        Scenario(
            label: "a process that outlives SIGKILL does not hold the launcher past the kill wait",
            steps: [
                Step(1, .signal(terminate), [.terminateGroup]), Step(3, .deadline, [.killGroup]),
                Step(3.1, .exited("view", killed)), Step(4, .deadline, [.finish(status: 143)]),
            ]),
        Scenario(
            label: "a second signal while stopping for a signal kills at once",
            steps: [
                Step(1, .signal(interrupt), [.terminateGroup]), Step(1.5, .signal(interrupt), [.killGroup]),
                Step(1.6, .signal(terminate)),
            ] + allTerminated(at: 1.7, last: 130)),
        Scenario(
            label: "a failing stage stops the others and gives its status",
            steps: [Step(1, .exited("logagg", .exited(3)), [.terminateGroup])]
                + allTerminated(at: 1.2, last: 3, except: ["logagg"]),
            failedStage: "logagg"),
        Scenario(
            label: "a stage killed by a crash gives status 1",
            steps: [Step(1, .exited("logagg", .signalled(11)), [.terminateGroup])]
                + allTerminated(at: 1.2, last: 1, except: ["logagg"]),
            failedStage: "logagg"),
        Scenario(
            label: "a stage killed by SIGINT before the launcher heard of Ctrl-C stops the run as Ctrl-C",
            steps: [
                Step(1, .exited("logtail", .signalled(interrupt)), [.terminateGroup]), Step(1.1, .signal(interrupt)),
            ] + allTerminated(at: 1.2, last: 130, except: ["logtail"])),
        Scenario(
            label: "the view's end (q) stops everything with 0",
            steps: [Step(5, .exited("view", .exited(0)), [.terminateGroup])]
                + allTerminated(at: 5.1, last: 0, except: ["view"])),
        Scenario(
            label: "a replay ends stage by stage and finishes without signalling anyone",
            steps: [
                Step(1, .exited("logtail", .exited(0))), Step(1, .exited("logagg", .exited(0))),
                Step(1, .exited("logalert", .exited(0))), Step(1.1, .exited("view", .exited(0)), [.finish(status: 0)]),
            ]),
        Scenario(
            label: "a stage whose reader went first (SIGPIPE, 141) ended well",
            steps: [
                Step(1, .exited("logtail", .signalled(SignalNumber.brokenPipe))),
                Step(1, .exited("logagg", .exited(141))),
                Step(1, .signal(terminate), [.terminateGroup]), Step(1.1, .exited("logalert", terminated)),
                Step(1.1, .exited("view", terminated), [.finish(status: 143)]),
            ]),
        Scenario(
            label: "Ctrl-C on the terminal reaching the view before the launcher still gives 130",
            steps: [
                Step(1, .exited("view", .exited(0)), [.terminateGroup]), Step(1.01, .signal(interrupt)),
            ] + allTerminated(at: 1.2, last: 130, except: ["view"])),
        Scenario(
            label: "a stage failing while a normal end is cleaned up decides the status",
            steps: [
                Step(1, .exited("view", .exited(0)), [.terminateGroup]), Step(1.1, .exited("logagg", .exited(4))),
                Step(1.1, .exited("logalert", terminated)),
                Step(1.1, .exited("logtail", terminated), [.finish(status: 4)]),
            ],
            failedStage: "logagg"),
        Scenario(
            label: "a failure after Ctrl-C does not change the status",
            steps: [
                Step(1, .signal(interrupt), [.terminateGroup]), Step(1.1, .exited("logagg", .exited(4))),
            ] + allTerminated(at: 1.2, last: 130, except: ["logagg"])),
        Scenario(
            label: "a stage that cannot start stops the run with status 1",
            processes: [("view", .stage(endsPipeline: true))],
            steps: [
                Step(0, .spawnFailed("logalert"), [.terminateGroup]),
                Step(0.1, .exited("view", terminated), [.finish(status: 1)]),
            ],
            failedStage: "logalert"),
        Scenario(
            label: "taps get the rest of a replay and finish on their own",
            processes: tapped,
            steps: [
                Step(1, .exited("logtail", .exited(0))), Step(1, .exited("logagg", .exited(0))),
                Step(1, .streamEnded), Step(1.1, .feedsFinished), Step(1.2, .exited("view", .exited(0))),
                Step(1.3, .exited("logalert", .exited(0))),
                Step(1.5, .exited("tap0", .exited(0)), [.finish(status: 0)]),
            ]),
        Scenario(
            label: "a tap that does not finish a replay is stopped after the feed grace",
            processes: tapped,
            steps: [
                Step(1, .exited("logtail", .exited(0))), Step(1, .exited("logagg", .exited(0))),
                Step(1, .streamEnded), Step(1.2, .exited("view", .exited(0))),
                Step(1.2, .exited("logalert", .exited(0))),
                Step(1.3, .feedsFinished),
                Step(3.1, .deadline), Step(3.2, .deadline, [.terminateGroup]),
                Step(3.3, .exited("tap0", terminated), [.finish(status: 0)]),
            ]),
        Scenario(
            label: "quitting the view while the stream runs stops the taps at once",
            processes: tapped,
            steps: [
                Step(1, .exited("view", .exited(0)), [.terminateGroup]), Step(1.1, .exited("tap0", terminated)),
            ] + allTerminated(at: 1.2, last: 0, except: ["view"])),
        Scenario(
            label: "a tap's end, even a failure, only loses its own feed",
            processes: tapped,
            steps: [
                Step(1, .exited("tap0", .exited(2))), Step(2, .signal(interrupt), [.terminateGroup]),
            ] + allTerminated(at: 2.1, last: 130)),
        Scenario(
            label: "headless: the end of logalert's stream waits for the readers, then finishes",
            processes: headless,
            steps: [
                Step(1, .exited("logtail", .exited(0))), Step(1, .exited("logagg", .exited(0))),
                Step(1, .streamEnded), Step(1, .exited("logalert", .exited(0))),
                Step(1.5, .feedsFinished, [.finish(status: 0)]),
            ]),
        Scenario(
            label: "headless: readers that do not finish hold the end for the feed grace only",
            processes: headless + [("loggen", .stage())],
            steps: [
                Step(1, .exited("logtail", .exited(0))), Step(1, .exited("logagg", .exited(0))),
                Step(1, .streamEnded), Step(1, .exited("logalert", .exited(0))), Step(3, .deadline, [.terminateGroup]),
                Step(3.1, .exited("loggen", terminated), [.finish(status: 0)]),
            ]),
        Scenario(
            label: "a signal while draining ends the drain and decides the status",
            processes: headless + [("loggen", .stage())],
            steps: [
                Step(1, .exited("logtail", .exited(0))), Step(1, .exited("logagg", .exited(0))),
                Step(1, .streamEnded), Step(1, .exited("logalert", .exited(0))),
                Step(1.5, .signal(terminate), [.terminateGroup]),
                Step(1.6, .exited("loggen", terminated), [.finish(status: 143)]),
            ]),
        Scenario(
            label: "events after the finish change nothing",
            processes: [("view", .stage(endsPipeline: true))],
            steps: [
                Step(1, .exited("view", .exited(0)), [.finish(status: 0)]), Step(2, .signal(interrupt)),
                Step(3, .deadline),
                Step(4, .exited("view", .exited(1))),
            ]),
    ]

    @Test("decides each step of the scenario", arguments: scenarios)
    func decidesEachStep(scenario: Scenario) {
        var machine = SupervisorStateMachine()
        for (name, member) in scenario.processes { machine.started(name, as: member) }
        for step in scenario.steps {
            let actions: [SupervisorAction]
            switch step.event {
            case .exited(let name, let end): actions = machine.exited(name, end, at: step.at)
            case .signal(let number): actions = machine.signalled(number, at: step.at)
            case .streamEnded:
                machine.streamEnded()
                actions = []
            case .feedsFinished: actions = machine.feedsFinished(at: step.at)
            case .deadline: actions = machine.deadlinePassed(at: step.at)
            case .spawnFailed(let name):
                actions = machine.spawnFailed(name, as: .stage(), reason: "No such file or directory", at: step.at)
            }
            #expect(actions == step.expected, "at \(step.at): \(step.event)")
        }
        #expect(machine.isFinished)
        #expect(machine.failedStage == scenario.failedStage)
    }

    @Test func theViewsEndBeforeTheStreamEndedStopsTheTapsAtOnceEvenIfTheWriterEndedWell() {
        var machine = SupervisorStateMachine()
        for (name, member) in Self.tapped { machine.started(name, as: member) }
        #expect(machine.exited("logalert", .exited(0), at: 1) == [])
        #expect(machine.exited("view", .exited(0), at: 1) == [.terminateGroup])
    }

    @Test func everyPhaseHasADeadlineOnceStopping() {
        var machine = SupervisorStateMachine()
        machine.started("view", as: .stage(endsPipeline: true))
        #expect(machine.deadline == nil && machine.isRunning)
        #expect(machine.signalled(Self.interrupt, at: 10) == [.terminateGroup])
        #expect(machine.deadline == 12 && !machine.isRunning)
        #expect(machine.deadlinePassed(at: 12) == [.killGroup])
        #expect(machine.deadline == 13)
        #expect(machine.deadlinePassed(at: 13) == [.finish(status: 130)])
        #expect(machine.deadline == nil)
    }

    @Test func recordsEachEndAndWhetherItIsRemarkable() {
        var machine = SupervisorStateMachine()
        for (name, member) in Self.tapped { machine.started(name, as: member) }
        _ = machine.exited("tap0", .exited(2), at: 1)
        _ = machine.signalled(Self.terminate, at: 2)
        _ = machine.exited("logtail", Self.terminated, at: 2.1)
        _ = machine.exited("logagg", .exited(141), at: 2.1)
        _ = machine.exited("view", Self.killed, at: 4.1)
        let remarkable = Dictionary(uniqueKeysWithValues: machine.ends.map { ($0.name, $0.remarkable) })
        #expect(remarkable == ["tap0": true, "logtail": false, "logagg": false, "view": true])
        #expect(machine.runningProcesses == ["logalert"])
    }

    @Test(arguments: [
        (ProcessEnd.exited(0), true, nil as Int32?), (.exited(141), true, nil), (.signalled(13), true, nil),
        (.exited(3), false, nil), (.exited(130), false, 2), (.exited(143), false, 15), (.signalled(9), false, 9),
        (.signalled(1), false, 1), (.signalled(11), false, nil), (.notStarted("x"), false, nil),
    ])
    func classifiesProcessEnds(end: ProcessEnd, clean: Bool, stopSignal: Int32?) {
        #expect(end.isClean == clean)
        #expect(end.stopSignal == stopSignal)
    }

    @Test func describesEndsAsTheReportSaysThem() {
        #expect(ProcessEnd.exited(3).description == "exited with status 3")
        #expect(ProcessEnd.signalled(15).description == "was killed by SIGTERM")
        #expect(ProcessEnd.signalled(64).description == "was killed by signal 64")
    }
}
