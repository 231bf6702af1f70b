/// One self-contained HTML page of a call (`--report`, `twvoice report`): a header with the SIDs,
/// duration, reply latencies and exit status; the caller's and the bot's audio envelopes and
/// every event on one time axis, with zoom and pan; the events again as a list. No request
/// leaves the page: styles, the drawing script and the data are inline, and every text from the
/// call is escaped (`HTML`). Readable in light and dark schemes, and printable.
public enum ReportPage {
  /// Rows of markers under the waveforms, by event kind.
  static let rows: [(name: String, kinds: [CallTimeline.Event.Kind])] = [
    ("marks", [.markSent, .markEcho]),
    ("stream", [.start, .stop, .clear, .dtmf]),
    ("replies", [.reply]),
    ("requests", [.request]),
    ("conversation", [.prompt, .agent, .interrupt, .play, .digits, .end]),
    ("issues", [.finding, .step, .error]),
  ]

  /// The page; `facts` go first in the header (exit status, the summary's figures).
  public static func html(_ t: CallTimeline, facts extra: [(name: String, value: String)] = []) -> String {
    var facts = extra + t.facts
    facts.append(("Duration", format3(t.durationMs / 1000) + " s"))
    if !t.replyLatencies.isEmpty {
      let sorted = t.replyLatencies.sorted()
      func p(_ q: Double) -> String {
        String(Int(sorted[min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.up)) - 1)].rounded()))
          + " ms"
      }
      facts.append(
        ("Reply latency, as heard", "p50 \(p(0.5)), p95 \(p(0.95)), max \(p(1.0)) (\(sorted.count) replies)"))
    }
    let duration = max(t.durationMs, 1)
    func pct(_ ms: Double) -> String { format3(min(100, max(0, ms / duration * 100))) }

    var h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    h += "<title>\(HTML.escape(t.title))</title>\n<style>\n\(style)</style>\n</head>\n<body>\n"
    h += "<header>\n<h1>\(HTML.escape(t.title))</h1>\n<dl class=\"facts\">\n"
    for fact in facts {
      h += "<div><dt>\(HTML.escape(fact.name))</dt><dd>\(HTML.escape(fact.value))</dd></div>\n"
    }
    h += "</dl>\n</header>\n"
    h += "<nav class=\"controls\"><button type=\"button\" data-zoom=\"in\" title=\"Zoom in\">+</button>"
    h += "<button type=\"button\" data-zoom=\"out\" title=\"Zoom out\">−</button>"
    h += "<button type=\"button\" data-zoom=\"fit\" title=\"The whole call\">Fit</button>"
    h += "<span class=\"hint\">wheel to zoom, drag to pan, hover an event for its message</span></nav>\n"
    h += "<div id=\"view\">\n<div id=\"track\" data-duration-ms=\"\(format3(t.durationMs))\">\n"
    h += "<div class=\"axis\">"
    for tick in ticks(duration) {
      h += "<span class=\"tick\" style=\"left:\(pct(tick))%\">\(tickLabel(tick))</span>"
    }
    h += "</div>\n"
    for (name, label) in [("caller", "Caller"), ("bot", "Bot, as heard")] {
      h += "<div class=\"lane wave-lane\" data-lane=\"\(name)\"><span class=\"lane-name\">\(label)</span>"
      h += "<canvas class=\"wave wave-\(name)\" data-track=\"\(name)\"></canvas>"
      // Speech segments, as a bar along the lane's foot.
      for e in t.events where e.kind == (name == "caller" ? .callerSpeech : .botSpeech) {
        h +=
          "<div class=\"ev speech ev-\(e.kind.rawValue)\" style=\"left:\(pct(e.atMs))%;width:\(pct((e.endMs ?? e.atMs) - e.atMs))%\""
        h += " title=\"\(format3(e.atMs / 1000)) s: \(HTML.escape(e.detail))\"></div>"
      }
      if name == "bot" {
        // What each clear dropped, over the bot's lane.
        for e in t.events where e.kind == .clear {
          if let end = e.endMs {
            h += "<div class=\"dropped\" style=\"left:\(pct(e.atMs))%;width:\(pct(end - e.atMs))%\" title=\""
            h += HTML.escape(e.detail) + "\"></div>"
          }
        }
      }
      h += "</div>\n"
    }
    for row in rows {
      let events = t.events.filter { row.kinds.contains($0.kind) }
      guard !events.isEmpty else { continue }
      h += "<div class=\"lane events\" data-row=\"\(row.name)\"><span class=\"lane-name\">\(row.name)</span>"
      for e in events {
        let width = e.endMs.map { max(0, $0 - e.atMs) } ?? 0
        h += "<div class=\"ev ev-\(e.kind.rawValue)\" style=\"left:\(pct(e.atMs))%"
        if width > 0 { h += ";width:\(pct(width))%" }
        h +=
          "\" data-t=\"\(format3(e.atMs / 1000))\" title=\"\(format3(e.atMs / 1000)) s: \(HTML.escape(e.detail))\">"
        h += "<span>\(HTML.escape(e.label))</span></div>"
      }
      h += "</div>\n"
    }
    h += "</div>\n</div>\n"
    if !t.dropped.isEmpty {
      let text = t.dropped.sorted { $0.key.rawValue < $1.key.rawValue }.map {
        "\($0.value) \($0.key.rawValue)"
      }
      h += "<p class=\"note\">Not drawn (over \(CallTimeline.keptPerKind) of a kind): "
      h += HTML.escape(text.joined(separator: ", ")) + "</p>\n"
    }
    h +=
      "<table class=\"event-list\">\n<thead><tr><th>time</th><th>event</th><th>message</th></tr></thead>\n<tbody>\n"
    for e in t.events {
      h +=
        "<tr class=\"row-\(e.kind.rawValue)\"><td>\(format3(e.atMs / 1000))</td><td>\(e.kind.rawValue)</td>"
      h += "<td>\(HTML.escape(e.detail))</td></tr>\n"
    }
    h += "</tbody>\n</table>\n"
    let data = JSONValue.object([
      ("bin_ms", .number(format3(CallTimeline.binMs))),
      ("caller", .string(Base64.encode(t.callerLevels))),
      ("bot", .string(Base64.encode(t.botLevels))),
    ])
    h += "<script type=\"application/json\" id=\"twvoice-levels\">\(HTML.scriptJSON(data))</script>\n"
    h += "<script>\n\(script)</script>\n</body>\n</html>\n"
    return h
  }

  /// `1.5 s`, `12 s`, `2 min 30 s`.
  static func tickLabel(_ ms: Double) -> String {
    let tenths = Int((ms / 100).rounded())
    if tenths % 10 != 0 { return "\(tenths / 10).\(tenths % 10) s" }
    let seconds = tenths / 10
    return seconds >= 60
      ? "\(seconds / 60) min" + (seconds % 60 == 0 ? "" : " \(seconds % 60) s") : "\(seconds) s"
  }

  /// Ticks at a round step, about ten over the call.
  static func ticks(_ duration: Double) -> [Double] {
    let steps: [Double] = [
      100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000,
    ]
    let step = steps.first { duration / $0 <= 12 } ?? 600_000
    return stride(from: 0, through: duration, by: step).map { $0 }
  }

  static let style = """
    :root { color-scheme: light dark; --bg: #fff; --fg: #1d2230; --muted: #667; --line: #d8dbe3;
      --caller: #2364d2; --bot: #c2410c; --mark: #7c3aed; --clear: #dc2626; --dtmf: #0f766e;
      --request: #475569; --reply: #ca8a04; --issue: #b91c1c; --talk: #15803d; }
    @media (prefers-color-scheme: dark) { :root { --bg: #14161c; --fg: #e6e8ee; --muted: #99a; --line: #2c313c;
      --caller: #6ea0ff; --bot: #ff8a4c; --mark: #b394ff; --clear: #ff6b6b; --dtmf: #4fd1c5;
      --request: #a3b1c6; --reply: #facc15; --issue: #f87171; --talk: #4ade80; } }
    body { margin: 0 1.5rem 2rem; background: var(--bg); color: var(--fg); font: 14px/1.4 system-ui, sans-serif; }
    h1 { font-size: 1.3rem; margin: 1rem 0 .5rem; }
    .facts { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; margin: 0 0 .75rem; }
    .facts div { display: flex; gap: .4rem; } .facts dt { color: var(--muted); } .facts dd { margin: 0; font-family: ui-monospace, monospace; }
    .controls { display: flex; gap: .4rem; align-items: center; margin: .5rem 0; }
    .controls button { font: inherit; min-width: 2.2rem; padding: .1rem .5rem; }
    .hint { color: var(--muted); font-size: .85rem; }
    #view { overflow-x: auto; border: 1px solid var(--line); border-radius: 4px; cursor: grab; user-select: none; }
    #track { position: relative; width: 100%; min-width: 100%; padding-left: 0; }
    .axis { position: relative; height: 1.2rem; border-bottom: 1px solid var(--line); }
    .tick { position: absolute; top: 0; font-size: .75rem; color: var(--muted); padding-left: 2px; border-left: 1px solid var(--line); height: 100%; white-space: nowrap; }
    .lane { position: relative; border-bottom: 1px solid var(--line); }
    .lane-name { position: sticky; left: 0; z-index: 2; font-size: .75rem; color: var(--muted); background: var(--bg); padding: 0 .3rem; }
    .wave-lane { height: 64px; } .wave-lane .lane-name { position: absolute; top: 0; }
    canvas.wave { position: absolute; inset: 0; width: 100%; height: 100%; }
    .wave-caller { color: var(--caller); } .wave-bot { color: var(--bot); }
    .dropped { position: absolute; top: 0; bottom: 0; background: repeating-linear-gradient(45deg, transparent 0 4px, color-mix(in srgb, var(--clear) 35%, transparent) 4px 6px); border-left: 2px solid var(--clear); }
    .events { height: 24px; } .events .lane-name { position: absolute; top: 4px; }
    .ev { position: absolute; top: 3px; height: 18px; min-width: 2px; border-left: 2px solid currentColor; font-size: .72rem; white-space: nowrap; overflow: visible; }
    .ev span { padding-left: 2px; } .ev[style*="width"] { background: color-mix(in srgb, currentColor 18%, transparent); }
    .ev-mark-sent, .ev-mark-echo { color: var(--mark); } .ev-clear { color: var(--clear); } .ev-dtmf, .ev-digits { color: var(--dtmf); }
    .ev-request { color: var(--request); } .ev-reply { color: var(--reply); } .ev-start, .ev-stop, .ev-end, .ev-play { color: var(--muted); }
    .ev-finding, .ev-step, .ev-error, .ev-interrupt { color: var(--issue); } .ev-prompt { color: var(--caller); } .ev-agent { color: var(--talk); }
    .ev.speech { top: auto; bottom: 1px; height: 4px; border-left: 0; background: currentColor; opacity: .55; }
    .ev-caller-speech { color: var(--caller); } .ev-bot-speech { color: var(--bot); }
    .note { color: var(--muted); }
    .event-list { border-collapse: collapse; margin-top: 1rem; width: 100%; font-size: .85rem; }
    .event-list th, .event-list td { text-align: left; padding: .15rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
    .event-list td:first-child { font-family: ui-monospace, monospace; white-space: nowrap; }
    .event-list td:last-child { overflow-wrap: anywhere; white-space: pre-wrap; }
    @media print { .controls { display: none; } #view { overflow: visible; border: 0; } #track { width: 100% !important; }
      body { margin: 0; } .event-list { page-break-before: auto; } }

    """

  static let script = """
    (function () {
      "use strict";
      var data = JSON.parse(document.getElementById("twvoice-levels").textContent);
      function decode(text) {
        var raw = atob(text), out = new Uint8Array(raw.length);
        for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
        return out;
      }
      var levels = { caller: decode(data.caller), bot: decode(data.bot) };
      var view = document.getElementById("view"), track = document.getElementById("track");
      var zoom = 1;
      function draw() {
        var canvases = document.querySelectorAll("canvas.wave");
        for (var k = 0; k < canvases.length; k++) {
          var c = canvases[k], lv = levels[c.dataset.track], ratio = window.devicePixelRatio || 1;
          c.width = Math.max(1, Math.round(c.clientWidth * ratio));
          c.height = Math.max(1, Math.round(c.clientHeight * ratio));
          var g = c.getContext("2d"), n = lv.length, mid = c.height / 2;
          g.clearRect(0, 0, c.width, c.height);
          g.fillStyle = getComputedStyle(c).color;
          if (!n) continue;
          for (var x = 0; x < c.width; x++) {
            var a = Math.floor(x * n / c.width), b = Math.max(a + 1, Math.floor((x + 1) * n / c.width)), m = 0;
            for (var i = a; i < b && i < n; i++) if (lv[i] > m) m = lv[i];
            if (m) { var y = m / 255 * mid * 0.95; g.fillRect(x, mid - y, 1, Math.max(1, 2 * y)); }
          }
        }
      }
      function maxZoom() { return Math.max(1, Math.floor(30000 / Math.max(1, view.clientWidth))); }
      function setZoom(next, anchorX) {
        next = Math.min(maxZoom(), Math.max(1, next));
        if (next === zoom) return;
        var x = anchorX === undefined ? view.clientWidth / 2 : anchorX;
        var at = (view.scrollLeft + x) / track.clientWidth;
        zoom = next;
        track.style.width = (zoom * 100) + "%";
        view.scrollLeft = at * track.clientWidth - x;
        draw();
      }
      var buttons = document.querySelectorAll("[data-zoom]");
      for (var j = 0; j < buttons.length; j++) {
        buttons[j].addEventListener("click", function (event) {
          var what = event.currentTarget.dataset.zoom;
          setZoom(what === "in" ? zoom * 2 : what === "out" ? zoom / 2 : 1);
        });
      }
      view.addEventListener("wheel", function (event) {
        if (Math.abs(event.deltaX) > Math.abs(event.deltaY)) return;
        event.preventDefault();
        var rect = view.getBoundingClientRect();
        setZoom(zoom * (event.deltaY < 0 ? 1.25 : 0.8), event.clientX - rect.left);
      }, { passive: false });
      var dragging = null;
      view.addEventListener("mousedown", function (event) { dragging = { x: event.clientX, left: view.scrollLeft }; });
      window.addEventListener("mouseup", function () { dragging = null; });
      window.addEventListener("mousemove", function (event) {
        if (dragging) view.scrollLeft = dragging.left - (event.clientX - dragging.x);
      });
      window.addEventListener("resize", draw);
      window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", draw);
      window.addEventListener("beforeprint", draw);
      draw();
      document.documentElement.dataset.drawn = "true";
    })();

    """
}
