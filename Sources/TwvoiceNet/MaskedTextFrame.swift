import NIOCore
import NIOWebSocket

/// Writes a client's text frames whole (RFC 6455 §5.2: FIN and opcode, the masked length, the
/// 4-byte masking key, the payload masked with it) into one buffer, for the socket side of the
/// pipeline: one allocation and one `iovec` per message instead of a frame value, a separate
/// header buffer and a byte-by-byte masking pass. The hot path of many calls at once.
struct MaskedTextFrame {
  /// Masking keys (§5.3): a xorshift generator seeded from the system's, per connection.
  private var state: UInt64

  init() {
    var system = SystemRandomNumberGenerator()
    state = system.next() | 1
  }

  private mutating func nextKey() -> UInt32 {
    state ^= state << 13
    state ^= state >> 7
    state ^= state << 17
    return UInt32(truncatingIfNeeded: state >> 16)
  }

  /// The text a received frame carries, unmasked 8 bytes at a time (NIO's `unmaskedData` goes
  /// byte by byte); invalid UTF-8 is repaired as `ByteBuffer.readString` repairs it.
  static func text(of frame: WebSocketFrame) -> String {
    let data = frame.data
    guard let key = frame.maskKey else { return String(buffer: data) }
    let k = UInt32(key[0]) << 24 | UInt32(key[1]) << 16 | UInt32(key[2]) << 8 | UInt32(key[3])
    let pattern = UInt64(bigEndian: UInt64(k) << 32 | UInt64(k))
    return data.withUnsafeReadableBytes { raw in
      var bytes = [UInt8](raw)
      let length = bytes.count
      bytes.withUnsafeMutableBytes { out in
        guard let base = out.baseAddress else { return }
        var i = 0
        while i + 8 <= length {
          let word = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
          base.storeBytes(of: word ^ pattern, toByteOffset: i, as: UInt64.self)
          i += 8
        }
        while i < length {
          base.storeBytes(
            of: base.load(fromByteOffset: i, as: UInt8.self) ^ key[i & 3], toByteOffset: i, as: UInt8.self)
          i += 1
        }
      }
      return String(decoding: bytes, as: UTF8.self)
    }
  }

  /// The frame carrying `text`, masked.
  mutating func frame(_ text: String, allocator: ByteBufferAllocator) -> ByteBuffer {
    let length = text.utf8.count
    var buffer = allocator.buffer(capacity: length + 14)
    buffer.writeInteger(UInt8(0x81))  // FIN, text
    if length < 126 {
      buffer.writeInteger(UInt8(0x80 | length))
    } else if length <= 0xFFFF {
      buffer.writeInteger(UInt8(0x80 | 126))
      buffer.writeInteger(UInt16(length))
    } else {
      buffer.writeInteger(UInt8(0x80 | 127))
      buffer.writeInteger(UInt64(length))
    }
    let key = nextKey()
    buffer.writeInteger(key)
    let start = buffer.writerIndex
    buffer.writeString(text)
    // The payload XOR the key, 8 bytes at a time: byte i is masked with key byte i mod 4.
    let k = UInt64(key)
    let big = (k << 32) | k
    let pattern = UInt64(bigEndian: big)
    let offset = start - buffer.readerIndex
    buffer.withUnsafeMutableReadableBytes { raw in
      guard let base = raw.baseAddress else { return }
      let payload = base + offset
      var i = 0
      while i + 8 <= length {
        let word = payload.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        payload.storeBytes(of: word ^ pattern, toByteOffset: i, as: UInt64.self)
        i += 8
      }
      while i < length {
        let keyByte = UInt8(truncatingIfNeeded: key >> (24 - 8 * UInt32(i & 3)))
        payload.storeBytes(
          of: payload.load(fromByteOffset: i, as: UInt8.self) ^ keyByte, toByteOffset: i, as: UInt8.self)
        i += 1
      }
    }
    return buffer
  }
}
