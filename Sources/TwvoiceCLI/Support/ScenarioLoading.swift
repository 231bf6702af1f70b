import TwvoiceCore
import Yams

/// Scenario files from the command line: `--scenario FILE.yaml` or a folder of them, read with
/// Yams into Core's `ScenarioNode` tree, with the audio each step names loaded relative to the
/// file's folder.
enum ScenarioLoading {
  /// A scenario and the file it came from, as shown to the user.
  struct Loaded {
    var file: String
    var scenario: Scenario
  }

  /// Nodes in one document after aliases are expanded: bounds a file that expands an alias
  /// into a billion nodes.
  static let maximumNodes = 100_000

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
    let root: Node?
    do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
      throw TwvoiceError(.dataError, Self.describe(error, file: name))
    }
    guard let root else { throw TwvoiceError(.dataError, "\(name):1: scenario: the file is empty") }
    var budget = maximumNodes
    return (name, try convert(root, file: name, budget: &budget))
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

  /// Yams' error as one line: the file, line and column, and the problem.
  static func describe(_ error: YamlError, file: String) -> String {
    switch error {
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
      .composer(_, let problem, let mark, _):
      return "\(file):\(mark.line):\(mark.column): not valid YAML: \(problem)"
    case .reader(let problem, _, _, _):
      return "\(file): not valid YAML: \(problem)"
    case .duplicatedKeysInMapping(let duplicates, _):
      return "\(file): a key is given twice: \(duplicates.joined(separator: ", "))"
    default:
      return "\(file): not valid YAML"
    }
  }

  static func convert(_ node: Node, file: String, budget: inout Int) throws -> ScenarioNode {
    budget -= 1
    let line = node.mark?.line ?? 0
    guard budget >= 0 else {
      throw TwvoiceError(
        .dataError,
        "\(file):\(line): scenario: more than \(maximumNodes) values (aliases expanding without end?)")
    }
    switch node {
    case .scalar(let scalar):
      return .scalar(scalar.string, line: line)
    case .sequence(let sequence):
      var items: [ScenarioNode] = []
      for item in sequence { items.append(try convert(item, file: file, budget: &budget)) }
      return .sequence(items, line: line)
    case .mapping(let mapping):
      var entries: [(key: String, line: Int, value: ScenarioNode)] = []
      for (key, value) in mapping {
        guard case .scalar(let keyScalar) = key else {
          throw TwvoiceError(.dataError, "\(file):\(key.mark?.line ?? line): scenario: a key must be text")
        }
        let keyLine = key.mark?.line ?? line
        if entries.contains(where: { $0.key == keyScalar.string }) {
          throw TwvoiceError(.dataError, "\(file):\(keyLine): \(keyScalar.string): given twice")
        }
        entries.append((keyScalar.string, keyLine, try convert(value, file: file, budget: &budget)))
      }
      return .mapping(entries, line: line)
    case .alias:
      throw TwvoiceError(.dataError, "\(file):\(line): scenario: an alias that names no anchor")
    }
  }
}
