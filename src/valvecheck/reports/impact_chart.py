"""The trajectory chart: unmitigated, mitigated plan, target and actual in-year deficit by year.

One geometry (``line_chart``) drawn two ways: as SVG by the HTML report's template, and as a PNG
picture for Word by ``png``, a small rasteriser and PNG encoder on the standard library (zlib),
so Word gets its picture without an imaging library; its lettering is a 5 x 7 pixel font
(impact_font.py). The Word report also names the lines, with their colours and patterns, in the
caption beneath it and in its alt text, and every figure is in the table beside it. Pixel
positions are floats; money is not.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from markupsafe import Markup, escape

from valvecheck.domain.impact import Impact, YearLine
from valvecheck.reports import impact_font as font

WIDTH, HEIGHT = 760, 360
LEFT, RIGHT, TOP, BOTTOM = 90, 40, 40, 40  # margins: the y labels, the legend, the years
LEGEND_CHAR = 7  # room per character of a legend label (13px Arial, and the PNG's font)


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    colour: str  # hex, no '#'
    dash: str  # SVG stroke-dasharray ("" solid)
    points: tuple[tuple[float, float] | None, ...]  # per year; None where there is no figure
    values: tuple[Decimal | None, ...]

    @property
    def segments(self) -> list[list[tuple[float, float]]]:
        """Runs of consecutive points (a missing year breaks the line)."""
        runs: list[list[tuple[float, float]]] = [[]]
        for p in self.points:
            if p is None:
                runs.append([])
            else:
                runs[-1].append(p)
        return [r for r in runs if r]

    @property
    def path(self) -> str:
        return " ".join(
            "M " + " L ".join(f"{x:.1f} {y:.1f}" for x, y in run) for run in self.segments
        )


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    years: tuple[tuple[str, float], ...]  # (year, x)
    ticks: tuple[tuple[str, float], ...]  # (label, y)
    lines: tuple[Line, ...]
    zero: float | None  # y of £0 when it is inside the chart
    description: str = ""
    legend: tuple[tuple[Line, float], ...] = field(default=())  # (line, x)
    axis: tuple[float, float, float] = (0.0, 1.0, 1.0)  # the figures' axis: low, high, step


SERIES = (
    # key, label, colour, dash: told apart by pattern as well as colour
    ("unmitigated", "Unmitigated (do nothing)", "d4351c", "8 5"),
    ("mitigated", "Mitigated plan", "1d70b8", ""),
    ("target", "Target", "00703c", "2 4"),
    ("actual", "Actual outturn", "0b0c0c", "12 4 2 4"),
)


def _value(y: YearLine, key: str) -> Decimal | None:
    value: Decimal | None = getattr(y, key)
    return value


def _step(span: float) -> float:
    """A tick step of 1, 2 or 5 times a power of ten giving about five ticks."""
    raw = span / 5 or 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


_Amount = TypeVar("_Amount", float, Decimal)
# the units a figure is shown in, largest first: a trajectory of £999bn reads £999bn, and
# £1,000bn at the top of its axis, never £1e+06m
UNITS = ((1_000_000_000, "bn"), (1_000_000, "m"), (1_000, "k"), (1, ""))


def _in_units(amount: _Amount, number: Callable[[_Amount], str]) -> str:
    """An amount in billions, millions, thousands or pounds, each number written by
    ``number``."""
    sign = "-" if amount < 0 else ""
    a = abs(amount)
    i = next(i for i, (s, _) in enumerate(UNITS) if a >= s or s == 1)
    if i and float(number(a / UNITS[i][0]).replace(",", "")) >= 1000:
        i -= 1  # rounded up to a thousand of its unit: £1.00m, never £1,000.00k
    size, unit = UNITS[i]
    return f"{sign}£{number(a / size)}{unit}"


def _plain(number: float) -> str:
    """A tick's number as written, never in exponent form: 1,000 and 2.5, not 1e+03."""
    return f"{number:,.6f}".rstrip("0").rstrip(".")


def short_money(amount: float) -> str:
    """'£12m', '£500k', '-£2.5m', '£999bn': tick labels (the exact figures are in the table)."""
    return _in_units(amount, _plain)


def said_money(amount: Decimal) -> str:
    """'£23.66m', '£500.00k', '-£2.50m', '£950.00': a figure in words for the alt text, every
    one to the same precision (two decimals of its unit)."""
    return _in_units(amount, lambda n: f"{n:,.2f}")


