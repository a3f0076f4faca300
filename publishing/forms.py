from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accord.widgets import DateTimeField
from publishing.models import (
    PICKER_LEEWAY,
    SHORTEST_PERIOD,
    USUAL_PERIOD,
    Audience,
    Item,
    ShareLink,
)
from publishing.services import Choice

SECTION_LABELS = {
    "ratings": _(
        "The ratings of each component (only those shown to members: K answers, closed rounds)"
    ),
    "records": _("What was recorded for each component (agreements, concerns, ideas)"),
    "commitments": _("The commitments (with the partner, never the person)"),
    "meetings": _("The meetings (their dates and how many came, never who)"),
}


class ProposeForm(forms.Form):
    """What to publish: the alliance's purpose, its accomplishments, each indicator (with or
    without its breakdowns and stories), each review's report (the chosen parts); for whom,
    and until when the partners decide."""

    audience = forms.ChoiceField(
        label=_("Who may see it"),
        choices=Audience.choices,
        initial=Audience.SHARED,
        widget=forms.RadioSelect,
    )
    consent_until = DateTimeField(
        label=_("Partners decide until"),
        help_text=_("At least one day from now. What no partner objected to by then is published."),
    )
    purpose = forms.BooleanField(label=_("The alliance's name and purpose"), required=False)
    accomplishments = forms.BooleanField(label=_("The accomplishments"), required=False)

    def __init__(self, *args, alliance, indicators, reviews, start_from=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.alliance = alliance
        self.indicators = list(indicators)
        self.reviews = list(reviews)
        self.fields["consent_until"].initial = timezone.localtime() + USUAL_PERIOD
        for indicator in self.indicators:
            n = indicator.pk
            self.fields[f"indicator_{n}"] = forms.BooleanField(
                label=_("Indicator: %(name)s") % {"name": indicator.name}, required=False
            )
            self.fields[f"indicator_{n}_breakdowns"] = forms.BooleanField(
                label=_("%(name)s: with its breakdowns") % {"name": indicator.name},
                required=False,
            )
            self.fields[f"indicator_{n}_stories"] = forms.BooleanField(
                label=_("%(name)s: with the stories behind its curve") % {"name": indicator.name},
                required=False,
            )
        for review in self.reviews:
            n = review.pk
            self.fields[f"report_{n}"] = forms.BooleanField(
                label=_("Report of %(review)s") % {"review": review.name}, required=False
            )
            self.fields[f"report_{n}_sections"] = forms.MultipleChoiceField(
                label=_("Parts of the report of %(review)s") % {"review": review.name},
                choices=list(SECTION_LABELS.items()),
                initial=["ratings", "records"],
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
        if start_from is not None:
            self._start_from(start_from)

    def _start_from(self, publication):
        """The choices of `publication`, for an update that starts from them."""
        self.initial["audience"] = publication.audience
        for item in publication.items.all():
            if item.kind in (Item.Kind.PURPOSE, Item.Kind.ACCOMPLISHMENTS):
                self.initial[item.kind] = True
            elif item.kind == Item.Kind.INDICATOR:
                n = item.object_id
                self.initial[f"indicator_{n}"] = True
                self.initial[f"indicator_{n}_breakdowns"] = item.options.get("breakdowns")
                self.initial[f"indicator_{n}_stories"] = item.options.get("stories")
            elif item.kind == Item.Kind.REPORT:
                self.initial[f"report_{item.object_id}"] = True
                self.initial[f"report_{item.object_id}_sections"] = item.options.get("sections")

    def indicator_rows(self):
        return [
            (
                self[f"indicator_{i.pk}"],
                self[f"indicator_{i.pk}_breakdowns"],
                self[f"indicator_{i.pk}_stories"],
            )
            for i in self.indicators
        ]

    def report_rows(self):
        return [(self[f"report_{r.pk}"], self[f"report_{r.pk}_sections"]) for r in self.reviews]

    def clean_consent_until(self):
        until = self.cleaned_data["consent_until"]
        if until < timezone.now() + SHORTEST_PERIOD - PICKER_LEEWAY:
            raise forms.ValidationError(_("Give the partners at least one day to decide."))
        return until

    def clean(self):
        cleaned = super().clean()
        for review in self.reviews:
            n = review.pk
            if cleaned.get(f"report_{n}") and not cleaned.get(f"report_{n}_sections"):
                self.add_error(f"report_{n}_sections", _("Choose at least one part of the report."))
        if not self.errors and not self.choices():
            raise forms.ValidationError(_("Choose at least one thing to publish."))
        return cleaned

    def choices(self) -> list[Choice]:
        data = self.cleaned_data
        chosen = []
        if data.get("purpose"):
            chosen.append(Choice(Item.Kind.PURPOSE))
        for indicator in self.indicators:
            n = indicator.pk
            if data.get(f"indicator_{n}"):
                options = {
                    "breakdowns": bool(data.get(f"indicator_{n}_breakdowns")),
                    "stories": bool(data.get(f"indicator_{n}_stories")),
                }
                chosen.append(Choice(Item.Kind.INDICATOR, n, options))
        if data.get("accomplishments"):
            chosen.append(Choice(Item.Kind.ACCOMPLISHMENTS))
        for review in self.reviews:
            n = review.pk
            if data.get(f"report_{n}"):
                chosen.append(
                    Choice(Item.Kind.REPORT, n, {"sections": list(data[f"report_{n}_sections"])})
                )
        return chosen


class DecisionForm(forms.Form):
    """A partner's decision: for each item, approve (the default) or object with a reason."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"object_{item.pk}"] = forms.BooleanField(
                label=_("We object to publishing “%(item)s”") % {"item": item.title},
                required=False,
            )
            self.fields[f"reason_{item.pk}"] = forms.CharField(
                label=_("Why we object to “%(item)s”") % {"item": item.title},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("The coordinator and the other partners read it."),
            )

    def rows(self):
        return [(item, self[f"object_{item.pk}"], self[f"reason_{item.pk}"]) for item in self.items]

    def clean(self):
        cleaned = super().clean()
        for item in self.items:
            objects = cleaned.get(f"object_{item.pk}")
            reason = cleaned.get(f"reason_{item.pk}", "").strip()
            if objects and not reason:
                self.add_error(f"reason_{item.pk}", _("Say why your organization objects."))
            elif reason and not objects:
                # A decision is taken once: a reason left without the box is not an approval.
                self.add_error(
                    f"object_{item.pk}",
                    _(
                        "You wrote a reason: tick the box to object, or clear the reason to "
                        "approve."
                    ),
                )
        return cleaned

    def objections(self) -> dict[int, str]:
        return {
            item.pk: self.cleaned_data[f"reason_{item.pk}"]
            for item in self.items
            if self.cleaned_data.get(f"object_{item.pk}")
        }


class ShareLinkForm(forms.ModelForm):
    class Meta:
        model = ShareLink
        fields = ["label", "expires_at"]
        field_classes = {"expires_at": DateTimeField}
        help_texts = {"expires_at": _("Optional. Leave empty for a link that works until revoked.")}

    def clean_expires_at(self):
        expires = self.cleaned_data["expires_at"]
        if expires is not None and expires <= timezone.now():
            raise forms.ValidationError(_("Choose a moment in the future."))
        return expires


class PublicPageForm(forms.Form):
    on = forms.BooleanField(label=_("The public page is on"), required=False)
    indexable = forms.BooleanField(
        label=_("Search engines may index it"),
        required=False,
        help_text=_("Off: the page asks search engines not to list it."),
    )
