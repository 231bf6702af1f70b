import ArgumentParser
import TwvoiceCore

/// What can follow what on a twvoice command line, read from swift-argument-parser's own
/// description of the command tree (`--experimental-dump-help`), so completion never goes stale.
public struct CompletionModel: Sendable {
  struct Command: Sendable {
    var name: String
    var subcommands: [Command]
    /// Option and flag names (`--url`, `-o`) and, for enumerated options, their values.
    var options: [String: [String]]
    /// Options that name a file of given extensions (`--scenario` → yaml, yml).
    var fileExtensions: [String: [String]] = [:]
  }

  let root: Command
  /// Words the REPL itself understands.
  static let builtins = ["exit", "quit", "help", "set", "unset", "show", "env"]
  /// Settings `set` takes.
  static let settings = [
    "identity", "application-sid", "account-sid", "api-key", "api-secret", "auth-token", "url", "output",
    "env-file",
  ]

  /// Built once, on first use.
  public static let shared = CompletionModel()

  init() {
    var dump = ""
    do { _ = try TwvoiceCommand.parseAsRoot(["--experimental-dump-help"]) } catch {
      dump = TwvoiceCommand.fullMessage(for: error)
    }
    let json = (try? JSONParser.parse(dump))?["command"] ?? .null
    root = Self.command(json)
  }

  private static func command(_ json: JSONValue) -> Command {
    var options: [String: [String]] = [:]
    var fileExtensions: [String: [String]] = [:]
    if case .array(let arguments) = json["arguments"] {
      for argument in arguments where argument["shouldDisplay"]?.boolValue != false {
        guard case .array(let names) = argument["names"] else { continue }
        var values: [String] = []
        if case .array(let all) = argument["allValues"] { values = all.compactMap(\.stringValue) }
        let extensions = argument["completionKind"]?["file"]?["extensions"]?.arrayValue?.compactMap(
          \.stringValue)
        for name in names {
          guard let text = name["name"]?.stringValue, let kind = name["kind"]?.stringValue else { continue }
          let flag = (kind == "long" ? "--" : "-") + text
          options[flag] = values
          if let extensions, !extensions.isEmpty { fileExtensions[flag] = extensions }
        }
      }
    }
    var subcommands: [Command] = []
    if case .array(let children) = json["subcommands"] {
      subcommands = children.map(command).filter { $0.name != "help" }
    }
    return Command(
      name: json["commandName"]?.stringValue ?? "", subcommands: subcommands, options: options,
      fileExtensions: fileExtensions)
  }

  /// Completions for `word`, the partial word after `before` on the line.
  public func candidates(before: String, word: String) -> [String] {
    let words = (try? ShellWords.split(before)) ?? before.split(separator: " ").map(String.init)
    if words.isEmpty {
      return (root.subcommands.map(\.name) + Self.builtins).filter { $0.hasPrefix(word) }.sorted()
    }
    if words.first == "set" || words.first == "unset" {
      return words.count == 1 ? Self.settings.filter { $0.hasPrefix(word) } : []
    }
    var command = words.first == "help" ? root : root
    var rest = words.first == "help" ? Array(words.dropFirst()) : words
    while let next = rest.first, let sub = command.subcommands.first(where: { $0.name == next }) {
      command = sub
      rest.removeFirst()
    }
    // The value of an enumerated option.
    if let last = words.last, let values = command.options[last], !values.isEmpty {
      return values.filter { $0.hasPrefix(word) }
    }
    // A file of known kinds (`--scenario` → .yaml, .yml): those files, and folders to look in.
    if let last = words.last, let extensions = command.fileExtensions[last] {
      return Self.files(matching: word, extensions: extensions)
    }
    if word.hasPrefix("-") {
      return command.options.keys.filter { $0.hasPrefix(word) }.sorted()
    }
    if rest.isEmpty {
      let subs = command.subcommands.map(\.name).filter { $0.hasPrefix(word) }
      if !subs.isEmpty { return subs.sorted() }
    }
    return []  // file names
  }

  /// Paths that begin with `word`: folders (ending in `/`) and files with one of `extensions`.
  static func files(matching word: String, extensions: [String]) -> [String] {
    let slash = word.lastIndex(of: "/")
    let folder = slash.map { String(word[...$0]) } ?? ""
    let prefix = slash.map { String(word[word.index(after: $0)...]) } ?? word
    guard let names = try? SystemIO.directoryEntries(folder.isEmpty ? "." : folder) else { return [] }
    var out: [String] = []
    for name in names where name.hasPrefix(prefix) && (prefix.hasPrefix(".") || !name.hasPrefix(".")) {
      if SystemIO.isDirectory(folder + name) {
        out.append(folder + name + "/")
      } else if extensions.contains(where: { name.hasSuffix("." + $0) }) {
        out.append(folder + name)
      }
    }
    return out.sorted()
  }
}
