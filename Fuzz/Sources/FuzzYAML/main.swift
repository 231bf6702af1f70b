import FuzzDriver
import Glibc
import TwvoiceCore

/// Core's YAML reader (scenario files) on arbitrary bytes, with small limits: it reads or refuses,
/// never crashes or runs away, and what it reads respects both limits.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAML(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  guard let root = try? YAMLReader.read(text, maximumNodes: 2_000, maximumDepth: 16) else { return 0 }
  var count = 0
  func walk(_ node: ScenarioNode, depth: Int) {
    count += 1
    if depth > 2 * 16 + 2 { fatalError("a tree deeper than the limit allows") }
    switch node {
    case .scalar: break
    case .sequence(let items, _): for item in items { walk(item, depth: depth + 1) }
    case .mapping(let entries, _):
      var keys = Set<String>()
      for entry in entries {
        if !keys.insert(entry.key).inserted { fatalError("a key twice: \(entry.key)") }
        walk(entry.value, depth: depth + 1)
      }
    }
  }
  walk(root, depth: 0)
  if count > 2_000 { fatalError("\(count) nodes read with a limit of 2000") }
  return 0
}

exit(twvoice_fuzz_run(CommandLine.argc, CommandLine.unsafeArgv) { fuzzYAML($0, $1) })
