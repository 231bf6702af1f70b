import NIOCore
import NIOWebSocket
import Testing

@testable import TwvoiceNet

/// `ws://`/`wss://` URLs taken apart in process: host forms, ports, the request line, what
/// Twilio refuses, and whether TLS names the host (SNI) or it is an address.
struct StreamTargetTests {
  typealias Target = StreamReplayClient.Target

  @Test(
    arguments: [
      ("wss://bot.example.com/ws", true, "bot.example.com", 443, "/ws", false),
      ("ws://127.0.0.1:8080/media", false, "127.0.0.1", 8080, "/media", true),
      ("WSS://Bot.Example.com", true, "Bot.Example.com", 443, "/", false),
      ("wss://[::1]:9443/a/b", true, "::1", 9443, "/a/b", true),
      ("wss://[2001:db8::1]/", true, "2001:db8::1", 443, "/", true),
      (
        "wss://1a2b-203-0-113-5.ngrok-free.app/ws", true, "1a2b-203-0-113-5.ngrok-free.app", 443, "/ws", false
      ),
      ("wss://h/ws?token=x#frag", true, "h", 443, "/ws?token=x", false),
      ("ws://h?x=1", false, "h", 80, "/?x=1", false),
      ("wss://999.1.1.1/ws", true, "999.1.1.1", 443, "/ws", false),  // not an address: a name
    ] as [(String, Bool, String, Int, String, Bool)])
  func urlsAreTakenApart(url: String, secure: Bool, host: String, port: Int, uri: String, isAddress: Bool)
    throws
  {
    let t = try Target(url: url)
    #expect(t.secure == secure)
    #expect(t.host == host)
    #expect(t.port == port)
    #expect(t.requestURI == uri)
    #expect(t.hostIsIPAddress == isAddress)
  }

  @Test func theQueryIsNoticedAndNeverShown() throws {
    let t = try Target(url: "wss://h/ws?token=secret")
    #expect(t.hasQuery)
    #expect(t.displayURL == "wss://h/ws?…")
    #expect(!(try Target(url: "wss://h/ws")).hasQuery)
    #expect(Target.withoutQuery("wss://user:pw@h:1/ws?q") == "wss://…@h:1/ws?…")
  }

  @Test(
    arguments: [
      ("https://h/ws", 31922), ("h/ws", 31922), ("wss://", 31923), ("wss:///ws", 31923),
      ("wss://h:0/ws", 31923), ("wss://h:65536/ws", 31923), ("wss://h:x/ws", 31923),
      ("wss://[::1/ws", 31923), ("wss://[::1]x/ws", 31923), ("wss://user:pw@h/ws", 31923),
    ] as [(String, Int)])
  func badURLsNameTwiliosCode(url: String, code: Int) {
    do {
      let t = try Target(url: url)
      Issue.record("\(url) accepted as \(t.host):\(t.port)")
    } catch {
      #expect(error.code == code, "\(url): \(error)")
      // User information may hold a password: never shown.
      #expect(!error.description.contains("pw"), "\(error)")
    }
  }

  @Test func aPasswordInTheURLNeverReachesTheTerminal() throws {
    for flag in ["--url", "--signed-url"] {
      var arguments = ["stream", "replay", "--silence", "1s", "--url", "ws://127.0.0.1:9/ws"]
      arguments += [flag, "wss://alice:hunter2@bot.example.com/ws"]
      let r = try Twvoice.run(arguments)
      #expect(r.status == 64, "\(r)")
      #expect(!r.stderr.contains("hunter2") && !r.stdout.contains("hunter2"), "\(r)")
      #expect(r.stderr.contains("user information"), "\(r)")
    }
  }
}

/// Whole client text frames, as the replay writes them on its hot path.
struct MaskedTextFrameTests {
  @Test(arguments: [0, 1, 7, 8, 9, 125, 126, 127, 300, 65_535, 65_536, 70_001])
  func aFrameUnmasksToItsTextWithTheLengthItSays(length: Int) throws {
    var writer = MaskedTextFrame()
    let text = String((0..<length).map { Character(UnicodeScalar(UInt8(0x20 + $0 % 90))) })
    var buffer = writer.frame(text, allocator: ByteBufferAllocator())
    let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
    #expect(bytes[0] == 0x81)
    #expect(bytes[1] & 0x80 == 0x80)  // masked, as a client must
    var at = 2
    var declared = Int(bytes[1] & 0x7F)
    if declared == 126 {
      declared = Int(bytes[2]) << 8 | Int(bytes[3])
      at = 4
    } else if declared == 127 {
      declared = bytes[2..<10].reduce(0) { $0 << 8 | Int($1) }
      at = 10
    }
    #expect(declared == length)
    // The shortest length form (RFC 6455 §5.2).
    #expect(at == (length < 126 ? 2 : length <= 0xFFFF ? 4 : 10))
    let key = Array(bytes[at..<at + 4])
    let payload = bytes[(at + 4)...].enumerated().map { $0.element ^ key[$0.offset % 4] }
    #expect(payload == Array(text.utf8))
  }

  @Test(arguments: [0, 1, 7, 8, 9, 300, 70_001])
  func aReceivedFrameUnmasksToItsText(length: Int) throws {
    let text = String((0..<length).map { Character(UnicodeScalar(UInt8(0x20 + $0 % 90))) })
    let key = try #require(WebSocketMaskingKey([0x12, 0xA4, 0x07, 0xFE]))
    var data = ByteBufferAllocator().buffer(string: text)
    data.webSocketMask(key)
    let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: key, data: data)
    #expect(MaskedTextFrame.text(of: frame) == text)
    #expect(
      MaskedTextFrame.text(
        of: WebSocketFrame(fin: true, opcode: .text, data: ByteBufferAllocator().buffer(string: text)))
        == text)
  }

  @Test func keysChangeFromFrameToFrame() {
    var writer = MaskedTextFrame()
    var keys = Set<[UInt8]>()
    for _ in 0..<100 {
      var buffer = writer.frame("x", allocator: ByteBufferAllocator())
      keys.insert(Array((buffer.readBytes(length: buffer.readableBytes) ?? [])[2..<6]))
    }
    #expect(keys.count == 100)
  }
}
