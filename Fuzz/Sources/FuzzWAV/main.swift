import FuzzDriver
import Glibc
import TwvoiceCore

/// A source that hands out at most `step` bytes per read, like a slow pipe.
private struct TrickleSource: ByteSource {
  var inner: ArrayByteSource
  let step: Int
  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let n = min(step, buffer.count)
    return try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n]))
  }
}

/// What reading a WAV produced: its header, the data bytes and levels, or the error.
private struct Outcome {
  var header: WAVHeader?
  var error: String?
  var dataBytes = 0
  var total: LevelMeter.Slice?
}

/// Reads the header and the samples as `codec info` does.
private func inspect(_ source: inout some ByteSource) -> Outcome {
  var outcome = Outcome()
  do {
    let header = try WAVHeader.read(from: &source)
    outcome.header = header
    precondition(header.format.channels > 0 && header.format.sampleRate > 0, "bad format \(header)")
    var converter = SampleConverter(format: header.format)
    var meter = LevelMeter(samplesPerSlice: header.format.sampleRate)
    var floats: [Float] = []
    outcome.dataBytes = try source.forEachBlock(size: 4096, limit: header.dataLength ?? .max) { block in
      floats.removeAll(keepingCapacity: true)
      converter.convert(block, into: &floats)
      meter.add(floats)
    }
    outcome.total = meter.total
    _ = meter.columns(60)
  } catch {
    outcome.error = "\(error)"
  }
  return outcome
}

/// One input, read whole and through a source that returns a few bytes at a time: besides
/// crashes, both reads must agree.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWAV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  var whole = ArrayByteSource(bytes)
  var trickle = TrickleSource(inner: ArrayByteSource(bytes), step: 1 + size % 7)
  let a = inspect(&whole)
  let b = inspect(&trickle)
  if a.header != b.header || a.error != b.error || a.dataBytes != b.dataBytes {
    fatalError("reading whole and \(1 + size % 7) bytes at a time differ:\n\(a)\n\(b)")
  }
  // The writer's header must read back as what was written.
  if let header = a.header {
    var again = ArrayByteSource(WAVHeader.bytes(format: header.format, dataLength: header.dataLength))
    if let reread = try? WAVHeader.read(from: &again), reread.format != header.format {
      fatalError("header written for \(header.format) reads back as \(reread.format)")
    }
  }
  return 0
}

exit(twvoice_fuzz_run(CommandLine.argc, CommandLine.unsafeArgv) { fuzzWAV($0, $1) })
