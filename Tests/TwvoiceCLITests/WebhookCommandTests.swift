import Foundation
import Testing
import TwvoiceCore

/// `twvoice webhook sign|verify` through the binary, against twilio-python's vectors.
struct WebhookCommandTests {
  static func vectors(_ name: String) throws -> [JSONValue] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("TwvoiceCoreTests/Fixtures/\(name)")
    let text = try String(contentsOf: url, encoding: .utf8)
    return try text.split(separator: "\n").map { try JSONParser.parse(String($0)) }
  }

  @Test func signPrintsTwilioPythonsSignatures() throws {
    for v in try Self.vectors("signature-vectors.jsonl") {
      let token = try #require(v["auth_token"]?.stringValue)
      let params = (v["params"]?.members ?? []).flatMap {
        ["--param", "\($0.key)=\($0.value.stringValue ?? "")"]
      }
      let r = try Twvoice.run(
        ["webhook", "sign", try #require(v["url"]?.stringValue)] + params,
        environment: ["TWILIO_AUTH_TOKEN": token])
      #expect(r.status == 0, "\(r)")
      #expect(r.stdout == (try #require(v["signature"]?.stringValue)) + "\n")
      #expect(!r.stdout.contains(token) || token.count < 6)
    }
  }

  @Test func verifyDecidesAsRequestValidator() throws {
    for v in try Self.vectors("webhook-validation-vectors.jsonl") {
      let key = try #require(v["key"]?.stringValue)
      let sha256 = v["algorithm"]?.stringValue == "HMAC_SHA256"
      var arguments = ["webhook", "verify", try #require(v["url"]?.stringValue)]
      arguments += ["--signature", try #require(v["signature"]?.stringValue)]
      var stdin: String?
      if let body = v["body"]?.stringValue {
        arguments += ["--body", "-"]
        stdin = body
      } else {
        arguments += (v["params"]?.members ?? []).flatMap {
          ["--param", "\($0.key)=\($0.value.stringValue ?? "")"]
        }
      }
      let environment = sha256 ? ["TWILIO_WEBHOOK_SIGNING_KEY": "KSid:" + key] : ["TWILIO_AUTH_TOKEN": key]
      let r = try Twvoice.run(arguments, stdin: stdin, environment: environment)
      let valid = try #require(v["valid"]?.boolValue)
      #expect(r.status == (valid ? 0 : 1), "\(arguments) \(r)")
      #expect(r.stdout == (valid ? "valid\n" : "invalid\n"))
      #expect(!r.stdout.contains(key) && !r.stderr.contains(key))
    }
  }

  @Test func aJSONBodyIsSignedThroughBodySHA256() throws {
    let body = #"{"CallSid":"CA1","note":"ü"}"#
    let r = try Twvoice.run(
      ["webhook", "sign", "https://example.com/events", "--body", "-", "--json"], stdin: body,
      environment: ["TWILIO_WEBHOOK_SIGNING_KEY": "KSabc:secret"])
    #expect(r.status == 0, "\(r)")
    let json = try JSONParser.parse(r.stdout)
    let url = try #require(json["url"]?.stringValue)
    #expect(url == "https://example.com/events?bodySHA256=" + TwilioSignature.bodyHash(Array(body.utf8)))
    #expect(
      json["headers"]?["X-Twilio-Webhooks-Signature-Settings"]?.stringValue
        == "key=KSabc,algorithm=HMAC_SHA256")
    let signature = try #require(json["signature"]?.stringValue)
    #expect(signature == TwilioSignature.compute(url: url, key: "secret", algorithm: .hmacSHA256))
    #expect(!r.stdout.contains("secret"))
    // The signed URL checks out with the body, and not with another body.
    let ok = try Twvoice.run(
      ["webhook", "verify", url, "--signature", signature, "--body", "-", "--signing-key", "KSabc:secret"],
      stdin: body)
    #expect(ok.status == 0, "\(ok)")
    let tampered = try Twvoice.run(
      ["webhook", "verify", url, "--signature", signature, "--body", "-", "--signing-key", "KSabc:secret"],
      stdin: body + " ")
    #expect(tampered.status == 1 && tampered.stdout == "invalid\n")
  }

  @Test func aBodyIsCoveredOnlyThroughBodySHA256() throws {
    let body = #"{"a":1}"#
    let hash = TwilioSignature.bodyHash(Array(body.utf8))
    // Signed without bodySHA256: the body is not covered, so it cannot be valid.
    let bare = TwilioSignature.compute(url: "https://example.com/events", authToken: "12345")
    let unsigned = try Twvoice.run(
      [
        "webhook", "verify", "https://example.com/events", "--signature", bare, "--body", "-", "--auth-token",
        "12345",
      ],
      stdin: body)
    #expect(unsigned.status == 1 && unsigned.stdout == "invalid\n", "\(unsigned)")
    #expect(unsigned.stderr.contains("the URL has no bodySHA256"))
    // A URL that already names this body's hash is signed as it is; another body's is refused.
    let named = "https://example.com/events?bodySHA256=\(hash)"
    let same = try Twvoice.run(
      ["webhook", "sign", named, "--body", "-", "--auth-token", "12345", "--json"], stdin: body)
    #expect(same.status == 0, "\(same)")
    #expect(try JSONParser.parse(same.stdout)["url"]?.stringValue == named)
    let other = try Twvoice.run(
      [
        "webhook", "sign", "https://example.com/events?bodySHA256=abc", "--body", "-", "--auth-token",
        "12345",
      ],
      stdin: body)
    #expect(other.status == 65 && other.stdout.isEmpty)
    #expect(other.stderr.contains("the URL's bodySHA256 is abc"), "\(other)")
  }

  @Test func theKeyCanComeFromDotEnvAndTheEnvironmentWins() throws {
    let dir = try TemporaryDirectory.with([".env": "TWILIO_AUTH_TOKEN=12345\n"])
    defer { TemporaryDirectory.remove(dir) }
    let url = "https://example.com/voice"
    let fromFile = try Twvoice.run(["webhook", "sign", url], in: dir)
    #expect(fromFile.status == 0, "\(fromFile)")
    #expect(fromFile.stdout == TwilioSignature.compute(url: url, authToken: "12345") + "\n")
    let fromEnvironment = try Twvoice.run(
      ["webhook", "sign", url], environment: ["TWILIO_AUTH_TOKEN": "other"], in: dir)
    #expect(fromEnvironment.stdout == TwilioSignature.compute(url: url, authToken: "other") + "\n")
  }

  @Test(arguments: [
    (["webhook", "sign", "https://e.com/v"], 64),  // no key
    (["webhook", "sign", "https://e.com/v", "--auth-token", "t", "--param", "x"], 64),
    (["webhook", "sign", "https://e.com/v", "--signing-key", "nocolon"], 64),
    (["webhook", "sign", "https://e.com/v", "--auth-token", "t", "--body", "missing.json"], 66),
    (["webhook", "verify", "https://e.com/v", "--auth-token", "t"], 64),  // no --signature
  ])
  func badInputHasADocumentedStatus(arguments: [String], status: Int) throws {
    let r = try Twvoice.run(arguments)
    #expect(Int(r.status) == status, "\(r)")
    #expect(r.stderr.hasPrefix("twvoice: error: "), "\(r)")
    #expect(!r.stderr.contains("nocolon"))
  }
}
