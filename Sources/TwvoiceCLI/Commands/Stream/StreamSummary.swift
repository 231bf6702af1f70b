import ArgumentParser
import TwvoiceCore

/// `twvoice stream summary`: work with the summaries `stream replay --calls N --json` writes.
struct StreamSummary: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "summary",
    abstract: "Combine the summaries of many-call runs.",
    subcommands: [StreamSummaryMerge.self]
  )
}

/// `twvoice stream summary merge A.json B.json …`: the summary of several shards' calls, exactly
/// as one process running them all would have written it (the latency histograms add up).
struct StreamSummaryMerge: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract: "Merge the --json summaries of `stream replay --calls N --shard K/N` runs into one.",
    discussion: """
      Each file is what one run printed with --json. Counts add up; the percentiles are \
      recomputed from the merged latency histograms, so they are those of all the calls \
      together, not an average of averages. Memory per call is averaged, weighted by the calls \
      each run measured it over. Runs with different --speed do not merge.

      Examples:
        twvoice stream summary merge shard-*.json
        twvoice stream summary merge a.json b.json --json > all.json

      Exit status: 0 merged, and every call completed; 1 merged, and some calls failed; 64 \
      usage; 65 a file is not such a summary (the file and the field are named); 66 a file \
      cannot be read; 74 output error.
      """
  )

  @Argument(
    help: "Summaries written by `stream replay --calls N --json`.", completion: .file(extensions: ["json"]))
  var files: [String]

  @Flag(help: "Print the merged summary as JSON (mergeable again).")
  var json = false

  func validate() throws {
    if files.isEmpty { throw ValidationError("Give at least one summary file.") }
  }

  func run() throws {
    var merged: LoadFigures?
    for file in files {
      let name = SystemIO.displayName(file)
      let text = try SystemIO.readText(file, limit: .document)
      let value: JSONValue
      do { value = try JSONParser.parse(text) } catch {
        throw TwvoiceError(.dataError, "\(name): not JSON (\(error))")
      }
      let figures: LoadFigures
      do { figures = try LoadFigures(json: value) } catch {
        throw TwvoiceError(
          .dataError, "\(name): \(error) (expected a `stream replay --calls N --json` summary)")
      }
      if merged == nil {
        merged = figures
      } else {
        do { try merged!.merge(figures) } catch { throw TwvoiceError(.dataError, "\(name): \(error)") }
      }
    }
    guard let merged else { return }
    if json {
      Terminal.write(JSONWriter(style: .pretty, asciiOnly: false).string(merged.json) + "\n")
    } else {
      Terminal.write(LoadReport.text(merged, planned: merged.started, shard: nil) + "\n")
    }
    if let failure = Terminal.outputError {
      throw TwvoiceError(.ioError, "cannot write standard output: \(failure)")
    }
    if merged.failed > 0 { throw ExitCode(FailureKind.checkFailed.rawValue) }
  }
}
