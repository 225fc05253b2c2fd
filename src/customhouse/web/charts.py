"""Charts drawn on the server as SVG: readable without JavaScript, with a text alternative."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

_W, _BAR, _GAP, _LABEL = 560, 22, 8, 130


def bars(data: Sequence[tuple[str, float]], *, title: str, unit: str = "") -> Markup:
    """A horizontal bar chart; every bar carries its value as text too.

    >>> "<svg" in bars([("green", 3), ("red", 1)], title="Channels")
    True
    >>> bars([], title="Nothing").count("<rect")
    0
    """
    peak = max((v for _, v in data), default=0) or 1
    height = max(1, len(data)) * (_BAR + _GAP) + 30
    rows = []
    for i, (label, value) in enumerate(data):
        y = 24 + i * (_BAR + _GAP)
        width = (_W - _LABEL - 70) * (value / peak)
        shown = f"{value:g}{unit}"
        rows.append(
            f'<text x="{_LABEL - 8}" y="{y + 16}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{_LABEL}" y="{y}" width="{width:.1f}" height="{_BAR}" class="bar">'
            f"<title>{escape(label)}: {escape(shown)}</title></rect>"
            f'<text x="{_LABEL + width + 6:.1f}" y="{y + 16}">{escape(shown)}</text>'
        )
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {_W} {height}" '
        f'width="100%" class="chart" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f'<text x="0" y="14" class="chart-title">{escape(title)}</text>{"".join(rows)}</svg>'
    )


def grouped(
    data: Sequence[tuple[str, Sequence[float]]], *, series: Sequence[str], title: str
) -> Markup:
    """Bars side by side per group (e.g. median and 90th percentile per channel).

    >>> grouped([("red", [30, 90])], series=["median", "p90"], title="t").count("<rect")
    2
    """
    peak = max((v for _, vs in data for v in vs), default=0) or 1
    per = len(series)
    height = max(1, len(data)) * (per * _BAR + _GAP * 2) + 50
    rows = []
    y = 24
    for label, values in data:
        rows.append(f'<text x="{_LABEL - 8}" y="{y + 16}" text-anchor="end">{escape(label)}</text>')
        for i, value in enumerate(values):
            # Room after the longest bar for its "series: value" text.
            width = (_W - _LABEL - 160) * (value / peak)
            cls = "bar" if i % 2 == 0 else "bar-alt"
            name = f"{series[i]}: {value:g}"
            rows.append(
                f'<rect x="{_LABEL}" y="{y}" width="{width:.1f}" height="{_BAR - 4}" '
                f'class="{cls}"><title>{escape(label)} {escape(name)}</title></rect>'
                f'<text x="{_LABEL + width + 6:.1f}" y="{y + 13}">{escape(name)}</text>'
            )
            y += _BAR
        y += _GAP * 2
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {_W} {height}" '
        f'width="100%" class="chart" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f'<text x="0" y="14" class="chart-title">{escape(title)}</text>{"".join(rows)}</svg>'
    )


def curve(
    points: Sequence[tuple[float, float, float]],
    *,
    title: str,
    x_label: str,
    y_label: str,
) -> Markup:
    """A precision/recall curve: ``points`` are (inspection rate %, precision, recall), drawn
    as recall across and precision up, both 0 to 1; each point names its rate.

    >>> svg = curve([(1, 0.9, 0.1), (10, 0.5, 0.6)], title="t", x_label="r", y_label="p")
    >>> svg.count("<circle"), "<polyline" in svg
    (2, True)
    >>> curve([], title="t", x_label="r", y_label="p").count("<circle")
    0
    """
    left, top, width, height = 56, 28, _W - 80, 260

    def x(v: float) -> float:
        return left + width * min(max(v, 0.0), 1.0)

    def y(v: float) -> float:
        return top + height * (1 - min(max(v, 0.0), 1.0))

    parts = [
        f'<line class="axis" x1="{left}" y1="{top + height}" x2="{left + width}" '
        f'y2="{top + height}"/>',
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{top + height}"/>',
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        parts.append(
            f'<text x="{x(tick):.1f}" y="{top + height + 16}" text-anchor="middle">{tick:g}</text>'
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:g}</text>'
        )
    parts.append(
        f'<text x="{left + width / 2:.1f}" y="{top + height + 34}" text-anchor="middle">'
        f"{escape(x_label)}</text>"
        f'<text x="14" y="{top + height / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + height / 2:.1f})">{escape(y_label)}</text>'
    )
    ordered = sorted(points, key=lambda p: (p[2], -p[1]))
    if ordered:
        path = " ".join(f"{x(r):.1f},{y(p):.1f}" for _, p, r in ordered)
        parts.append(f'<polyline class="line" points="{path}"/>')
    for rate, precision, recall in ordered:
        name = f"{rate:g}%: {y_label} {precision:.2f}, {x_label} {recall:.2f}"
        parts.append(
            f'<circle class="dot" cx="{x(recall):.1f}" cy="{y(precision):.1f}" r="3.5">'
            f"<title>{escape(name)}</title></circle>"
        )
    total = top + height + 44
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {_W} {total}" '
        f'width="100%" class="chart" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f'<text x="0" y="14" class="chart-title">{escape(title)}</text>{"".join(parts)}</svg>'
    )
