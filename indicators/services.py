"""Every write of the indicators app: an indicator with its goals and breakdowns, values
(from the form, an import or the API), a correction, the story behind the curve, and the
API's tokens.

Each function writes in one transaction, keeps the history through `history.services`,
and tells a running meeting that discusses the indicators (`registers.live.tell_meetings`,
which broadcasts only once the transaction commits), so that no caller has to remember it.
Views and the API check access and read the form; these functions do the rest.
"""

from typing import NamedTuple

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from history.services import create_with_history, record_related, save_edit
from indicators import values
from indicators.forms import change_since
from indicators.models import ApiToken, Breakdown, Indicator, Value
from registers import live
from registers.models import Goal
from reviews.framework import key_of

COMPONENT = key_of("indicators")


def _tell_meetings(alliance, author) -> None:
    """Inside the write's transaction: the meeting's new sequence number commits with the
    change it announces, and its broadcast waits for that commit (`meetings.services._change`)."""
    live.tell_meetings(alliance, COMPONENT, author)


# An indicator: its goals and its breakdowns are rows of their own, so save_edit does not
# see them. They are saved beside it, in the same revision. Each is a set, merged three
# ways: what this person added or removed since the version they started from is applied to
# the set as it stands now, so that a change someone else made meanwhile is kept.


def save_indicator(*, form, alliance, author) -> Indicator:
    """Save a valid IndicatorForm, new or edited, with its goals and breakdowns in one
    revision. Raises EditConflict when someone else changed the same field meanwhile."""
    if form.instance.pk is None:
        form.instance.created_by = author
    with transaction.atomic():
        indicator = _save_indicator(form, alliance=alliance, author=author)
        _tell_meetings(alliance, author)
    return indicator


def _save_indicator(form, *, alliance, author) -> Indicator:
    if form.instance.pk is None:
        create_with_history(form.instance, alliance=alliance, author=author)
        indicator, since = form.instance, 0  # its first revision takes the changes below
        base = theirs = _Sets([], [])
    else:
        # Locked: goals and breakdowns are merged here by hand, outside save_edit's
        # version claim; a save between this read and the write below would be lost.
        before = Indicator.objects.select_for_update().get(pk=form.instance.pk)
        since = before.version
        base, theirs = _sets_before(before, form.cleaned_data["base_version"])
        indicator = save_edit(form, alliance=alliance, author=author)
    goals = _merge(base.goals, theirs.goals, [g.pk for g in form.cleaned_data["goals"]])
    yours_parts = form.cleaned_data["breakdowns"]
    parts = _merge(base.parts, theirs.parts, yours_parts, key=str.casefold)
    changes = {}
    if set(goals) != set(theirs.goals):
        indicator.goals.set(goals)
        changes["goals"] = _goals_change(theirs.goals, goals, alliance)
    kept = _replace_breakdowns(indicator, parts)
    if kept != theirs.parts:
        changes["breakdowns"] = {
            "label": str(_("breakdowns")),
            "old": "\n".join(theirs.parts),
            "new": "\n".join(kept),
        }
    # Under the row lock no other save can claim the version first (VersionTaken would be
    # raised if one did: SQLite does not lock rows).
    record_related(indicator, changes, since=since, alliance=alliance, author=author)
    return indicator


class _Sets(NamedTuple):
    goals: list[int]  # ids
    parts: list[str]  # breakdown names, in order


def _sets_before(indicator: Indicator, version: int) -> tuple[_Sets, _Sets]:
    """The goals and breakdowns as the person editing from `version` saw them, and as
    they stand now."""
    theirs = _Sets(
        list(indicator.goals.values_list("pk", flat=True)),
        list(indicator.breakdowns.values_list("name", flat=True)),
    )
    goals_then = change_since(indicator, version, "goals")
    parts_then = change_since(indicator, version, "breakdowns")
    base = _Sets(
        goals_then["old_ids"] if goals_then else theirs.goals,
        parts_then["old"].splitlines() if parts_then else theirs.parts,
    )
    return base, theirs


