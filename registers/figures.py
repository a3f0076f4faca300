"""The registers as people read them: plain, JSON-ready dicts with their figures.

The same dict feeds the live page, the meeting's discuss phase, the CSV export and the
snapshot a review keeps when a component is recorded (so a recorded review shows exactly
what it found, however the register changes later). Each function runs a fixed number of
queries, whatever the size of the register.
"""

import math
from collections import Counter

from django.db.models import Count, Q
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alliances.models import Partner
from registers.models import (
    Accomplishment,
    Agreement,
    Alignment,
    Contribution,
    Dependency,
    Goal,
    ImpactAnswer,
    Pledge,
    Resource,
)
from registers.network import measures
from reviews import components
from reviews.models import Commitment, Review

ACTIVE = (Goal.Status.PROPOSED, Goal.Status.AGREED)


def _partners(alliance):
    return [{"id": p.pk, "name": p.name} for p in Partner.objects.filter(alliance=alliance)]


def _target(goal: Goal) -> str:
    if goal.target_value is None:
        return ""
    value = floatformat(goal.target_value, -2)
    return f"{value} {goal.target_unit}".strip()


def goals(alliance) -> dict:
    partners = _partners(alliance)
    cells = {
        (a.goal_id, a.partner_id): a for a in Alignment.objects.filter(goal__alliance=alliance)
    }
    rows = []
    for goal in Goal.objects.filter(alliance=alliance):
        row_cells = []
        for partner in partners:
            cell = cells.get((goal.pk, partner["id"]))
            row_cells.append(
                {
                    "partner_id": partner["id"],
                    "partner": partner["name"],
                    "stance": cell.stance if cell else "",
                    "stance_display": str(cell.get_stance_display())
                    if cell and cell.stance
                    else "",
                    "comment": cell.comment if cell else "",
                    "essential": bool(cell and cell.essential),
                    "version": cell.version if cell else 0,
                }
            )
        rows.append(
            {
                "id": goal.pk,
                "statement": goal.statement,
                "community": goal.community,
                "measure": goal.measure,
                "target": _target(goal),
                "target_date": date_format(goal.target_date) if goal.target_date else "",
                "status": goal.status,
                "status_display": str(goal.get_status_display()),
                "measurable": goal.is_measurable,
                "active": goal.status in ACTIVE,
                "cells": row_cells,
            }
        )
    return {
        "tool": "goals",
        "partners": partners,
        "goals": rows,
        "summary": alignment_summary(rows, partners),
    }


def alignment_summary(rows: list[dict], partners: list[dict]) -> list[str]:
    """Plain sentences saying where the alliance agrees only in general."""
    active = [row for row in rows if row["active"]]
    if not active or not partners:
        return []
    shared = [r for r in active if all(c["stance"] == Alignment.Stance.OURS for c in r["cells"])]
    lines = [
        ngettext(
            "%(shared)d of %(total)d goal is shared by every partner.",
            "%(shared)d of %(total)d goals are shared by every partner.",
            len(active),
        )
        % {"shared": len(shared), "total": len(active)}
    ]
    for row in active:
        stances = Counter(c["stance"] for c in row["cells"])
        if stances[Alignment.Stance.NOT_OURS]:
            lines.append(
                ngettext(
                    "“%(goal)s” is not shared by %(n)d partner.",
                    "“%(goal)s” is not shared by %(n)d partners.",
                    stances[Alignment.Stance.NOT_OURS],
                )
                % {"goal": row["statement"], "n": stances[Alignment.Stance.NOT_OURS]}
            )
        if stances[Alignment.Stance.PARTLY]:
            lines.append(
                ngettext(
                    "“%(goal)s” is only partly shared by %(n)d partner.",
                    "“%(goal)s” is only partly shared by %(n)d partners.",
                    stances[Alignment.Stance.PARTLY],
                )
                % {"goal": row["statement"], "n": stances[Alignment.Stance.PARTLY]}
            )
        if stances[""]:
            lines.append(
                ngettext(
                    "%(n)d partner has not said where it stands on “%(goal)s”.",
                    "%(n)d partners have not said where they stand on “%(goal)s”.",
                    stances[""],
                )
                % {"goal": row["statement"], "n": stances[""]}
            )
    return lines


