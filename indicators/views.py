"""Shared indicators of progress: the overview, an indicator's page, defining an indicator,
and entering or correcting its values (through `indicators.values`, as imports and the API
do)."""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alliances import access
from history.models import Revision
from history.services import (
    EditConflict,
    create_with_history,
    last_change,
    log_change,
    save_edit,
)
from indicators import figures, values
from indicators.forms import CorrectionForm, IndicatorForm, ValueForm, change_since
from indicators.models import Breakdown, Indicator, Value
from meetings import join
from registers import live
from registers.models import Goal
from registers.views import common
from reviews.framework import key_of

COMPONENT = key_of("indicators")
# A cached page is found by what it depends on; the time only bounds what the cache keeps.
CACHE_SECONDS = 24 * 3600


def _posted(request):
    return request.POST if request.method == "POST" else None


def _serve(request, name: str, membership, build, *, key: tuple = (), **extra):
    """The page `indicators/<name>.html`; to a poll, its region `indicators/_<name>.html`
    (or 204 when it has not changed).

    The register and its rendered region are kept in the cache until anything of the
    alliance changes (its latest revision: every value, indicator, story or goal saved
    writes one), the day turns (statuses depend on today) or for another language or
    role; the whole page is kept too, per session, since its frame carries the person's
    name, alliances and CSRF token. With 10,000 values or 50 indicators, building them is
    most of the page's time (docs/performance.md). The access check runs every time."""
    alliance = membership.alliance
    shared = (
        alliance.pk,
        *key,
        last_change(alliance.pk),
        get_language(),
        timezone.localdate().isoformat(),
        membership.can_write,
    )
    page_key = _page_key(request, name, shared, alliance)
    if page_key:
        page = cache.get(page_key)
        if page is not None:
            return HttpResponse(page)
    region_key = ":".join(str(part) for part in ("indicators", name, *shared))
    cached = cache.get(region_key)
    if cached is None:
        register = build()
        context = common.page_context(membership, register, **extra)
        region = render_to_string(f"indicators/_{name}.html", context)
        cached = (register, context["stamp"], region)
        cache.set(region_key, cached, CACHE_SECONDS)
    register, stamp, region = cached
    if request.htmx:
        if request.GET.get("stamp") == stamp:
            return HttpResponse(status=204)
        return HttpResponse(region)
    context = {
        "membership": membership,
        "alliance": alliance,
        "register": register,
        "stamp": stamp,
        "editable": membership.can_write,
        "region": mark_safe(region),  # noqa: S308 (rendered by our own template above)
        **extra,
    }
    response = render(request, f"indicators/{name}.html", context)
    if page_key:
        cache.set(page_key, response.content, CACHE_SECONDS)
    return response


def _page_key(request, name: str, shared: tuple, alliance) -> str | None:
    """Where this person's whole page is cached, or None when it must be rendered: a poll,
    a message waiting to be shown, or no CSRF cookie yet (the page would carry a token
    for a secret the browser does not hold). The frame announces the live meetings, which
    no revision marks, so they are part of the key (asked once: the frame reuses them)."""
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    session_key = request.session.session_key
    if request.htmx or not csrf_cookie or not session_key or len(messages.get_messages(request)):
        return None
    # Hashed: the session key is a bearer secret and must not appear in the cache's keys.
    person = hashlib.sha256(f"{session_key}:{csrf_cookie}".encode()).hexdigest()
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    live = "-".join(str(meeting.pk) for meeting in join.live_meetings(alliance))
    return ":".join(
        str(part) for part in ("indicators-page", name, person, path, *shared, "live", live)
    )


@login_required
@require_GET
def overview(request, slug):
    membership = access.get_membership(request.user, slug)
    return _serve(request, "overview", membership, lambda: figures.overview(membership.alliance))


