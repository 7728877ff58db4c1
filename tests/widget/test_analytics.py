"""Widget analytics arithmetic: days, click-through rate, periods, the chart."""

from datetime import date

import pytest

from changelog_site.kv.records import ValidationError
from widget.analytics import click_through_rate, days_back, period_parse, widget_chart_svg


def test_it_lists_the_days_of_a_period_oldest_first():
    assert days_back(3, end=date(2026, 3, 1)) == [date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 1)]


@pytest.mark.parametrize("clicks, impressions, rate", [(0, 0, 0.0), (1, 3, 33.3), (5, 5, 100.0), (2, 0, 0.0)])
def test_it_computes_the_click_through_rate_in_percent(clicks, impressions, rate):
    assert click_through_rate(clicks, impressions) == rate


@pytest.mark.parametrize("text, days", [(None, 30), ("", 30), ("30", 30), ("90", 90)])
def test_it_accepts_30_or_90_days(text, days):
    assert period_parse(text) == days


@pytest.mark.parametrize("text", ["7", "abc", "-30"])
def test_it_refuses_other_periods(text):
    with pytest.raises(ValidationError):
        period_parse(text)


def test_it_draws_one_pair_of_bars_per_day_and_the_rate_as_a_line():
    series = [{"day": date(2026, 3, d), "impressions": d * 10, "clicks": d, "ctr": 10.0} for d in (1, 2, 3)]

    svg = widget_chart_svg(series)

    assert svg.startswith("<svg") and svg.count('class="impressions"') == 3 and svg.count('class="clicks"') == 3
    assert 'class="ctr"' in svg and "2026-03-02: 20 impressions, 2 clicks, 10.0% click-through" in svg
