"""The alliance's story on one page: reviews, meetings held, goals added, achieved or
dropped, and accomplishments, newest first, grouped by month.

Goals keep no date for a change of status: it is read from their history (`Revision`),
which both this page and the comparison of two reviews (`records.compare`) use. Every list
is read in one query, so the page costs the same for an alliance of one year or of ten.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, pgettext

from history.models import Revision
from meetings.models import Meeting
from registers.models import Accomplishment, Goal
from reviews.framework import framework
from reviews.models import ComponentRecord, Review

ACHIEVED, RETIRED = Goal.Status.ACHIEVED.value, Goal.Status.RETIRED.value

# The kind of each event, in words (the page never tells them apart by colour alone).
KINDS = {
    "review": gettext_lazy("Review"),
    "meeting": gettext_lazy("Meeting"),
    "goal": gettext_lazy("Goal"),
    "accomplishment": gettext_lazy("Accomplishment"),
}


# Goals: when each status began


@dataclass(frozen=True)
class GoalHistory:
    """A goal and its statuses over time: (day, status key), oldest first."""

    goal: Goal
    statuses: tuple[tuple[datetime.date, str], ...]

    @property
    def added_on(self) -> datetime.date:
        return timezone.localdate(self.goal.created_at)

    def status_on(self, day: datetime.date) -> str | None:
        """The goal's status at the end of `day`; None before it was added."""
        if self.added_on > day:
            return None
        if not self.statuses:
            return self.goal.status  # a goal saved without history: all we know
        status = self.statuses[0][1]
        for when, key in self.statuses:
            if when > day:
                break
            status = key
        return status

    def changed_on(self, status: str, day: datetime.date) -> datetime.date:
        """The day the goal last took `status`, on or before `day`."""
        found = self.added_on
        for when, key in self.statuses:
            if when > day:
                break
            if key == status:
                found = when
        return found


def _status_keys() -> dict[str, str]:
    """A revision keeps a status as people read it, in the language of whoever saved it:
    each label, in every language of the site, leads back to its key."""
    keys = {key: key for key in Goal.Status.values}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            keys.update({str(label): key for key, label in Goal.Status.choices})
    return keys


def goal_histories(alliance) -> list[GoalHistory]:
    """Every goal of the alliance with its statuses over time, in two queries."""
    keys = _status_keys()
    statuses: dict[int, list] = defaultdict(list)
    changes = (
        Revision.objects.filter(
            alliance=alliance,
            content_type__app_label="registers",
            content_type__model="goal",
            changes__has_key="status",
        )
        .order_by("created_at", "id")
        .values_list("object_id", "created_at", "changes")
    )
    for goal_id, when, change in changes:
        key = keys.get(change["status"]["new"])
        if key:
            statuses[goal_id].append((timezone.localdate(when), key))
    return [
        GoalHistory(goal, tuple(statuses[goal.pk]))
        for goal in Goal.objects.filter(alliance=alliance)
    ]


def _goal_events(history: GoalHistory, url: str) -> list[dict]:
    goal = history.goal
    events = [_event(history.added_on, "goal", pgettext("a goal", "Added"), goal.statement, url)]
    previous = None
    for when, key in history.statuses:
        if key != previous and key in (ACHIEVED, RETIRED):
            what = (
                pgettext("a goal", "Achieved") if key == ACHIEVED else pgettext("a goal", "Dropped")
            )
            events.append(_event(when, "goal", what, goal.statement, url))
        previous = key
    return events


# The page


def _event(day, kind: str, what: str, title: str, url: str, detail: str = "") -> dict:
    return {
        "day": day,
        "kind": kind,
        "kind_display": str(KINDS[kind]),
        "what": what,
        "title": title,
        "url": url,
        "detail": detail,
    }


def _review_events(alliance) -> list[dict]:
    recorded = Q(records__state=ComponentRecord.State.RECORDED)
    reviews = Review.objects.filter(alliance=alliance).annotate(
        recorded=Count("records", filter=recorded),
        components=Count("records"),
        last_recorded=Max("records__recorded_at", filter=recorded),
    )
    events = []
    for review in reviews:
        url = reverse("reviews:detail", args=[alliance.slug, review.pk])
        events.append(
            _event(review.started_on, "review", pgettext("a review", "Started"), review.name, url)
        )
        if review.components and review.recorded == review.components and review.last_recorded:
            day = timezone.localdate(review.last_recorded)
            what = pgettext("a review", "Finished, every component recorded")
            events.append(_event(day, "review", what, review.name, url))
    return events


def _meeting_events(alliance) -> list[dict]:
    """Meetings that were held: started, whether they have ended or are still live."""
    held = (
        Meeting.objects.filter(review__alliance=alliance, started_at__isnull=False)
        .select_related("review")
        .only("started_at", "status", "agenda", "review__name")
    )
    components = framework()
    events = []
    for meeting in held:
        live = meeting.status == Meeting.Status.LIVE
        name = "meetings:detail" if live else "meetings:summary"
        agenda = ", ".join(c.name for c in map(components.get, meeting.agenda) if c)
        what = pgettext("a meeting", "Live now") if live else pgettext("a meeting", "Held")
        events.append(
            _event(
                timezone.localdate(meeting.started_at),
                "meeting",
                what,
                meeting.review.name,
                reverse(name, args=[alliance.slug, meeting.pk]),
                agenda,
            )
        )
    return events


def _accomplishment_events(alliance) -> list[dict]:
    url = reverse("registers:trust", args=[alliance.slug])
    return [
        _event(a.achieved_on, "accomplishment", "", a.statement, url)
        for a in Accomplishment.objects.filter(alliance=alliance)
    ]


def events(alliance) -> list[dict]:
    """Everything on the timeline, newest first. Within one day, the kinds come in the
    reverse order of KINDS: a review starts, then a meeting is held in it, where goals
    change; so read from the top, the latest comes first there too."""
    found = _review_events(alliance) + _meeting_events(alliance)
    goals_url = reverse("registers:goals", args=[alliance.slug])
    for history in goal_histories(alliance):
        found += _goal_events(history, goals_url)
    found += _accomplishment_events(alliance)
    order = list(KINDS)
    found.sort(key=lambda e: (e["day"], order.index(e["kind"])), reverse=True)
    return found


def by_month(found: list[dict]) -> list[dict]:
    """Events (newest first) grouped under the first day of their month."""
    months: list[dict] = []
    for event in found:
        month = event["day"].replace(day=1)
        if not months or months[-1]["month"] != month:
            months.append({"month": month, "events": []})
        months[-1]["events"].append(event)
    return months
