"""The timeline as one self-contained HTML page (no scripts or assets from elsewhere)."""

from __future__ import annotations

import json
from html import escape

from tools.replay.timeline import Timeline

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222;background:#fafafa}
h1{font-size:1.3em;margin:0 0 .3em} .stats{color:#555;margin-bottom:1em}
table{border-collapse:collapse;width:100%;background:#fff}
td,th{padding:.35em .6em;border-bottom:1px solid #eee;vertical-align:top;text-align:left}
th{background:#f0f0f0} td.t,td.n{color:#888;white-space:nowrap;text-align:right}
td.who{font-weight:600;white-space:nowrap} .caller td.who{color:#a0287d}
.speech .what{font-size:1.05em} .ok .what{color:#1a7f37} .warn .what{color:#9a6700}
.error .what{color:#cf222e;font-weight:600} .quiet{color:#999} .info .what{color:#0969da}
details summary{cursor:pointer;color:#888;font-size:.85em}
pre{margin:.3em 0;white-space:pre-wrap;font-size:.85em;background:#f6f8fa;padding:.5em}
"""


def render_html(timeline: Timeline) -> str:
    s = timeline.stats
    rows = []
    for e in timeline.entries:
        caller = " caller" if e.actor == "caller" else ""
        detail = escape(json.dumps(e.detail, ensure_ascii=False, indent=1, default=str))
        rows.append(
            f'<tr class="{e.tone.value}{caller}"><td class="t">+{e.offset_s:.2f}s</td>'
            f'<td class="n">{e.turn}</td><td class="who">{escape(e.actor)}</td>'
            f'<td class="what">{escape(e.summary)}'
            f"<details><summary>{escape(e.kind)}</summary><pre>{detail}</pre></details></td></tr>"
        )
    stats = (
        f"{s['events']} events · {s['caller_turns']} caller turns · {s['handoffs']} handoffs · "
        f"{s['tool_attempts']} tool attempts ({s['tool_failures']} failed) · "
        f"{s['barge_ins']} barge-in decisions · {s['duration_s']:.1f} s · "
        f"agents: {escape(' → '.join(s['agents']))}"
    )
    snapshot = ""
    if timeline.snapshot:
        snap = escape(json.dumps(timeline.snapshot, ensure_ascii=False, indent=1, default=str))
        snapshot = f"<details><summary>final state</summary><pre>{snap}</pre></details>"
    title = escape(f"switchboard replay: {timeline.session_id}")
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_CSS}</style></head><body><h1>{title}</h1>"
        f'<div class="stats">{stats}</div>{snapshot}'
        "<table><thead><tr><th>time</th><th>turn</th><th>who</th><th>what</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></body></html>\n"
    )