def axis_format(chart: LineChart) -> str:
    """The chart's figure axis as an Excel number format: every tick in the unit of the largest
    (£bn, £m, £k or £; Excel scales by a thousand for each comma after the digits), to as many
    decimals as the step needs (£0.5m), a net figure below zero with a minus before the pound
    sign as every report writes it."""
    low, high, step = chart.axis
    top = max(abs(low), abs(high))
    size, unit = next((s, u) for s, u in UNITS if top >= s or s == 1)
    decimals = max(0, -math.floor(math.log10(step / size) + 1e-9))
    scaled = "," * (round(math.log10(size)) // 3)
    number = "#,##0" + ("." + "0" * decimals if decimals else "") + scaled
    shown = f'£{number}"{unit}"' if unit else f"£{number}"
    return f"{shown};-{shown}"


def line_chart(impact: Impact) -> LineChart | None:
    """The chart of the years that have a trajectory; None when there is none."""
    years = [y for y in impact.years if y.unmitigated is not None]
    if not years:
        return None
    figures = [float(v) for y in years for key, *_ in SERIES if (v := _value(y, key)) is not None]
    low, high = min([0.0, *figures]), max([0.0, *figures])
    step = _step(high - low)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    if high == low:
        high = low + step
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    gap = plot_w / max(len(years) - 1, 1)
    xs = [LEFT + (i * gap if len(years) > 1 else plot_w / 2) for i in range(len(years))]

    def y_of(value: float) -> float:
        return TOP + plot_h * (high - value) / (high - low)

    lines = []
    for key, label, colour, dash in SERIES:
        values = tuple(_value(y, key) for y in years)
        points = tuple(
            None if v is None else (x, y_of(float(v))) for x, v in zip(xs, values, strict=True)
        )
        lines.append(Line(key, label, colour, dash, points, values))
    count = round((high - low) / step)
    ticks = tuple((short_money(low + i * step), y_of(low + i * step)) for i in range(count + 1))
    description = (
        "In-year high needs deficit by financial year: "
        + "; ".join(
            f"{line.label}: "
            + ", ".join(
                f"{y.year} {said_money(v)}"
                for y, v in zip(years, line.values, strict=True)
                if v is not None
            )
            for line in lines
            if any(v is not None for v in line.values)
        )
        + "."
    )
    legend: list[tuple[Line, float]] = []
    x = float(LEFT)
    for line in lines:
        legend.append((line, x))
        x += 36 + LEGEND_CHAR * len(line.label) + 24  # swatch, words, a gap
    return LineChart(
        WIDTH,
        HEIGHT,
        tuple((y.year, x) for y, x in zip(years, xs, strict=True)),
        ticks,
        tuple(lines),
        y_of(0.0) if low <= 0 <= high else None,
        description,
        tuple(legend),
        (low, high, step),
    )


# -- SVG ---------------------------------------------------------------------------------------


def svg(chart: LineChart) -> Markup:
    """The chart as inline SVG (for the HTML report and the web page): labelled axes, a legend,
    a title and a description that says the figures in words."""
    w, h = chart.width, chart.height
    right = w - RIGHT
    out = [
        f'<svg role="img" aria-labelledby="impact-chart-title impact-chart-desc" width="{w}" '
        f'height="{h}" viewBox="0 0 {w} {h}">',  # inline in HTML: no namespace URL needed
        '<title id="impact-chart-title">Unmitigated, mitigated plan, target and actual in-year '
        "deficit</title>",
        f'<desc id="impact-chart-desc">{escape(chart.description)}</desc>',
    ]
    for label, y in chart.ticks:
        out.append(f'<line x1="{LEFT}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d9d9d9"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(label)}</text>')
    if chart.zero is not None:
        out.append(
            f'<line x1="{LEFT}" x2="{right}" y1="{chart.zero:.1f}" y2="{chart.zero:.1f}" '
            'stroke="#505a5f" stroke-width="1.5"/>'
        )
    for year, x in chart.years:
        out.append(f'<text x="{x:.1f}" y="{h - 14}" text-anchor="middle">{escape(year)}</text>')
    for line in chart.lines:
        if not line.segments:
            continue
        dash = f' stroke-dasharray="{line.dash}"' if line.dash else ""
        out.append(f'<g class="series-{line.key}"><title>{escape(line.label)}</title>')
        out.append(
            f'<path d="{line.path}" fill="none" stroke="#{line.colour}" stroke-width="3"{dash}/>'
        )
        for run in line.segments:
            out.extend(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#{line.colour}"/>' for x, y in run
            )
        out.append("</g>")
    for line, x in chart.legend:
        dash = f' stroke-dasharray="{line.dash}"' if line.dash else ""
        out.append(
            f'<line x1="{x}" x2="{x + 30}" y1="16" y2="16" stroke="#{line.colour}" '
            f'stroke-width="3"{dash}/>'
        )
        out.append(f'<text x="{x + 36}" y="20">{escape(line.label)}</text>')
    out.append("</svg>")
    return Markup("\n".join(out))


# -- PNG ---------------------------------------------------------------------------------------

SCALE = 2  # pixels per chart unit: sharp when Word prints it


class Canvas:
    """An RGB image to draw lines and dots on."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(b"\xff" * (width * height * 3))

    def dot(self, x: float, y: float, colour: bytes, radius: float) -> None:
        r = math.ceil(radius)
        cx, cy = round(x), round(y)
        for py in range(max(cy - r, 0), min(cy + r + 1, self.height)):
            for px in range(max(cx - r, 0), min(cx + r + 1, self.width)):
                if (px - x) ** 2 + (py - y) ** 2 <= radius * radius:
                    at = (py * self.width + px) * 3
                    self.pixels[at : at + 3] = colour

    def line(
        self,
        a: tuple[float, float],
        b: tuple[float, float],
        colour: bytes,
        width: float,
        dash: tuple[float, ...] = (),
    ) -> None:
        """A thick line from a to b; ``dash`` alternates drawn and skipped lengths."""
        length = math.dist(a, b)
        steps = max(int(length * 2), 1)
        period = sum(dash)
        for i in range(steps + 1):
            t = i / steps
            if period:
                along = (t * length) % period
                drawn, on = 0.0, True
                for part in dash:
                    if along < drawn + part:
                        break
                    drawn += part
                    on = not on
                if not on:
                    continue
            self.dot(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, colour, width / 2)

    def text(
        self, x: float, y: float, words: str, colour: bytes, size: int, align: str = "left"
    ) -> None:
        """``words`` in the pixel font, ``size`` image pixels per font pixel; ``y`` is the middle
        of the line, ``x`` its left, right or centre by ``align``."""
        width = font.text_width(words, size)
        left = x - width if align == "right" else x - width / 2 if align == "centre" else x
        top = y - font.HEIGHT * size / 2
        for col, row in font.pixels(words):
            for dy in range(size):
                py = round(top) + row * size + dy
                if not 0 <= py < self.height:
                    continue
                for dx in range(size):
                    px = round(left) + col * size + dx
                    if 0 <= px < self.width:
                        at = (py * self.width + px) * 3
                        self.pixels[at : at + 3] = colour

    def encode(self) -> bytes:
        raw = b"".join(
            b"\x00" + bytes(self.pixels[y * self.width * 3 : (y + 1) * self.width * 3])
            for y in range(self.height)
        )

        def chunk(kind: bytes, body: bytes) -> bytes:
            crc = zlib.crc32(kind + body) & 0xFFFFFFFF
            return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b"")
        )


def _rgb(hex_colour: str) -> bytes:
    return bytes.fromhex(hex_colour)


def png(chart: LineChart) -> bytes:
    """The chart as a PNG: grid lines at the ticks, £0 darker, one line per series with dots at
    the years, the figures, years and legend in a small pixel font."""
    s = SCALE
    canvas = Canvas(chart.width * s, chart.height * s)
    right = (chart.width - RIGHT) * s
    for _, y in chart.ticks:
        canvas.line((LEFT * s, y * s), (right, y * s), _rgb("d9d9d9"), 1)
    if chart.zero is not None:
        canvas.line((LEFT * s, chart.zero * s), (right, chart.zero * s), _rgb("505a5f"), 2)
    for _, x in chart.years:
        canvas.line((x * s, TOP * s), (x * s, (chart.height - BOTTOM) * s), _rgb("f0f0f0"), 1)
    ink = _rgb("0b0c0c")
    size = s  # one font pixel: a 5 x 7 character is 10 x 14 image pixels
    for label, y in chart.ticks:
        canvas.text((LEFT - 6) * s, y * s, label, ink, size, "right")
    for year, x in chart.years:
        canvas.text(x * s, (chart.height - 18) * s, year, ink, size, "centre")
    for line, x in chart.legend:
        dash = tuple(float(d) * s for d in line.dash.split())
        canvas.line((x * s, 16 * s), ((x + 30) * s, 16 * s), _rgb(line.colour), 3 * s / 2, dash)
        canvas.text((x + 36) * s, 16 * s, line.label, ink, size)
    for line in chart.lines:
        colour = _rgb(line.colour)
        dash = tuple(float(d) * s for d in line.dash.split())
        for run in line.segments:
            for a, b in zip(run, run[1:], strict=False):
                canvas.line((a[0] * s, a[1] * s), (b[0] * s, b[1] * s), colour, 3 * s / 2, dash)
            for x, y in run:
                canvas.dot(x * s, y * s, colour, 3.5 * s)
    return canvas.encode()
