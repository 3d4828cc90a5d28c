// swift-tools-version: 6.1
// ashb-top: asynchronous Hyperband (ASHA) tuning with a live ncurses dashboard.
// The parts and how they depend on each other are described in README.md ("How it is built").
// Dependencies point down: ASHA at the bottom; RunLog and ObjectiveProtocol on it; Objectives on the protocol;
// Tuner on RunLog and the protocol (not the plugins); Dashboard on RunLog; Terminal on Dashboard; AshbTop on
// all. Test support (RunFixtures) serves tests and ashb-bench only, never ashb-top.

import PackageDescription

let package = Package(
    name: "ashb-top",
    products: [
        .executable(name: "ashb-top", targets: ["ashb-top"]),
        .executable(name: "ashb-bench", targets: ["ashb-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.0"),
    ],
    targets: [
        // Search spaces, seeded sampling, rung ladders, promotion- and stopping-based ASHA.
        // Knows numbers, configurations and decisions; no threads, clocks, files or screens.
        .target(name: "ASHA"),
        // The one sanitizer for untrusted text on its way to a screen or a printed line; no dependencies,
        // so every part that prints can use it.
        .target(name: "TextSafety"),
        // The event vocabulary of a run, commands, end reasons, the append-only JSON Lines log, and the run
        // state with its one fold (RunState.apply): every reader of a run (tuner, resume, export, summary,
        // dashboard) reads it. Also Locked, the state-inside-the-lock wrapper.
        .target(name: "RunLog", dependencies: ["ASHA", "ObjectiveProtocol", "CZstd", "CZlib"]),
        // zstd: the run log's closed segments are stored zstd-compressed (events-NNNNNN.jsonl.zst).
        .systemLibrary(name: "CZstd", providers: [.apt(["libzstd-dev"])]),
        // zlib: reading the gzip-compressed segments (events-NNNNNN.jsonl.gz) of logs written by ashb-top
        // before it wrote zstd.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // The objective protocol: Objective, ObjectiveTrial, Step, ObjectiveError, checkpoint coding.
        // Knows configurations and steps; never the scheduler, the tuner or screens.
        .target(name: "ObjectiveProtocol", dependencies: ["ASHA"]),
        // The built-in objectives (synthetic functions, digits-mlp, curve tables, external commands).
        .target(
            name: "Objectives",
            dependencies: ["ASHA", "ObjectiveProtocol", "CSpawn", "TextSafety"],
            resources: [.copy("Resources/digits.csv"), .copy("Resources/SOURCE.md")]
        ),
        // Trial lifecycle, worker slots, commands and resume on top of RunState; the two backends (Dispatch
        // pool, simulated clock) behind one protocol. Depends on the objective protocol, not on the plugins.
        .target(
            name: "Tuner",
            dependencies: [
                "ASHA", "RunLog", "ObjectiveProtocol", .product(name: "Collections", package: "swift-collections"),
            ]
        ),
        // UI state over the run state (selection, sort, filter, overlays, plots), keymap, layout and a pure
        // renderer into a cell grid.
        .target(name: "Dashboard", dependencies: ["ASHA", "RunLog", "TextSafety"]),
        // ncurses lives here, and only here (with the signal watcher the UI loop polls).
        .systemLibrary(name: "CNcursesw", providers: [.apt(["libncurses-dev"])]),
        .target(name: "Terminal", dependencies: ["CNcursesw", "Dashboard", "TextSafety"]),
        // posix_spawn with closed descriptors and reset signals: the `command` objective's children
        // (own process group, piped output) and tmux driven from tests.
        .target(name: "CSpawn"),
        // Peer credentials of the control socket, spawning a run into its own session (detach).
        .target(name: "CAttach"),
        // The command line: specs, commands, wiring.
        .target(
            name: "AshbTop",
            dependencies: [
                "ASHA", "RunLog", "Objectives", "Tuner", "Dashboard", "Terminal", "TextSafety", "CAttach",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(name: "ashb-top", dependencies: ["AshbTop"]),
        // Test support, never part of `ashb-top`: event streams recorded from the real tuner on the
        // simulated clock (a fixed seed) for tests, golden screens and benchmarks.
        .target(name: "RunFixtures", dependencies: ["ASHA", "RunLog", "Objectives", "Tuner"]),
        .executableTarget(
            name: "ashb-bench",
            dependencies: ["ASHA", "RunLog", "Objectives", "Tuner", "Dashboard", "RunFixtures"]
        ),
        .testTarget(
            name: "ASHATests",
            dependencies: ["ASHA", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(name: "TextSafetyTests", dependencies: ["TextSafety"]),
        .testTarget(name: "RunLogTests", dependencies: ["RunLog"]),
        .testTarget(name: "ObjectivesTests", dependencies: ["Objectives"]),
        .testTarget(
            name: "TunerTests",
            dependencies: [
                "Tuner", "Objectives", "RunLog", .product(name: "PropertyBased", package: "swift-property-based"),
            ]),
        .testTarget(
            name: "DashboardTests", dependencies: ["Dashboard", "RunLog", "RunFixtures", "TextSafety"],
            resources: [.copy("Golden")]),
        .testTarget(
            name: "AshbTopTests",
            dependencies: [
                "ASHA", "AshbTop", "CSpawn", "RunLog", "Tuner", "Objectives", "RunFixtures", "TextSafety", "CAttach",
            ],
            // Recorded run logs, read from the source tree (found through #filePath).
            exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
