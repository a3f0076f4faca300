"""The registers as people read them: plain, JSON-ready dicts with their figures.

The same dict feeds the live page, the meeting's discuss phase, the CSV export and the
snapshot a review keeps when a component is recorded (so a recorded review shows exactly
what it found, however the register changes later). Each function runs a fixed number of
queries, whatever the size of the register.
"""

import math
from collections import Counter

from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alliances.models import Partner
from registers.models import Alignment, Contribution, Dependency, Goal, ImpactAnswer, Resource

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
        }
        for d in Dependency.objects.filter(alliance=alliance).select_related(
            "dependent", "provider", "goal", "resource"
        )
    ]
    essential: dict[int, list[str]] = {}
    for goal_id, name in Alignment.objects.filter(
        goal__alliance=alliance, essential=True
    ).values_list("goal_id", "partner__name"):
        essential.setdefault(goal_id, []).append(name)
    goal_rows = [
        {"id": g.pk, "statement": g.statement, "essential": sorted(essential.get(g.pk, []))}
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
                }
            )
    return {"size": size, "nodes": list(nodes.values()), "edges": edges}


REGISTERS = {"goals": goals, "resources": resources, "dependencies": dependencies}


def register_for(record) -> dict | None:
    """The register a component's page shows: its snapshot once recorded, live before."""
    return record.snapshot or snapshot(record)


def snapshot(record) -> dict | None:
    """The component's register as it stands now (None for a component without one)."""
    tool = record.component.tool
    if tool not in REGISTERS:
        return None
    alliance = record.review.alliance
    if tool == "dependencies":
        return dependencies(alliance, record.review)
    return REGISTERS[tool](alliance)