def resources(alliance) -> dict:
    partners = _partners(alliance)
    names = {p["id"]: p["name"] for p in partners}
    brings: dict[int, list[int]] = {}
    for resource_id, partner_id in Contribution.objects.filter(
        resource__alliance=alliance
    ).values_list("resource_id", "partner_id"):
        brings.setdefault(resource_id, []).append(partner_id)
    rows = []
    for resource in Resource.objects.filter(alliance=alliance).select_related(
        "goal", "responsible"
    ):
        bringers = sorted(brings.get(resource.pk, []), key=lambda pk: names[pk])
        rows.append(
            {
                "id": resource.pk,
                "description": resource.description,
                "kind": resource.kind,
                "kind_display": str(resource.get_kind_display()),
                "goal": resource.goal.statement if resource.goal else "",
                "responsible": resource.responsible.name if resource.responsible else "",
                "partner_ids": bringers,
                "partners": [names[pk] for pk in bringers],
            }
        )
    kinds = [{"key": k, "label": str(label)} for k, label in Resource.Kind.choices]
    matrix = []
    for partner in partners:
        counts = Counter(r["kind"] for r in rows if partner["id"] in r["partner_ids"])
        matrix.append({"partner": partner["name"], "counts": [counts[k["key"]] for k in kinds]})
    return {
        "tool": "resources",
        "partners": partners,
        "resources": rows,
        "kinds": kinds,
        "matrix": matrix,
        "gaps": [r["description"] for r in rows if not r["partner_ids"]],
        "concentration": concentration(rows, partners),
    }


def concentration(rows: list[dict], partners: list[dict]) -> dict:
    """Each partner's share of all contributions, and a plain warning when one brings more
    than half. In the order of the partners' names: a picture, not a ranking."""
    counts = Counter(pk for r in rows for pk in r["partner_ids"])
    total = sum(counts.values())
    shares = [
        {
            "partner": p["name"],
            "count": counts[p["id"]],
            "percent": round(100 * counts[p["id"]] / total) if total else 0,
        }
        for p in partners
    ]
    heavy = [s for s in shares if total and s["count"] * 2 > total]
    warning = ""
    if heavy:
        warning = _(
            "%(partner)s brings more than half of everything the alliance's work needs. "
            "If it stepped back, the work would stall: worth discussing how power is shared."
        ) % {"partner": heavy[0]["partner"]}
    return {"total": total, "shares": shares, "warning": warning}


def dependencies(alliance, review=None) -> dict:
    partners = _partners(alliance)
    rows = [
        {
            "id": d.pk,
            "dependent": d.dependent.name,
            "dependent_id": d.dependent_id,
            "provider": d.provider.name,
            "provider_id": d.provider_id,
            "what": d.what,
            "goal": d.goal.statement if d.goal else "",
            "resource": d.resource.description if d.resource else "",
            "strength": d.strength,
            "strength_display": str(d.get_strength_display()) if d.strength else "",
            "dependent_confirmed": d.dependent_confirmed,
            "provider_confirmed": d.provider_confirmed,
        }
        for d in Dependency.objects.filter(alliance=alliance).select_related(
            "dependent", "provider", "goal", "resource"
        )
    ]
    essential: dict[int, list[tuple[str, int]]] = {}
    for goal_id, name, partner_id in Alignment.objects.filter(
        goal__alliance=alliance, essential=True
    ).values_list("goal_id", "partner__name", "partner_id"):
        essential.setdefault(goal_id, []).append((name, partner_id))
    goal_rows = [
        {
            "id": g.pk,
            "statement": g.statement,
            "essential": sorted(name for name, _id in essential.get(g.pk, [])),
            "essential_ids": sorted(pk for _name, pk in essential.get(g.pk, [])),
        }
        for g in Goal.objects.filter(alliance=alliance, status__in=ACTIVE)
    ]
    answers = []
    if review is not None:
        answers = [
            {
                "partner": a.partner.name,
                "partner_id": a.partner_id,
                "answer": a.answer,
                "answer_display": str(a.get_answer_display()),
                "why": a.why,
                "version": a.version,
            }
            for a in ImpactAnswer.objects.filter(review=review).select_related("partner")
        ]
    return {
        "tool": "dependencies",
        "partners": partners,
        "dependencies": rows,
        "goals": goal_rows,
        "answers": answers,
        "signals": continue_signals(goal_rows, answers),
        "network": network(partners, rows),
        "measures": measures(partners, rows, goal_rows),
    }


