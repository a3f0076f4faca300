"""Shared indicators of progress: the overview, an indicator's page, defining an indicator,
and entering or correcting its values. Every write is a function of `indicators.services`,
as for imports and the API."""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import IntegrityError
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
from history.services import EditConflict, last_change
from indicators import figures, services, values
from indicators.forms import CorrectionForm, IndicatorForm, ValueForm
from indicators.models import Value
from meetings import join
from registers.views import common

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
        indicator = services.save_indicator(
            form=form, alliance=membership.alliance, author=request.user
        )
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
            services.save_indicator(form=form, alliance=membership.alliance, author=request.user)
        except EditConflict as error:
            conflict = error
        else:
            messages.success(request, _("The indicator is saved."))
            return redirect("indicators:indicator", slug, indicator.pk)
    return _form_page(request, membership, form, indicator=indicator, conflict=conflict)


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
            services.add_values(
                indicator=indicator,
                rows=[form.checked.row],
                origin=Value.Origin.FORM,
                author=request.user,
            )
        except IntegrityError:  # someone added a value on that date a moment ago
            form = ValueForm(_posted(request), indicator=indicator)
            form.is_valid()
        else:
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
            services.correct_value(form=form, alliance=membership.alliance, author=request.user)
        except EditConflict as error:
            conflict = error
        except IntegrityError:  # someone took that date a moment ago
            value = access.get_value(membership, indicator, value_id)
            value.indicator = indicator
            form = CorrectionForm(_posted(request), instance=value)
            form.is_valid()
        else:
            messages.success(request, _("The value is corrected."))
            _warn(request, form.checked)
            return redirect("indicators:indicator", slug, indicator.pk)
    return _value_page(request, membership, indicator, form, value=value, conflict=conflict)
