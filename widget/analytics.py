"""The owner's widget analytics: impressions, clicks and click-through rate per day and per entry,
read from the per-day ``stat:widget-day:`` figures (one pipeline for the whole period)."""

from collections import Counter
from datetime import datetime, timedelta, timezone
from html import escape

from changelog_site.kv.records import ValidationError
from engagement import services as changelog
from entries.models import Entry
from widget.models import WidgetCounters

PERIODS = (30, 90)


def today():
    return datetime.now(timezone.utc).date()


def days_back(count, end=None):
    """The ``count`` UTC days up to ``end`` (default today), oldest first."""
    end = end or today()
    return [end - timedelta(days=back) for back in range(count - 1, -1, -1)]


def click_through_rate(clicks, impressions):
    """Clicks per impression in percent, one decimal; 0 without impressions."""
    return round(100 * clicks / impressions, 1) if impressions else 0.0


def period_parse(text):
    try:
        days = int(text or PERIODS[0])
    except ValueError as error:
        raise ValidationError({"days": "must be 30 or 90"}) from error
    if days not in PERIODS:
        raise ValidationError({"days": "must be 30 or 90"})
    return days


def widget_analytics(*, widget, days):
    """Per-day series and per-entry rows of the last ``days`` days (30 or 90)."""
    figures = WidgetCounters(widget.id).days(days_back(period_parse(days)))
    series = [{"day": day, "impressions": f["impressions"], "clicks": f["clicks"],
               "ctr": click_through_rate(f["clicks"], f["impressions"])} for day, f in figures.items()]
    impressions = sum(point["impressions"] for point in series)
    clicks = sum(point["clicks"] for point in series)
    per_entry = Counter()
    for values in figures.values():
        per_entry.update(values["entries"])
    entries = {entry.id: entry for entry in Entry.get_many_by_ids(sorted(per_entry))}
    rows = []
    for entry_id, count in per_entry.most_common():
        entry = entries.get(entry_id)
        rows.append({"id": entry_id, "title": entry.title if entry else "A deleted entry",
                     "url": changelog.entry_url(entry.repoId, entry.prId) if entry and entry.status == "published" else "",
                     "clicks": count, "ctr": click_through_rate(count, impressions)})
    return {"days": len(series), "start": series[0]["day"], "end": series[-1]["day"], "series": series,
            "impressions": impressions, "clicks": clicks, "ctr": click_through_rate(clicks, impressions),
            "entries": rows}


def widget_chart_svg(series, width=720, height=240):
    """A server-side SVG chart: impressions (light bars) and clicks (dark bars) per day against the
    left axis, the click-through rate (line) against the right one. No JavaScript."""
    left, right, top, bottom = 44, 44, 14, 28
    inner_w, inner_h = width - left - right, height - top - bottom
    peak = max([point["impressions"] for point in series] + [point["clicks"] for point in series] + [1])
    peak_ctr = max([point["ctr"] for point in series] + [1.0])
    slot = inner_w / len(series)
    bar = max(slot * 0.7, 1.0)

    def y(value, scale):
        return top + inner_h - inner_h * value / scale

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart" '
             f'aria-label="Widget impressions, clicks and click-through rate per day">']
    for fraction in (0, 0.5, 1):
        line_y = y(peak * fraction, peak)
        parts.append(f'<line x1="{left}" y1="{line_y:.1f}" x2="{width - right}" y2="{line_y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{line_y + 4:.1f}" text-anchor="end" class="axis">'
                     f'{round(peak * fraction)}</text>')
        parts.append(f'<text x="{width - right + 6}" y="{line_y + 4:.1f}" class="axis">'
                     f'{peak_ctr * fraction:.0f}%</text>')
    points = []
    for index, point in enumerate(series):
        x = left + index * slot + (slot - bar) / 2
        label = escape(f'{point["day"].isoformat()}: {point["impressions"]} impressions, {point["clicks"]} clicks, '
                       f'{point["ctr"]}% click-through')
        parts.append(f'<g><title>{label}</title>'
                     f'<rect x="{x:.1f}" y="{y(point["impressions"], peak):.1f}" width="{bar:.1f}" '
                     f'height="{inner_h * point["impressions"] / peak:.1f}" class="impressions"/>'
                     f'<rect x="{x:.1f}" y="{y(point["clicks"], peak):.1f}" width="{bar:.1f}" '
                     f'height="{inner_h * point["clicks"] / peak:.1f}" class="clicks"/></g>')
        points.append(f'{x + bar / 2:.1f},{y(point["ctr"], peak_ctr):.1f}')
    parts.append(f'<polyline points="{" ".join(points)}" class="ctr"/>')
    for index in sorted({0, (len(series) - 1) // 2, len(series) - 1}):
        x = left + index * slot + slot / 2
        parts.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" class="axis">'
                     f'{series[index]["day"].strftime("%b %d")}</text>')
    parts.append("</svg>")
    return "".join(parts)
