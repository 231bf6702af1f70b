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

/// One input, decoded whole and then in small blocks: besides crashes and sanitizer reports, the
/// two must agree exactly (how input arrives on a pipe never changes the result).
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
  return 0
}

exit(twvoice_fuzz_run(CommandLine.argc, CommandLine.unsafeArgv) { fuzzCapture($0, $1) })
