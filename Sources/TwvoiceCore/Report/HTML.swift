/// Text made safe for an HTML page. Everything a report embeds may come from a bot or an app
/// (mark names, tokens, hand-off data, error text), so every piece goes through here: markup
/// characters become entities, control characters become U+FFFD, and JSON inside a `<script>`
/// cannot close it.
public enum HTML {
  /// `text` for an element's content or a quoted attribute value.
  public static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      case "\n", "\t": out.unicodeScalars.append(scalar)
      default:
        // C0 and C1 controls, DEL, and non-characters have no place in a page.
        if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0xFFFE
          || scalar.value == 0xFFFF
        {
          out += "\u{FFFD}"
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out
  }

  /// JSON text for the inside of a `<script>` element: `<`, `>`, `&` and the two line
  /// separators JavaScript reads as line ends are written as `\u` escapes, so `</script>` or
  /// `<!--` in a value cannot end or change the element.
  public static func scriptJSON(_ value: JSONValue) -> String {
    let text = JSONWriter(style: .compact, asciiOnly: false).string(value)
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "<": out += "\\u003c"
      case ">": out += "\\u003e"
      case "&": out += "\\u0026"
      case "\u{2028}": out += "\\u2028"
      case "\u{2029}": out += "\\u2029"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}