def _merge(base: list, theirs: list, yours: list, key=lambda x: x) -> list:
    """Yours (in your order), less what someone else removed since `base`, and with what
    they added since."""
    base_keys, theirs_keys = {key(x) for x in base}, {key(x) for x in theirs}
    yours_keys = {key(x) for x in yours}
    dropped = base_keys - theirs_keys
    return [x for x in yours if key(x) not in dropped] + [
        x for x in theirs if key(x) not in base_keys and key(x) not in yours_keys
    ]


def _goals_change(old: list[int], new: list[int], alliance) -> dict:
    statements = dict(Goal.objects.filter(alliance=alliance).values_list("pk", "statement"))
    return {
        "label": str(Indicator._meta.get_field("goals").verbose_name),
        "old": _goal_names(old, statements),
        "new": _goal_names(new, statements),
        "old_ids": sorted(old),
        "new_ids": sorted(new),
    }


def _goal_names(ids, statements) -> str:
    return "; ".join(statements[i] for i in sorted(ids, key=lambda i: statements[i].lower()))


def _replace_breakdowns(indicator: Indicator, names: list[str]) -> list[str]:
    """Make the breakdowns `names`, in that order. One that has values is never deleted
    (the form refuses that; this guards against a value added meanwhile)."""
    existing = {b.name.casefold(): b for b in indicator.breakdowns.all()}
    wanted = {n.casefold() for n in names}
    gone = [b.pk for key, b in existing.items() if key not in wanted]
    if gone:
        Breakdown.objects.filter(pk__in=gone, values__isnull=True).delete()
    remaining = {b.name.casefold(): b for b in indicator.breakdowns.all()}
    order = names + [b.name for key, b in remaining.items() if key not in wanted]
    changed, new = [], []
    for position, name in enumerate(order):
        found = remaining.get(name.casefold())
        if found is None:
            new.append(Breakdown(indicator=indicator, name=name, position=position))
        elif found.position != position:
            found.position = position
            changed.append(found)
    Breakdown.objects.bulk_update(changed, ["position"])
    Breakdown.objects.bulk_create(new)
    return order


# Values


def add_values(*, indicator: Indicator, rows: list[values.Row], origin: str, author) -> list[Value]:
    """Add checked rows (`values.Checker`), all or nothing, each with its revision, from the
    form, an import or the API (`origin`; `author` is None for the API). Raises
    IntegrityError when someone took one of those dates since the rows were checked."""
    with transaction.atomic():
        added = values.add(indicator, rows, origin=origin, author=author)
        _tell_meetings(indicator.alliance, author)
    return added


def correct_value(*, form, alliance, author) -> Value:
    """Save a valid CorrectionForm. Raises EditConflict when someone else changed the same
    field meanwhile, IntegrityError when someone took the new date a moment ago."""
    with transaction.atomic():
        value = save_edit(form, alliance=alliance, author=author)
        _tell_meetings(alliance, author)
    return value


# The story behind the curve


def save_story(*, form, alliance, author):
    """Save a valid StoryForm: the first story of an indicator in a review, or an edit of
    it. Raises EditConflict when someone else changed the same field meanwhile, and
    IntegrityError when two people wrote the first story at once (the other was first)."""
    with transaction.atomic():
        if form.instance.pk is None:
            create_with_history(form.instance, alliance=alliance, author=author)
            story = form.instance
        else:
            story = save_edit(form, alliance=alliance, author=author)
        _tell_meetings(alliance, author)
    return story


# API tokens: no history (a token is no shared record) and nothing a meeting shows.


def issue_api_token(*, form, alliance, author) -> tuple[ApiToken, str]:
    """Save a valid ApiTokenForm as a new token of the alliance; the token and its secret,
    which is not stored and can be shown only this once."""
    token = form.save(commit=False)
    token.alliance = alliance
    token.created_by = author
    secret = token.issue()
    token.save()
    return token, secret


def revoke_api_token(*, token: ApiToken) -> bool:
    """Refuse calls with this token from now on; False when it was already revoked. One
    conditional UPDATE, so that two revocations at once leave the first one's time."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    return bool(revoked)


# When a token was last used is written at most once a minute, not on every call.
LAST_USED_PRECISION = 60


def note_token_use(*, token: ApiToken) -> None:
    """Remember when the token was last used, for the coordinators' list."""
    now = timezone.now()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
