"""The impact report as one self-contained HTML page: inline CSS, inline SVG bar charts, no
script and nothing fetched, so a school can publish the file as it is. Every text from the
data is escaped; suppressed groups show as suppressed, with no number and no bar."""

from __future__ import annotations

from html import escape
from typing import Any

STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem;
       color: #1d2430; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.meta { color: #5b6472; } table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #dde1e7; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.suppressed { color: #8a93a0; font-style: italic; } svg text { font: 12px system-ui, sans-serif; }
"""

TOTALS = (
    ("students", "Students"),
    ("seats", "Seats held"),
    ("completions", "Completions"),
    ("completionRate", "Completion rate"),
    ("attendanceRate", "Attendance rate"),
    ("hoursVerified", "Hours verified"),
    ("credentials", "Credentials earned"),
    ("placements", "Placements (internships, jobs, apprenticeships)"),
)
BAR_WIDTH = 360
ROW_HEIGHT = 22
LABEL_WIDTH = 170


def shown(key: str, value: Any) -> str:
    if value is None:
        return "-"
    if key.endswith("Rate") and isinstance(value, float):
        return f"{value:.0%}"
    return str(value)


def bar_chart(title: str, groups: list[dict[str, Any]]) -> str:
    """Students per group as horizontal bars; a suppressed group gets a label and no bar."""
    top = max((g["numbers"]["students"] for g in groups if g["numbers"]), default=0) or 1
    height = ROW_HEIGHT * len(groups) + 8
    width = LABEL_WIDTH + BAR_WIDTH + 60
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
            f' role="img" aria-label="{escape(title)}">'
        )
    ]
    for i, group in enumerate(groups):
        y = i * ROW_HEIGHT + 4
        parts.append(f'<text x="0" y="{y + 14}">{escape(str(group["label"])[:40])}</text>')
        if group["numbers"] is None:
            parts.append(f'<text x="{LABEL_WIDTH}" y="{y + 14}" fill="#8a93a0">suppressed</text>')
            continue
        students = group["numbers"]["students"]
        length = round(BAR_WIDTH * students / top)
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{ROW_HEIGHT - 6}"'
            ' fill="#2f6db5"/>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 14}">{students}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def breakdown(section: dict[str, Any]) -> str:
    by = str(section["by"]).replace("_", " ")
    rows = []
    for group in section["groups"]:
        label = escape(str(group["label"]))
        numbers = group["numbers"]
        if numbers is None:
            rows.append(
                f'<tr><td>{label}</td><td class="suppressed" colspan="3">suppressed'
                " (too few students to show)</td></tr>"
            )
        else:
            rows.append(
                f"<tr><td>{label}</td><td class=n>{numbers['students']}</td>"
                f"<td class=n>{numbers['completions']}</td>"
                f"<td class=n>{shown('completionRate', numbers['completionRate'])}</td></tr>"
            )
    return (
        f"<h2>By {escape(by)}</h2>"
        + bar_chart(f"Students by {by}", section["groups"])
        + "<table><tr><th>Group</th><th>Students</th><th>Completions</th>"
        "<th>Completion rate</th></tr>" + "".join(rows) + "</table>"
    )


def render_html(document: dict[str, Any]) -> str:
    """The page for a report document (`infra/report.py`)."""
    partnership, report = document["partnership"], document["report"]
    name = escape(str(partnership["name"]))
    members = ", ".join(escape(str(o["name"])) for o in partnership["organizations"])
    totals = report["totals"]
    total_rows = "".join(
        f"<tr><th>{escape(label)}</th><td class=n>{escape(shown(key, totals.get(key)))}</td></tr>"
        for key, label in TOTALS
    )
    programs = "".join(
        f"<li>{escape(str(p['name']))} ({escape(str(p['kind']).lower())},"
        f" {escape(str(p['startsOn']))} to {escape(str(p['endsOn']))})</li>"
        for p in report["programs"]
    )
    position = int(document["asOf"]["position"])
    signed = "signed" if document.get("signature") else "not signed"
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>Impact report: {name}</title><style>{STYLE}</style></head><body>"
        f"<h1>Impact report: {name}</h1>"
        f"<p class=meta>{members}<br>{escape(str(report['startsOn']))} to"
        f" {escape(str(report['endsOn']))} · as of log position {position} ({signed})</p>"
        f"<h2>Totals</h2><table>{total_rows}</table>"
        f"<h2>Programs</h2><ul>{programs}</ul>"
        + "".join(breakdown(b) for b in report["breakdowns"])
        + f"<p class=meta>Groups of fewer than {int(report['minimumGroup'])} students, and"
        " any that would let one be worked out, are suppressed.</p></body></html>\n"
    )
