"""Charts drawn on the server as SVG, so the page and the PDF show the same picture.

Each chart carries its title and its numbers as a table, which the template puts
beside the picture for screen readers (and for anyone who wants the figures).
"""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from typing import Any

from scoretrack.lib.numbers import format_number

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
    """A number as a page shows it, in the page language ("1,355" / "1.355"); a
    missing or withheld one as a dash."""
    if number(value) is None:
        return "–"
    if unit == "%":
        return f"{format_number(round(float(value)))}%"
    if float(value).is_integer():
        return format_number(int(value))
    return format_number(value, 1)


def _drawn(chart: Chart) -> list[float]:
    return [x for s in chart.series for v in s.values if (x := number(v)) is not None]


def _counts(chart: Chart) -> bool:
    """Whether every value is a whole number (a count): its axis ticks at whole numbers."""
    return chart.unit != "%" and all(float(v).is_integer() for v in _drawn(chart))


def nice_step(span: float, whole: bool = False, intervals: int = 5) -> float:
    """A round step (1, 2 or 5 × 10^n) cutting `span` into at most about `intervals`;
    at least 1 for counts."""
    raw = span / intervals if span > 0 else 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    return max(step, 1.0) if whole else step


def nice_ticks(low: float, high: float, whole: bool = False) -> list[float]:
    """The axis' ticks: round steps from a multiple at or below `low` to one at or above `high`."""
    step = nice_step(high - low, whole)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round(k * step, 10) for k in range(first, max(last, first + 1) + 1)]


def tick_label(value: float, step: float, unit: str) -> str:
    """A tick's value with just the decimals its step needs ("0.5", never "43.8")."""
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0
    text = format_number(round(value, decimals) if decimals else round(value), decimals or None)
    return f"{text}%" if unit == "%" else text


def _ticks(chart: Chart) -> list[float]:
    """The value axis of a bar chart: from 0 to a round value at or above the largest
    (or to the chart's `max_value`, e.g. 100 for shares)."""
    if chart.max_value:
        top = float(chart.max_value)
        return nice_ticks(0.0, top) if nice_ticks(0.0, top)[-1] == top else [0.0, top]
    empty = 100.0 if chart.unit == "%" else 1.0  # nothing above 0: a plain scale
    return nice_ticks(0.0, max(_drawn(chart), default=0.0) or empty, _counts(chart))


def _top(chart: Chart) -> float:
    return _ticks(chart)[-1]


def wrap(label: str, width: int) -> list[str]:
    """A label in lines of at most about `width` characters, every word kept."""
    return textwrap.wrap(label, width, break_long_words=False) or [""]


