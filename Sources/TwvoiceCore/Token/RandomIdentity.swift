/// Client identities that look like user names, as the seed's token endpoint makes them
/// (`faker.user_name()` with everything but letters and digits removed: `johnsmith`, `maria42`).
///
/// Every name uses only letters and digits, so it is always a valid Voice identity.
public enum RandomIdentity {
  private static let firstNames = [
    "alice", "amir", "ana", "ben", "carla", "chen", "david", "elena", "emma", "farah", "felix",
    "grace", "hana", "ivan", "jack", "james", "jin", "julia", "kai", "karen", "lars", "lea", "li",
    "lucas", "maria", "mateo", "mei", "nadia", "noah", "olga", "omar", "paul", "priya", "rosa",
    "sam", "sara", "tom", "uma", "victor", "wei", "yara", "yusuf", "zoe",
  ]
  private static let lastNames = [
    "adams", "baker", "brown", "chen", "cruz", "davis", "diaz", "evans", "fischer", "garcia",
    "gupta", "hall", "ito", "jones", "kim", "lee", "lopez", "martin", "meyer", "miller", "moore",
    "nguyen", "novak", "patel", "perez", "reed", "rossi", "sato", "silva", "smith", "taylor",
    "wang", "white", "wilson", "wong", "young", "zhang",
  ]

  /// One user-style name.
  public static func make(using generator: inout some RandomNumberGenerator) -> String {
    let first = firstNames.randomElement(using: &generator) ?? "user"
    let last = lastNames.randomElement(using: &generator) ?? "name"
    switch Int.random(in: 0..<5, using: &generator) {
    case 0: return first + last
    case 1: return last + first
    case 2: return first + String(Int.random(in: 1...99, using: &generator))
    case 3: return String(first.prefix(1)) + last
    default: return first + last + String(Int.random(in: 1...999, using: &generator))
    }
  }
}
