import ArgumentParser
import TwvoiceCore

/// `twvoice codec info`: what a WAV or a capture holds, and where the speech is.
struct CodecInfo: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info",
    abstract: "Describe a WAV file or a Media Streams capture: format, tracks, gaps, events, levels.",
    discussion: """
      For a capture: messages by event, tracks with frames and lost frames (and where), \
      sequence anomalies, marks, DTMF digits, the stream's SIDs and parameters. For both kinds: \
      duration, peak and RMS level, and a level meter with one column per second (or per equal \
      slice when longer than the meter is wide), so you see at a glance where the speech is.

      Examples:
        twvoice codec info capture.jsonl
        twvoice codec info call.wav --json | jq .tracks
      """
  )

  @Argument(help: "A WAV file or a capture, or - for standard input.", completion: .file())
  var input: String

  @Flag(help: "Print JSON for scripts.")
  var json = false

  @Option(help: "Columns of the level meter.")
  var width: Int = 60

  func validate() throws {
    guard (10...1000).contains(width) else { throw ValidationError("--width must be between 10 and 1000.") }
  }

  func run() throws {
    var source = try PrefixedSource.open(input)
    defer { source.rest.close() }
    let report: JSONValue
    switch InputKind.sniff(source.prefix) {
    case .wav: report = try wavReport(&source)
    case .capture: report = try captureReport(&source)
    }
    if json {
      Terminal.write(JSONWriter(style: .pretty, asciiOnly: false).string(report) + "\n")
    } else {
      Terminal.write(InfoReport.render(report, width: width))
    }
  }

  private func wavReport(_ source: inout PrefixedSource) throws -> JSONValue {
    let header: WAVHeader
    do { header = try WAVHeader.read(from: &source) } catch let error as WAVError {
      throw TwvoiceError(.dataError, "\(file): \(error)")
    }
    var converter = SampleConverter(format: header.format)
    var meter = LevelMeter(samplesPerSlice: header.format.sampleRate)
    var floats: [Float] = []
    let bytes = try source.forEachBlock(limit: header.dataLength ?? .max) { block in
      floats.removeAll(keepingCapacity: true)
      converter.convert(block, into: &floats)
      meter.add(floats)
    }
    let frames = bytes / header.format.blockAlign
    var members: [(key: String, value: JSONValue)] = [
      ("input", .string(file)), ("kind", .string("wav")),
      ("encoding", .string(header.format.encoding.description)),
      ("channels", .int(header.format.channels)), ("sample_rate", .int(header.format.sampleRate)),
      ("frames", .int(frames)),
      ("duration_s", .number(format3(Double(frames) / Double(header.format.sampleRate)))),
      ("chunks", .array(header.chunks.map { .string($0) })),
    ]
    if let declared = header.dataLength, declared > bytes {
      members.append(("truncated_bytes", .int(declared - bytes)))
    }
    members.append(("level", Self.levelJSON(meter, width: width)))
    return .object(members)
  }

  private func captureReport(_ source: inout PrefixedSource) throws -> JSONValue {
    var decoder = CaptureDecoder(input: file, selection: .both, encoding: .pcm16)
    var meters = [LevelMeter(samplesPerSlice: 8000), LevelMeter(samplesPerSlice: 8000)]
    var pcm: [UInt8] = []
    var left: [Float] = []
    var right: [Float] = []
    /// Measures what the decoder has ready, a block at a time; filled gaps (kept as a count)
    /// are measured as silence without being written out, so hours of gap cost nothing.
    func drain() {
      while true {
        let silent = decoder.skipSilence()
        if silent > 0 {
          meters[0].addSilence(silent)
          meters[1].addSilence(silent)
        }
        pcm.removeAll(keepingCapacity: true)
        let samples = decoder.takeOutput(into: &pcm, limit: 1 << 16)
        if samples == 0 && silent == 0 { break }
        left.removeAll(keepingCapacity: true)
        right.removeAll(keepingCapacity: true)
        pcm.withUnsafeBytes { raw in
          for i in 0..<samples {
            left.append(
              Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int16.self))) / 32768)
            right.append(
              Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i + 2, as: Int16.self))) / 32768
            )
          }
        }
        meters[0].add(left)
        meters[1].add(right)
      }
    }
    try source.forEachBlock(size: 1 << 20) { block in
      try decoder.feed(block)
      drain()
    }
    try decoder.finish()
    drain()
    let s = decoder.summary
    var members: [(key: String, value: JSONValue)] = [
      ("input", .string(file)), ("kind", .string("capture")), ("format", .string(s.format)),
      ("messages", .int(s.messages)),
      ("events", .object(s.events.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
      ("unknown_events", .int(s.unknownEvents)), ("invalid_bot_messages", .int(s.invalidBotMessages)),
      ("numeric_counters", .int(s.numericCounters)),
      ("duration_s", .number(format3(Double(s.outputSamples) / 8000))),
    ]
    if let sid = s.streamSid { members.append(("stream_sid", .string(sid))) }
    if let sid = s.callSid { members.append(("call_sid", .string(sid))) }
    if !s.declaredTracks.isEmpty {
      members.append(("declared_tracks", .array(s.declaredTracks.map { .string($0) })))
    }
    if !s.customParameters.isEmpty {
      members.append(("custom_parameters", .object(s.customParameters.map { ($0.key, .string($0.value)) })))
    }
    var tracks: [(key: String, value: JSONValue)] = []
    for track in s.trackOrder {
      let t = s.tracks[track] ?? CaptureSummary.Track()
      tracks.append(
        (
          track.rawValue,
          .object([
            ("frames", .int(t.frames)), ("bytes", .int(t.bytes)), ("gaps", .int(t.gaps)),
            ("gap_ms", .int(t.gapSamples / 8)),
            (
              "gap_list",
              .array(
                t.gapList.map { gap -> JSONValue in
                  .object([("at_ms", .int(gap.atMs)), ("length_ms", .int(gap.lengthMs))])
                })
            ),
            ("chunk_anomalies", .int(t.chunkAnomalies)),
            ("reordered_frames", .int(t.reordered)), ("dropped_frames", .int(t.dropped)),
            ("level", Self.levelJSON(meters[track == .inbound ? 0 : 1], width: width)),
          ])
        ))
    }
    members.append(("tracks", .object(tracks)))
    members.append(
      (
        "sequence_anomalies",
        .array(
          s.sequenceAnomalies.prefix(100).map { a -> JSONValue in
            .object([("line", .int(a.line)), ("expected", .int(a.expected)), ("got", .int(a.got))])
          })
      ))
    members.append(
      (
        "marks",
        .array(
          s.marks.map { m -> JSONValue in .object([("name", .string(m.name)), ("line", .int(m.line))]) })
      ))
    members.append(
      (
        "dtmf",
        .array(
          s.dtmf.map { d -> JSONValue in .object([("digit", .string(d.digit)), ("line", .int(d.line))]) })
      ))
    return .object(members)
  }

  private var file: String { input == "-" ? "standard input" : input }

  static func levelJSON(_ meter: LevelMeter, width: Int) -> JSONValue {
    func db(_ value: Double) -> JSONValue { value.isFinite ? .number(format1(value)) : .null }
    let columns = meter.columns(width)
    let secondsPerColumn =
      columns.isEmpty ? 1 : Double(meter.slices.count * meter.sliceScale) / Double(columns.count)
    return .object([
      ("peak_dbfs", db(meter.total.peakDBFS)), ("rms_dbfs", db(meter.total.rmsDBFS)),
      ("seconds_per_column", .int(Int(secondsPerColumn.rounded(.up)))),
      ("meter", .string(LevelMeter.bar(columns))),
      ("rms_dbfs_per_column", .array(columns.map { db($0.rmsDBFS) })),
    ])
  }
}

