"""Charts drawn on the server as SVG, so the page and the PDF show the same picture.

Each chart carries its title and its numbers as a table, which the template puts
beside the picture for screen readers (and for anyone who wants the figures).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from typing import Any

# Colour-blind-safe palette (Okabe–Ito), darkest first for contrast with white.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
FONT = "font-family:system-ui,sans-serif"


@dataclass(frozen=True)
class Series:
    """One series of bars or points; a value that is not a number (None, or a
    figure withheld from the reader, such as the registry's `disclosure.Hidden`)
    is not drawn: it is missing, never a bar of 0."""

    name: str
    values: Sequence[Any]


def number(value: Any) -> float | None:
    """The value if it is a number to draw, else None (missing or withheld)."""
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    return None


@dataclass
class Chart:
    """A bar chart: one bar per category and series (grouped), vertical or horizontal."""

    title: str
    categories: Sequence[str]
    series: Sequence[Series]
    unit: str = ""
    horizontal: bool = False
    max_value: float | None = None
    slug: str = ""
    note: str = ""
    line: bool = False  # a line over the categories (e.g. months) instead of bars
    baseline: float | None = None  # drawn as a dashed reference line (line charts)
    baseline_label: str = "Baseline"
    _svg: str = field(default="", init=False, repr=False)

    @property
    def empty(self) -> bool:
        return not self.categories or all(number(v) is None for s in self.series for v in s.values)

    @property
    def table(self) -> list[list[str]]:
        """Header row, then one row per category: the chart's numbers as text."""
        rows = [["", *[s.name for s in self.series]]]
        for i, category in enumerate(self.categories):
            rows.append([category, *[format_value(s.values[i], self.unit) for s in self.series]])
        return rows

    @property
    def svg(self) -> str:
        if not self._svg:
            if self.line:
                self._svg = draw_line(self)
            else:
                self._svg = draw_horizontal(self) if self.horizontal else draw_vertical(self)
        return self._svg


def format_value(value: Any, unit: str = "") -> str:
    """A number as a page shows it; a missing or withheld one as a dash."""
    if number(value) is None:
        return "–"
    if unit == "%":
        return f"{value:.0f}%"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def _top(chart: Chart) -> float:
    values = [x for s in chart.series for v in s.values if (x := number(v)) is not None]
    top = chart.max_value or max(values, default=0) or 1
    return float(top)


def _legend(chart: Chart, x: float, y: float) -> list[str]:
    if len(chart.series) < 2:
        return []
    parts = []
    for i, s in enumerate(chart.series):
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="{y + i * 18}" width="12" height="12" fill="{colour}"/>')
        parts.append(
            f'<text x="{x + 18}" y="{y + i * 18 + 11}" font-size="12" style="{FONT}">'
            f"{escape(s.name)}</text>"
        )
    return parts


def _open(width: float, height: float, chart: Chart) -> str:
    label = escape(chart.title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="100%" role="img" aria-label="{label}" preserveAspectRatio="xMinYMin meet">'
        f"<title>{label}</title>"
    )


def draw_vertical(chart: Chart) -> str:
    n_cat, n_series = len(chart.categories), max(len(chart.series), 1)
    left, bottom, top_pad = 48, 60, 16
    legend_w = 150 if n_series > 1 else 0
    group_w = max(24 * n_series + 16, 40)
    plot_w = max(n_cat * group_w, 240)
    plot_h = 220
    width, height = left + plot_w + legend_w + 10, top_pad + plot_h + bottom
    top = _top(chart)
    parts = [_open(width, height, chart)]
    for tick in range(5):
        value = top * tick / 4
        y = top_pad + plot_h - plot_h * tick / 4
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d8dee6"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'style="{FONT}" fill="#5b6776">{escape(format_value(value, chart.unit))}</text>'
        )
    bar_w = (group_w - 12) / n_series
    for i, category in enumerate(chart.categories):
        gx = left + i * group_w + 6
        for j, s in enumerate(chart.series):
            value = number(s.values[i])
            if value is None:
                continue
            h = plot_h * float(value) / top
            x, y = gx + j * bar_w, top_pad + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(category)} · '
                f"{escape(s.name)}: {escape(format_value(value, chart.unit))}</title></rect>"
            )
            if n_series <= 3:
                parts.append(
                    f'<text x="{x + (bar_w - 2) / 2:.1f}" y="{y - 3:.1f}" font-size="10" '
                    f'text-anchor="middle" style="{FONT}">'
                    f"{escape(format_value(value, chart.unit))}</text>"
                )
        label = category if len(category) <= 14 else category[:13] + "…"
        cx = gx + (group_w - 12) / 2
        parts.append(
            f'<text x="{cx:.1f}" y="{top_pad + plot_h + 14}" font-size="11" text-anchor="end" '
            f'transform="rotate(-35 {cx:.1f} {top_pad + plot_h + 14})" style="{FONT}">'
            f"{escape(label)}</text>"
        )
    parts.append(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top_pad + plot_h}" '
        f'y2="{top_pad + plot_h}" stroke="#1d2733"/>'
    )
    parts += _legend(chart, left + plot_w + 14, top_pad)
    parts.append("</svg>")
    return "".join(parts)