def continue_signals(goal_rows: list[dict], answers: list[dict]) -> list[str]:
    """Where the framework says it is time to ask whether the alliance, or a partner's part
    in it, should continue."""
    signals = [
        _(
            "%(partner)s says it could have the same impact without the alliance. The alliance "
            "should discuss whether it, or that partner's part in it, should continue."
        )
        % {"partner": a["partner"]}
        for a in answers
        if a["answer"] == ImpactAnswer.Answer.YES
    ]
    signals += [
        _(
            "“%(goal)s” has only one essential partner, %(partner)s. The alliance should discuss "
            "whether this goal needs the alliance, or should continue as that partner's own."
        )
        % {"goal": g["statement"], "partner": g["essential"][0]}
        for g in goal_rows
        if len(g["essential"]) == 1
    ]
    return signals


# How an arrow of the network is drawn for each strength of a tie: a pattern and a width,
# from a dotted line (aware of each other) to a thick one (integrated), never colour. A tie
# whose strength nobody gave is a thin plain line.
STRENGTH_LINES = {
    "": {"dash": "", "width": 1},
    "aware": {"dash": "2 4", "width": 2},
    "cooperating": {"dash": "8 5", "width": 2},
    "coordinating": {"dash": "", "width": 3},
    "integrated": {"dash": "", "width": 6},
}


def strength_legend() -> list[dict]:
    """The network's legend: each strength in words, with the line it is drawn with."""
    said = [
        {"key": key, "label": str(label), **STRENGTH_LINES[key]}
        for key, label in Dependency._meta.get_field("strength").choices
    ]
    return [*said, {"key": "", "label": _("not said yet"), **STRENGTH_LINES[""]}]


def network(partners: list[dict], rows: list[dict], size: int = 400) -> dict:
    """Partners on a circle, an arrow for each dependency: from who depends to whom."""
    centre, radius = size / 2, size / 2 - 70
    nodes = {}
    for n, partner in enumerate(partners):
        angle = 2 * math.pi * n / max(len(partners), 1) - math.pi / 2
        nodes[partner["id"]] = {
            "name": partner["name"],
            "x": round(centre + radius * math.cos(angle)),
            "y": round(centre + radius * math.sin(angle)),
        }
    edges = []
    for row in rows:
        a, b = nodes.get(row["dependent_id"]), nodes.get(row["provider_id"])
        if a and b:
            # Stop the arrow short of the provider's circle so that its head shows.
            dx, dy = b["x"] - a["x"], b["y"] - a["y"]
            length = math.hypot(dx, dy) or 1
            edges.append(
                {
                    "x1": a["x"],
                    "y1": a["y"],
                    "x2": round(b["x"] - dx / length * 22),
                    "y2": round(b["y"] - dy / length * 22),
                    "label": f"{row['dependent']} → {row['provider']}: {row['what']}",
                    **STRENGTH_LINES.get(row.get("strength", ""), STRENGTH_LINES[""]),
                }
            )
    return {
        "size": size,
        "nodes": list(nodes.values()),
        "edges": edges,
        "legend": strength_legend(),
    }


