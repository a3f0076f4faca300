"""The review report as one plain, JSON-ready structure: the report page and its PDF are
drawn from it (and exports may be), so that what one shows the other shows too.

Nothing private is read here except through `ratings.results`, which applies the review's
thresholds (K): a rating's median and spread appear only once the round is closed and K
people answered; below that, only the number of answers and how many more are needed.
The registers come from `registers.figures`: the snapshot a component keeps once it is
recorded, the register as it stands today before. A review in progress gives the same
structure with what is there so far, and says so (`finished`).

`build` runs a fixed number of queries whatever the size of the review or of the
alliance's history (pinned in tests/test_report.py).
"""

from collections import Counter, defaultdict

from django.db.models import FloatField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from indicators import chart, trend
from indicators.figures import CHART_POINTS
from indicators.models import Breakdown, Indicator, Value
from meetings.models import Attendance, Meeting
from ratings import results
from registers import figures
from reviews import components, questions, triangle
from reviews.framework import framework
from reviews.models import Commitment, ComponentRecord

RECORDED = ComponentRecord.State.RECORDED


def build(review, *, today=None) -> dict:
    """The whole report of `review` (with `review.alliance` loaded by the caller)."""
    today = today or timezone.localdate()
    records = _records(review)
    answers = results.review_results(review)
    changes = results.change_since(review, answers)
    own: dict[str, list[str]] = {}
    for question in questions.own(review):
        own.setdefault(question.component_key, []).append(question.text)
    components = [
        _component(
            record,
            answers.get(record.component_key),
            changes.get(record.component_key),
            own.get(record.component_key, []),
        )
        for record in records
    ]
    recorded = sum(c["state"] == RECORDED for c in components)
    return {
        "alliance": {"name": review.alliance.name, "slug": review.alliance.slug},
        "review": _review(review),
        "finished": recorded == len(components),
        "recorded": recorded,
        "total": len(components),
        "made_on": date_format(today),
        "triangle": {
            "nodes": [_node(node) for node in triangle.nodes(records, answers, changes)],
            "outline": triangle.outline(),
        },
        "components": components,
        "commitments": commitments(review, today),
        "ideas": [
            {"key": c["key"], "number": c["number"], "name": c["name"], "text": c["ideas"]}
            for c in components
            if c["ideas"].strip()
        ],
        "meetings": meetings(review),
    }


def _records(review) -> list:
    """The review's six records in the framework's order, each pointing at `review` so that
    nothing below loads it again."""
    order = {key: n for n, key in enumerate(framework().keys())}
    records = sorted(review.records.all(), key=lambda r: order.get(r.component_key, len(order)))
    for record in records:
        record.review = review
    return records


def _review(review) -> dict:
    return {
        "id": review.pk,
        "name": review.name,
        "started_on": date_format(review.started_on),
        "anonymous": review.anonymous,
        "rating_threshold": review.rating_threshold,
        "reflection_threshold": review.reflection_threshold,
    }


def _day(moment) -> str:
    return date_format(timezone.localdate(moment)) if moment else ""


def _tool_name(name: str) -> str:
    """What the report calls a component's register ("" for a tool the registry lacks)."""
    tool = components.tool(name)
    return str(tool.title) if tool else ""


def _component(record, result, change, own_questions) -> dict:
    component = record.component
    register = figures.register_for(record)
    if register and register.get("tool") == "indicators":
        until = timezone.localdate(record.recorded_at) if record.snapshot else None
        register = with_charts(record.review.alliance, register, until)
    return {
        "key": component.key,
        "number": component.number,
        "name": component.name,
        "questions": list(component.shown_questions),
        # The alliance's own questions for this review, after the framework's.
        "own_questions": own_questions,
        "tool": component.tool,
        "tool_name": _tool_name(component.tool),
        "state": record.state,
        "state_display": str(record.get_state_display()),
        "opened": record.is_open,
        "opened_on": _day(record.opened_at),
        "recorded_on": _day(record.recorded_at) if record.state == RECORDED else "",
        "out_of_order_reason": record.out_of_order_reason,
        "notes": record.notes,
        "agreements": record.agreements,
        "concerns": record.concerns,
        "ideas": record.ideas,
        "ratings": ratings(result, change),
        "register": register,
        # The register as the review kept it, or as it stands today (not recorded yet).
        "register_kept": bool(record.snapshot),
    }


def ratings(result, change=None) -> dict | None:
    """A round's result as the report shows it: the number of answers always; the median,
    the spread and the change since the previous review only where results.py shows them."""
    if result is None:
        return None
    shown = result.shown
    round = result.round
    return {
        "count": result.count,
        "needed": result.needed,
        "more_needed": result.more_needed,
        "closed": result.closed,
        "shown": shown,
        "median": float(result.median) if shown else None,
        "bars": [
            {"value": b.value, "label": b.label, "count": b.count, "percent": b.percent}
            for b in result.bars
        ]
        if shown
        else [],
        "change": float(change) if shown and change is not None else None,
        "words": triangle.summary_words(result, change if shown else None),
        "from_check_in": bool(round.check_in_id),
        "asked_on": _day(round.opened_at),
    }