def draw_horizontal(chart: Chart) -> str:
    n_cat, n_series = len(chart.categories), max(len(chart.series), 1)
    label_w, right, top_pad = 230, 60, 8
    legend_h = 18 * n_series + 8 if n_series > 1 else 0
    bar_h = 14
    row_h = bar_h * n_series + 10
    plot_w = 380
    width = label_w + plot_w + right
    height = top_pad + legend_h + n_cat * row_h + 8
    top = _top(chart)
    parts = [_open(width, height, chart)]
    parts += _legend(chart, label_w, top_pad)
    y0 = top_pad + legend_h
    for i, category in enumerate(chart.categories):
        ry = y0 + i * row_h
        label = category if len(category) <= 32 else category[:31] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{ry + row_h / 2 + 4:.1f}" font-size="12" '
            f'text-anchor="end" style="{FONT}">{escape(label)}</text>'
        )
        for j, s in enumerate(chart.series):
            value = number(s.values[i])
            if value is None:
                continue
            w = plot_w * float(value) / top
            y = ry + 5 + j * bar_h
            parts.append(
                f'<rect x="{label_w}" y="{y:.1f}" width="{w:.1f}" height="{bar_h - 2}" '
                f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(category)} · '
                f"{escape(s.name)}: {escape(format_value(value, chart.unit))}</title></rect>"
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 4:.1f}" font-size="10" '
                f'style="{FONT}">{escape(format_value(value, chart.unit))}</text>'
            )
    parts.append(
        f'<line x1="{label_w}" x2="{label_w}" y1="{y0}" y2="{y0 + n_cat * row_h}" '
        f'stroke="#1d2733"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _bounds(chart: Chart) -> tuple[float, float]:
    values = [x for s in chart.series for v in s.values if (x := number(v)) is not None]
    if chart.baseline is not None:
        values.append(float(chart.baseline))
    low, high = min(values, default=0.0), max(values, default=1.0)
    low = min(low, 0.0)
    return low, high if high > low else low + 1


def draw_line(chart: Chart) -> str:
    """One line per series over the categories, with the baseline dashed."""
    n_cat = len(chart.categories)
    left, bottom, top_pad, plot_h = 56, 60, 16, 180
    step = 36 if n_cat > 1 else 0
    plot_w = max(step * (n_cat - 1), 240)
    legend_w = 150
    width, height = left + plot_w + legend_w + 20, top_pad + plot_h + bottom
    low, high = _bounds(chart)

    def y_of(value: float) -> float:
        return top_pad + plot_h - plot_h * (float(value) - low) / (high - low)

    def x_of(i: int) -> float:
        return left + 8 + (plot_w - 16) * (i / (n_cat - 1) if n_cat > 1 else 0.5)

    parts = [_open(width, height, chart)]
    for tick in range(5):
        value = low + (high - low) * tick / 4
        y = y_of(value)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d8dee6"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'style="{FONT}" fill="#5b6776">{escape(format_value(value, chart.unit))}</text>'
        )
    if chart.baseline is not None:
        y = y_of(chart.baseline)
        colour = PALETTE[len(chart.series) % len(PALETTE)]  # its legend swatch's colour
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-width="2" stroke-dasharray="6 4"><title>'
            f"{escape(chart.baseline_label)}: "
            f"{escape(format_value(chart.baseline, chart.unit))}</title></line>"
        )
    for j, s in enumerate(chart.series):
        colour = PALETTE[j % len(PALETTE)]
        drawn = [(i, number(v)) for i, v in enumerate(s.values)]
        points = [(x_of(i), y_of(v), i, v) for i, v in drawn if v is not None]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _i, _v in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y, i, v in points:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"><title>'
                f"{escape(chart.categories[i])} · {escape(s.name)}: "
                f"{escape(format_value(v, chart.unit))}</title></circle>"
            )
    every = max(1, n_cat // 12)
    for i, category in enumerate(chart.categories):
        if i % every:
            continue
        cx, cy = x_of(i), top_pad + plot_h + 14
        parts.append(
            f'<text x="{cx:.1f}" y="{cy}" font-size="11" text-anchor="end" '
            f'transform="rotate(-35 {cx:.1f} {cy})" style="{FONT}">{escape(category)}</text>'
        )
    legend = [*chart.series]
    if chart.baseline is not None:
        legend.append(Series(chart.baseline_label, []))
    parts += _legend(Chart(title="", categories=[], series=legend), left + plot_w + 14, top_pad)
    parts.append("</svg>")
    return "".join(parts)


def chart_from_mapping(
    title: str, values: dict[str, dict[str, float | None]], *, unit: str = "", **kwargs: object
) -> Chart:
    """A chart from {series name: {category: value}}, categories in first-seen order."""
    categories = list(dict.fromkeys(itertools.chain.from_iterable(values.values())))
    series = [
        Series(name, [by_category.get(c) for c in categories])
        for name, by_category in values.items()
    ]
    return Chart(title=title, categories=categories, series=series, unit=unit, **kwargs)  # type: ignore[arg-type]
