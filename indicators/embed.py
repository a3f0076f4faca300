"""A published indicator: frozen as a plain dict when a publication is proposed (the published
view stays at what was approved), and drawn from that dict alone, with no database: as its
part of the alliance's shared and public pages (`templates/indicators/_published.html`), as a
standalone SVG chart another website can show (`svg`), and as a small card it can frame
(`templates/indicators/embed_card.html`, rendered with `indicator` (the snapshot),
`alliance_name`, `link` and `svg_url`).

The snapshot, JSON-ready (str, float, None, lists and dicts; ISO dates), every text as people
typed it (escaped wherever it is shown, never marked safe):

    {"id", "name", "definition", "source", "unit", "direction" ("up" or "down"),
     "baseline": {"date", "value"} | None, "target": {"date", "value"} | None,
     "status" (in English), "status_key" (trend.ON_TRACK, ...),
     "values": [[date, value], ...] (the whole, oldest first), "breakdown_label",
     "breakdowns": [{"name", "values"}, ...] ([] unless published),
     "stories": [{"review", "helping", "hindering", "actions"}, ...] ([] unless published),
     "as_of" (the day it was frozen, which its status is for)}

Nothing of who reported a value, a value's note or the partner responsible is in it.
"""

import datetime
import hashlib
import json
import re

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accord.templatetags.accord import web_url
from indicators import chart, figures, trend
from indicators.models import Indicator, Story

EMBED_POINTS = 120  # each line of an embedded chart is thinned to about this many points
CARD_ROWS = 12  # the card's table shows the latest values, up to this many
DRAWING = 1  # the version of the drawing: bump it when the SVG or the card changes
HEADER, LEGEND_ROW, FOOTER = 60, 20, 30  # heights around the chart, in the SVG
# Characters XML 1.0 forbids even as references: a name pasted from elsewhere may carry one.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


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


def _date(iso: str) -> datetime.date:
    return datetime.date.fromisoformat(iso)


def _line(values: list) -> list:
    return [(_date(day), value) for day, value in values]


def _shown_mark(mark: dict | None) -> dict | None:
    if mark is None:
        return None
    return {
        **mark,
        "display": trend.number(mark["value"]),
        "date_display": date_format(_date(mark["date"])),
    }


def _rows(values: list) -> list:
    """Values as a table shows them, newest first."""
    return [
        {"date": day, "date_display": date_format(_date(day)), "value": trend.number(value)}
        for day, value in reversed(values)
    ]


def shown(snapshot: dict, *, points: int = figures.CHART_POINTS) -> dict:
    """What the published templates show of `snapshot`, in the active language: its chart
    (the whole and the first breakdowns, each line thinned to about `points` points), its
    latest value, baseline and target, its status in words, its values as table rows (newest
    first) and each breakdown's. No database."""
    whole = _line(snapshot["values"])
    drawn = snapshot["breakdowns"][: len(chart.DASHES) - 1]
    lines = [{"name": _("The whole"), "points": trend.thin(whole, points)}] + [
        {"name": part["name"], "points": trend.thin(_line(part["values"]), points)}
        for part in drawn
    ]
    baseline, target = snapshot["baseline"], snapshot["target"]
    drawing = chart.trend_chart(
        lines,
        baseline=(_date(baseline["date"]), baseline["value"]) if baseline else None,
        target=(_date(target["date"]), target["value"]) if target else None,
        unit=snapshot["unit"],
        title=snapshot["name"],
    )
    latest = whole[-1] if whole else None
    return {
        "chart": drawing,
        "status": status_label(snapshot),
        "direction": str(dict(Indicator.Direction.choices).get(snapshot["direction"], "")),
        "latest": {
            "display": trend.number(latest[1]),
            "date_display": date_format(latest[0]),
        }
        if latest
        else None,
        "baseline": _shown_mark(baseline),
        "target": _shown_mark(target),
        "as_of": date_format(_date(snapshot["as_of"])),
        "count": len(whole),
        "rows": _rows(snapshot["values"]),
        "breakdowns": [
            {"name": part["name"], "count": len(part["values"]), "rows": _rows(part["values"])}
            for part in snapshot["breakdowns"]
        ],
        "undrawn": [part["name"] for part in snapshot["breakdowns"][len(drawn) :]],
    }


