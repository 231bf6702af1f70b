/// What TwiML for Voice may contain: every element twilio-python's `VoiceResponse` can build,
/// the attributes each takes, the children each allows, and the enumerated values Twilio
/// documents for some attributes.
///
/// The element table is generated from twilio-python by `scripts/gen-twiml.py`
/// (`VoiceCatalogue+Generated.swift`); the enumerations are twilio-java's enums
/// (twilio-formats.md Appendix B). Elements are identified by twilio-python class name because an
/// XML name is not unique: `<Sip>` under `<Dial>` takes attributes, under `<Refer>` it does not.
public enum VoiceCatalogue {
  /// One kind of element.
  public struct ElementSpec: Sendable {
    /// The XML element name.
    public let element: String
    /// The builder argument that becomes the text body, when the element has one.
    public let textBody: String?
    /// XML attribute names, in twilio-python's argument order.
    public let attributes: [String]
    /// Allowed child element name → its class.
    public let children: [String: String]
  }

  /// The root: `<Response>`.
  public static let rootClass = "VoiceResponse"

  /// The spec of a class.
  public static func spec(_ className: String) -> ElementSpec? { generatedClasses[className] }

  /// The class of child `element` under `parentClass`, if that nesting is allowed.
  public static func childClass(_ element: String, under parentClass: String) -> String? {
    generatedClasses[parentClass]?.children[element]
  }

  /// twilio-python's attribute naming: a few keyword renames, then snake_case to lowerCamel with
  /// each part title-cased (`status_callback` → `statusCallback`, `foO_Bar_baz` → `fooBarBaz`).
  public static func attributeName(_ kwarg: String) -> String {
    let renamed =
      [
        "from_": "from", "xml_lang": "xml:lang", "interpret_as": "interpret-as", "for_": "for",
        "break_": "break",
      ][
        kwarg] ?? kwarg
    guard renamed.contains("_") else { return renamed }
    var result = ""
    for part in renamed.split(separator: "_", omittingEmptySubsequences: false) {
      var previousIsLetter = false
      for c in part {
        result += previousIsLetter ? c.lowercased() : c.uppercased()
        previousIsLetter = c.isLetter
      }
    }
    guard let first = result.first else { return result }
    return first.lowercased() + result.dropFirst()
  }

  /// Values Twilio accepts for an attribute of an element (twilio-java's enums), when it is
  /// enumerated. Keys are "Element.attribute"; "*.method" covers every HTTP method attribute.
  public static func allowedValues(element: String, attribute: String) -> [String]? {
    if let values = enumerations["\(element).\(attribute)"] { return values }
    if attribute == "method" || (attribute.hasSuffix("Method") && attribute != "paymentMethod") {
      return httpMethods
    }
    return nil
  }

  /// Attributes whose value is a space-separated list of enumerated words.
  public static func isList(element: String, attribute: String) -> Bool {
    listAttributes.contains(attribute)
  }

  static let httpMethods = ["GET", "POST"]
  static let listAttributes: Set<String> = [
    "statusCallbackEvent", "recordingStatusCallbackEvent", "input", "validCardTypes", "errorType", "cardType",
    "events",
  ]
  static let trims = ["trim-silence", "do-not-trim"]
  static let recordingEvents = ["in-progress", "completed", "absent"]
  static let callEvents = ["initiated", "ringing", "answered", "completed"]
  static let streamTracks = ["inbound_track", "outbound_track", "both_tracks"]
  static let cardTypes = [
    "visa", "mastercard", "amex", "maestro", "discover", "optima", "jcb", "diners-club", "enroute",
  ]
  static let booleans = ["true", "false"]

