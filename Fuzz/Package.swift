// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for twvoice's parsers of untrusted input. Kept out of the root package so
// that `swift test` never builds them; `Fuzz/run.sh` builds them with
// `-sanitize=fuzzer,address` and runs each for a bounded time.
let core: [Target.Dependency] = [.product(name: "TwvoiceCore", package: "twvoice"), "FuzzDriver"]

let package = Package(
  name: "twvoice-fuzz",
  dependencies: [.package(name: "twvoice", path: "..")],
  targets: [
    // Calls libFuzzer's driver from each target's main (see fuzz_driver.h).
    .target(name: "FuzzDriver"),
    // Media Streams captures: JSON lines (both fast paths and the full parse), JSON arrays, base64 lines.
    .executableTarget(name: "FuzzCapture", dependencies: core),
    // WAV headers and the sample converter behind `codec info`.
    .executableTarget(name: "FuzzWAV", dependencies: core),
    // JWT decode, signature check and the access-token checks behind `token decode`.
    .executableTarget(name: "FuzzJWT", dependencies: core),
    // TwiML parser, serializer round trip and validator.
    .executableTarget(name: "FuzzTwiML", dependencies: core),
    // Core's JSONParser and a writer round trip.
    .executableTarget(name: "FuzzJSON", dependencies: core),
    // An app's ConversationRelay frames into a session, and session logs into a report page.
    .executableTarget(name: "FuzzRelay", dependencies: core),
    // Scenario files: Core's YAML reader, its node and depth limits.
    .executableTarget(name: "FuzzYAML", dependencies: core),
  ],
  swiftLanguageModes: [.v6]
)
