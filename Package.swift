// swift-tools-version:6.0
import PackageDescription

/// Upcoming-language features enabled on every Swift target.
let strictSettings: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("MemberImportVisibility"),
]

/// A system library: the shared library in debug builds (tests, sanitizers); in release builds on
/// Linux its static archives (`libcrypto.a`, `libreadline.a` + `libtinfo.a`, from the same Debian
/// packages), so the dynamic loader does not resolve libcrypto's 4,000 symbols at every start.
func systemLibrary(_ name: String, archives: [String]? = nil) -> [LinkerSetting] {
  [.linkedLibrary(name, .when(configuration: .debug))]
    + (archives ?? [name]).map {
      .linkedLibrary(":lib\($0).a", .when(platforms: [.linux], configuration: .release))
    }
}

/// How a release binary is linked on Linux (Benchmarks/startup.py measures the difference): a
/// position-dependent executable (`-no-pie`: no relocations to apply at start-up, so the data
/// pages stay shared with the page cache instead of being copied), and no dynamic symbol table of
/// the whole program (glibc's `dladdr`, which the Swift runtime calls once at start-up, walks it).
/// The static Swift runtime cannot come from here (every dependency must be compiled for it):
/// `make` adds `--static-swift-stdlib`.
let releaseExecutableSettings: [LinkerSetting] = [
  .unsafeFlags(
    ["-Xclang-linker", "-no-pie", "-Xlinker", "--no-export-dynamic"],
    .when(platforms: [.linux], configuration: .release))
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
  ],
  targets: [
    // System libraries. CI installs the Debian packages named in `providers`. The headers are on
    // the default include path on Debian; the libraries are named by the targets that use them
    // (`linkerSettings`), so that a release binary can take them from their static archives.
    .systemLibrary(
      name: "COpenSSL",
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
      swiftSettings: strictSettings,
      linkerSettings: systemLibrary("crypto")
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
      ],
      swiftSettings: strictSettings,
      linkerSettings: systemLibrary("readline", archives: ["readline", "tinfo"])
    ),
    .executableTarget(
      name: "twvoice",
      dependencies: ["TwvoiceCLI"],
      swiftSettings: strictSettings,
      linkerSettings: releaseExecutableSettings
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
