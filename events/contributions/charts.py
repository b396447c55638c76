"""Server-drawn SVG charts: no JavaScript, readable without colour (numbers in the bars,
a legend, axis titles) and described for screen readers (<title>, <desc>)."""

from dataclasses import dataclass

from markupsafe import Markup, escape

from events.contrast import BLACK, text_on

WIDTH, HEIGHT = 760, 360
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 56, 64


@dataclass
class Series:
    name: str
    color: str
    values: list[int]  # one per column


def _ink_on(color: str) -> str:
    """Black or white text, whichever contrasts more with the bar by WCAG's formula."""
    try:
        return text_on(color)
    except ValueError:
        return BLACK


def _color(value: str) -> str:
    value = str(value)
    if len(value) == 7 and value.startswith("#") and all(
            c in "0123456789abcdefABCDEF" for c in value[1:]):
        return value
    return "#7a8899"


def share_chart(*, title: str, description: str, columns: list[str], series: list[Series],
                x_title: str, y_title: str, empty_text: str, element_id: str = "balance",
                standalone: bool = False) -> Markup:
    """A 100 % stacked column chart: each column splits its total among the series."""
    n = max(len(columns), 1)
    turn_labels = n > 12  # long periods: month names slanted so they do not overlap
    height = HEIGHT + (40 if turn_labels else 0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / n
    bar_w = min(56.0, slot * 0.7)
    out = []
    ns = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    out.append(
        f'<svg{ns} class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="img" aria-labelledby="{element_id}-title {element_id}-desc" '
        f'font-family="system-ui, sans-serif" font-size="12">'
    )
    out.append(f'<title id="{element_id}-title">{escape(title)}</title>')
    out.append(f'<desc id="{element_id}-desc">{escape(description)}</desc>')
    out.append(f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>')
    # legend
    x = LEFT
    out.append('<g class="legend">')
    for s in series:
        out.append(f'<rect x="{x}" y="14" width="14" height="14" fill="{_color(s.color)}" '
                   f'stroke="#1c2430" stroke-width="0.5"/>')
        out.append(f'<text x="{x + 20}" y="26" fill="#1c2430">{escape(s.name)}</text>')
        x += 34 + 7.5 * len(s.name)
    out.append("</g>")
    # grid and y axis
    out.append('<g class="axis y-axis">')
    for pct in (0, 25, 50, 75, 100):
        y = TOP + plot_h * (1 - pct / 100)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" '
                   f'stroke="{"#5b6675" if pct == 0 else "#dde3ea"}" stroke-width="1"/>')
        out.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" '
                   f'fill="#5b6675">{pct} %</text>')
    cy = TOP + plot_h / 2
    out.append(f'<text x="16" y="{cy:.1f}" text-anchor="middle" fill="#1c2430" '
               f'transform="rotate(-90 16 {cy:.1f})">{escape(y_title)}</text>')
    out.append("</g>")
    # columns
    out.append('<g class="bars">')
    for index, column in enumerate(columns):
        cx = LEFT + slot * index + slot / 2
        total = sum(s.values[index] for s in series)
        bottom = TOP + plot_h
        if total == 0:
            out.append(f'<text x="{cx:.1f}" y="{bottom - 6:.1f}" text-anchor="middle" '
                       f'fill="#5b6675">{escape(empty_text)}</text>')
        for s in series:
            value = s.values[index]
            if not value:
                continue
            h = plot_h * value / total
            y = bottom - h
            share = round(100 * value / total)
            out.append(
                f'<rect x="{cx - bar_w / 2:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{_color(s.color)}" stroke="#ffffff" stroke-width="1">'
                f'<title>{escape(s.name)}, {escape(column)}: {value} ({share} %)</title></rect>'
            )
            if h >= 16 and bar_w >= 34:
                out.append(f'<text x="{cx:.1f}" y="{y + h / 2 + 4:.1f}" text-anchor="middle" '
                           f'fill="{_ink_on(_color(s.color))}">{share} %</text>')
            bottom = y
        out.append(f'<text x="{cx:.1f}" y="{TOP - 6}" text-anchor="middle" fill="#5b6675">'
                   f'{total}</text>')
        ly = TOP + plot_h + 18
        turn = f' transform="rotate(-40 {cx:.1f} {ly})"' if turn_labels else ""
        if turn or " " not in column:
            out.append(f'<text x="{cx:.1f}" y="{ly}" text-anchor="{"end" if turn else "middle"}" '
                       f'fill="#1c2430"{turn}>{escape(column)}</text>')
        else:  # "Jan 2031": the month, and the year on a second line
            first, second = column.rsplit(" ", 1)
            out.append(f'<text x="{cx:.1f}" y="{ly}" text-anchor="middle" fill="#1c2430">'
                       f'{escape(first)} <tspan x="{cx:.1f}" dy="1.2em">{escape(second)}'
                       f'</tspan></text>')
    out.append("</g>")
    out.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{height - 10}" text-anchor="middle" '
               f'fill="#1c2430">{escape(x_title)}</text>')
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 — every value above is escaped or a number
