"""Shared indicators of progress: the overview, an indicator's page, defining an indicator,
and entering or correcting its values. Every write is a function of `indicators.services`,
as for imports and the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alliances import access
from history.services import EditConflict
from indicators import figures, services, values
from indicators.forms import CorrectionForm, IndicatorForm, ValueForm
from indicators.models import Value
from meetings import join
from registers.views import common


def _live_meetings(alliance):
    """What the cached page's frame announces that no revision marks: the live meetings."""
    return lambda: "live-" + "-".join(str(m.pk) for m in join.live_meetings(alliance))


def _posted(request):
    return request.POST if request.method == "POST" else None


def _serve(request, name: str, membership, build, *, key: tuple = (), **extra):
    """An indicators page through the one page server, cached (docs/performance.md: with
    10,000 values or 50 indicators, building the register is most of the page's time)."""
    return common.serve(
        request,
        f"indicators/{name}",
        membership,
        build,
        cache_by=key,
        frame_key=_live_meetings(membership.alliance),
        **extra,
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
