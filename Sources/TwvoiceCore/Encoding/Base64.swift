/// Base64 (RFC 4648 §4) and base64url (§5) on bytes.
///
/// Media Streams payloads are standard base64 with padding; JWT parts are base64url without
/// padding (RFC 7515 §2). Decoding is strict: a character outside the alphabet, misplaced
/// padding or non-zero trailing bits is an error, never silently skipped.
public enum Base64 {
  /// The two alphabets.
  public enum Alphabet: Sendable {
    case standard
    case url
  }

  private static let standardTable = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
  private static let urlTable = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

  /// 0xFF marks a byte outside the alphabet.
  private static func decodeTable(_ alphabet: [UInt8]) -> [UInt8] {
    var table = [UInt8](repeating: 0xFF, count: 256)
    for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
    return table
  }
  private static let standardDecode = decodeTable(standardTable)
  private static let urlDecode = decodeTable(urlTable)

  /// Encodes `bytes`; `padding` adds `=` to a multiple of four characters.
  public static func encode(
    _ bytes: some Collection<UInt8>, alphabet: Alphabet = .standard, padding: Bool = true
  ) -> String {
    var out: [UInt8] = []
    encode(bytes, alphabet: alphabet, padding: padding, appendingTo: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// Appends the encoding of `bytes` to `out` as ASCII bytes.
  public static func encode(
    _ bytes: some Collection<UInt8>, alphabet: Alphabet = .standard, padding: Bool = true,
    appendingTo out: inout [UInt8]
  ) {
    let table = alphabet == .standard ? standardTable : urlTable
    let encode = { (input: UnsafeBufferPointer<UInt8>) in
      let fullGroups = input.count / 3
      let rest = input.count % 3
      let length = fullGroups * 4 + (rest == 0 ? 0 : padding ? 4 : rest + 1)
      let start = out.count
      out += repeatElement(0, count: length)
      table.withUnsafeBufferPointer { table in
        out.withUnsafeMutableBufferPointer { buffer in
          var o = start
          var i = 0
          for _ in 0..<fullGroups {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            buffer[o] = table[Int(n >> 18)]
            buffer[o + 1] = table[Int(n >> 12 & 63)]
            buffer[o + 2] = table[Int(n >> 6 & 63)]
            buffer[o + 3] = table[Int(n & 63)]
            i += 3
            o += 4
          }
          if rest > 0 {
            let n = UInt32(input[i]) << 16 | (rest == 2 ? UInt32(input[i + 1]) << 8 : 0)
            buffer[o] = table[Int(n >> 18)]
            buffer[o + 1] = table[Int(n >> 12 & 63)]
            o += 2
            if rest == 2 {
              buffer[o] = table[Int(n >> 6 & 63)]
              o += 1
            }
            while o < start + length {
              buffer[o] = UInt8(ascii: "=")
              o += 1
            }
          }
        }
      }
    }
    if let done: Void = bytes.withContiguousStorageIfAvailable(encode) { return done }
    Array(bytes).withUnsafeBufferPointer(encode)
  }

  /// Why a string is not valid base64.
  public enum DecodingError: Error, Equatable, Sendable {
    /// A character outside the alphabet at this offset.
    case invalidCharacter(offset: Int)
    /// The length cannot be base64 (one character left over, or padding that does not fit).
    case invalidLength
    /// `=` somewhere other than the end, or the wrong amount of it.
    case invalidPadding
    /// The last character carries bits that would be dropped: not a canonical encoding.
    case nonZeroTrailingBits
  }

  /// Decodes `text`. Padding is optional; when present it must be correct.
  public static func decode(_ text: some StringProtocol, alphabet: Alphabet = .standard) throws(DecodingError)
    -> [UInt8]
  {
    var utf8 = Array(text.utf8)
    return try decode(bytes: &utf8, alphabet: alphabet)
  }

  /// Decodes base64 text given as ASCII bytes.
  public static func decode(bytes text: inout [UInt8], alphabet: Alphabet = .standard) throws(DecodingError)
    -> [UInt8]
  {
    var end = text.count
    var pad = 0
    while end > 0, text[end - 1] == UInt8(ascii: "=") {
      end -= 1
      pad += 1
    }
    if pad > 2 { throw .invalidPadding }
    let rest = end % 4
    if rest == 1 { throw .invalidLength }
    if pad > 0 && (end + pad) % 4 != 0 { throw .invalidPadding }
    let table = alphabet == .standard ? standardDecode : urlDecode
    var output = [UInt8]()
    output.reserveCapacity(end / 4 * 3 + 2)
    var i = 0
    let fullEnd = end - rest
    while i < fullEnd {
      let a = table[Int(text[i])]
      let b = table[Int(text[i + 1])]
      let c = table[Int(text[i + 2])]
      let d = table[Int(text[i + 3])]
      if (a | b | c | d) & 0xC0 != 0 {
        throw .invalidCharacter(offset: i + ([a, b, c, d].firstIndex(of: 0xFF) ?? 0))
      }
      let n = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
      output.append(UInt8(n >> 16))
      output.append(UInt8(n >> 8 & 0xFF))
      output.append(UInt8(n & 0xFF))
      i += 4
    }
    if rest > 0 {
      var n: UInt32 = 0
      for k in 0..<rest {
        let v = table[Int(text[i + k])]
        if v == 0xFF { throw .invalidCharacter(offset: i + k) }
        n |= UInt32(v) << (18 - 6 * UInt32(k))
      }
      if rest == 2 {
        if n & 0xFFFF != 0 { throw .nonZeroTrailingBits }
        output.append(UInt8(n >> 16))
      } else {
        if n & 0xFF != 0 { throw .nonZeroTrailingBits }
        output.append(UInt8(n >> 16))
        output.append(UInt8(n >> 8 & 0xFF))
      }
    }
    return output
  }
}
