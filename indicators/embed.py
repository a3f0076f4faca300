"""A published indicator: frozen as a plain dict when a publication is proposed, and drawn from
that dict alone for the alliance's shared and public pages, as an SVG chart another website
can show, and as a small HTML card it can frame.

The snapshot (`snapshot`) is the contract with the publishing app (/tmp/indicator_snapshot.md
while it is built, then docs): JSON-ready (str, float, None, lists, dicts), ISO dates, every
text as people typed it (escaped wherever it is shown, never marked safe), and nothing of who
reported a value, a value's note or the partner responsible. The published view stays at what
was approved: what is drawn comes from the snapshot, never from the rows.
"""

from django.utils import timezone, translation

from indicators import figures, trend
from indicators.models import Indicator, Story


def _mark(value, date) -> dict | None:
    if value is None or date is None:
        return None
    return {"date": date.isoformat(), "value": float(value)}


def _points(points) -> list:
    return [[date.isoformat(), value] for date, value in points]


def snapshot(indicator: Indicator, *, breakdowns: bool, stories: bool, today=None) -> dict:
    """One indicator as it is published: what it is, its baseline and target, its status on
    `today` (in English, and its key for a page to translate), its whole series, and, only
    when asked, each breakdown's series and the stories behind its curve (per review, oldest
    first). One query, one more for the breakdowns and one for the stories, however many
    values there are."""
    today = today or timezone.localdate()
    parts = list(indicator.breakdowns.all()) if breakdowns else []
    lines = figures.series(indicator, parts)
    whole = lines[None]
    with translation.override("en"):
        status = figures.status_of(indicator, whole, today)
    told = []
    if stories:
        told = [
            {
                "review": story.review.name,
                "helping": story.helping,
                "hindering": story.hindering,
                "actions": story.actions,
            }
            for story in Story.objects.filter(indicator=indicator)
            .select_related("review")
            .order_by("review__started_on", "review_id")
            if story.helping or story.hindering or story.actions
        ]
    return {
        "id": indicator.pk,
        "name": indicator.name,
        "definition": indicator.definition,
        "source": indicator.source,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "baseline": _mark(indicator.baseline_value, indicator.baseline_date),
        "target": _mark(indicator.target_value, indicator.target_date),
        "status": status["label"],
        "status_key": status["key"],
        "values": _points(whole),
        "breakdown_label": indicator.breakdown_label,
        "breakdowns": [{"name": b.name, "values": _points(lines[b.pk])} for b in parts],
        "stories": told,
        "as_of": today.isoformat(),
    }


def status_label(snapshot: dict) -> str:
    """The snapshot's status in words, in the active language."""
    return str(trend.LABELS.get(snapshot["status_key"], snapshot["status"]))
