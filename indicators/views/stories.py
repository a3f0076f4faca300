"""The story behind the curve: for one indicator, in one review, what is helping, what is
making it hard to move forward, and what the alliance will do to improve the results."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alliances import access
from history.models import Revision
from history.services import EditConflict, FieldConflict
from indicators import services
from indicators.forms import StoryForm
from indicators.models import Story
from registers import figures, live
from reviews.framework import key_of

COMPONENT = key_of("indicators")


@login_required
@require_http_methods(["GET", "POST"])
def story(request, slug, review_id, indicator_id):
    membership = access.get_membership(request.user, slug, "write")
    review = access.get_review(membership, review_id)
    indicator = access.get_indicator(membership, indicator_id)
    found = Story.objects.filter(indicator=indicator, review=review).first()
    instance = found or Story(indicator=indicator, review=review)
    form = StoryForm(request.POST if request.method == "POST" else None, instance=instance)
    conflict = None
    if form.is_valid():
        try:
            services.save_story(form=form, alliance=membership.alliance, author=request.user)
        except EditConflict as error:
            conflict = error
        except IntegrityError:
            # Two people wrote the first story at once: the other one was saved first.
            conflict = _first_story_conflict(form, indicator, review)
        else:
            messages.success(request, _("The story behind the curve is saved."))
            return redirect(_back(request, slug, review))
    return render(
        request,
        "indicators/story_form.html",
        {
            "membership": membership,
            "alliance": membership.alliance,
            "review": review,
            "indicator": indicator,
            "story": found,
            "form": form,
            "conflict": conflict,
        },
    )


def _first_story_conflict(form, indicator, review) -> EditConflict:
    current = Story.objects.get(indicator=indicator, review=review)
    fields = [
        FieldConflict(str(form.fields[name].label), getattr(current, name), value)
        for name, value in form.cleaned_data.items()
        if name in form.Meta.fields and getattr(current, name) != value
    ]
    form.instance = current
    form.data = form.data.copy()
    form.data[form.add_prefix("base_version")] = current.version
    return EditConflict(current, fields, Revision.objects.for_object(current).first())


def _back(request, slug, review) -> str:
    """Where the person came from (the indicator's page), else the component's page."""
    back = request.GET.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return reverse("reviews:component", args=[slug, review.pk, COMPONENT])


@login_required
@require_GET
def register(request, slug, review_id):
    """The indicators register of a review, as the component's page shows it: polled by
    that page (204 while unchanged); anyone else is sent to the page."""
    membership = access.get_membership(request.user, slug)
    review = access.get_review(membership, review_id)
    if not request.htmx:
        return redirect("reviews:component", slug, review.pk, COMPONENT)
    record = review.records.get(component_key=COMPONENT)
    record.review = review
    register = figures.register_for(record)
    context = {
        "membership": membership,
        "alliance": membership.alliance,
        "review": review,
        "record": record,
        "register": register,
        "stamp": live.stamp(register),
        "editable": membership.can_write,
        "readonly": record.register_readonly,
    }
    return live.unchanged(request, register) or render(
        request, "registers/_indicators.html", context
    )
