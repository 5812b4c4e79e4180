"""The results chain drawn on the server as SVG: one band per level, impact at the
top and activities at the bottom, a box per result naming its indicators, and
arrows from each level to the one it leads to (as `lib.charts`, the page and the
PDF show the same picture)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from html import escape

from scoretrack.lib.charts import FONT, PALETTE, wrap
from scoretrack.results.models import LEVEL_ORDER, Level, ResultLevel

WIDTH = 760
MARGIN = 10
LABEL_WIDTH = 90  # the level's name, left of its band
GAP = 12  # between boxes of a band
ARROW = 28  # between bands
LINE = 14


def _bands(levels: Sequence[ResultLevel]) -> list[tuple[str, list[ResultLevel]]]:
    """The levels that have results, impact first."""
    found: dict[str, list[ResultLevel]] = {}
    for level in sorted(levels, key=lambda lv: (lv.position, lv.key)):
        found.setdefault(level.level, []).append(level)
    return [(code, found[code]) for code in sorted(found, key=lambda c: -LEVEL_ORDER[c])]


def _box_lines(level: ResultLevel, chars: int) -> tuple[list[str], list[str]]:
    statement = wrap(level.statement, chars)
    codes = wrap(", ".join(level.indicator_codes()), chars) if level.indicators else []
    return statement, codes


def draw_chain(levels: Sequence[ResultLevel], title: str) -> str:
    """The SVG of a chain (an empty string when it has no level)."""
    bands = _bands(levels)
    if not bands:
        return ""
    inner = WIDTH - 2 * MARGIN - LABEL_WIDTH
    parts: list[str] = []
    y = MARGIN
    centres: list[tuple[float, float]] = []  # each band's (top, bottom)
    for code, boxes in bands:
        width = (inner - GAP * (len(boxes) - 1)) / len(boxes)
        chars = max(12, int(width / 6.6))
        lines = [_box_lines(box, chars) for box in boxes]
        height = 16 + LINE * max(len(s) + len(c) for s, c in lines)
        colour = PALETTE[LEVEL_ORDER[code] % len(PALETTE)]
        parts.append(
            f'<text x="{MARGIN}" y="{y + height / 2 + 4:.0f}" font-weight="bold" '
            f'font-size="12">{escape(str(Level(code).label))}</text>'
        )
        for i, (_box, (statement, codes)) in enumerate(zip(boxes, lines, strict=True)):
            x = MARGIN + LABEL_WIDTH + i * (width + GAP)
            parts.append(
                f'<rect x="{x:.0f}" y="{y}" width="{width:.0f}" height="{height}" rx="6" '
                f'fill="#fff" stroke="{colour}" stroke-width="2"/>'
            )
            text_y = y + 18
            for line in statement:
                parts.append(
                    f'<text x="{x + 8:.0f}" y="{text_y}" font-size="12">{escape(line)}</text>'
                )
                text_y += LINE
            for line in codes:
                parts.append(
                    f'<text x="{x + 8:.0f}" y="{text_y}" font-size="11" fill="#444" '
                    f'font-family="monospace">{escape(line)}</text>'
                )
                text_y += LINE
        centres.append((y, y + height))
        y += height + ARROW
    middle = MARGIN + LABEL_WIDTH + inner / 2
    arrows = []
    for (_above_top, above_bottom), (below_top, _below_bottom) in itertools.pairwise(centres):
        arrows.append(
            f'<line x1="{middle:.0f}" y1="{below_top - 2}" x2="{middle:.0f}" '
            f'y2="{above_bottom + 8}" stroke="#333" stroke-width="2" marker-end="url(#arrow)"/>'
        )
    height = y - ARROW + MARGIN
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
            f'role="img" aria-label="{escape(title)}" style="{FONT};max-width:100%;height:auto">',
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="5" refY="5" '
            'markerWidth="6" markerHeight="6" orient="auto-start-reverse">'
            '<path d="M 0 0 L 10 5 L 0 10 z" fill="#333"/></marker></defs>',
            f"<title>{escape(title)}</title>",
            *parts,
            *arrows,
            "</svg>",
        ]
    )
