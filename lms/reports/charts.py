"""Charts drawn on the server as inline SVG: readable without JavaScript, sized by their viewBox, coloured by
presentation attributes (the CSP allows no inline styles), each beside a table with the same numbers."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BAR = "#1f6f8b"
TARGET = "#c0392b"
GRID = "#d0d7de"
TEXT = "#24292f"
FONT = 'font-family="DejaVu Sans, sans-serif"'


def _svg(width: int, height: int, title: str, desc: str, body: list[str], name: str) -> Markup:
    return Markup(  # noqa: S704 - every text in the body went through escape(); the rest are numbers
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{name}-title {name}-desc" class="chart" {FONT} font-size="12">'
        f'<title id="{name}-title">{escape(title)}</title><desc id="{name}-desc">{escape(desc)}</desc>'
        + "".join(body) + "</svg>")


def _fmt(value: float) -> str:
    return f"{value:g}"


def indicator_chart(rows: Sequence[tuple[int, float | None, int | None]], title: str, desc: str,
                    target_label: str, name: str = "indicator") -> Markup:
    """Columns of the measured percentage per year, with the year's target as a red mark across its column."""
    width, height, left, bottom, top = 640, 280, 40, 30, 20
    plot_h = height - bottom - top
    step = (width - left - 10) / max(len(rows), 1)
    body = []
    for pct in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - pct / 100)
        body.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
                    f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{TEXT}">{pct}%</text>')
    for i, (year, value, target) in enumerate(rows):
        x = left + i * step
        if value is not None:
            h = plot_h * min(value, 100) / 100
            body.append(f'<rect x="{x + step * 0.2:.1f}" y="{top + plot_h - h:.1f}" width="{step * 0.6:.1f}" '
                        f'height="{h:.1f}" fill="{BAR}"><title>{year}: {_fmt(value)}%</title></rect>'
                        f'<text x="{x + step / 2:.1f}" y="{top + plot_h - h - 4:.1f}" text-anchor="middle" '
                        f'fill="{TEXT}">{_fmt(value)}%</text>')
        if target is not None:
            y = top + plot_h * (1 - target / 100)
            body.append(f'<line x1="{x + step * 0.1:.1f}" x2="{x + step * 0.9:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                        f'stroke="{TARGET}" stroke-width="3"><title>{escape(target_label)} {year}: {target}%'
                        f'</title></line>')
        body.append(f'<text x="{x + step / 2:.1f}" y="{height - 10}" text-anchor="middle" fill="{TEXT}">{year}</text>')
    return _svg(width, height, title, desc, body, name)


def bar_chart(rows: Sequence[tuple[str, float | None]], title: str, desc: str, limit: int = 20,
              name: str = "bars") -> Markup:
    """Horizontal bars, one per group (the first ``limit``), of a percentage from 0 to 100."""
    rows = [r for r in rows if r[1] is not None][:limit]
    label_w, width, row_h = 260, 640, 22
    height = max(row_h * len(rows) + 10, 40)
    plot_w = width - label_w - 60
    body = []
    for i, (label, value) in enumerate(rows):
        y = 5 + i * row_h
        text = label if len(label) <= 32 else label[:31] + "…"
        w = plot_w * min(value or 0, 100) / 100
        body.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" fill="{TEXT}">{escape(text)}</text>'
                    f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{BAR}">'
                    f'<title>{escape(label)}: {_fmt(value or 0)}%</title></rect>'
                    f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" fill="{TEXT}">{_fmt(value or 0)}%</text>')
    return _svg(width, height, title, desc, body, name)