  static let enumerations: [String: [String]] = [
    "Dial.trim": trims,
    "Dial.record": [
      "do-not-record", "record-from-answer", "record-from-ringing", "record-from-answer-dual",
      "record-from-ringing-dual",
    ],
    "Dial.recordingStatusCallbackEvent": recordingEvents,
    "Dial.ringTone": [
      "at", "au", "bg", "br", "be", "ch", "cl", "cn", "cz", "de", "dk", "ee", "es", "fi", "fr", "gr", "hu",
      "il", "in", "it",
      "lt", "jp", "mx", "my", "nl", "no", "nz", "ph", "pl", "pt", "ru", "se", "sg", "th", "uk", "us",
      "us-old", "tw", "ve",
      "za",
    ],
    "Dial.recordingTrack": ["both", "inbound", "outbound"],
    "Dial.events": ["call-progress-event"],
    "Dial.hangupOnStar": booleans, "Dial.answerOnBridge": booleans, "Dial.sequential": booleans,
    "Conference.beep": ["true", "false", "onEnter", "onExit"],
    "Conference.record": ["do-not-record", "record-from-start"],
    "Conference.region": ["us1", "us2", "ie1", "sg1", "br1", "au1", "jp1", "de1"],
    "Conference.statusCallbackEvent": [
      "start", "end", "join", "leave", "mute", "hold", "modify", "speaker", "announcement",
    ],
    "Conference.trim": trims,
    "Conference.recordingStatusCallbackEvent": recordingEvents,
    "Conference.jitterBufferSize": ["large", "medium", "small", "off"],
    "Conference.muted": booleans, "Conference.startConferenceOnEnter": booleans,
    "Conference.endConferenceOnExit": booleans, "Conference.coach": booleans,
    "Client.statusCallbackEvent": callEvents, "Number.statusCallbackEvent": callEvents,
    "Sip.statusCallbackEvent": callEvents, "Application.statusCallbackEvent": callEvents,
    "WhatsApp.statusCallbackEvent": callEvents,
    "Gather.input": ["dtmf", "speech"],
    "Gather.profanityFilter": booleans, "Gather.bargeIn": booleans, "Gather.debug": booleans,
    "Gather.actionOnEmptyResult": booleans, "Gather.enhanced": booleans,
    "Pay.input": ["dtmf"],
    "Pay.tokenType": ["one-time", "reusable", "payment-method"],
    "Pay.validCardTypes": cardTypes,
    "Pay.language": [
      "de-DE", "en-AU", "en-CA", "en-GB", "en-IN", "en-IE", "en-NZ", "en-PH", "en-ZA", "en-US", "es-ES",
      "es-US", "fr-CA",
      "fr-FR", "it-IT",
    ],
    "Pay.bankAccountType": [
      "consumer-checking", "consumer-savings", "commercial-checking", "commercial-savings",
    ],
    "Pay.paymentMethod": ["ach-debit", "credit-card"],
    "Prompt.for": [
      "payment-card-number", "expiration-date", "security-code", "postal-code", "payment-processing",
      "bank-account-number", "bank-routing-number",
    ],
    "Prompt.errorType": [
      "timeout", "invalid-card-number", "invalid-card-type", "invalid-date", "invalid-security-code",
      "internal-error",
      "input-matching-failed",
    ],
    "Prompt.cardType": cardTypes,
    "Record.trim": trims,
    "Record.recordingStatusCallbackEvent": recordingEvents,
    "Record.playBeep": booleans, "Record.transcribe": booleans,
    "Recording.recordingStatusCallbackEvent": recordingEvents,
    "Recording.trim": trims,
    "Recording.track": ["inbound", "outbound", "both"],
    "Recording.channels": ["mono", "dual"],
    "Reject.reason": ["rejected", "busy"],
    "Siprec.track": streamTracks,
    "Stream.track": streamTracks,
    "Transcription.track": streamTracks,
    "break.strength": ["none", "x-weak", "weak", "medium", "strong", "x-strong"],
    "emphasis.level": ["strong", "moderate", "reduced"],
    "phoneme.alphabet": [
      "ipa", "x-sampa", "x-amazon-jyutping", "x-amazon-pinyin", "x-amazon-pron-kana", "x-amazon-yomigana",
    ],
    "say-as.interpret-as": [
      "characters", "spell-out", "cardinal", "number", "ordinal", "digits", "fraction", "unit", "date",
      "time", "address",
      "expletive", "telephone",
    ],
    "say-as.format": ["mdy", "dmy", "ymd", "md", "dm", "ym", "my", "d", "m", "y", "yyyymmdd"],
  ]
}
