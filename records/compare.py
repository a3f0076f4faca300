"""Two reviews of one alliance side by side: what the partners found then and now, and what
changed in between (goals, indicators, commitments kept).

`compare` returns one plain structure for the page. Ratings come only from
`ratings.results`, so nothing below a review's thresholds (K) ever reaches it. The registers
are read at each review's date (`review_date`), which the page states. The number of
queries is fixed, whatever the length of the alliance's history.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, FloatField, Window
from django.db.models.functions import Cast, RowNumber
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from indicators import trend
from indicators.models import Breakdown, Indicator, Value
from ratings import results
from ratings.models import Reflection
from records.timeline import ACHIEVED, RETIRED, goal_histories
from registers import network
from registers.figures import dependencies, follow_through
from registers.models import Goal
from reviews.framework import framework, key_of
from reviews.models import ComponentRecord, Question

# The component whose tool is the dependency register.
INTERDEPENDENCE = key_of("dependencies")

# Why a review stands for its day: its last component was recorded then, nothing of it is
# recorded yet (its start), or it is the later review and still in progress (today).
RECORDED, STARTED, TODAY = "recorded", "started", "today"


@dataclass(frozen=True)
class ReviewDate:
    day: datetime.date
    reason: str


def review_date(review, records, *, later: bool, today: datetime.date) -> ReviewDate:
    """The day a review stands for: the day its last component was recorded, or its start
    while nothing is recorded. The later of two reviews, while any of its components is not
    recorded, stands for today: the comparison is then with the alliance as it is now."""
    done = [r.recorded_at for r in records if r.state == ComponentRecord.State.RECORDED]
    done = [when for when in done if when]
    if later and len(done) < len(records):
        return ReviewDate(today, TODAY)
    if done:
        return ReviewDate(timezone.localdate(max(done)), RECORDED)
    return ReviewDate(review.started_on, STARTED)


# Ratings and records, component by component


def _rating(result) -> dict | None:
    """What may be said of a component's latest round: always how many answered and how
    many are needed; the median and the spread only where ratings.results shows them."""
    if result is None:
        return None
    return {
        "count": result.count,
        "needed": result.needed,
        "more_needed": result.more_needed,
        "closed": result.closed,
        "shown": result.shown,
        "median": result.median if result.shown else None,
        "bars": [{"value": b.value, "label": b.label, "count": b.count} for b in result.bars],
        "words": _rating_words(result),
    }


def _rating_words(result) -> str:
    answers = ngettext("%(n)d answer", "%(n)d answers", result.count) % {"n": result.count}
    if result.shown:
        return _("median %(median)s, %(answers)s") % {
            "median": floatformat(result.median, -1),
            "answers": answers,
        }
    if not result.closed:
        return _("%(answers)s; shown once the answers are closed") % {"answers": answers}
    return ngettext(
        "%(answers)s; %(more)d more needed before ratings are shown",
        "%(answers)s; %(more)d more needed before ratings are shown",
        result.more_needed,
    ) % {"answers": answers, "more": result.more_needed}


def _median_change(before: dict | None, after: dict | None) -> dict | None:
    if not (before and after and before["shown"] and after["shown"]):
        return None
    difference = after["median"] - before["median"]
    amount = floatformat(abs(difference), -1)
    if difference > 0:
        words = _("up %(amount)s") % {"amount": amount}
    elif difference < 0:
        words = _("down %(amount)s") % {"amount": amount}
    else:
        words = _("no change")
    return {"difference": difference, "words": words}


def _record(record) -> dict | None:
    if record is None:
        return None
    return {
        "state": record.state,
        "state_display": str(record.get_state_display()),
        "is_open": record.is_open,
        "agreements": record.agreements,
        "concerns": record.concerns,
        "ideas": record.ideas,
    }


def _side(review, rating, record) -> dict:
    return {
        "review_id": review.pk,
        "review_name": review.name,
        "rating": rating,
        "record": _record(record),
    }


def _components(before, after, records) -> list[dict]:
    then_results = results.review_results(before)
    now_results = results.review_results(after)
    rows = []
    for component in framework():
        key = component.key
        then = _side(before, _rating(then_results.get(key)), records.get((before.pk, key)))
        now = _side(after, _rating(now_results.get(key)), records.get((after.pk, key)))
        rows.append(
            {
                "key": key,
                "number": component.number,
                "name": component.name,
                "before": then,
                "after": now,
                "sides": [then, now],
                "change": _median_change(then["rating"], now["rating"]),
            }
        )
    return rows


# Goals


def _goal(history, status: str, day: datetime.date) -> dict:
    return {
        "id": history.goal.pk,
        "statement": history.goal.statement,
        "status": status,
        "status_display": _status(status),
        "day": day,
    }


def goal_changes(alliance, before: datetime.date, after: datetime.date) -> dict:
    """Goals added between the two days, achieved, dropped, and those carried from one
    review to the next (still proposed or agreed). A goal added and achieved in between is
    in both lists."""
    added, achieved, dropped, carried = [], [], [], []
    for history in goal_histories(alliance):
        then, now = history.status_on(before), history.status_on(after)
        if now is None:
            continue
        if then is None:
            added.append(_goal(history, now, history.added_on))
        if now in (ACHIEVED, RETIRED):
            if now != then:
                kept = achieved if now == ACHIEVED else dropped
                kept.append(_goal(history, now, history.changed_on(now, after)))
        elif then is not None:
            carried.append({**_goal(history, now, after), "then_display": _status(then)})
    return {"added": added, "achieved": achieved, "dropped": dropped, "carried": carried}


def _status(key: str) -> str:
    return str(Goal.Status(key).label)


# Indicators


def _values_on(alliance, day: datetime.date) -> dict:
    """The value in force on `day` of each indicator and breakdown: the latest on or before
    it, in one query however many values there are."""
    latest = (
        Value.objects.filter(indicator__alliance=alliance, date__lte=day)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("indicator_id"), F("breakdown_id")],
                order_by=[F("date").desc(), F("id").desc()],
            )
        )
        .filter(rank=1)
        .values_list("indicator_id", "breakdown_id", "date", Cast("value", FloatField()))
    )
    return {(i, b): (d, v) for i, b, d, v in latest}


def _point(found) -> dict | None:
    if found is None:
        return None
    day, value = found
    return {"value": value, "display": trend.number(value), "date": day}


def movement(then: dict | None, now: dict | None, direction: str) -> dict | None:
    """How a value moved between the two reviews, in words, with whether that is the
    better way for this indicator."""
    moved = trend.change(now["value"] if now else None, then["value"] if then else None, direction)
    if moved is None:
        return None
    if moved["sense"] == "same":
        return {**moved, "words": _("no change")}
    amount = trend.number(abs(moved["difference"]))
    words = (
        _("up %(amount)s") % {"amount": amount}
        if moved["sense"] == trend.UP
        else _("down %(amount)s") % {"amount": amount}
    )
    judgement = _("the better way") if moved["better"] else _("the worse way")
    said = _("%(movement)s — %(judgement)s") % {"movement": words, "judgement": judgement}
    return {**moved, "words": said}


def _line(then, now, direction) -> dict:
    before, after = _point(then), _point(now)
    return {
        "before": before,
        "after": after,
        "points": [before, after],
        "movement": movement(before, after, direction),
    }


def indicator_movement(alliance, before: datetime.date, after: datetime.date) -> list[dict]:
    """Each indicator's value in force at both days and how it moved: for the whole, and for
    each breakdown that had a value at either day."""
    then, now = _values_on(alliance, before), _values_on(alliance, after)
    parts: dict[int, list] = {}
    for breakdown in Breakdown.objects.filter(indicator__alliance=alliance):
        parts.setdefault(breakdown.indicator_id, []).append(breakdown)
    rows = []
    for indicator in Indicator.objects.filter(alliance=alliance):
        key = (indicator.pk, None)
        breakdowns = [
            {
                "name": b.name,
                **_line(
                    then.get((indicator.pk, b.pk)),
                    now.get((indicator.pk, b.pk)),
                    indicator.direction,
                ),
            }
            for b in parts.get(indicator.pk, [])
            if (indicator.pk, b.pk) in then or (indicator.pk, b.pk) in now
        ]
        rows.append(
            {
                "id": indicator.pk,
                "name": indicator.name,
                "unit": indicator.unit,
                "direction": indicator.direction,
                "direction_display": str(indicator.get_direction_display()),
                **_line(then.get(key), now.get(key), indicator.direction),
                "breakdown_label": indicator.breakdown_label,
                "breakdowns": breakdowns,
            }
        )
    return rows


# Commitments


def _follow_through(alliance, before, after, today) -> dict:
    then = follow_through(alliance, before, today)["figures"]
    now = follow_through(alliance, after, today)["figures"]
    labels = {
        "due": _("Due or reported"),
        "kept": _("Kept"),
        "partly": _("Kept partly"),
        "not_kept": _("Not kept"),
        "unreported": _("Due and not reported yet"),
        "dropped": _("Dropped by agreement"),
        "upcoming": _("Not due yet"),
    }
    return {
        "rows": [
            {"key": key, "label": label, "before": then[key], "after": now[key]}
            for key, label in labels.items()
        ],
        "percents": [then["kept_percent"], now["kept_percent"]],
    }


def compare(alliance, before, after, *, today: datetime.date | None = None) -> dict:
    """Everything the comparison page shows, for `before` (the earlier review) and `after`."""
    today = today or timezone.localdate()
    found = list(ComponentRecord.objects.filter(review__in=[before, after]))
    records = {(r.review_id, r.component_key): r for r in found}
    then = review_date(
        before, [r for r in found if r.review_id == before.pk], later=False, today=today
    )
    now = review_date(after, [r for r in found if r.review_id == after.pk], later=True, today=today)
    sides = [_date_side(before, then), _date_side(after, now)]
    return {
        "before": sides[0],
        "after": sides[1],
        "sides": sides,
        "components": _components(before, after, records),
        "goals": goal_changes(alliance, then.day, now.day),
        "indicators": indicator_movement(alliance, then.day, now.day),
        "follow_through": _follow_through(alliance, before, after, today),
        "network": _network(alliance, before, after, records),
        "own_questions": own_questions(before, after),
    }


def own_questions(before, after) -> list[dict]:
    """The alliance's own questions asked in both reviews (the same chain, in whatever
    wording), with how many people wrote an answer in each: two queries."""
    asked: dict = {}
    for question in Question.objects.filter(
        review__in=[before, after], origin=Question.Origin.ALLIANCE
    ).order_by("created_at", "pk"):
        asked.setdefault(question.chain, {})[question.review_id] = question
    both = {chain: by_review for chain, by_review in asked.items() if len(by_review) == 2}
    counts = {
        (row["question__chain"], row["round__review_id"]): row["n"]
        for row in Reflection.objects.filter(
            question__chain__in=list(both), round__review__in=[before, after]
        )
        .values("question__chain", "round__review_id")
        .annotate(n=Count("id"))
    }
    return [
        {
            "text": by_review[after.pk].text,
            "then_text": by_review[before.pk].text,
            "component": by_review[after.pk].component,
            "counts": [counts.get((chain, before.pk), 0), counts.get((chain, after.pk), 0)],
        }
        for chain, by_review in sorted(
            both.items(),
            key=lambda item: (item[1][after.pk].component.number, item[1][after.pk].text),
        )
    ]


def _network(alliance, before, after, records) -> dict:
    """How the network of dependencies changed: the earlier review's as it kept it when
    interdependence was recorded, the later one's likewise, or as it stands today while the
    later review has not recorded it yet."""
    then_record = records.get((before.pk, INTERDEPENDENCE))
    now_record = records.get((after.pk, INTERDEPENDENCE))
    then = then_record.snapshot if then_record else None
    now = now_record.snapshot if now_record else None
    if now is None:
        now = dependencies(alliance, after)
    return {
        "then_kept": then is not None,
        "changes": network.changes(then, now),
    }


def _date_side(review, date: ReviewDate) -> dict:
    return {"id": review.pk, "name": review.name, "day": date.day, "reason": date.reason}