@login_required
@require_GET
def detail(request, slug, indicator_id):
    membership = access.get_membership(request.user, slug)
    indicator = access.get_indicator(membership, indicator_id)
    page = request.GET.get("page") or "1"
    live_url = reverse("indicators:indicator", args=[slug, indicator.pk])
    if page != "1":
        live_url += f"?page={page}"
    return _serve(
        request,
        "indicator",
        membership,
        lambda: figures.indicator(indicator, page),
        key=(indicator.pk, page[:12]),
        indicator=indicator,
        live_url=live_url,
    )


def _form_page(request, membership, form, **extra):
    return render(
        request,
        "indicators/indicator_form.html",
        {"membership": membership, "alliance": membership.alliance, "form": form, **extra},
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request, slug):
    membership = access.get_membership(request.user, slug, "write")
    form = IndicatorForm(_posted(request), alliance=membership.alliance)
    if form.is_valid():
        form.instance.created_by = request.user
        indicator = _save(form, alliance=membership.alliance, author=request.user)
        live.tell_meetings(membership.alliance, COMPONENT, request.user)
        messages.success(request, _("The indicator is added."))
        return redirect("indicators:indicator", slug, indicator.pk)
    return _form_page(request, membership, form)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, slug, indicator_id):
    membership = access.get_membership(request.user, slug, "write")
    indicator = access.get_indicator(membership, indicator_id)
    form = IndicatorForm(_posted(request), instance=indicator, alliance=membership.alliance)
    conflict = None
    if form.is_valid():
        try:
            _save(form, alliance=membership.alliance, author=request.user)
        except EditConflict as error:
            conflict = error
        else:
            live.tell_meetings(membership.alliance, COMPONENT, request.user)
            messages.success(request, _("The indicator is saved."))
            return redirect("indicators:indicator", slug, indicator.pk)
    return _form_page(request, membership, form, indicator=indicator, conflict=conflict)


# Saving an indicator: its goals and its breakdowns are rows of their own, so save_edit does
# not see them. They are saved beside it, in the same revision. Each is a set, merged three
# ways: what this person added or removed since the version they started from is applied to
# the set as it stands now, so that a change someone else made meanwhile is kept.


def _merge(base: list, theirs: list, yours: list, key=lambda x: x) -> list:
    """Yours (in your order), less what someone else removed since `base`, and with what
    they added since."""
    base_keys, theirs_keys = {key(x) for x in base}, {key(x) for x in theirs}
    yours_keys = {key(x) for x in yours}
    dropped = base_keys - theirs_keys
    return [x for x in yours if key(x) not in dropped] + [
        x for x in theirs if key(x) not in base_keys and key(x) not in yours_keys
    ]


def _goal_names(ids, statements) -> str:
    return "; ".join(statements[i] for i in sorted(ids, key=lambda i: statements[i].lower()))


def _save(form, *, alliance, author) -> Indicator:
    yours_goals = [g.pk for g in form.cleaned_data["goals"]]
    yours_parts = form.cleaned_data["breakdowns"]
    pk = form.instance.pk
    with transaction.atomic():
        if pk is None:
            create_with_history(form.instance, alliance=alliance, author=author)
            indicator, before = form.instance, None
            theirs_goals, theirs_parts = [], []
            base_goals, base_parts = [], []
        else:
            # Locked: goals and breakdowns are merged here by hand, outside save_edit's
            # version claim; a save between this read and the write below would be lost.
            before = Indicator.objects.select_for_update().get(pk=pk)
            theirs_goals = list(before.goals.values_list("pk", flat=True))
            theirs_parts = list(before.breakdowns.values_list("name", flat=True))
            version = form.cleaned_data["base_version"]
            goals_then = change_since(before, version, "goals")
            parts_then = change_since(before, version, "breakdowns")
            base_goals = goals_then["old_ids"] if goals_then else theirs_goals
            base_parts = parts_then["old"].splitlines() if parts_then else theirs_parts
            indicator = save_edit(form, alliance=alliance, author=author)
        goals = _merge(base_goals, theirs_goals, yours_goals)
        parts = _merge(base_parts, theirs_parts, yours_parts, key=str.casefold)
        changes = {}
        if set(goals) != set(theirs_goals):
            indicator.goals.set(goals)
            statements = dict(Goal.objects.filter(alliance=alliance).values_list("pk", "statement"))
            changes["goals"] = {
                "label": str(Indicator._meta.get_field("goals").verbose_name),
                "old": _goal_names(theirs_goals, statements),
                "new": _goal_names(goals, statements),
                "old_ids": sorted(theirs_goals),
                "new_ids": sorted(goals),
            }
        kept = _replace_breakdowns(indicator, parts)
        if kept != theirs_parts:
            changes["breakdowns"] = {
                "label": str(_("breakdowns")),
                "old": "\n".join(theirs_parts),
                "new": "\n".join(kept),
            }
        if changes:
            _record(indicator, before, changes, alliance=alliance, author=author)
    return indicator


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


