// swift-tools-version: 6.0
import Foundation
import PackageDescription

// A path dependency is named after its folder, which is whatever the clone was called.
let mainPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

// Benchmarks live apart from the main package so its builds and tests stay lean.
// Run with: swift run -c release sse-throughput
let package = Package(
    name: "tinytalk-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "sse-throughput",
            dependencies: [.product(name: "TinyTalkAPI", package: mainPackage)]
        ),
        .executableTarget(
            name: "store-bench",
            dependencies: [.product(name: "TinyTalkCore", package: mainPackage)]
        ),
        .executableTarget(
            name: "receive-floor",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "markdown-stream",
            dependencies: [.product(name: "TinyTalkUI", package: mainPackage), .product(name: "TerminalKit", package: mainPackage)]
        ),
        .executableTarget(
            name: "markdown-long-line",
            dependencies: [.product(name: "TinyTalkUI", package: mainPackage), .product(name: "TerminalKit", package: mainPackage)]
        ),
        .executableTarget(
            name: "frame-stream",
            dependencies: [
                .product(name: "TinyTalkUI", package: mainPackage), .product(name: "TinyTalkCore", package: mainPackage),
                .product(name: "TinyTalkAPI", package: mainPackage), .product(name: "TerminalKit", package: mainPackage),
            ]
        ),
        .executableTarget(
            name: "tui-history",
            dependencies: [
                .product(name: "TinyTalkUI", package: mainPackage), .product(name: "TinyTalkCore", package: mainPackage),
                .product(name: "TerminalKit", package: mainPackage),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
