// swift-tools-version:6.0
import PackageDescription

/// Upcoming-language features enabled on every Swift target.
let strictSettings: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
  name: "twvoice",
  products: [
    .executable(name: "twvoice", targets: ["twvoice"]),
    .library(name: "TwvoiceCore", targets: ["TwvoiceCore"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    // Scenario files (`--scenario FILE.yaml`).
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
  ],
  targets: [
    // System libraries. CI installs the Debian packages named in `providers`.
    .systemLibrary(
      name: "COpenSSL",
      pkgConfig: "libcrypto",
      providers: [.apt(["libssl-dev"])]
    ),
    // No pkgConfig: readline.pc carries -D flags that SwiftPM prohibits (and warns about on
    // every build); the headers are on the default include path on Debian.
    .systemLibrary(
      name: "CReadline",
      providers: [.apt(["libreadline-dev"])]
    ),

    // glibc's memmem for the capture scanner (Swift's Glibc module does not export it).
    .target(name: "CByteScan"),

    // The toolkit: values and functions, no command line, no network, no printing.
    .target(
      name: "TwvoiceCore",
      dependencies: ["COpenSSL", "CByteScan"],
      swiftSettings: strictSettings
    ),
    // Network edges, kept out of Core: the WebSocket client `stream replay` dials Twilio-style.
    .target(
      name: "TwvoiceNet",
      dependencies: [
        "TwvoiceCore",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOWebSocket", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
      ],
      swiftSettings: strictSettings
    ),
    // Commands, output formatting, the REPL.
    .target(
      name: "TwvoiceCLI",
      dependencies: [
        "TwvoiceCore",
        "TwvoiceNet",
        "CReadline",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Yams", package: "Yams"),
      ],
      swiftSettings: strictSettings
    ),
    .executableTarget(
      name: "twvoice",
      dependencies: ["TwvoiceCLI"],
      swiftSettings: strictSettings
    ),

    .testTarget(
      name: "TwvoiceCoreTests",
      dependencies: ["TwvoiceCore"],
      exclude: ["Fixtures"],
      swiftSettings: strictSettings
    ),
    // Pseudo-terminals for the REPL tests (posix_openpt is not in Swift's Glibc module).
    .target(name: "CTestSupport", path: "Tests/CTestSupport"),
    // Depends on the executable so that `swift test` builds the binary the end-to-end tests run.
    .testTarget(
      name: "TwvoiceCLITests",
      dependencies: [
        "TwvoiceCLI", "twvoice", "TwvoiceNet", "CTestSupport",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOWebSocket", package: "swift-nio"),
      ],
      exclude: ["Fixtures"],
      swiftSettings: strictSettings
    ),
  ],
  swiftLanguageModes: [.v6]
)