# Mutual respect and trust. The framework warns to focus on the difference the alliance
# makes "rather than focusing on judging each member's performance": follow-through is a
# figure of the alliance as a whole; per partner only where the review turns it on, in
# name order, without ranking.

KEPT, PARTLY, NOT_KEPT, UNREPORTED, DROPPED = "kept", "partly", "not_kept", "unreported", "dropped"
_OUTCOME = {"done": KEPT, "partly": PARTLY, "not_done": NOT_KEPT, "dropped": DROPPED}


def outcome(status: str, due_on, today) -> str | None:
    """What a commitment counts as: kept, partly, not kept, due but not reported yet, dropped,
    or None while it is not due and nobody has said how it went."""
    if status in _OUTCOME:
        return _OUTCOME[status]
    return UNREPORTED if due_on <= today else None


def _tally(counter: Counter) -> dict:
    """Counts of one group of commitments. `due` counts those that were due or reported, not
    those dropped; `kept_percent` is the share of them that were kept."""
    due = counter[KEPT] + counter[PARTLY] + counter[NOT_KEPT] + counter[UNREPORTED]
    return {
        "due": due,
        KEPT: counter[KEPT],
        PARTLY: counter[PARTLY],
        NOT_KEPT: counter[NOT_KEPT],
        UNREPORTED: counter[UNREPORTED],
        DROPPED: counter[DROPPED],
        "upcoming": counter[None],
        "kept_percent": round(100 * counter[KEPT] / due) if due else None,
    }


def _reasons(rows) -> list[dict]:
    """The reasons given, grouped by outcome, the same words said twice counted once."""
    groups = []
    labels = {
        NOT_KEPT: _("Why some were not kept"),
        PARTLY: _("Why some were kept only partly"),
        DROPPED: _("Why some were dropped"),
    }
    for kind, label in labels.items():
        counts: Counter = Counter()
        said: dict[str, str] = {}
        for row in rows:
            text = " ".join(row["reason"].split())
            if row["outcome"] == kind and text:
                key = text.casefold().rstrip(".")
                said.setdefault(key, text)
                counts[key] += 1
        if counts:
            reasons = [{"text": said[k], "count": n} for k, n in counts.items()]
            reasons.sort(key=lambda r: (-r["count"], r["text"].casefold()))
            groups.append({"outcome": kind, "label": str(label), "reasons": reasons})
    return groups


def follow_through(alliance, review=None, today=None) -> dict:
    """Did each of us do what we said we would do? The alliance's commitments: the figures
    of `review`, the same figures for every review over time, the reasons given, and per
    partner only when `review` turns it on.

    Two queries, whatever the history: the reviews with their commitments counted by
    outcome (in the database), and the rows of `review`'s commitments and of those outside
    any review (all the alliance's when `review` is None)."""
    today = today or timezone.localdate()
    reviews = Review.objects.filter(alliance=alliance).order_by("started_on", "id")
    rows = _commitment_rows(alliance, today, review)
    over_time = [
        {"review_id": r.pk, "review": r.name, **_tally(_outcomes(r))}
        for r in reviews.annotate(**_outcome_counts(today))
    ]
    loose = Counter(row["outcome"] for row in rows if row["review_id"] is None)
    if loose:
        over_time.append(
            {"review_id": None, "review": str(_("Outside any review")), **_tally(loose)}
        )
    mine = [row for row in rows if review is None or row["review_id"] == review.pk]
    return {
        "today": date_format(today),
        "review": review.name if review else "",
        "figures": _tally(Counter(row["outcome"] for row in mine)),
        "over_time": over_time,
        "reasons": _reasons(mine),
        "per_partner": _per_partner(alliance, review, mine) if review else None,
        "commitments": [_public(row) for row in mine],
    }