def _summary(snapshot: dict, view: dict, alliance_name: str) -> str:
    """The chart in words: what it shows, where it stands, and whose it is."""
    parts = []
    if view["chart"]:
        elsewhere = _("Every value is in the table of values on this page.")
        parts.append(view["chart"]["description"].removesuffix(elsewhere).strip())
    else:
        parts.append(_("No value yet."))
    if view["latest"]:
        parts.append(
            _("Latest value: %(value)s %(unit)s on %(date)s.")
            % {
                "value": view["latest"]["display"],
                "unit": snapshot["unit"],
                "date": view["latest"]["date_display"],
            }
        )
    parts.append(_("Status: %(status)s.") % {"status": view["status"]})
    parts.append(_("Published by %(alliance)s with Accord.") % {"alliance": alliance_name})
    return " ".join(p.replace("  ", " ") for p in parts)


def _legend(drawing: dict | None) -> list:
    """The legend of an SVG with breakdowns: each line's dash and name, two a row."""
    lines = drawing["lines"] if drawing else []
    if len(lines) < 2:
        return []
    return [
        {
            "name": Truncator(line["name"]).chars(36),
            "dash": line["dash"],
            "x": 16 + (n % 2) * 312,
            "y": (n // 2) * LEGEND_ROW + LEGEND_ROW // 2,
        }
        for n, line in enumerate(lines)
    ]


def _size(drawing: dict | None, legend: list) -> tuple[int, int]:
    """The SVG's width and height."""
    chart_height = drawing["height"] if drawing else 40
    rows = (len(legend) + 1) // 2
    return chart.WIDTH, HEADER + chart_height + rows * LEGEND_ROW + FOOTER


def card(snapshot: dict, *, alliance_name: str) -> dict:
    """What the card and the published part of a page show of `snapshot`, in the active
    language: `shown`, the latest values for the card's table, the SVG's size and its
    description (the card's `alt`)."""
    view = shown(snapshot)
    width, height = _size(view["chart"], _legend(view["chart"]))
    return {
        **view,
        "latest_rows": view["rows"][:CARD_ROWS],
        "svg_width": width,
        "svg_height": height,
        "summary": _summary(snapshot, view, alliance_name),
    }


def svg(snapshot: dict, *, alliance_name: str, link: str, language: str) -> str:
    """`snapshot` as a standalone SVG document (image/svg+xml), in `language`: its title and
    a description in words (what it shows, the latest value, the target, the status, the
    alliance), the chart with its baseline and target labelled, a legend when breakdowns are
    drawn, and the alliance's name (a link to `link`, when it is a web address) and Accord's
    at the bottom. Presentation attributes only: no style, script, external font or
    foreignObject, so that it needs nothing but itself. Each line is thinned to about
    `EMBED_POINTS` points: about 5 KB for the whole alone, 14 KB with five breakdowns, however
    many values. No database."""
    with translation.override(language):
        view = shown(snapshot, points=EMBED_POINTS)
        drawing = view["chart"]
        legend = _legend(drawing)
        width, height = _size(drawing, legend)
        text = render_to_string(
            "indicators/embed_chart.svg.html",
            {
                "indicator": snapshot,
                "view": view,
                "chart": drawing,
                "legend": legend,
                "legend_top": height - FOOTER - ((len(legend) + 1) // 2) * LEGEND_ROW,
                "name": Truncator(snapshot["name"]).chars(64),
                "summary": _summary(snapshot, view, alliance_name),
                "alliance_short": Truncator(alliance_name).chars(50),
                "link": web_url(link),
                "width": width,
                "height": height,
                "header": HEADER,
                "footer_y": height - 10,
                "language": language,
            },
        )
    return NOT_XML.sub("", text)


def etag(
    snapshot: dict, *, language: str, alliance_name: str = "", link: str = "", svg_url: str = ""
) -> str:
    """A strong ETag (quoted) for what is made from `snapshot` with these inputs (the SVG; the
    card, with its `svg_url`): a hash of their canonical JSON and of the drawing's version
    (`DRAWING`). The views that serve the SVG and the card compare it with `If-None-Match`
    (`django.utils.cache.get_conditional_response`) before drawing anything, and are
    decorated with `accord.embedding.embeddable`, whose docstring gives their headers."""
    canonical = json.dumps(
        {
            "snapshot": snapshot,
            "language": language,
            "alliance_name": alliance_name,
            "link": link,
            "svg_url": svg_url,
            "drawing": DRAWING,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:40]
    return f'"{digest}"'
