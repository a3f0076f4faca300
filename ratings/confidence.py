"""Confidence in each agreed goal (mutual respect and trust): "How confident are you that we
will reach this goal?", a private rating from 1 to 5, asked with the trust component in a
check-in or a meeting's reflect phase, one round per goal.

`confidence(review)` gives the register's view of it as a plain, JSON-ready dict (it is kept
in the component's snapshot and hashed for live polling). Nothing here applies a threshold:
every count, spread and median comes from `ratings.results`, which applies K.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ratings import results
from ratings.results import RoundResult
from registers.models import Goal

QUESTION = _("How confident are you that we will reach this goal?")


def confidence(review) -> dict:
    """Every goal the alliance has agreed, and any other asked about in this review, with
    the result of its latest confidence round in the review and the change of its median
    since the previous review. A fixed number of queries, whatever the number of goals."""
    by_goal = results.confidence_results(review)
    changes = results.confidence_change_since(review, by_goal)
    goals = Goal.objects.filter(
        Q(alliance_id=review.alliance_id, status=Goal.Status.AGREED) | Q(pk__in=list(by_goal))
    ).only("pk", "statement")
    return _as_dict(
        [(goal, by_goal.get(goal.pk), changes.get(goal.pk)) for goal in goals],
        needed=review.rating_threshold,
    )


def for_rounds(goal_rounds, summaries: dict | None = None) -> dict:
    """The same view of some confidence rounds (those of one check-in, or of one meeting's
    reflect phase), each with its goal loaded; `summaries` from `results.summarize` if the
    caller has them already."""
    goal_rounds = list(goal_rounds)
    if summaries is None:
        summaries = results.summarize(goal_rounds)
    needed = goal_rounds[0].review.rating_threshold if goal_rounds else 0
    return _as_dict([(r.goal, summaries[r.pk], None) for r in goal_rounds], needed=needed)


def _as_dict(rows, *, needed: int) -> dict:
    goals = [_goal(goal, result, change, needed) for goal, result, change in rows]
    return {
        "question": str(QUESTION),
        "goals": goals,
        "open_round": any(g["asked"] and not g["closed"] for g in goals),
    }


def _goal(goal, result: RoundResult | None, change: float | None, needed: int) -> dict:
    if result is None:
        return {
            "id": goal.pk,
            "statement": goal.statement,
            "asked": False,
            "count": 0,
            "needed": needed,
            "more_needed": needed,
            "closed": False,
            "shown": False,
            "bars": [],
            "median": None,
            "change": None,
        }
    return {
        "id": goal.pk,
        "statement": goal.statement,
        "asked": True,
        "count": result.count,
        "needed": result.needed,
        "more_needed": result.more_needed,
        "closed": result.closed,
        "shown": result.shown,
        "bars": [
            {"value": b.value, "label": b.label, "count": b.count, "percent": b.percent}
            for b in result.bars
        ],
        "median": float(result.median) if result.median is not None else None,
        "change": float(change) if change is not None else None,
    }