def _node(node) -> dict:
    record = node.record
    return {
        "key": record.component_key,
        "number": record.number,
        "name": record.component.name,
        "state": record.state,
        "state_display": str(record.get_state_display()),
        "x": node.x,
        "y": node.y,
        "radius": node.radius,
        "mark_x": node.x + 30,
        "mark_y": node.y - 28,
        "label_lines": list(node.label_lines),
        "label_y": node.label_y,
        "state_y": node.state_y,
        "result_y": node.result_y,
        "result_words": node.result_words,
    }


def commitments(review, today) -> dict:
    """The commitments made in the review, each with where it stands today, and how many
    stand where (a figure of the alliance as a whole, not a ranking of partners)."""
    names = {c.key: (c.number, c.name) for c in framework()}
    rows = []
    for c in Commitment.objects.filter(review=review).select_related("partner", "owner"):
        number, name = names.get(c.component_key, (None, ""))
        outcome = figures.outcome(c.status, c.due_on, today)
        rows.append(
            {
                "id": c.pk,
                "description": c.description,
                "component": name,
                "component_number": number,
                "partner": c.partner.name if c.partner else "",
                "owner": (c.owner.name or c.owner.email) if c.owner else "",
                "due": date_format(c.due_on),
                "status": c.status,
                "status_display": str(c.get_status_display()),
                "reason": c.status_reason,
                "overdue": outcome == figures.UNREPORTED,
            }
        )
    counts = Counter(row["status"] for row in rows)
    return {
        "today": date_format(today),
        "rows": rows,
        "statuses": [
            {"status": status, "label": str(label), "count": counts[status]}
            for status, label in Commitment.Status.choices
            if counts[status]
        ],
        "overdue": sum(row["overdue"] for row in rows),
    }


def meetings(review) -> list[dict]:
    """The review's meetings, oldest first: when, where, what was on the agenda, who came,
    and the address of each one's summary."""
    names = {c.key: c.name for c in framework()}
    people = defaultdict(list)
    for meeting_id, name, email in (
        Attendance.objects.filter(meeting__review=review)
        .order_by("user__name", "user__email")
        .values_list("meeting_id", "user__name", "user__email")
    ):
        people[meeting_id].append(name or email)
    slug = review.alliance.slug
    return [
        {
            "id": m.pk,
            "starts": date_format(timezone.localtime(m.starts_at), "DATETIME_FORMAT"),
            "day": _day(m.starts_at),
            "status": m.status,
            "status_display": str(m.get_status_display()),
            "place": m.place,
            "agenda": [names[key] for key in m.agenda if key in names],
            "attendance": len(people[m.pk]),
            "people": people[m.pk],
            "summary_url": reverse("meetings:summary", args=[slug, m.pk])
            if m.status != Meeting.Status.PLANNED
            else "",
        }
        for m in review.meetings.order_by("starts_at", "pk")
    ]


def with_charts(alliance, register: dict, until=None) -> dict:
    """The indicators register with each indicator's trend chart (the whole and its first
    breakdowns), drawn from the values dated `until` or before when the review kept the
    register on that day. Three queries, whatever the number of indicators and values."""
    ids = [item["id"] for item in register.get("indicators", [])]
    indicators = {i.pk: i for i in Indicator.objects.filter(alliance=alliance, pk__in=ids)}
    breakdowns = defaultdict(list)
    for breakdown in Breakdown.objects.filter(indicator__in=list(indicators)):
        breakdowns[breakdown.indicator_id].append(breakdown)
    values = Value.objects.filter(indicator__in=list(indicators))
    if until is not None:
        values = values.filter(date__lte=until)
    lines = defaultdict(list)
    for indicator_id, breakdown_id, date, value in values.order_by("date").values_list(
        "indicator_id", "breakdown_id", "date", Cast("value", FloatField())
    ):
        lines[indicator_id, breakdown_id].append((date, value))
    items = [
        {**item, "chart": _chart(indicators.get(item["id"]), breakdowns, lines)}
        for item in register.get("indicators", [])
    ]
    return {**register, "indicators": items}


def _chart(indicator, breakdowns, lines) -> dict | None:
    if indicator is None:  # gone since the review kept its register
        return None
    drawn = [{"name": _("The whole"), "points": lines[indicator.pk, None]}] + [
        {"name": b.name, "points": lines[indicator.pk, b.pk]}
        for b in breakdowns[indicator.pk][: len(chart.DASHES) - 1]
    ]
    for line in drawn:
        line["points"] = trend.thin(line["points"], CHART_POINTS)
    baseline = indicator.baseline_value is not None and indicator.baseline_date is not None
    target = indicator.target_value is not None and indicator.target_date is not None
    drawing = chart.trend_chart(
        drawn,
        baseline=(indicator.baseline_date, float(indicator.baseline_value)) if baseline else None,
        target=(indicator.target_date, float(indicator.target_value)) if target else None,
        unit=indicator.unit,
        title=indicator.name,
    )
    if drawing:
        # The chart's description ends by pointing at the indicator page's table of values,
        # which the report does not have.
        elsewhere = " " + _("Every value is in the table of values on this page.")
        drawing["description"] = drawing["description"].removesuffix(elsewhere)
    return drawing
