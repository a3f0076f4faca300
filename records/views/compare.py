"""Two pages about the alliance over time: two reviews compared, and its timeline."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from alliances import access
from records import compare as comparison
from records import timeline as story
from reviews.models import Review


class CompareForm(forms.Form):
    """Which two reviews to compare. The ids are checked as numbers here; each review is
    then loaded through `access.get_review`, so that a review of another alliance is a 404
    like everywhere else, never a hint that it exists."""

    before = forms.IntegerField(label=gettext_lazy("Earlier review"), widget=forms.Select)
    after = forms.IntegerField(label=gettext_lazy("Later review"), widget=forms.Select)

    def __init__(self, *args, membership, reviews, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        choices = [
            (
                r.pk,
                _("%(name)s (started %(date)s)")
                % {"name": r.name, "date": date_format(r.started_on)},
            )
            for r in reviews
        ]
        for name in ("before", "after"):
            self.fields[name].widget.choices = choices
            self.fields[name].error_messages["required"] = _("Choose a review.")
            self.fields[name].error_messages["invalid"] = _("Choose a review from the list.")

    def clean_before(self):
        return access.get_review(self.membership, self.cleaned_data["before"])

    def clean_after(self):
        return access.get_review(self.membership, self.cleaned_data["after"])

    def clean(self):
        before, after = self.cleaned_data.get("before"), self.cleaned_data.get("after")
        if before is None or after is None:
            return self.cleaned_data
        if before == after:
            self.add_error("after", _("Choose a review other than the earlier one."))
        elif (before.started_on, before.pk) > (after.started_on, after.pk):
            self.add_error(
                "before",
                _("Choose a review that started before “%(later)s”.") % {"later": after.name},
            )
        return self.cleaned_data


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
