"""The geometry of an indicator's trend chart and of its sparkline, as plain dicts that the
templates draw as SVG (`templates/indicators/_chart.svg.html`, `_sparkline.svg.html`).

Dates run along x and values up y; the ranges take in the values, the baseline and the
target, so both are always in view. The lines differ by dash pattern, not colour alone, so
the chart prints in black and white. Points are thinned (`trend.thin`) before they get here.
"""

import datetime
import math

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from indicators.trend import number

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 72, 24, 24, 40
MARKERS_UP_TO = 40  # a dot on each point when a line has this many points or fewer
# The whole is solid; each breakdown has a dash pattern of its own.
DASHES = ["", "8 4", "2 4", "4 2 1 2", "14 4", "1 6"]
BASELINE_DASH = "10 3 2 3"  # dash-dot, unlike any line


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round values (1, 2, 2.5 or 5 times a power of ten apart) covering low..high."""
    if high == low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step + 1e-9) * step
    end = math.ceil(high / step - 1e-9) * step
    steps = round((end - start) / step)
    return [round(start + i * step, 10) for i in range(steps + 1)]


def _month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def date_ticks(low: datetime.date, high: datetime.date) -> list[tuple[datetime.date, str]]:
    """At most about six dates between low and high: first days of months, quarters or
    years, or evenly spaced days for a short span."""
    span = (high - low).days
    if span < 62:
        step = max(1, math.ceil(span / 5))
        return [
            (day, date_format(day, "SHORT_DATE_FORMAT"))
            for day in (low + datetime.timedelta(days=n) for n in range(0, span + 1, step))
        ]
    first, last = _month_index(low), _month_index(high)
    for months in (1, 2, 3, 6, 12, 24, 60, 120, 240):
        if (last - first) // months <= 6:
            break
    ticks = []
    for index in range(first, last + 1):
        if index % months:
            continue
        day = datetime.date(index // 12, index % 12 + 1, 1)
        if low <= day <= high:
            label = str(day.year) if months % 12 == 0 else date_format(day, "M Y")
            ticks.append((day, label))
    return ticks


class _Scale:
    def __init__(self, dates, values):
        low, high = min(dates), max(dates)
        if low == high:
            low, high = low - datetime.timedelta(days=15), high + datetime.timedelta(days=15)
        self.low_date, self.high_date = low, high
        ticks = nice_ticks(min(values), max(values))
        self.y_ticks = ticks
        self.low_value, self.high_value = ticks[0], ticks[-1]

    def x(self, day: datetime.date) -> float:
        share = (day - self.low_date).days / (self.high_date - self.low_date).days
        return round(LEFT + share * (WIDTH - LEFT - RIGHT), 1)

    def y(self, value: float) -> float:
        share = (value - self.low_value) / (self.high_value - self.low_value)
        return round(HEIGHT - BOTTOM - share * (HEIGHT - TOP - BOTTOM), 1)


def trend_chart(
    series: list[dict], *, baseline=None, target=None, unit: str = "", title: str = ""
) -> dict | None:
    """`series`: [{"name", "points": [(date, float)]}], the whole first; `baseline` and
    `target`: (date, float) or None. None when there is nothing to draw."""
    series = [s for s in series if s["points"]]
    marks = [m for m in (baseline, target) if m is not None]
    dates = [d for s in series for d, _v in s["points"]] + [d for d, _v in marks]
    values = [v for s in series for _d, v in s["points"]] + [v for _d, v in marks]
    if not series:
        return None
    scale = _Scale(dates, values)
    lines = []
    for n, line in enumerate(series):
        coords = [(scale.x(d), scale.y(v)) for d, v in line["points"]]
        lines.append(
            {
                "name": line["name"],
                "dash": DASHES[n % len(DASHES)],
                "points": " ".join(f"{x},{y}" for x, y in coords),
                "markers": [
                    {"x": x, "y": y, "label": f"{d.isoformat()}: {number(v)}"}
                    for (x, y), (d, v) in zip(coords, line["points"], strict=True)
                ]
                if len(coords) <= MARKERS_UP_TO
                else [],
            }
        )
    chart = {
        "baseline_dash": BASELINE_DASH,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "tick_end": HEIGHT - BOTTOM + 5,
        "middle": (LEFT + WIDTH - RIGHT) / 2,
        "title": title,
        "unit": unit,
        "x_ticks": [
            {"x": scale.x(d), "label": label}
            for d, label in date_ticks(scale.low_date, scale.high_date)
        ],
        "y_ticks": [{"y": scale.y(v), "label": number(v)} for v in scale.y_ticks],
        "lines": lines,
        "baseline": None,
        "target": None,
    }
    if baseline:
        day, value = baseline
        chart["baseline"] = {
            "x1": scale.x(day),
            "x2": WIDTH - RIGHT,
            "y": scale.y(value),
            "label": _("Baseline %(value)s (%(date)s)")
            % {"value": number(value), "date": day.isoformat()},
        }
    if target:
        day, value = target
        x, y = scale.x(day), scale.y(value)
        chart["target"] = {
            "x": x,
            "y": y,
            "path": f"M {x} {y - 7} L {x + 7} {y} L {x} {y + 7} L {x - 7} {y} Z",
            "label": _("Target %(value)s by %(date)s")
            % {"value": number(value), "date": day.isoformat()},
            "anchor": "end" if x > chart["middle"] else "start",
            "label_x": x - 10 if x > chart["middle"] else x + 10,
            "label_y": y - 10 if y > TOP + 20 else y + 20,
        }
    chart["description"] = _describe(series, baseline, target)
    return chart


def _describe(series, baseline, target) -> str:
    whole = series[0]["points"]
    parts = [
        _("From %(first)s (%(first_date)s) to %(last)s (%(last_date)s).")
        % {
            "first": number(whole[0][1]),
            "first_date": whole[0][0].isoformat(),
            "last": number(whole[-1][1]),
            "last_date": whole[-1][0].isoformat(),
        }
    ]
    if baseline:
        parts.append(
            _("Baseline %(value)s on %(date)s.")
            % {"value": number(baseline[1]), "date": baseline[0].isoformat()}
        )
    if target:
        parts.append(
            _("Target %(value)s by %(date)s.")
            % {"value": number(target[1]), "date": target[0].isoformat()}
        )
    parts.append(_("Every value is in the table of values on this page."))
    return " ".join(parts)


SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 32, 3


def sparkline(points: list) -> dict | None:
    """A small line of `points` [(date, float)], without axes, with a dot on the last."""
    if not points:
        return None
    ordinals = [d.toordinal() for d, _v in points]
    values = [v for _d, v in points]
    low_x, high_x = min(ordinals), max(ordinals)
    low_y, high_y = min(values), max(values)

    def x(o):
        if high_x == low_x:
            return SPARK_WIDTH / 2
        return round(SPARK_PAD + (o - low_x) / (high_x - low_x) * (SPARK_WIDTH - 2 * SPARK_PAD), 1)

    def y(v):
        if high_y == low_y:
            return SPARK_HEIGHT / 2
        share = (v - low_y) / (high_y - low_y)
        return round(SPARK_HEIGHT - SPARK_PAD - share * (SPARK_HEIGHT - 2 * SPARK_PAD), 1)

    coords = [(x(o), y(v)) for o, v in zip(ordinals, values, strict=True)]
    return {
        "width": SPARK_WIDTH,
        "height": SPARK_HEIGHT,
        "points": " ".join(f"{a},{b}" for a, b in coords),
        "last_x": coords[-1][0],
        "last_y": coords[-1][1],
    }
