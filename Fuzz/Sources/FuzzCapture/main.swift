import FuzzDriver
import Glibc
import TwvoiceCore

/// What one decode produced: the audio, the summary's main figures, or the error.
private struct Outcome: Equatable {
  var output: [UInt8] = []
  var figures: [String] = []
  var error: CaptureError?
}

/// Decodes `input` fed in blocks of `block` bytes (taking the output after each block, as
/// `codec decode` does).
private func decode(
  _ input: UnsafeRawBufferPointer, block: Int, selection: CaptureDecoder.TrackSelection,
  encoding: CaptureDecoder.OutputEncoding
) -> Outcome {
  var decoder = CaptureDecoder(input: "fuzz", selection: selection, encoding: encoding)
  var outcome = Outcome()
  do {
    var offset = 0
    while offset < input.count {
      let end = min(offset + block, input.count)
      try decoder.feed(UnsafeRawBufferPointer(rebasing: input[offset..<end]))
      decoder.takeOutput(into: &outcome.output)
      offset = end
    }
    try decoder.finish()
    decoder.takeOutput(into: &outcome.output)
  } catch {
    outcome.error = error
    outcome.output = []
    return outcome
  }
  let s = decoder.summary
  let frameBytes = decoder.channels * encoding.bytesPerSample
  precondition(
    outcome.output.count == s.outputSamples * frameBytes,
    "output is \(outcome.output.count) bytes for \(s.outputSamples) samples of \(frameBytes) bytes")
  outcome.figures = [
    s.format, "\(s.messages)", "\(s.events.sorted { $0.key < $1.key })", "\(s.unknownEvents)",
    "\(s.outputSamples)", "\(s.streamSid ?? "-")", "\(s.callSid ?? "-")", "\(s.trackOrder)",
    "\(s.sequenceAnomalies.count)", "\(s.marks.count)", "\(s.dtmf.count)",
  ]
  for track in s.trackOrder {
    let t = s.tracks[track] ?? CaptureSummary.Track()
    outcome.figures.append("\(track): \(t.frames) \(t.bytes) \(t.gaps) \(t.gapSamples) \(t.timelineSamples)")
  }
  return outcome
}

/// A JSON-lines capture seen line by line.
private enum Lines {
  /// Not JSON lines (a JSON array or base64 lines).
  case otherShape
  /// A non-blank line is not a JSON object: the decoder must refuse the capture.
  case notAnObject
  /// Every non-blank line is a JSON object: the same messages as one JSON array.
  case array([UInt8])
}

private func lines(_ input: UnsafeRawBufferPointer) -> Lines {
  func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
  guard input.first(where: { !isSpace($0) }) == UInt8(ascii: "{") else { return .otherShape }
  var array: [UInt8] = [UInt8(ascii: "[")]
  for line in input.split(separator: 0x0A) {
    let trimmed = line.drop(while: isSpace).reversed().drop(while: isSpace).reversed()
    if trimmed.isEmpty { continue }
    guard case .object = try? JSONParser.parse(bytes: Array(trimmed)) else { return .notAnObject }
    if array.count > 1 { array.append(UInt8(ascii: ",")) }
    array += trimmed
  }
  array.append(UInt8(ascii: "]"))
  return .array(array)
}

/// One input, decoded whole and then in small blocks: besides crashes and sanitizer reports, the
/// two must agree exactly (how input arrives on a pipe never changes the result). A JSON-lines
/// capture whose lines are all JSON objects is also decoded as the same messages in a JSON array,
/// which takes the full parse for every message: the fast paths must agree with it, and must not
/// accept a line that is not JSON.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCapture(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let input = UnsafeRawBufferPointer(start: data, count: size)
  let selection = CaptureDecoder.TrackSelection.allCases[size % 4]
  let encoding = CaptureDecoder.OutputEncoding.allCases[(size / 4) % 3]
  let whole = decode(input, block: max(size, 1), selection: selection, encoding: encoding)
  let pieces = decode(input, block: 1 + size % 13, selection: selection, encoding: encoding)
  if whole != pieces {
    fatalError("decoding whole and in blocks of \(1 + size % 13) differ:\n\(whole)\n\(pieces)")
  }
  switch lines(input) {
  case .otherShape:
    break
  case .notAnObject:
    if whole.error == nil { fatalError("a line that is not a JSON object was accepted:\n\(whole)") }
  case .array(let array):
    let full = array.withUnsafeBytes {
      decode($0, block: $0.count, selection: selection, encoding: encoding)
    }
    if (whole.error == nil) != (full.error == nil) || whole.output != full.output
      || whole.figures.dropFirst() != full.figures.dropFirst()
    {
      fatalError("the fast path and the full parse differ:\n\(whole)\n\(full)")
    }
  }
  return 0
}

exit(twvoice_fuzz_run(CommandLine.argc, CommandLine.unsafeArgv) { fuzzCapture($0, $1) })
