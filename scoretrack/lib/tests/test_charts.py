"""Server-drawn SVG charts: the bars, labels and fallback table say the same numbers."""

from __future__ import annotations

import re

from django.template.loader import render_to_string

from scoretrack.lib.charts import Chart, Series, chart_from_mapping, format_value


def test_a_vertical_chart_draws_one_bar_per_value_scaled_to_the_top_tick() -> None:
    chart = Chart(
        title="SMEs trained per module",
        categories=["M1", "M2"],
        series=[Series("Phase II", [53, 11])],
    )
    heights = [
        float(h)
        for h in re.findall(r'<rect x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)"', chart.svg)
    ]
    # the axis ticks 0, 20, 40, 60: 53/60 and 11/60 of the 220-pixel plot
    assert heights == [194.3, 40.3]
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


def ticks(svg: str) -> list[str]:
    """The value axis' labels, bottom to top."""
    return re.findall(r'fill="#5b6776">([^<]*)</text>', svg)


def test_a_count_axis_ticks_at_round_steps_above_the_largest_value() -> None:
    chart = Chart(title="SMEs", categories=["A", "B"], series=[Series("n", [175, 30])])
    assert ticks(chart.svg) == ["0", "50", "100", "150", "200"]
    # the bar of 175 reaches 175/200 of the 220-pixel plot
    assert 'height="192.5"' in chart.svg


def test_small_counts_tick_at_whole_numbers() -> None:
    chart = Chart(title="Trainers", categories=["A", "B"], series=[Series("n", [3, 1])])
    assert ticks(chart.svg) == ["0", "1", "2", "3"]
    one = Chart(title="Trainers", categories=["A"], series=[Series("n", [1])])
    assert ticks(one.svg) == ["0", "1"]


def test_a_line_chart_ticks_at_round_steps_too() -> None:
    chart = Chart(
        title="Defect rate",
        categories=["2024-01", "2024-02", "2024-03"],
        series=[Series("Defects", [4.2, 7.9, 5.0])],
        line=True,
        baseline=4.2,
    )
    assert ticks(chart.svg) == ["0", "2", "4", "6", "8"]


def lines_of(svg: str, x: str) -> list[list[str]]:
    """The lines of each label drawn at x, one list per label."""
    found = re.findall(rf'<text x="{x}"[^>]*>((?:<tspan[^>]*>[^<]*</tspan>)+)</text>', svg)
    return [re.findall(r"<tspan[^>]*>([^<]*)</tspan>", label) for label in found]


def test_long_practice_labels_are_wrapped_not_cut() -> None:
    chart = Chart(
        title="Practices",
        categories=["Systematic analysis of defect causes", "Kaizen 5S"],
        series=[Series("Before", [40.0, 20.0])],
        unit="%",
        horizontal=True,
        max_value=100,
    )
    assert "…" not in chart.svg
    assert lines_of(chart.svg, "222") == [
        ["Systematic analysis of defect", "causes"],
        ["Kaizen 5S"],
    ]


def test_long_category_labels_under_columns_are_wrapped_not_cut() -> None:
    chart = Chart(
        title="SMEs per module",
        categories=["Occupational Safety & Health", "M1"],
        series=[Series("n", [4, 2])],
    )
    assert "…" not in chart.svg
    labels = re.findall(
        r"<text [^>]*rotate[^>]*>((?:<tspan[^>]*>[^<]*</tspan>)+)</text>", chart.svg
    )
    assert [re.findall(r">([^<]*)</tspan>", label) for label in labels] == [
        ["Occupational", "Safety &amp; Health"],
        ["M1"],
    ]
