"""The indicators as people read them: plain, JSON-ready dicts (str, int, float, None, lists
and dicts only), hashed for live polling and kept as snapshots.

`overview` runs a fixed number of queries however many indicators and values there are:
it reads only the latest `SPARK_VALUES` values of each indicator's whole, in one query.
`indicator` reads all of one indicator's values (three columns) for its chart, thinned, and
one page of them for its table.
"""

from django.core.paginator import Paginator
from django.db.models import F, FloatField, Window
from django.db.models.functions import Cast, RowNumber
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from indicators import chart, trend
from indicators.models import Indicator, Story, Value

SPARK_VALUES = 60  # the overview's small lines show the latest values, up to this many
CHART_POINTS = 200  # each line of a chart is thinned to about this many points
PAGE_SIZE = 50  # values in a page of the table


def _day(date) -> str:
    return date_format(date) if date else ""


def _mark(value, date) -> dict | None:
    if value is None or date is None:
        return None
    return {
        "value": float(value),
        "display": trend.number(value),
        "date": date.isoformat(),
        "date_display": _day(date),
    }


def status_of(indicator: Indicator, series: list, today) -> dict:
    """The status of `series`, the indicator's whole, on `today` (`trend.status`)."""
    return trend.status(
        series,
        direction=indicator.direction,
        target_value=indicator.target_value,
        target_date=indicator.target_date,
        today=today,
    ).as_dict()


def overview(alliance, *, today=None) -> dict:
    """The alliance's indicators grouped by goal (under each of its goals; under "Not tied to
    a goal" when it has none), each with its latest value, status and small trend line."""
    today = today or timezone.localdate()
    indicators = list(
        Indicator.objects.filter(alliance=alliance)
        .select_related("responsible")
        .prefetch_related("goals")
    )
    recent = (
        Value.objects.filter(indicator__alliance=alliance, breakdown=None)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("indicator_id")], order_by=F("date").desc())
        )
        .filter(rank__lte=SPARK_VALUES)
        .values_list("indicator_id", "date", Cast("value", FloatField()))
    )
    series: dict[int, list] = {}
    for indicator_id, date, value in recent:
        series.setdefault(indicator_id, []).append((date, value))
    goals: dict[int, dict] = {}
    loose = []
    for indicator in indicators:
        points = sorted(series.get(indicator.pk, []))
        item = _summary(indicator, points, today)
        linked = sorted(indicator.goals.all(), key=lambda g: (g.created_at, g.pk))
        for goal in linked:
            group = goals.setdefault(
                goal.pk,
                {
                    "id": goal.pk,
                    "name": goal.statement,
                    "status": str(goal.get_status_display()),
                    "order": [goal.created_at.isoformat(), goal.pk],
                    "indicators": [],
                },
            )
            group["indicators"].append(item)
        if not linked:
            loose.append(item)
    groups = sorted(goals.values(), key=lambda g: g["order"])
    for group in groups:
        del group["order"]
    if loose:
        groups.append(
            {"id": None, "name": _("Not tied to a goal"), "status": "", "indicators": loose}
        )
    counts = {key: 0 for key in trend.LABELS}
    for indicator in indicators:
        counts[status_of(indicator, sorted(series.get(indicator.pk, [])), today)["key"]] += 1
    return {
        "count": len(indicators),
        "groups": groups,
        "statuses": [
            {"key": key, "label": str(label), "count": counts[key]}
            for key, label in trend.LABELS.items()
            if counts[key]
        ],
        "rule": rule(),
    }


def _summary(indicator: Indicator, points: list, today) -> dict:
    latest = points[-1] if points else None
    return {
        "id": indicator.pk,
        "name": indicator.name,
        "unit": indicator.unit,
        "direction": str(indicator.get_direction_display()),
        "latest": trend.number(latest[1]) if latest else "",
        "latest_date": _day(latest[0]) if latest else "",
        "target": _mark(indicator.target_value, indicator.target_date),
        "responsible": indicator.responsible.name if indicator.responsible else "",
        "status": status_of(indicator, points, today),
        "sparkline": chart.sparkline(trend.thin(points, SPARK_VALUES)),
    }


def rule() -> str:
    return _(
        "How the status is decided: with no target (a value and a date), or fewer than two "
        "values, there is not enough data. Otherwise a straight line is drawn through the "
        "last %(recent)d values of the whole (not of the breakdowns) and carried to the "
        "target date. If it reaches the target, the indicator is on track; if it covers at "
        "least half of the distance still to go from the latest value, it is at risk; "
        "otherwise it is off track. Once the target date has come, the latest value decides: "
        "on track if it meets the target, off track if not."
    ) % {"recent": trend.RECENT}


def series(indicator: Indicator, breakdowns=()) -> dict[int | None, list]:
    """The indicator's values as (date, float), oldest first: the whole under None, and each
    of `breakdowns` under its id (only the whole when there are none). One query."""
    lines: dict[int | None, list] = {None: []}
    lines.update({b.pk: [] for b in breakdowns})
    rows = indicator.values.order_by("date")
    if not breakdowns:
        rows = rows.filter(breakdown=None)
    # Floats from the database: ten thousand Decimals would cost more than the rest.
    for breakdown_id, date, value in rows.values_list(
        "breakdown_id", "date", Cast("value", FloatField())
    ):
        lines[breakdown_id].append((date, value))
    return lines


