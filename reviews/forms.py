from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accord.widgets import DateInput
from accounts.models import User
from alliances.models import Partner
from history.forms import VersionedForm
from reviews.models import Commitment, ComponentRecord, Review

MARKDOWN_HELP = _("You can use Markdown: *emphasis*, **bold**, lists starting with “- ”.")


ANONYMITY_CHOICES = [
    (True, _("Anonymous (recommended): nobody can see who said what")),
    (False, _("Named: every rating and reflection shows its author")),
]


class RulesForm(forms.ModelForm):
    """How private answers work in a review. Fixed once a form has stated them to the
    members (`Review.rules_locked`)."""

    anonymous = forms.TypedChoiceField(
        label=_("Ratings and written reflections are"),
        choices=ANONYMITY_CHOICES,
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
        initial=True,
    )

    class Meta:
        model = Review
        fields = ["anonymous", "rating_threshold", "reflection_threshold"]
        error_messages = {
            "rating_threshold": {
                "min_value": _("At least 3: fewer answers can give a person away.")
            },
            "reflection_threshold": {
                "min_value": _("At least 3: fewer answers can give a person away.")
            },
        }

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.rules_locked:
            raise forms.ValidationError(
                _("These rules are fixed: they have been shown to the members with a form.")
            )
        return cleaned


class ReviewForm(RulesForm):
    class Meta(RulesForm.Meta):
        fields = ["name", "started_on", "anonymous", "rating_threshold", "reflection_threshold"]
        widgets = {"started_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started_on"].initial = timezone.localdate


class ComponentRecordForm(VersionedForm):
    class Meta:
        model = ComponentRecord
        fields = ["notes", "agreements", "concerns", "ideas"]
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name in fields}
        help_texts = {name: MARKDOWN_HELP for name in fields}


class OpenComponentForm(forms.Form):
    reason = forms.CharField(
        label=_("Why open this component before the one before it is recorded?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


class CommitmentForm(VersionedForm):
    class Meta:
        model = Commitment
        fields = ["description", "partner", "owner", "due_on", "status", "status_reason"]
        widgets = {"due_on": DateInput(), "status_reason": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "status_reason": _("Needed when the commitment was not done: what got in the way?"),
        }

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.alliance = alliance
        self.fields["partner"].queryset = Partner.objects.filter(alliance=alliance)
        self.fields["owner"].queryset = User.objects.filter(
            memberships__alliance=alliance
        ).order_by("name")
        self.fields["due_on"].error_messages["invalid"] = _(
            "Enter the date as year-month-day, for example 2027-03-31."
        )

    def clean(self):
        cleaned = super().clean()
        _require_reason(self, cleaned)
        return cleaned


class CommitmentStatusForm(VersionedForm):
    """Was it done? In a meeting's opening, or from the link in the daily digest."""

    class Meta:
        model = Commitment
        fields = ["status", "status_reason"]
        widgets = {"status_reason": forms.Textarea(attrs={"rows": 2})}
        help_texts = CommitmentForm.Meta.help_texts

    def clean(self):
        cleaned = super().clean()
        _require_reason(self, cleaned)
        return cleaned


def _require_reason(form, cleaned) -> None:
    """Not done needs a reason, said beside the reason field."""
    if (
        cleaned.get("status") == Commitment.Status.NOT_DONE
        and not (cleaned.get("status_reason") or "").strip()
    ):
        form.add_error("status_reason", _("Say why it was not done."))