def _tspans(lines: Sequence[str], x: float, first_dy: float = 0.0, dy: float = 13.0) -> str:
    return "".join(
        f'<tspan x="{x:.1f}" dy="{first_dy if i == 0 else dy:.1f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )


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
    labels = [wrap(category, 16) for category in chart.categories]
    # Labels turned 35°: room below (and left of the first) for their longest line.
    longest = max((len(line) for lines in labels for line in lines), default=0)
    deepest = max((len(lines) for lines in labels), default=1)
    bottom = 24 + int(longest * 6.2 * 0.574 + deepest * 13 * 0.819)
    group_w = max(24 * n_series + 16, 40)
    left = max(48, int(longest * 6.2 * 0.819) - group_w // 2 + 12)
    top_pad = 16
    legend_w = 150 if n_series > 1 else 0
    plot_w = max(n_cat * group_w, 240)
    plot_h = 220
    width, height = left + plot_w + legend_w + 10, top_pad + plot_h + bottom
    ticks = _ticks(chart)
    top = ticks[-1]
    parts = [_open(width, height, chart)]
    for value in ticks:
        y = top_pad + plot_h - plot_h * value / top
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d8dee6"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'style="{FONT}" fill="#5b6776">'
            f"{escape(tick_label(value, ticks[1] - ticks[0], chart.unit))}</text>"
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
        cx, cy = gx + (group_w - 12) / 2, top_pad + plot_h + 14
        parts.append(
            f'<text x="{cx:.1f}" y="{cy}" font-size="11" text-anchor="end" '
            f'transform="rotate(-35 {cx:.1f} {cy})" style="{FONT}">'
            f"{_tspans(labels[i], cx)}</text>"
        )
    parts.append(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top_pad + plot_h}" '
        f'y2="{top_pad + plot_h}" stroke="#1d2733"/>'
    )
    parts += _legend(chart, left + plot_w + 14, top_pad)
    parts.append("</svg>")
    return "".join(parts)


def draw_horizontal(chart: Chart) -> str:
    n_series = max(len(chart.series), 1)
    label_w, right, top_pad = 230, 60, 8
    legend_h = 18 * n_series + 8 if n_series > 1 else 0
    bar_h = 14
    labels = [wrap(category, 30) for category in chart.categories]
    # A row is as tall as its bars or its label's lines, whichever is taller.
    rows_h = [max(bar_h * n_series + 10, 15 * len(lines) + 6) for lines in labels]
    plot_w = 380
    width = label_w + plot_w + right
    height = top_pad + legend_h + sum(rows_h) + 8
    top = _top(chart)
    parts = [_open(width, height, chart)]
    parts += _legend(chart, label_w, top_pad)
    y0 = top_pad + legend_h
    for i, category in enumerate(chart.categories):
        ry, row_h = y0 + sum(rows_h[:i]), rows_h[i]
        first = ry + row_h / 2 + 4 - 7.5 * (len(labels[i]) - 1)
        parts.append(
            f'<text x="{label_w - 8}" y="{first:.1f}" font-size="12" '
            f'text-anchor="end" style="{FONT}">{_tspans(labels[i], label_w - 8, dy=15)}</text>'
        )
        for j, s in enumerate(chart.series):
            value = number(s.values[i])
            if value is None:
                continue
            w = plot_w * float(value) / top
            y = ry + (row_h - bar_h * n_series) / 2 + j * bar_h
            parts.append(
                f'<rect x="{label_w}" y="{y:.1f}" width="{w:.1f}" height="{bar_h - 2}" '
                f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(category)} · '
                f"{escape(s.name)}: {escape(format_value(value, chart.unit))}</title></rect>"
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 4:.1f}" font-size="10" '
                f'style="{FONT}">{escape(format_value(value, chart.unit))}</text>'
            )
    parts.append(
        f'<line x1="{label_w}" x2="{label_w}" y1="{y0}" y2="{y0 + sum(rows_h)}" stroke="#1d2733"/>'
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


def _line_ticks(chart: Chart) -> list[float]:
    low, high = _bounds(chart)
    whole = _counts(chart) and (chart.baseline is None or float(chart.baseline).is_integer())
    return nice_ticks(low, high, whole)


def draw_line(chart: Chart) -> str:
    """One line per series over the categories, with the baseline dashed."""
    n_cat = len(chart.categories)
    left, bottom, top_pad, plot_h = 56, 60, 16, 180
    step = 36 if n_cat > 1 else 0
    plot_w = max(step * (n_cat - 1), 240)
    legend_w = 150
    width, height = left + plot_w + legend_w + 20, top_pad + plot_h + bottom
    ticks = _line_ticks(chart)
    low, high = ticks[0], ticks[-1]

    def y_of(value: float) -> float:
        return top_pad + plot_h - plot_h * (float(value) - low) / (high - low)

    def x_of(i: int) -> float:
        return left + 8 + (plot_w - 16) * (i / (n_cat - 1) if n_cat > 1 else 0.5)

    parts = [_open(width, height, chart)]
    for value in ticks:
        y = y_of(value)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d8dee6"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'style="{FONT}" fill="#5b6776">'
            f"{escape(tick_label(value, ticks[1] - ticks[0], chart.unit))}</text>"
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
