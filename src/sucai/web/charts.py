"""Small charts for the admin page, drawn on the server as inline SVG (no script, no CDN)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 560, 180
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 36, 34, 14
BAR_COLOR = "#b71c1c"


def _nice_max(value: int) -> int:
    """A round top for the axis: the first of 1, 2, 5, 10, 20, 50 … that reaches the value."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= value:
                return step * magnitude
        magnitude *= 10


def bar_chart(series: Sequence[tuple[str, int]], title: str, unit: str = "") -> Markup:
    """Bars with their values, labels under every bar (or every few when crowded), and an accessible title."""
    values = [v for _, v in series]
    top = _nice_max(max(values, default=0))
    plot_w, plot_h = WIDTH - PAD_LEFT - 8, HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = plot_w / max(len(series), 1)
    every = max(1, round(len(series) / 10))
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%"'
        f' style="max-width:{WIDTH * 1.6:.0f}px" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line x1="{PAD_LEFT}" y1="{HEIGHT - PAD_BOTTOM}" x2="{WIDTH - 8}" y2="{HEIGHT - PAD_BOTTOM}" stroke="#999"/>',
        f'<text x="{PAD_LEFT - 4}" y="{PAD_TOP + 4}" text-anchor="end" font-size="10">{top}</text>',
        f'<text x="{PAD_LEFT - 4}" y="{HEIGHT - PAD_BOTTOM}" text-anchor="end" font-size="10">0</text>',
    ]
    for i, (label, value) in enumerate(series):
        h = plot_h * value / top
        x = PAD_LEFT + i * slot + slot * 0.15
        y = HEIGHT - PAD_BOTTOM - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{BAR_COLOR}">'
            f"<title>{escape(label)}：{value}{escape(unit)}</title></rect>"
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - PAD_BOTTOM + 14}" text-anchor="middle"'
                f' font-size="10">{escape(label)}</text>'
            )
    if not series:
        parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" font-size="12">暂无数据</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def days_series(counts: Sequence[tuple[str, int]], days: Sequence[str]) -> list[tuple[str, int]]:
    """Counts per day for every day of `days` (missing days are 0), labelled M-D."""
    by_day = dict(counts)
    return [(f"{int(d[5:7])}-{int(d[8:10])}", by_day.get(d, 0)) for d in days]
