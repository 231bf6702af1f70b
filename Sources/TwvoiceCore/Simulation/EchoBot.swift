/// The smallest voice bot, for `stream capture --echo`: it listens to the caller's inbound audio
/// and, once the caller has been quiet for `pauseMs` after speaking, sends back the speech it
/// heard since its last answer, unchanged, then a mark `echo-<k>`. Speech is found with
/// `SpeechActivity`'s voiced-frame rule, so `stream replay` against it is a whole loop on one
/// machine with a known answer. Transport-free: it is given Twilio's messages and returns its own.
public struct EchoBot: Sendable {
  /// Quiet after speech before the answer (within the 300–500 ms a bot's end-of-turn takes).
  public static let pauseMs = 400
  /// Audio per media message of an answer: one second.
  public static let messageBytes = 8000
  /// The most audio kept for one answer (the rest of a longer turn is not echoed): 60 s.
  public static let maximumAnswerBytes = 60 * 8000

  public private(set) var streamSid: String?
  /// Answers sent so far.
  public private(set) var answers = 0
  private var heard: [UInt8] = []
  private var spoke = false
  private var quietFrames = 0

  public init() {}

  /// A text frame from Twilio; returns the frames to send back (nothing for anything that is not
  /// a message it understands: a capture must keep going whatever the client sends).
  public mutating func receive(_ text: String) -> [String] {
    guard let message = try? TwilioMessage.decode(text) else { return [] }
    return receive(message)
  }

  /// A message from Twilio, already read; returns the frames to send back.
  public mutating func receive(_ message: TwilioMessage) -> [String] {
    switch message {
    case .start(_, let start):
      streamSid = start.streamSid
    case .media(_, _, let media) where media.track == "inbound":
      return hear(media.payload)
    case .stop:
      heard = []
    default:
      break
    }
    return []
  }

  private mutating func hear(_ frame: [UInt8]) -> [String] {
    let voiced = SpeechActivity.isVoiced(frame)
    if voiced {
      spoke = true
      quietFrames = 0
    } else if spoke {
      quietFrames += 1
    }
    if spoke && heard.count + frame.count <= Self.maximumAnswerBytes { heard += frame }
    guard spoke, quietFrames * 20 >= Self.pauseMs, let streamSid else { return [] }
    // The answer is the speech, without the quiet that ended the turn.
    let speech = heard.dropLast(quietFrames * frame.count)
    var out: [String] = []
    var start = speech.startIndex
    while start < speech.endIndex {
      let end = min(start + Self.messageBytes, speech.endIndex)
      out.append(BotMessage.media(streamSid: streamSid, payload: Array(speech[start..<end])).encoded())
      start = end
    }
    answers += 1
    out.append(BotMessage.mark(streamSid: streamSid, name: "echo-\(answers)").encoded())
    heard = []
    spoke = false
    quietFrames = 0
    return out
  }
}
