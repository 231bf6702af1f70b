import Foundation
import Testing

/// Inputs read whole (secrets, `.env`, tokens, TwiML documents) have a size cap, and a read
/// error is reported, not taken for the end of the input.
struct InputLimitTests {
  @Test func twimlValidateStopsAtSixteenMiB() throws {
    let r = try Twvoice.run(["twiml", "validate", "/dev/zero"])
    #expect(r.status == 65, "\(r)")
    #expect(r.stderr == "twvoice: error: /dev/zero: larger than 16 MiB, the most read here\n")
  }

  @Test func twimlRenderStopsAtSixteenMiB() throws {
    let r = try Twvoice.run(["twiml", "render", "--from", "/dev/zero"])
    #expect(r.status == 65, "\(r)")
    #expect(r.stderr == "twvoice: error: /dev/zero: larger than 16 MiB, the most read here\n")
  }

  @Test func envFileStopsAtOneMiB() throws {
    let r = try Twvoice.run(["token", "mint", "--identity", "a", "--env-file", "/dev/zero"])
    #expect(r.status == 65, "\(r)")
    #expect(r.stderr == "twvoice: error: /dev/zero: larger than 1 MiB, the most read here\n")
  }

  @Test func secretFileOfOneMiBAndOneByteIsRefused() throws {
    let dir = try TemporaryDirectory.make()
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data(repeating: 0x61, count: (1 << 20) + 1).write(to: dir.appendingPathComponent("secret.txt"))
    let r = try Twvoice.run(
      ["token", "mint", "--identity", "a", "--api-secret-file", "secret.txt"],
      environment: Twvoice.fakeEnvironment, in: dir)
    #expect(r.status == 65, "\(r)")
    #expect(r.stderr == "twvoice: error: secret.txt: larger than 1 MiB, the most read here\n")
    #expect(!r.stderr.contains("aaaa"))
  }

  @Test func readErrorIsReported() throws {
    // Reading /proc/self/mem at offset 0 fails with EIO (nothing is mapped there).
    let r = try Twvoice.run(["twiml", "validate", "/proc/self/mem"])
    #expect(r.status == 66, "\(r)")
    #expect(r.stderr == "twvoice: error: cannot read /proc/self/mem: Input/output error\n")
  }
}
