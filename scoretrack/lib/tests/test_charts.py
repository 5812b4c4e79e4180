"""Server-drawn SVG charts: the bars, labels and fallback table say the same numbers."""

from __future__ import annotations

import re

from django.template.loader import render_to_string

from scoretrack.lib.charts import Chart, Series, chart_from_mapping, format_value


def test_a_vertical_chart_draws_one_bar_per_value_scaled_to_the_largest() -> None:
    chart = Chart(
        title="SMEs trained per module",
        categories=["M1", "M2"],
        series=[Series("Phase II", [53, 11])],
    )
    heights = [
        float(h)
        for h in re.findall(r'<rect x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)"', chart.svg)
    ]
    assert heights == [220.0, 45.7]  # 11/53 of the 220-pixel plot
    assert "<title>SMEs trained per module</title>" in chart.svg
    assert "M1 · Phase II: 53" in chart.svg


def test_the_table_fallback_holds_the_same_numbers() -> None:
    chart = chart_from_mapping(
        "Trainers", {"Trained": {"BO": 31, "CO": 83}, "Certified": {"BO": 20}}
    )
    assert chart.table == [["", "Trained", "Certified"], ["BO", "31", "20"], ["CO", "83", "–"]]


def test_percentages_and_decimals_are_formatted_for_people() -> None:
    assert format_value(92.4528, "%") == "92%"
    assert format_value(1355) == "1,355"
    assert format_value(2.25) == "2.2"
    assert format_value(None) == "–"


def test_labels_are_escaped() -> None:
    chart = Chart(title="<b>x</b>", categories=["A&B"], series=[Series("s", [1])])
    assert "<b>" not in chart.svg
    assert "A&amp;B" in chart.svg


def test_an_empty_chart_says_so_in_the_page() -> None:
    chart = Chart(title="Nothing", categories=[], series=[])
    html = render_to_string("lib/chart.html", {"chart": chart})
    assert "No data for this selection." in html
    assert "<svg" not in html


def test_a_horizontal_chart_renders_with_its_table() -> None:
    chart = Chart(
        title="Practices",
        categories=["Kaizen 5S", "Daily meetings"],
        series=[Series("Before", [40.0, 20.0]), Series("New", [30.0, 50.0])],
        unit="%",
        horizontal=True,
        max_value=100,
    )
    html = render_to_string("lib/chart.html", {"chart": chart})
    assert html.count("<rect") == 4 + 2  # four bars and two legend swatches
    assert '<th scope="row">Kaizen 5S</th><td class="num">40%</td><td class="num">30%</td>' in html