def indicator(indicator: Indicator, page=1, *, today=None) -> dict:
    """One indicator's page: what it is, its status and changes, its chart (the whole and
    each breakdown), the latest value of each breakdown, and one page of its values."""
    today = today or timezone.localdate()
    breakdowns = list(indicator.breakdowns.all())
    goals = list(indicator.goals.all())
    lines = series(indicator, breakdowns)
    whole = lines[None]
    latest = whole[-1] if whole else None
    previous = whole[-2] if len(whole) > 1 else None
    baseline = _mark(indicator.baseline_value, indicator.baseline_date)
    target = _mark(indicator.target_value, indicator.target_date)
    since_baseline = trend.change(
        latest[1] if latest else None, indicator.baseline_value, indicator.direction
    )
    since_previous = trend.change(
        latest[1] if latest else None, previous[1] if previous else None, indicator.direction
    )
    drawn = [{"name": _("The whole"), "points": trend.thin(whole, CHART_POINTS)}] + [
        {"name": b.name, "points": trend.thin(lines[b.pk], CHART_POINTS)}
        for b in breakdowns[: len(chart.DASHES) - 1]
    ]
    return {
        "id": indicator.pk,
        "name": indicator.name,
        "definition": indicator.definition,
        "source": indicator.source,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "direction_display": str(indicator.get_direction_display()),
        "frequency_display": str(indicator.get_frequency_display()),
        "responsible": indicator.responsible.name if indicator.responsible else "",
        "breakdown_label": indicator.breakdown_label,
        "goals": [{"id": g.pk, "statement": g.statement} for g in goals],
        "baseline": baseline,
        "target": target,
        "latest": _mark(latest[1], latest[0]) if latest else None,
        "count": sum(len(points) for points in lines.values()),
        "status": status_of(indicator, whole, today),
        "rule": rule(),
        "changes": {
            "baseline": trend.describe(since_baseline, "baseline"),
            "previous": trend.describe(since_previous, "previous"),
        },
        "breakdowns": [_part(b, lines[b.pk], indicator.direction) for b in breakdowns],
        "undrawn": [b.name for b in breakdowns[len(chart.DASHES) - 1 :]],
        "chart": chart.trend_chart(
            drawn,
            baseline=(indicator.baseline_date, float(indicator.baseline_value))
            if baseline
            else None,
            target=(indicator.target_date, float(indicator.target_value)) if target else None,
            unit=indicator.unit,
            title=indicator.name,
        ),
        "table": _table(indicator, page),
    }


def _part(breakdown, points, direction) -> dict:
    latest = points[-1] if points else None
    previous = points[-2] if len(points) > 1 else None
    moved = trend.change(
        latest[1] if latest else None, previous[1] if previous else None, direction
    )
    return {
        "id": breakdown.pk,
        "name": breakdown.name,
        "count": len(points),
        "latest": _mark(latest[1], latest[0]) if latest else None,
        "change": trend.describe(moved, "previous"),
    }


def _table(indicator: Indicator, page) -> dict:
    rows = indicator.values.select_related("breakdown", "reported_by").order_by(
        "-date", "breakdown__position", "breakdown_id", "-id"
    )
    paginator = Paginator(rows, PAGE_SIZE)
    current = paginator.get_page(page)
    baseline = indicator.baseline_date
    return {
        "page": current.number,
        "pages": paginator.num_pages,
        "count": paginator.count,
        "previous": current.previous_page_number() if current.has_previous() else None,
        "next": current.next_page_number() if current.has_next() else None,
        "rows": [
            {
                "id": v.pk,
                "date": v.date.isoformat(),
                "date_display": _day(v.date),
                "breakdown": v.breakdown.name if v.breakdown else "",
                "value": trend.number(v.value),
                "note": v.note,
                "reported_by": (v.reported_by.name or v.reported_by.email) if v.reported_by else "",
                "origin": str(v.get_origin_display()),
                "before_baseline": bool(baseline and v.date < baseline),
                "version": v.version,
            }
            for v in current.object_list
        ],
    }


def register(alliance, review) -> dict:
    """The component's register (shared indicators of progress) for one review: each
    indicator at a glance, with the story behind its curve told in this review."""
    summary = overview(alliance)
    stories = {
        s.indicator_id: {
            "id": s.pk,
            "helping": s.helping,
            "hindering": s.hindering,
            "actions": s.actions,
            "version": s.version,
        }
        for s in Story.objects.filter(review=review, indicator__alliance=alliance)
    }
    seen, items = set(), []
    for group in summary["groups"]:
        for item in group["indicators"]:
            if item["id"] not in seen:
                seen.add(item["id"])
                items.append({**item, "goal": group["name"], "story": stories.get(item["id"])})
    return {
        "tool": "indicators",
        "review_id": review.pk,
        "count": summary["count"],
        "statuses": summary["statuses"],
        "indicators": items,
        "rule": summary["rule"],
    }
