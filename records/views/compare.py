"""Two pages about the alliance over time: two reviews compared, and its timeline."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from alliances import access
from records import compare as comparison
from records import timeline as story
from records.forms import CompareForm
from reviews.models import Review


def _form(request, membership, reviews) -> CompareForm:
    """The form as asked. With no choice at all: the latest review and the one before it.
    With one review only (a review's page links here with `after`): the review next to it,
    the one before an `after`, the one after a `before`."""
    data = {name: request.GET.get(name, "").strip() for name in ("before", "after")}
    if not data["before"] and not data["after"]:
        data = {"before": reviews[1].pk, "after": reviews[0].pk}
    elif not data["before"]:
        data["before"] = _next_to(reviews, data["after"], older=True)
    elif not data["after"]:
        data["after"] = _next_to(reviews, data["before"], older=False)
    return CompareForm(data, membership=membership, reviews=reviews)


def _next_to(reviews, chosen: str, *, older: bool):
    """The id of the review just older (or newer) than the one `chosen`, among the alliance's
    reviews, newest first; "" when there is none, for the form to ask."""
    ids = [str(r.pk) for r in reviews]
    if chosen not in ids:
        return ""
    position = ids.index(chosen) + (1 if older else -1)
    return reviews[position].pk if 0 <= position < len(reviews) else ""


@login_required
@require_GET
def compare(request, slug):
    membership = access.get_membership(request.user, slug)
    alliance = membership.alliance
    reviews = list(Review.objects.filter(alliance=alliance).order_by("-started_on", "-id"))
    context = {"membership": membership, "alliance": alliance, "reviews": reviews}
    if len(reviews) < 2:
        return render(request, "reviews/compare.html", context)
    form = _form(request, membership, reviews)
    context["form"] = form
    if not form.is_valid():
        return render(request, "reviews/compare.html", context, status=400)
    before, after = form.cleaned_data["before"], form.cleaned_data["after"]
    context["comparison"] = comparison.compare(alliance, before, after)
    return render(request, "reviews/compare.html", context)


@login_required
@require_GET
def timeline(request, slug):
    membership = access.get_membership(request.user, slug)
    alliance = membership.alliance
    context = {
        "membership": membership,
        "alliance": alliance,
        "months": story.by_month(story.events(alliance)),
    }
    return render(request, "reviews/timeline.html", context)
