// swift-tools-version:6.1
import PackageDescription

/// Settings every target shares: Swift 6 mode with strict concurrency everywhere.
let commonSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "logpipe",
    products: [
        .executable(name: "logtail", targets: ["logtail"]),
        .executable(name: "logagg", targets: ["logagg"]),
        .executable(name: "logalert", targets: ["logalert"]),
        .executable(name: "logview", targets: ["logview"]),
        .executable(name: "loggen", targets: ["loggen"]),
        .executable(name: "logmerge", targets: ["logmerge"]),
        .executable(name: "logship", targets: ["logship"]),
        .executable(name: "logrecv", targets: ["logrecv"]),
        .executable(name: "logpipe", targets: ["logpipe"]),
        .library(name: "LogPipe", targets: ["LogPipe"]),
    ],
    targets: [
        // The functional core: parsing, wire format, bucketing, alert rule, rendering. No I/O, no clock.
        .target(
            name: "LogPipe",
            swiftSettings: commonSettings,
            // Rounding on Double calls libm, which a target importing neither Glibc nor Foundation must name.
            linkerSettings: [.linkedLibrary("m")]
        ),
        // The imperative shell's shared parts: file descriptors, following files, signals, terminal.
        .target(name: "LogPipeIO", dependencies: ["LogPipe"], swiftSettings: commonSettings),
        .executableTarget(name: "logtail", dependencies: ["LogPipe", "LogPipeIO"], swiftSettings: commonSettings),
        .executableTarget(name: "logagg", dependencies: ["LogPipe", "LogPipeIO"], swiftSettings: commonSettings),
        .executableTarget(name: "logalert", dependencies: ["LogPipe", "LogPipeIO"], swiftSettings: commonSettings),
        .executableTarget(name: "logview", dependencies: ["LogPipe", "LogPipeIO"], swiftSettings: commonSettings),
        .executableTarget(name: "loggen", dependencies: ["LogPipe", "LogPipeIO"], swiftSettings: commonSettings),
        .executableTarget(name: "logmerge", dependencies: ["LogPipe", "LogPipeIO"], swiftSettings: commonSettings),
        // The Redis transport: the stream between hosts, behind stages of its own (issue 14).
        .executableTarget(name: "logship", dependencies: ["LogPipe", "LogPipeIO"], swiftSettings: commonSettings),
        .executableTarget(name: "logrecv", dependencies: ["LogPipe", "LogPipeIO"], swiftSettings: commonSettings),
        .executableTarget(name: "logpipe", dependencies: ["LogPipe", "LogPipeIO"], swiftSettings: commonSettings),
        .testTarget(name: "LogPipeTests", dependencies: ["LogPipe"], swiftSettings: commonSettings),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["LogPipe", "LogPipeIO"],
            swiftSettings: commonSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