def _outcome_counts(today) -> dict:
    """A review's commitments counted by outcome (as `outcome` decides it), by the
    database: `n_<outcome>`, and `n_upcoming` for those not due and not reported."""
    counts = {
        f"n_{kind}": Count("commitments", filter=Q(commitments__status=status))
        for status, kind in _OUTCOME.items()
    }
    unreported = [status for status in Commitment.Status.values if status not in _OUTCOME]
    waiting = Q(commitments__status__in=unreported)
    counts[f"n_{UNREPORTED}"] = Count(
        "commitments", filter=waiting & Q(commitments__due_on__lte=today)
    )
    counts["n_upcoming"] = Count("commitments", filter=waiting & Q(commitments__due_on__gt=today))
    return counts


def _outcomes(review) -> Counter:
    """The counts of a review annotated by `_outcome_counts`, as `_tally` takes them."""
    counter = Counter(
        {kind: getattr(review, f"n_{kind}") for kind in (*_OUTCOME.values(), UNREPORTED)}
    )
    counter[None] = review.n_upcoming
    return counter


def _commitment_rows(alliance, today, review=None) -> list[dict]:
    """The rows of `review`'s commitments and of those outside any review, or of all the
    alliance's when `review` is None."""
    commitments = Commitment.objects.filter(alliance=alliance)
    if review is not None:
        commitments = commitments.filter(Q(review=review) | Q(review=None))
    rows = []
    for c in commitments.select_related("partner", "owner"):
        rows.append(
            {
                "id": c.pk,
                "description": c.description,
                "review_id": c.review_id,
                "partner_id": c.partner_id,
                "partner": c.partner.name if c.partner else "",
                "owner": str(c.owner) if c.owner else "",
                "due_on": c.due_on,
                "status": c.status,
                "status_display": str(c.get_status_display()),
                "reason": c.status_reason,
                "outcome": outcome(c.status, c.due_on, today),
            }
        )
    return rows


def _public(row: dict) -> dict:
    return {
        **{k: v for k, v in row.items() if k != "due_on"},
        "due": date_format(row["due_on"]),
        "overdue": row["outcome"] == UNREPORTED,
    }


def _per_partner(alliance, review, rows) -> list[dict] | None:
    """Only when the review turns it on: a row per partner, in name order (as partners are
    ordered), with the same counts as the whole. A partner who joined during the review
    says so."""
    if not review.partner_follow_through:
        return None
    table = []
    for partner in Partner.objects.filter(alliance=alliance):
        counter = Counter(row["outcome"] for row in rows if row["partner_id"] == partner.pk)
        joined = partner.joined_on > review.started_on
        table.append(
            {
                "partner": partner.name,
                "joined": date_format(partner.joined_on) if joined else "",
                **_tally(counter),
            }
        )
    return table


def accomplishments(alliance) -> dict:
    """What the alliance has achieved, and for each goal it is working toward, what remains."""
    done = list(Accomplishment.objects.filter(alliance=alliance).select_related("goal"))
    items = [
        {
            "id": a.pk,
            "statement": a.statement,
            "date": date_format(a.achieved_on),
            "goal_id": a.goal_id,
            "goal": a.goal.statement if a.goal else "",
            "figure": f"{floatformat(a.figure, -2)} {a.unit}".strip()
            if a.figure is not None
            else "",
        }
        for a in done
    ]
    goals = []
    for goal in Goal.objects.filter(alliance=alliance, status__in=ACTIVE):
        towards = [a for a in done if a.goal_id == goal.pk]
        goals.append({"id": goal.pk, "statement": goal.statement, **_remaining(goal, towards)})
    return {"items": items, "goals": goals}


def _remaining(goal: Goal, towards: list) -> dict:
    """How far the accomplishments go toward the goal's target: their figures count when they
    are in the goal's unit."""
    counted = [
        a.figure
        for a in towards
        if a.figure is not None and a.unit.strip().casefold() == goal.target_unit.strip().casefold()
    ]
    result = {"count": len(towards), "target": _target(goal), "reached": "", "remaining": ""}
    if goal.target_value is not None and counted:
        reached = sum(counted)
        left = max(goal.target_value - reached, 0)
        result["reached"] = f"{floatformat(reached, -2)} {goal.target_unit}".strip()
        result["remaining"] = f"{floatformat(left, -2)} {goal.target_unit}".strip()
    return result


