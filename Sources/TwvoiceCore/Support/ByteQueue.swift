/// A growable FIFO of bytes that appends without zero-filling and drops from the front without
/// moving what stays until it must: the per-track buffer of the capture decoder, where `[UInt8]`
/// spent more time initialising memory than decoding into it.
public final class ByteQueue {
  private var storage: UnsafeMutablePointer<UInt8>
  private var capacity: Int
  private var head = 0
  private var tail = 0

  public init(capacity: Int = 4096) {
    self.capacity = max(capacity, 16)
    storage = .allocate(capacity: self.capacity)
  }

  deinit { storage.deallocate() }

  /// Bytes queued.
  public var count: Int { tail - head }

  /// The queued bytes.
  public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: storage + head, count: count) }

  /// Makes room for `n` more bytes and returns where to write them; `commit(n)` makes them count.
  public func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
    if tail + n > capacity {
      if head > 0 {
        storage.update(from: storage + head, count: count)
        tail -= head
        head = 0
      }
      if tail + n > capacity {
        let newCapacity = max(capacity * 2, tail + n)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        bigger.initialize(from: storage, count: tail)
        storage.deallocate()
        storage = bigger
        capacity = newCapacity
      }
    }
    return storage + tail
  }

  /// Counts `n` bytes written after `reserve`.
  public func commit(_ n: Int) { tail += n }

  /// Appends `n` copies of `byte`.
  public func append(repeating byte: UInt8, count n: Int) {
    guard n > 0 else { return }
    reserve(n).update(repeating: byte, count: n)
    tail += n
  }

  /// Replaces the queued bytes from `offset` (from the front) with `source`; they must be
  /// queued already.
  public func overwrite(at offset: Int, from source: UnsafeBufferPointer<UInt8>) {
    precondition(offset >= 0 && offset + source.count <= count, "overwrite past the queued bytes")
    guard let base = source.baseAddress else { return }
    (storage + head + offset).update(from: base, count: source.count)
  }

  /// Drops `n` bytes from the front.
  public func removeFirst(_ n: Int) {
    head += n
    if head == tail {
      head = 0
      tail = 0
    }
  }

  /// Drops everything.
  public func removeAll() {
    head = 0
    tail = 0
  }
}
