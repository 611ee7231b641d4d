"""The daily report as one self-contained HTML file: inline style, an inline SVG chart, no script, nothing remote.

Every text from the data (names, comments, what was rated) is HTML-escaped.
"""

from __future__ import annotations

from html import escape

from agentdesk.domain.daily_figures import DayFigures
from agentdesk.reporting.render_text import title
from agentdesk.reporting.report_lines import SOURCE_NAMES, percent, rating_when, report_lines

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #1d2330; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
td, th { padding: 0.25em 0.8em; border-bottom: 1px solid #d9dde5; text-align: left; }
td.value { text-align: right; font-variant-numeric: tabular-nums; }
p.note { color: #5a6275; font-size: 0.9em; }
"""

_W, _H, _LEFT, _TOP, _BOTTOM = 760, 260, 40, 20, 30


def render_html(figures: DayFigures, short_abandon_seconds: float) -> str:
    """The whole report page."""
    rows = "\n".join(f'<tr><th scope="row">{escape(line.label)}</th><td class="value" data-key="{escape(line.key)}">'
                     f"{escape(line.text)}</td></tr>" for line in report_lines(figures))
    ratings = "\n".join(
        f"<tr><td>{escape(rating_when(r, figures.time_zone))}</td><td>{r.score}/5</td>"
        f"<td>{escape(SOURCE_NAMES.get(r.source, r.source))}</td><td>{escape(r.rated)}</td>"
        f"<td>{escape(r.comment)}</td></tr>" for r in figures.ratings
    ) or '<tr><td colspan="5">no ratings yet</td></tr>'
    missing = ("<p class=\"note\">Quality-control ratings are not recorded by the product yet.</p>"
               if any(not r.kept for r in figures.rating_averages) else "")
    heading = escape(title(figures))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{heading}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>{heading}</h1>
<p class="note">Midnight to midnight in the account's time zone; callers who hung up within
{short_abandon_seconds:g} s are left out of offered and abandoned. Service level target {escape(str(figures.target))}.</p>
<table>
{rows}
</table>
<h2>Calls and service level by hour</h2>
{hourly_svg(figures)}
<h2>Rated interactions</h2>
<table>
<tr><th>Time</th><th>Score</th><th>By</th><th>Interaction</th><th>Comment</th></tr>
{ratings}
</table>
{missing}
</body>
</html>
"""


def hourly_svg(figures: DayFigures) -> str:
    """Bars of calls offered per local hour (left scale) and dots of the hour's service level (right, 0-100 %)."""
    most = max((h.offered for h in figures.hours), default=0) or 1
    plot_w, plot_h = _W - 2 * _LEFT, _H - _TOP - _BOTTOM
    step = plot_w / 24
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" viewBox="0 0 {_W} {_H}" '
             f'role="img" aria-label="Calls offered and service level by hour">',
             f'<line x1="{_LEFT}" y1="{_TOP + plot_h}" x2="{_LEFT + plot_w}" y2="{_TOP + plot_h}" stroke="#8a93a6"/>',
             f'<text x="4" y="{_TOP + 4}" font-size="11">{most}</text>',
             f'<text x="{_W - _LEFT + 4}" y="{_TOP + 4}" font-size="11">100 %</text>']
    level_points = []
    for hour in figures.hours:
        x = _LEFT + hour.hour * step
        height = plot_h * hour.offered / most
        if hour.offered:
            parts.append(f'<rect class="calls" data-hour="{hour.hour}" data-calls="{hour.offered}" x="{x + 2:.1f}" '
                         f'y="{_TOP + plot_h - height:.1f}" width="{step - 4:.1f}" height="{height:.1f}" fill="#5b8def">'
                         f"<title>{hour.hour:02d}:00 {hour.offered} calls, level {escape(percent(hour.service_level))}"
                         "</title></rect>")
        if hour.service_level is not None:
            y = _TOP + plot_h * (1 - hour.service_level / 100)
            level_points.append(f"{x + step / 2:.1f},{y:.1f}")
            parts.append(f'<circle class="level" data-hour="{hour.hour}" cx="{x + step / 2:.1f}" cy="{y:.1f}" r="3" '
                         'fill="#d9822b"/>')
        if hour.hour % 3 == 0:
            parts.append(f'<text x="{x:.1f}" y="{_H - 10}" font-size="11">{hour.hour:02d}</text>')
    if len(level_points) > 1:
        parts.append(f'<polyline points="{" ".join(level_points)}" fill="none" stroke="#d9822b"/>')
    parts.append("</svg>")
    return "\n".join(parts)