def control(alliance) -> dict:
    """Shared control: the alliance's agreements, and the pledges of resources."""
    return {"tool": "control", "agreements": agreements(alliance), "pledges": pledges(alliance)}


# Shared control: the alliance's agreements, and whether pledged resources came complete
# and on time. Figures of the alliance as a whole: no ranking of partners.


def _iso(day) -> str:
    return day.isoformat() if day else ""


def _shown(day) -> str:
    return date_format(day) if day else ""


def agreements(alliance, today=None) -> dict:
    """Every agreement of the alliance (every member sees all of them), those in use apart
    from the retired ones, with the reviews that are overdue."""
    today = today or timezone.localdate()
    current, retired = [], []
    for agreement in Agreement.objects.filter(alliance=alliance).select_related("owner"):
        is_retired = agreement.status == Agreement.Status.RETIRED
        row = {
            "id": agreement.pk,
            "title": agreement.title,
            "kind": agreement.kind,
            "kind_display": str(agreement.get_kind_display()),
            "owner": agreement.owner.name if agreement.owner else "",
            "link": agreement.link,
            "file_name": agreement.file_name if agreement.file else "",
            "has_file": bool(agreement.file),
            "adopted_on": _iso(agreement.adopted_on),
            "adopted_on_display": _shown(agreement.adopted_on),
            "review_on": _iso(agreement.review_on),
            "review_on_display": _shown(agreement.review_on),
            "status": agreement.status,
            "status_display": str(agreement.get_status_display()),
            "review_overdue": (
                not is_retired and agreement.review_on is not None and agreement.review_on < today
            ),
        }
        (retired if is_retired else current).append(row)
    overdue = sum(row["review_overdue"] for row in current)
    return {
        "current": current,
        "retired": retired,
        "overdue": overdue,
        "summary": agreements_summary(len(current), overdue),
    }


def agreements_summary(count: int, overdue: int) -> str:
    if not count:
        return ""
    if not overdue:
        return ngettext(
            "The alliance has %(n)d agreement in use; none is overdue for review.",
            "The alliance has %(n)d agreements in use; none is overdue for review.",
            count,
        ) % {"n": count}
    return ngettext(
        "%(overdue)d of %(n)d agreement in use is overdue for review.",
        "%(overdue)d of %(n)d agreements in use are overdue for review.",
        count,
    ) % {"overdue": overdue, "n": count}


def _percent(part: int, whole: int) -> int | None:
    """`part` of `whole` in whole percent, halves rounded up; None when nothing counts."""
    return (200 * part + whole) // (2 * whole) if whole else None


