"""Each item's content, frozen as a JSON-ready dict when a publication is proposed: what the
partners approve is exactly what the shared and public pages show.

Nothing private is read here but through the alliance's own outputs: an indicator through
`indicators.embed.snapshot`, a review's report through `records.report.build` (which
applies every anonymity rule: a rating is shown only from a closed round that K people
answered). Of the report, only chosen sections are kept, and of those only what names no
person: the partners agreed to be named to each other, not to the public. So no person's
name is kept (no commitment's owner, nobody who came to a meeting, no notes of the
conversation), no written answer (the report carries none), and no rating that was not
shown (an open round, or fewer than K answers). Dates are ISO strings, so that a page shows
them in its reader's language.
"""

from django.conf import settings
from django.utils import timezone, translation

from indicators import embed
from meetings.models import Meeting
from records import report
from registers.models import Accomplishment
from reviews.models import Commitment, ComponentRecord

RECORDED = ComponentRecord.State.RECORDED

# The parts of a review's report a coordinator may publish, in the order pages show them.
REPORT_SECTIONS = ("ratings", "records", "commitments", "meetings")


def purpose(alliance) -> dict:
    return {"name": alliance.name, "community": alliance.community, "purpose": alliance.purpose}


def indicator(indicator, *, breakdowns: bool, stories: bool, today=None) -> dict:
    return embed.snapshot(indicator, breakdowns=breakdowns, stories=stories, today=today)


def accomplishments(alliance) -> dict:
    rows = Accomplishment.objects.filter(alliance=alliance).order_by("-achieved_on", "pk")
    return {
        "rows": [
            {
                "statement": a.statement,
                "date": a.achieved_on.isoformat(),
                "figure": float(a.figure) if a.figure is not None else None,
                "unit": a.unit,
            }
            for a in rows
        ]
    }


def review_report(review, *, sections, today=None) -> dict:
    """The chosen `sections` of `review`'s report, with nothing that names a person."""
    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        built = report.build(review, today=today)
    chosen = [s for s in REPORT_SECTIONS if s in sections]
    kept = {
        "review": {"id": review.pk, "name": review.name},
        "started_on": review.started_on.isoformat(),
        "as_of": today.isoformat(),
        "finished": built["finished"],
        "recorded": built["recorded"],
        "total": built["total"],
        "sections": chosen,
    }
    if "ratings" in chosen:
        kept["ratings"] = [_rating(c) for c in built["components"]]
    if "records" in chosen:
        kept["records"] = [
            {
                "key": c["key"],
                "number": c["number"],
                "agreements": c["agreements"],
                "concerns": c["concerns"],
                "ideas": c["ideas"],
            }
            for c in built["components"]
            if c["state"] == RECORDED
        ]
    if "commitments" in chosen:
        kept["commitments"] = _commitments(built["commitments"]["rows"])
    if "meetings" in chosen:
        kept["meetings"] = _meetings(built["meetings"])
    return kept


def _rating(component: dict) -> dict:
    rating = component["ratings"]
    shown = bool(rating and rating["shown"] and rating["closed"])
    return {
        "key": component["key"],
        "number": component["number"],
        "state": component["state"],
        # Only a shown result: a closed round that K people answered (records.report asks
        # ratings.results). Of a round not shown, not even its count is published.
        "count": rating["count"] if shown else None,
        "median": rating["median"] if shown else None,
        "change": rating["change"] if shown else None,
        "bars": [{"value": b["value"], "count": b["count"]} for b in rating["bars"]]
        if shown
        else [],
    }


def _commitments(rows: list[dict]) -> list[dict]:
    due = dict(
        Commitment.objects.filter(pk__in=[r["id"] for r in rows]).values_list("pk", "due_on")
    )
    return [
        {
            "description": r["description"],
            "component_number": r["component_number"],
            # The partner, never the person responsible.
            "partner": r["partner"],
            "due": due[r["id"]].isoformat() if r["id"] in due else "",
            "status": r["status"],
        }
        for r in rows
    ]


def _meetings(rows: list[dict]) -> list[dict]:
    starts = dict(
        Meeting.objects.filter(pk__in=[m["id"] for m in rows]).values_list("pk", "starts_at")
    )
    return [
        {
            "day": timezone.localdate(starts[m["id"]]).isoformat() if m["id"] in starts else "",
            # How many came, never who.
            "attendance": m["attendance"],
        }
        for m in rows
        if m["status"] != Meeting.Status.PLANNED
    ]