/// The human page of `codec info`, from the same JSON `--json` prints.
enum InfoReport {
  static func render(_ r: JSONValue, width: Int) -> String {
    var lines: [(String, String)] = []
    func text(_ v: JSONValue?) -> String {
      guard let v else { return "—" }
      return v.stringValue ?? JSONWriter(style: .compact, asciiOnly: false).string(v)
    }
    func level(_ l: JSONValue?) {
      guard let l else { return }
      let peak = l["peak_dbfs"].map { text($0) } ?? "—"
      let rms = l["rms_dbfs"].map { text($0) } ?? "—"
      lines.append(
        ("  level", "peak \(peak == "null" ? "-inf" : peak) dBFS, RMS \(rms == "null" ? "-inf" : rms) dBFS"))
      lines.append(("  meter", "|\(text(l["meter"]))| \(text(l["seconds_per_column"])) s per column"))
    }
    if r["kind"]?.stringValue == "wav" {
      lines.append(("file", "\(text(r["input"])): WAV"))
      lines.append(
        ("format", "\(text(r["encoding"])), \(text(r["channels"])) channel(s), \(text(r["sample_rate"])) Hz"))
      lines.append(("duration", "\(text(r["duration_s"])) s (\(text(r["frames"])) frames)"))
      let chunks: [String]
      if case .array(let ids) = r["chunks"] { chunks = ids.map { "'\(text($0))'" } } else { chunks = [] }
      lines.append(("chunks", chunks.joined(separator: " ")))
      if let truncated = r["truncated_bytes"] {
        lines.append(("warning", "data chunk is \(text(truncated)) bytes short (truncated file)"))
      }
      level(r["level"])
    } else {
      lines.append(("file", "\(text(r["input"])): Media Streams capture (\(text(r["format"])))"))
      if let sid = r["stream_sid"] {
        lines.append(("stream", "\(text(sid))\(r["call_sid"].map { " (call \(text($0)))" } ?? "")"))
      }
      let events = (r["events"]?.members ?? []).map { "\(text($0.value)) \($0.key)" }.joined(separator: ", ")
      var messages = "\(text(r["messages"]))" + (events.isEmpty ? "" : ": \(events)")
      if let unknown = r["unknown_events"]?.intValue, unknown > 0 { messages += ", \(unknown) unknown" }
      if let invalid = r["invalid_bot_messages"]?.intValue, invalid > 0 {
        messages += ", \(invalid) invalid from the bot (skipped)"
      }
      lines.append(("messages", messages))
      lines.append(("duration", "\(text(r["duration_s"])) s"))
      if let params = r["custom_parameters"]?.members {
        lines.append(("parameters", params.map { "\($0.key)=\(text($0.value))" }.joined(separator: " ")))
      }
      for (name, t) in r["tracks"]?.members ?? [] {
        var line = "\(text(t["frames"])) frames, \(text(t["bytes"])) bytes"
        if let gaps = t["gaps"]?.intValue, gaps > 0 {
          line += ", \(gaps) gap\(gaps == 1 ? "" : "s") filled (\(text(t["gap_ms"])) ms)"
        }
        if let anomalies = t["chunk_anomalies"]?.intValue, anomalies > 0 {
          line += ", \(anomalies) chunk number\(anomalies == 1 ? "" : "s") out of order"
        }
        if let reordered = t["reordered_frames"]?.intValue, reordered > 0 {
          line += ", \(reordered) late frame\(reordered == 1 ? "" : "s") put back by timestamp"
        }
        if let dropped = t["dropped_frames"]?.intValue, dropped > 0 {
          line += ", \(dropped) frame\(dropped == 1 ? "" : "s") left out (duplicate, overlapping or too late)"
        }
        lines.append((name, line))
        if case .array(let gaps) = t["gap_list"], !gaps.isEmpty {
          let shown = gaps.prefix(8).map {
            "\(format2(Double($0["at_ms"]?.intValue ?? 0) / 1000)) s (\(text($0["length_ms"])) ms)"
          }
          lines.append(("  gaps at", shown.joined(separator: ", ") + (gaps.count > 8 ? ", …" : "")))
        }
        level(t["level"])
      }
      if case .array(let anomalies) = r["sequence_anomalies"], !anomalies.isEmpty {
        let shown = anomalies.prefix(5).map {
          "line \(text($0["line"])): expected \(text($0["expected"])), got \(text($0["got"]))"
        }
        lines.append(
          (
            "sequence",
            "\(anomalies.count) anomal\(anomalies.count == 1 ? "y" : "ies"): " + shown.joined(separator: "; ")
          ))
      }
      if case .array(let marks) = r["marks"], !marks.isEmpty {
        lines.append(
          ("marks", marks.map { "\(text($0["name"])) (line \(text($0["line"])))" }.joined(separator: ", ")))
      }
      if case .array(let digits) = r["dtmf"], !digits.isEmpty {
        lines.append(
          ("dtmf", digits.map { "\(text($0["digit"])) (line \(text($0["line"])))" }.joined(separator: ", ")))
      }
    }
    let labelWidth = (lines.map(\.0.count).max() ?? 0) + 2
    return lines.map { label, value in
      label + String(repeating: " ", count: labelWidth - label.count) + value.escapingControlCharacters
    }.joined(separator: "\n") + "\n"
  }
}

/// A byte source that first yields bytes already read (to sniff the input's kind).
struct PrefixedSource: ByteSource {
  var prefix: [UInt8]
  var position = 0
  var rest: FileInput

  /// Opens `path` (`-` for standard input) and reads up to 64 KiB ahead into `prefix`, so a
  /// command can tell a WAV from a capture before it reads on.
  static func open(_ path: String) throws -> PrefixedSource {
    var file = try FileInput(path: path)
    var first = [UInt8](repeating: 0, count: 1 << 16)
    let got = try file.readFully(into: &first)
    first.removeSubrange(got...)
    return PrefixedSource(prefix: first, rest: file)
  }

  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    if position < prefix.count {
      let n = min(buffer.count, prefix.count - position)
      prefix.withUnsafeBytes {
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[position..<position + n]))
      }
      position += n
      return n
    }
    return try rest.read(into: buffer)
  }
}

/// `-3.25` → "-3.3" (one decimal).
func format1(_ value: Double) -> String {
  let tenths = Int((value * 10).rounded())
  return "\(tenths < 0 && tenths > -10 ? "-" : "")\(tenths / 10).\(abs(tenths % 10))"
}
