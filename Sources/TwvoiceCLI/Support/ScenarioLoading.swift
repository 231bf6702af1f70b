import TwvoiceCore

/// Scenario files from the command line: `--scenario FILE.yaml` or a folder of them, read by
/// Core's `YAMLReader` into a `ScenarioNode` tree, with the audio each step names loaded relative
/// to the file's folder.
enum ScenarioLoading {
  /// A scenario and the file it came from, as shown to the user.
  struct Loaded {
    var file: String
    var scenario: Scenario
  }

  /// The files `paths` name: files as given, folders as their `.yaml`/`.yml` files in name order.
  static func files(_ paths: [String]) throws -> [String] {
    var files: [String] = []
    for path in paths {
      if SystemIO.isDirectory(path) {
        let names = try SystemIO.directoryEntries(path).filter {
          $0.hasSuffix(".yaml") || $0.hasSuffix(".yml")
        }
        if names.isEmpty {
          throw TwvoiceError(.noInput, "\(SystemIO.displayName(path)): no .yaml or .yml scenario files")
        }
        files += names.sorted().map { SystemIO.path($0, in: path) }
      } else {
        files.append(path)
      }
    }
    return files
  }

  /// A scenario file's YAML as Core's tree, and the file's name as shown.
  static func tree(_ path: String) throws -> (name: String, tree: ScenarioNode) {
    let name = SystemIO.displayName(path)
    let text = try SystemIO.readText(path, limit: .small)
    let root: ScenarioNode?
    do { root = try YAMLReader.read(text) } catch {
      throw TwvoiceError(.dataError, error.describe(file: name))
    }
    guard let root else { throw TwvoiceError(.dataError, "\(name):1: scenario: the file is empty") }
    return (name, root)
  }

  /// A ConversationRelay scenario (`relay --scenario`): text turns, no audio.
  static func loadRelay(_ path: String) throws -> (
    file: String, script: RelayScript, parameters: [NamedValue]
  ) {
    let (name, tree) = try tree(path)
    let (script, parameters) = try RelayScript.read(tree, file: name)
    return (name, script, parameters)
  }

  static func load(_ path: String) throws -> Loaded {
    let (name, tree) = try tree(path)
    let folder = SystemIO.parentDirectory(path)
    let scenario = try Scenario.read(tree, file: name) { audioPath in
      let resolved = audioPath.hasPrefix("/") ? audioPath : folder + "/" + audioPath
      var source = try PrefixedSource.open(resolved)
      defer { source.rest.close() }
      let caller = try CallerAudio.load(
        from: &source, kind: InputKind.sniff(source.prefix), name: SystemIO.displayName(audioPath))
      return caller.audio
    }
    return Loaded(file: name, scenario: scenario)
  }
}