def _record(indicator, before, changes, *, alliance, author) -> None:
    """Add the changes of goals and breakdowns to this save's revision, or make one."""
    if before is None or indicator.version > before.version:
        revision = Revision.objects.for_object(indicator).filter(version=indicator.version).first()
        revision.changes.update(changes)
        revision.save(update_fields=["changes"])
        return
    claimed = Indicator.objects.filter(pk=indicator.pk, version=before.version).update(
        version=before.version + 1
    )
    if not claimed:  # cannot happen under the row lock, but SQLite does not lock rows
        raise IntegrityError("The indicator changed while it was being saved.")
    indicator.version = before.version + 1
    log_change(
        indicator, action=Revision.Action.CHANGED, alliance=alliance, author=author, changes=changes
    )


# Values


def _value_page(request, membership, indicator, form, **extra):
    return render(
        request,
        "indicators/value_form.html",
        {
            "membership": membership,
            "alliance": membership.alliance,
            "indicator": indicator,
            "form": form,
            **extra,
        },
    )


def _warn(request, checked: values.Checked) -> None:
    for warning in checked.warnings:
        messages.warning(request, warning)


@login_required
@require_http_methods(["GET", "POST"])
def value_add(request, slug, indicator_id):
    membership = access.get_membership(request.user, slug, "write")
    indicator = access.get_indicator(membership, indicator_id)
    form = ValueForm(_posted(request), indicator=indicator)
    if form.is_valid():
        try:
            values.add(indicator, [form.checked.row], origin=Value.Origin.FORM, author=request.user)
        except IntegrityError:  # someone added a value on that date a moment ago
            form = ValueForm(_posted(request), indicator=indicator)
            form.is_valid()
        else:
            live.tell_meetings(membership.alliance, COMPONENT, request.user)
            messages.success(request, _("The value is added."))
            _warn(request, form.checked)
            return redirect("indicators:indicator", slug, indicator.pk)
    return _value_page(request, membership, indicator, form)


@login_required
@require_http_methods(["GET", "POST"])
def value_edit(request, slug, indicator_id, value_id):
    membership = access.get_membership(request.user, slug, "write")
    indicator = access.get_indicator(membership, indicator_id)
    value = access.get_value(membership, indicator, value_id)
    value.indicator = indicator
    form = CorrectionForm(_posted(request), instance=value)
    conflict = None
    if form.is_valid():
        try:
            with transaction.atomic():
                save_edit(form, alliance=membership.alliance, author=request.user)
        except EditConflict as error:
            conflict = error
        except IntegrityError:  # someone took that date a moment ago
            value = access.get_value(membership, indicator, value_id)
            value.indicator = indicator
            form = CorrectionForm(_posted(request), instance=value)
            form.is_valid()
        else:
            live.tell_meetings(membership.alliance, COMPONENT, request.user)
            messages.success(request, _("The value is corrected."))
            _warn(request, form.checked)
            return redirect("indicators:indicator", slug, indicator.pk)
    return _value_page(request, membership, indicator, form, value=value, conflict=conflict)
