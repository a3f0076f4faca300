from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.models import Partner
from history.forms import VersionedForm
from registers.models import Alignment, Dependency, Goal, ImpactAnswer, Resource
from reviews.forms import DateInput


class GoalForm(VersionedForm):
    class Meta:
        model = Goal
        fields = [
            "statement",
            "community",
            "measure",
            "target_value",
            "target_unit",
            "target_date",
            "status",
        ]
        widgets = {"target_date": DateInput()}
        error_messages = {
            "target_value": {"invalid": _("Enter a number, for example 45 or 1200.50.")},
            "target_date": {
                "invalid": _("Enter the date as year-month-day, for example 2027-09-30.")
            },
        }

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.alliance = alliance

    def clean(self):
        cleaned = super().clean()
        date, status = cleaned.get("target_date"), cleaned.get("status")
        if date and status == Goal.Status.PROPOSED and date < timezone.localdate():
            self.add_error(
                "target_date",
                _("A proposed goal needs a target date in the future."),
            )
        return cleaned


class AlignmentForm(VersionedForm):
    class Meta:
        model = Alignment
        fields = ["stance", "comment", "essential"]


class ResourceForm(VersionedForm):
    # Not a column of Resource: the view saves it as Contribution rows, beside save_edit.
    partners = forms.ModelMultipleChoiceField(
        label=_("The partners who bring it"),
        queryset=Partner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave them all unticked if nobody brings it yet: it shows as a gap."),
    )
    field_order = ["description", "kind", "goal", "partners", "responsible"]

    class Meta:
        model = Resource
        fields = ["description", "kind", "goal", "responsible"]
        help_texts = {"responsible": _("One of the partners who bring it.")}
        error_messages = {
            "kind": {
                "required": _(
                    "Say what kind of resource this is, for example knowledge, staff or funding."
                )
            },
        }

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.alliance = alliance
        partners = Partner.objects.filter(alliance=alliance)
        self.fields["partners"].queryset = partners
        self.fields["responsible"].queryset = partners
        self.fields["goal"].queryset = Goal.objects.filter(alliance=alliance)
        if self.instance.pk:
            self.fields["partners"].initial = list(
                self.instance.contributions.values_list("partner_id", flat=True)
            )

    def clean(self):
        cleaned = super().clean()
        responsible, partners = cleaned.get("responsible"), cleaned.get("partners")
        if responsible and partners is not None and responsible not in partners:
            self.add_error(
                "responsible",
                _("The partner responsible must be one of the partners who bring it."),
            )
        return cleaned


class DependencyForm(VersionedForm):
    """Partner A depends on partner B for something, tied to a goal, a resource or both."""

    class Meta:
        model = Dependency
        fields = ["dependent", "provider", "what", "goal", "resource"]
        help_texts = {
            "what": _("For example: cold storage for fresh food, or the families' trust."),
            "resource": _("Tie the dependency to a goal, a resource, or both."),
        }
        error_messages = {
            "dependent": {"invalid_choice": _("Choose one of this alliance's partners.")},
            "provider": {"invalid_choice": _("Choose one of this alliance's partners.")},
            "goal": {"invalid_choice": _("Choose one of this alliance's goals.")},
            "resource": {"invalid_choice": _("Choose one of this alliance's resources.")},
        }

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.alliance = alliance
        partners = Partner.objects.filter(alliance=alliance)
        self.fields["dependent"].queryset = partners
        self.fields["provider"].queryset = partners
        self.fields["goal"].queryset = Goal.objects.filter(alliance=alliance)
        self.fields["resource"].queryset = Resource.objects.filter(alliance=alliance)

    def clean(self):
        cleaned = super().clean()
        dependent, provider = cleaned.get("dependent"), cleaned.get("provider")
        if dependent and provider and dependent == provider:
            self.add_error(
                "provider",
                _("A partner cannot depend on itself: choose another partner."),
            )
        tied = cleaned.get("goal") or cleaned.get("resource")
        if not tied and not {"goal", "resource"} & self.errors.keys():
            self.add_error("goal", _("Choose the goal or the resource this dependency is for."))
        return cleaned


class ImpactAnswerForm(VersionedForm):
    class Meta:
        model = ImpactAnswer
        fields = ["answer", "why"]
        widgets = {
            "answer": forms.RadioSelect,
            "why": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {"answer": {"required": _("Choose no, partly or yes.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].choices = ImpactAnswer.Answer.choices