def pledges(alliance, today=None) -> dict:
    """The pledges of resources and the component's question for the alliance as a whole:
    are we sharing the resources needed in a complete and timely way?

    A pledge counts once it is due (its due date has come) or its delivery was marked.
    Delivered completely: the counted pledges that came in full. On time: the counted pledges
    that came, in full or in part, on or before their due date. Outstanding: the pledges not
    delivered yet, or delivered only in part; overdue: not delivered yet and past due."""
    today = today or timezone.localdate()
    found = list(Pledge.objects.filter(alliance=alliance).select_related("partner", "resource"))
    since = min((p.pledged_on for p in found), default=None)
    # The latest review's start: a partner that joined after it joined mid-review.
    started = (
        Review.objects.filter(alliance=alliance)
        .order_by("-started_on", "-pk")
        .values_list("started_on", flat=True)
        .first()
    )
    rows = []
    for pledge in found:
        pending = pledge.delivery == Pledge.Delivery.PENDING
        joined = pledge.partner.joined_on
        rows.append(
            {
                "id": pledge.pk,
                "partner": pledge.partner.name,
                "partner_id": pledge.partner_id,
                # Said beside the name of a partner that joined during the review.
                "joined_on": _shown(joined) if started and joined > started else "",
                "resource": pledge.resource.description,
                "resource_kind": str(pledge.resource.get_kind_display()),
                "amount": pledge.amount,
                "pledged_on": _iso(pledge.pledged_on),
                "pledged_on_display": _shown(pledge.pledged_on),
                "due_on": _iso(pledge.due_on),
                "due_on_display": _shown(pledge.due_on),
                "delivery": pledge.delivery,
                "delivery_display": str(pledge.get_delivery_display()),
                "delivered_on": _iso(pledge.delivered_on),
                "delivered_on_display": _shown(pledge.delivered_on),
                "on_time": pledge.on_time,
                "note": pledge.note,
                "counted": pledge.due_on <= today or not pending,
                "outstanding": pending or pledge.delivery == Pledge.Delivery.PARTIAL,
                "overdue": pending and pledge.due_on < today,
            }
        )
    counted = [row for row in rows if row["counted"]]
    complete = sum(row["delivery"] == Pledge.Delivery.COMPLETE for row in counted)
    on_time = sum(row["on_time"] is True for row in counted)
    outstanding = sum(row["outstanding"] for row in rows)
    overdue = sum(row["overdue"] for row in rows)
    figures = {
        "total": len(rows),
        "counted": len(counted),
        "complete": complete,
        "complete_percent": _percent(complete, len(counted)),
        "on_time": on_time,
        "on_time_percent": _percent(on_time, len(counted)),
        "outstanding": outstanding,
        "overdue": overdue,
    }
    return {
        "pledges": rows,
        **figures,
        "since": _shown(since),
        "review_started": _shown(started),
        "summary": pledges_summary(figures),
        "outstanding_summary": outstanding_summary(figures) if rows else "",
    }


def pledges_summary(figures: dict) -> list[str]:
    """The answer to the component's question, in plain sentences."""
    if not figures["total"]:
        return [_("No pledge yet.")]
    if not figures["counted"]:
        return [
            _(
                "Nothing is due yet: no pledge has reached its due date or been marked "
                "delivered, so there is nothing to count."
            )
        ]
    counted = figures["counted"]
    lines = [
        ngettext(
            "Delivered completely: %(n)d of %(counted)d pledge due (%(percent)d%%).",
            "Delivered completely: %(n)d of %(counted)d pledges due (%(percent)d%%).",
            counted,
        )
        % {"n": figures["complete"], "counted": counted, "percent": figures["complete_percent"]},
        ngettext(
            "Delivered on time, in full or in part: %(n)d of %(counted)d pledge due "
            "(%(percent)d%%).",
            "Delivered on time, in full or in part: %(n)d of %(counted)d pledges due "
            "(%(percent)d%%).",
            counted,
        )
        % {"n": figures["on_time"], "counted": counted, "percent": figures["on_time_percent"]},
    ]
    return lines


def outstanding_summary(figures: dict) -> str:
    n, overdue = figures["outstanding"], figures["overdue"]
    if not n:
        return _("No pledge is outstanding.")
    line = ngettext(
        "%(n)d pledge is outstanding: not delivered yet, or only in part.",
        "%(n)d pledges are outstanding: not delivered yet, or only in part.",
        n,
    ) % {"n": n}
    if not overdue:
        return line + " " + _("None is past its due date without delivery.")
    late = ngettext(
        "%(n)d is past its due date and not delivered yet.",
        "%(n)d are past their due date and not delivered yet.",
        overdue,
    ) % {"n": overdue}
    return f"{line} {late}"


def register_for(record) -> dict | None:
    """The register a component's page shows: its snapshot once recorded, live before."""
    return record.snapshot or snapshot(record)


def snapshot(record) -> dict | None:
    """The component's register as it stands now (None for a component without one)."""
    tool = components.tool(record.component.tool)
    return tool.build(record.review.alliance, record.review) if tool else None
