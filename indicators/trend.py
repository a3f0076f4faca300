"""Where an indicator is heading: its status, its changes, and a thinned series for a chart.

Pure functions of plain numbers and dates: no database.

The status rule
---------------

The status reads the series of the whole (the values with no breakdown), oldest first.

1. Without a target (both a value and a date) or with fewer than 2 values: **not enough
   data**.
2. Once the target date has passed (today is after it, or the latest value is on or after
   it), the latest value decides: it meets the target (at or above it when higher is
   better, at or below it when lower is better) and the indicator is **on track**;
   otherwise **off track**.
3. Otherwise a straight line is fitted, by least squares, to the most recent values (the
   last `RECENT` = 6 values, whatever their dates) and carried forward to the target date.
   - The projection meets the target: **on track**.
   - It does not, but it covers at least half (`AT_RISK_SHARE`) of the distance still to go
     from the latest value to the target: **at risk**. So is an indicator whose latest value
     already meets the target but whose line would take it back past it.
   - Otherwise (too slow, flat, or moving the wrong way): **off track**.

Changes are the latest value of the whole minus the baseline value, and minus the value
before it, said in words with the direction and whether it is the better way.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

RECENT = 6  # the number of most recent values the line is fitted to
AT_RISK_SHARE = 0.5  # the share of the distance to go that the projection must cover

ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA = "on_track", "at_risk", "off_track", "no_data"
LABELS = {
    ON_TRACK: gettext_lazy("on track"),
    AT_RISK: gettext_lazy("at risk"),
    OFF_TRACK: gettext_lazy("off track"),
    NO_DATA: gettext_lazy("not enough data"),
}
UP, DOWN = "up", "down"

Point = tuple[datetime.date, float]


@dataclass(frozen=True)
class Status:
    key: str
    reason: str
    projection: float | None = None

    @property
    def label(self) -> str:
        return str(LABELS[self.key])

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "reason": self.reason,
            "projection": self.projection,
        }


def _decimals(value) -> int:
    """How many decimals a value is written with (at most four, as values are stored)."""
    text = f"{value:.4f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def number(value) -> str:
    """A value as people read it: at most four decimals, no trailing zeros, localized."""
    if value is None:
        return ""
    rounded = Decimal(str(round(float(value), 4))).normalize()
    if rounded == 0:
        rounded = Decimal(0)  # not "-0"
    return formats.number_format(format(rounded, "f"))


def fit(points: list[Point]) -> tuple[float, float]:
    """The least-squares line through `points`: (value at the first date, change per day)."""
    origin = points[0][0]
    xs = [(d - origin).days for d, _v in points]
    ys = [v for _d, v in points]
    n = len(points)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return mean_y, 0.0
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return mean_y - slope * mean_x, slope


def project(points: list[Point], when: datetime.date) -> float:
    """The straight line through `points`, carried to `when`."""
    intercept, slope = fit(points)
    return round(intercept + slope * (when - points[0][0]).days, 6)


def status(
    series: list[Point],
    *,
    direction: str,
    target_value,
    target_date: datetime.date | None,
    today: datetime.date,
) -> Status:
    """The status of the whole series, by the rule in this module's docstring."""
    if target_value is None or target_date is None:
        return Status(NO_DATA, _("There is no target (a value and a date) to compare with."))
    if len(series) < 2:
        return Status(NO_DATA, _("At least two values are needed to see which way it is moving."))
    target = float(target_value)
    sign = 1 if direction == UP else -1
    latest_date, latest = series[-1]
    words = {
        "target": number(target),
        "date": target_date.isoformat(),
        "latest": number(latest),
    }

    def meets(value: float) -> bool:
        return sign * (value - target) >= 0

    if today > target_date or latest_date >= target_date:
        if meets(latest):
            return Status(
                ON_TRACK,
                _(
                    "The target date (%(date)s) has come, and the latest value, %(latest)s, "
                    "meets the target of %(target)s."
                )
                % words,
            )
        return Status(
            OFF_TRACK,
            _(
                "The target date (%(date)s) has come, and the latest value, %(latest)s, "
                "does not meet the target of %(target)s."
            )
            % words,
        )
    recent = series[-RECENT:]
    projection = project(recent, target_date)
    # A projection is an estimate: one more decimal than the values have is enough.
    places = max((_decimals(v) for _d, v in recent), default=0) + 1
    words.update(projection=number(round(projection, places)), count=len(recent))
    said = (
        _(
            "A straight line through the last %(count)d values reaches %(projection)s by "
            "%(date)s; the target is %(target)s."
        )
        % words
    )
    if meets(projection):
        return Status(ON_TRACK, said, projection)
    to_go = sign * (target - latest)
    covered = sign * (projection - latest)
    if to_go <= 0:
        return Status(
            AT_RISK,
            said + " " + _("The latest value meets the target, but the line moves away from it."),
            projection,
        )
    if covered >= AT_RISK_SHARE * to_go:
        return Status(
            AT_RISK,
            said + " " + _("That covers at least half of the distance still to go."),
            projection,
        )
    return Status(
        OFF_TRACK,
        said + " " + _("That covers less than half of the distance still to go."),
        projection,
    )


def change(latest, reference, direction: str) -> dict | None:
    """How far `latest` moved from `reference`, and whether that is the better way."""
    if latest is None or reference is None:
        return None
    difference = round(float(latest) - float(reference), 4)
    if difference == 0:
        sense, better = "same", None
    else:
        sense = UP if difference > 0 else DOWN
        better = sense == direction
    return {"difference": difference, "sense": sense, "better": better}


def describe(moved: dict | None, since: str) -> str:
    """A change in words: "up 12 since the baseline — the better way". `since` is
    "baseline" or "previous"."""
    if moved is None:
        return ""
    when = _("since the baseline") if since == "baseline" else _("since the previous value")
    if moved["sense"] == "same":
        return _("no change %(since)s") % {"since": when}
    amount = number(abs(moved["difference"]))
    movement = (
        _("up %(amount)s") % {"amount": amount}
        if moved["sense"] == UP
        else _("down %(amount)s") % {"amount": amount}
    )
    judgement = _("the better way") if moved["better"] else _("the worse way")
    return _("%(movement)s %(since)s — %(judgement)s") % {
        "movement": movement,
        "since": when,
        "judgement": judgement,
    }


def thin(points: list, max_points: int = 200) -> list:
    """At most `max_points` of `points` (sorted by date), for drawing: the first and the last,
    and in each of the buckets between them its lowest and its highest point, in order. The
    peaks and troughs survive; the line keeps its shape."""
    if len(points) <= max_points:
        return list(points)
    inner = points[1:-1]
    buckets = max(1, (max_points - 2) // 2)
    size = len(inner) / buckets
    kept = [points[0]]
    for b in range(buckets):
        bucket = inner[int(b * size) : int((b + 1) * size)]
        if not bucket:
            continue
        low = min(range(len(bucket)), key=lambda i: bucket[i][1])
        high = max(range(len(bucket)), key=lambda i: bucket[i][1])
        kept.extend(bucket[i] for i in sorted({low, high}))
    kept.append(points[-1])
    return kept
