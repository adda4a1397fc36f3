// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "jobflow-tui",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "jobflow-tui", targets: ["jobflow-tui"]),
    ],
    dependencies: [
        // YAML (libyaml inside): kubeconfig files, manifests, `-o yaml`.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // The command line: subcommands, shared flags, help text.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Structured logging; libraries take a Logger, only the binary bootstraps one.
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // The sandbox's HTTP server (HTTP/1.1 codec, event loops, chunked watch streams).
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        // The sandbox kubelet's pod deadlines (HeapModule); already in the build through swift-nio.
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        // Operator metrics: libraries record through the swift-metrics API only (a no-op until
        // a backend is bootstrapped); the binary bootstraps swift-prometheus and serves /metrics.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // No pkgConfig: ncursesw's .pc adds -D flags SwiftPM rejects; the header is on the
        // standard include path (ncursesw/curses.h) and the module map links ncursesw.
        .systemLibrary(
            name: "CNcurses",
            providers: [.apt(["libncurses-dev"])]
        ),
        .target(
            name: "Kube",
            dependencies: [
                "CCurl",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "KubeSandbox",
            dependencies: [
                "Kube",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The custom resources' typed API: spec and status values, the phase, state, reason,
        // condition and key vocabularies, validation and the retry/cancel rule. The one place
        // they are spelled; the operator, the UI and the CLI all read it.
        .target(
            name: "JobFlowAPI",
            dependencies: ["Kube"],
            swiftSettings: strict
        ),
        .target(
            name: "Orchestrator",
            dependencies: [
                "Kube",
                "JobFlowAPI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TUI",
            dependencies: [
                "Kube",
                "JobFlowAPI",
                "CNcurses",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The operator's /metrics, /healthz and /readyz over HTTP/1.1 (NIO), bind-address parsing, readiness.
        .target(
            name: "OperatorEndpoints",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "jobflow-tui",
            dependencies: [
                "Kube",
                "JobFlowAPI",
                "KubeSandbox",
                "Orchestrator",
                "TUI",
                "OperatorEndpoints",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        // glibc heap statistics for the benchmarks' memory measurements.
        .target(name: "CHeapStats"),
        .executableTarget(
            name: "jobflow-bench",
            dependencies: ["Kube", "JobFlowAPI", "KubeSandbox", "Orchestrator", "TUI", "CHeapStats", "CCurl", .product(name: "Logging", package: "swift-log"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KubeTests",
            dependencies: ["Kube"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "JobFlowAPITests",
            dependencies: ["JobFlowAPI", "Kube"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OrchestratorTests",
            dependencies: ["Orchestrator", "JobFlowAPI", "Kube"],
            swiftSettings: strict
        ),
        // The operator against the embedded sandbox (in-process and over HTTP).
        .testTarget(
            name: "OperatorEndToEndTests",
            dependencies: ["Orchestrator", "JobFlowAPI", "Kube", "KubeSandbox", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OperatorEndpointsTests",
            dependencies: ["OperatorEndpoints"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TUITests",
            dependencies: ["TUI", "JobFlowAPI", "Kube"],
            exclude: ["Golden"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KubeSandboxTests",
            dependencies: ["KubeSandbox", "Kube"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        // Drives the built binary, kubectl and tmux; depending on the executable makes SwiftPM build it first.
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["jobflow-tui", "JobFlowAPI", "Kube"],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
