"""What the owner's analytics page draws around ``services.analytics_summary``'s numbers: the
chart, a server-side SVG (no JavaScript), and each ranked entry's link on the public changelog."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from engagement.public_pages import entry_url


def chart_top(peak):
    """The y axis's top: at least 2, so the ticks are distinct whole numbers (``0, 1, 2`` with no
    data, never ``1, 0, 0``); past 10 rounded up to a half step (37 -> 40, 120 -> 150)."""
    if peak <= 10:
        return max(2, peak + peak % 2)
    half_step = 10 ** (len(str(peak)) - 1) // 2
    return -(-peak // half_step) * half_step


def analytics_chart_svg(series, width=720, height=220):
    """A line chart of views and uniques per day, safe to put in a page as it is. The x axis names
    the first, middle and last day, the outer two anchored inside the chart so none is cut off."""
    pad_left, pad_bottom, pad_top, pad_right = 40, 28, 12, 16
    inner_w, inner_h = width - pad_left - pad_right, height - pad_top - pad_bottom
    peak = max([point["views"] for point in series] + [0])
    top = chart_top(peak)
    step = inner_w / max(len(series) - 1, 1)

    def xy(index, value):
        return pad_left + index * step, pad_top + inner_h - inner_h * value / top

    def polyline(field):
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, p[field]) for i, p in enumerate(series)))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="Views and unique visitors per day" class="chart">']
    for tick in (0, top // 2, top):
        y = pad_top + inner_h - inner_h * tick / top
        parts.append(f'<line x1="{pad_left}" y1="{y:.1f}" x2="{width - pad_right}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{pad_left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{tick}</text>')
    last = len(series) - 1
    for index in sorted({0, last // 2, last} if series else set()):
        x, _ = xy(index, 0)
        anchor = "start" if index == 0 and last else "end" if index == last and last else "middle"
        day = series[index]["day"]
        parts.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="{anchor}" class="axis">'
                     f'{escape(day.strftime("%b"))} {day.day}</text>')
    if not peak:
        parts.append(f'<text x="{pad_left + inner_w / 2:.1f}" y="{pad_top + inner_h / 2:.1f}" text-anchor="middle" '
                     f'class="empty">No views in this range yet</text>')
    parts.append(f'<polyline points="{polyline("views")}" class="views"/>')
    parts.append(f'<polyline points="{polyline("uniques")}" class="uniques"/>')
    for index, point in enumerate(series):
        x, y = xy(index, point["views"])
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" class="views"><title>'
                     f'{point["day"].isoformat()}: {point["views"]} views, {point["uniques"]} unique</title></circle>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # built from numbers and dates only


def with_links(rows):
    """The ranked rows with ``url``: the entry's page on the public changelog."""
    return [dict(row, url=entry_url(row["entry"].repoId, row["entry"].prId)) for row in rows]
