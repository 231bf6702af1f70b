/// Somewhere bytes come from in order: a file, a pipe, a test's array. Core reads input through
/// it so the same parser serves all three, and streams without holding the whole input.
public protocol ByteSource {
  /// Reads up to `buffer.count` bytes; returns 0 only at the end of the input.
  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension ByteSource {
  /// Fills `buffer` unless the input ends first; returns how many bytes were read.
  public mutating func readFully(into buffer: inout [UInt8]) throws -> Int {
    var total = 0
    while total < buffer.count {
      let n = try buffer.withUnsafeMutableBytes { raw in
        try read(into: UnsafeMutableRawBufferPointer(rebasing: raw[total...]))
      }
      if n == 0 { break }
      total += n
    }
    return total
  }

  /// Discards `count` bytes; returns how many were there.
  public mutating func skip(_ count: Int) throws -> Int {
    var remaining = count
    var scratch = [UInt8](repeating: 0, count: min(count, 65_536))
    while remaining > 0 {
      let n = try scratch.withUnsafeMutableBytes { raw in
        try read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<min(remaining, raw.count)]))
      }
      if n == 0 { break }
      remaining -= n
    }
    return count - remaining
  }
}

/// Bytes held in memory.
public struct ArrayByteSource: ByteSource {
  public var bytes: [UInt8]
  public var position = 0
  public init(_ bytes: [UInt8]) { self.bytes = bytes }
  public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let n = min(buffer.count, bytes.count - position)
    if n > 0 {
      bytes.withUnsafeBytes { src in
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[position..<position + n]))
      }
      position += n
    }
    return n
  }
}

extension ByteSource {
  /// Reads the input to its end (or `limit` bytes) in blocks of up to `blockSize`, handing each
  /// block to `body` as it arrives; returns how many bytes were read.
  @discardableResult
  public mutating func forEachBlock(
    size blockSize: Int = 1 << 16, limit: Int = .max, _ body: (UnsafeRawBufferPointer) throws -> Void
  ) throws -> Int {
    var buffer = [UInt8](repeating: 0, count: blockSize)
    var total = 0
    while total < limit {
      let want = min(blockSize, limit - total)
      let n = try buffer.withUnsafeMutableBytes {
        try read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want]))
      }
      if n == 0 { break }
      total += n
      try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }
    return total
  }
}
