// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "tinytalk",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tinytalk", targets: ["tinytalk"]),
        .library(name: "TinyTalkAPI", targets: ["TinyTalkAPI"]),
        .library(name: "TinyTalkCore", targets: ["TinyTalkCore"]),
        .library(name: "TinyTalkUI", targets: ["TinyTalkUI"]),
        .library(name: "TerminalKit", targets: ["TerminalKit"]),
        .library(name: "LocalBot", targets: ["LocalBot"]),
    ],
    dependencies: [
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // The only C surface: ncursesw with shims for the macros Swift cannot import.
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),

        // Reading and writing file descriptors whole (interrupted calls made again).
        .target(name: "SystemIO"),

        // Terminal-independent screen model: cells, widths, keys, themes. No curses here.
        .target(name: "TerminalKit"),

        // The Tiny Talk wire protocol: requests, SSE parsing, delta decoding, the HTTP client.
        .target(
            name: "TinyTalkAPI",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),

        // Sessions, tabs, history, configuration: everything the UI needs that is not drawing.
        .target(
            name: "TinyTalkCore",
            dependencies: [
                "TinyTalkAPI", "SystemIO",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Views and the app loop, drawing into TerminalKit grids through a backend protocol.
        .target(
            name: "TinyTalkUI",
            dependencies: ["TerminalKit", "TinyTalkCore", .product(name: "TOMLKit", package: "TOMLKit")]
        ),

        // The only target that imports curses.
        .target(name: "CursesBackend", dependencies: ["TerminalKit", "CNcursesw", "SystemIO"]),

        // A loopback server that speaks the Tiny Talk protocol, for the demo, tests and benchmarks.
        .target(
            name: "LocalBot",
            dependencies: [
                "TinyTalkAPI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),

        .executableTarget(
            name: "tinytalk",
            dependencies: [
                "TerminalKit", "TinyTalkAPI", "TinyTalkCore", "TinyTalkUI", "CursesBackend", "LocalBot", "SystemIO",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // Release builds (the Swift runtime linked in, see the Makefile) pack their relative
            // relocations (DT_RELR, lld's pack-relative-relocs): the loader reads 23 KB of them
            // instead of 2.9 MB and leaves the pages they point into alone until used. And they
            // export no symbols (the static runtime's link arguments export all of the
            // program's; nothing looks them up): 2.8 MB of symbol table the loader searched.
            // 9 MB less resident in all (Benchmarks/README.md).
            linkerSettings: [
                .unsafeFlags(
                    ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"],
                    .when(platforms: [.linux], configuration: .release))
            ]
        ),

        // What the test targets share: fakes of the terminal, the transport and the clock, grid
        // snapshots, a seeded random generator, polling.
        .target(name: "TestSupport", dependencies: ["TerminalKit", "TinyTalkAPI", "TinyTalkCore"], path: "Tests/TestSupport"),
        .testTarget(name: "TerminalKitTests", dependencies: ["TerminalKit", "TestSupport"]),
        .testTarget(name: "TinyTalkAPITests", dependencies: ["TinyTalkAPI", "TestSupport"]),
        .testTarget(
            name: "TinyTalkCoreTests",
            dependencies: ["TinyTalkCore", "LocalBot", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "TinyTalkUITests", dependencies: ["TinyTalkUI", "TerminalKit", "TinyTalkCore", "TestSupport"], exclude: ["Markdown/Goldens", "Snapshots"]
        ),
        .testTarget(name: "CursesBackendTests", dependencies: ["CursesBackend", "TerminalKit"]),
        .testTarget(
            name: "LocalBotTests",
            dependencies: ["LocalBot", "TinyTalkAPI", "TestSupport", .product(name: "AsyncHTTPClient", package: "async-http-client")]
        ),
        .testTarget(name: "EndToEndTests", dependencies: ["TinyTalkAPI", "TinyTalkCore", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
