from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accord.widgets import DateInput
from alliances.models import Partner
from history.forms import VersionedForm
from registers import uploads
from registers.models import (
    Accomplishment,
    Agreement,
    Alignment,
    Dependency,
    Goal,
    ImpactAnswer,
    Pledge,
    Resource,
)
from reviews.models import Review


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
        fields = ["dependent", "provider", "what", "strength", "goal", "resource"]
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


class AccomplishmentForm(VersionedForm):
    class Meta:
        model = Accomplishment
        fields = ["statement", "achieved_on", "goal", "figure", "unit"]
        widgets = {"achieved_on": DateInput()}
        error_messages = {
            "figure": {"invalid": _("Enter a number, for example 1200 or 45.5.")},
            "achieved_on": {
                "invalid": _("Enter the date as year-month-day, for example 2027-06-30.")
            },
        }

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.alliance = alliance
        self.fields["goal"].queryset = Goal.objects.filter(alliance=alliance)
        if not self.instance.pk:
            self.initial.setdefault("achieved_on", timezone.localdate())

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("achieved_on")
        if day and day > timezone.localdate():
            self.add_error("achieved_on", _("An accomplishment is something already achieved."))
        if cleaned.get("unit") and cleaned.get("figure") is None:
            self.add_error("figure", _("Give the figure that goes with the unit."))
        return cleaned


class PartnerFollowThroughForm(VersionedForm):
    class Meta:
        model = Review
        fields = ["partner_follow_through"]


# Shared control: agreements and pledges.

CHOOSE_AGAIN = _(
    "Choose the file again: nothing else you typed is lost, but a browser cannot keep a "
    "chosen file when the form comes back."
)


class AgreementForm(VersionedForm):
    """An agreement and, apart from its columns, the file to attach (the view stores it and
    its original name) or the choice to remove the one attached."""

    upload = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.FileInput(attrs={"accept": uploads.ACCEPT}),
    )
    remove_file = forms.BooleanField(label=_("Remove the attached file"), required=False)
    link = forms.URLField(
        label=_("Link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Where it lives online, if it does: a shared folder or a web page."),
        error_messages={"invalid": _("Enter a full web address, starting with https://.")},
    )
    field_order = [
        "title",
        "kind",
        "owner",
        "status",
        "link",
        "upload",
        "remove_file",
        "adopted_on",
        "review_on",
    ]

    class Meta:
        model = Agreement
        fields = ["title", "kind", "owner", "status", "link", "adopted_on", "review_on"]
        widgets = {"adopted_on": DateInput(), "review_on": DateInput()}
        help_texts = {
            "title": _("For example: 2027 work plan, or Data-sharing agreement."),
            "review_on": _("When the partners will look at it again; past dates are flagged."),
        }
        error_messages = {
            "title": {"required": _("Give the agreement a title.")},
            "kind": {"required": _("Say what kind of agreement this is.")},
            "owner": {"invalid_choice": _("Choose one of this alliance's partners.")},
            "adopted_on": {
                "invalid": _("Enter the date as year-month-day, for example 2027-03-31.")
            },
            "review_on": {
                "invalid": _("Enter the date as year-month-day, for example 2028-03-31.")
            },
        }

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.alliance = alliance
        self.fields["owner"].queryset = Partner.objects.filter(alliance=alliance)
        limits = _(
            "A PDF, an office document (Word, Excel, PowerPoint, OpenDocument) or an image "
            "(PNG, JPEG, GIF, WebP), up to %(limit)d MB. Only the alliance's members can open it."
        ) % {"limit": uploads.limit_mb()}
        upload = self.fields["upload"]
        if self.instance.file:
            upload.label = _("Replace the file")
            # Plain text: the template escapes help texts, the name someone gave their file too.
            attached = _("Attached now: %(name)s.") % {"name": self.instance.file_name}
            upload.help_text = f"{attached} {limits}"
        else:
            upload.help_text = limits
            del self.fields["remove_file"]

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            problem = uploads.check(upload)
            if problem:
                raise forms.ValidationError(problem, code="upload")
        return upload

    def clean(self):
        cleaned = super().clean()
        adopted, review = cleaned.get("adopted_on"), cleaned.get("review_on")
        if adopted and review and review < adopted:
            self.add_error(
                "review_on",
                _("The next review cannot come before the agreement was adopted (%(date)s).")
                % {"date": adopted.isoformat()},
            )
        if cleaned.get("upload") and cleaned.get("remove_file"):
            self.add_error(
                "remove_file",
                _("Either replace the file or remove it: untick this box to keep the new file."),
            )
        return cleaned

    def full_clean(self):
        super().full_clean()
        chosen = self.is_bound and self.files.get(self.add_prefix("upload"))
        if chosen and self._errors and "upload" not in self._errors:
            self.add_error("upload", CHOOSE_AGAIN)

    def file_lost(self) -> None:
        """The form comes back although it was valid (a conflict): the chosen file too."""
        if self.files.get(self.add_prefix("upload")) and "upload" not in self.errors:
            self.add_error("upload", CHOOSE_AGAIN)


DELIVERED = (Pledge.Delivery.COMPLETE, Pledge.Delivery.PARTIAL)


class PledgeForm(VersionedForm):
    """A partner's pledge of a resource: one from the register or, when it is new, named here
    (the view adds it to the register)."""

    new_resource = forms.CharField(
        label=_("Or a resource not in the register yet"),
        max_length=300,
        required=False,
        help_text=_("Name it here and it is added to the shared power register."),
    )
    new_resource_kind = forms.ChoiceField(
        label=_("Kind of the new resource"),
        choices=[("", "---------"), *Resource.Kind.choices],
        required=False,
    )
    field_order = [
        "partner",
        "resource",
        "new_resource",
        "new_resource_kind",
        "amount",
        "pledged_on",
        "due_on",
        "delivery",
        "delivered_on",
        "note",
    ]

    class Meta:
        model = Pledge
        fields = [
            "partner",
            "resource",
            "amount",
            "pledged_on",
            "due_on",
            "delivery",
            "delivered_on",
            "note",
        ]
        widgets = {
            "pledged_on": DateInput(),
            "due_on": DateInput(),
            "delivered_on": DateInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"delivered_on": _("Needed once it was delivered, completely or partly.")}
        error_messages = {
            "partner": {
                "required": _("Say which partner pledges it."),
                "invalid_choice": _("Choose one of this alliance's partners."),
            },
            "resource": {
                "required": _("Choose the resource pledged."),
                "invalid_choice": _("Choose one of this alliance's resources."),
            },
            "amount": {"required": _("Say how much, or what exactly, is pledged.")},
            "pledged_on": {
                "required": _("Say when it was pledged."),
                "invalid": _("Enter the date as year-month-day, for example 2027-03-31."),
            },
            "due_on": {
                "required": _("Say by when it is due."),
                "invalid": _("Enter the date as year-month-day, for example 2027-06-30."),
            },
            "delivered_on": {
                "invalid": _("Enter the date as year-month-day, for example 2027-06-15.")
            },
        }

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.alliance = alliance
        self.fields["partner"].queryset = Partner.objects.filter(alliance=alliance)
        self.fields["resource"].queryset = Resource.objects.filter(alliance=alliance)
        if self.instance.pk:
            del self.fields["new_resource"]
            del self.fields["new_resource_kind"]
        else:
            self.fields["resource"].required = False
            self.fields["resource"].label = _("A resource from the register")

    def clean(self):
        cleaned = super().clean()
        self._clean_resource(cleaned)
        pledged, due = cleaned.get("pledged_on"), cleaned.get("due_on")
        if pledged and due and due < pledged:
            self.add_error(
                "due_on",
                _("The due date cannot be before the day it was pledged (%(date)s).")
                % {"date": pledged.isoformat()},
            )
        delivery, delivered = cleaned.get("delivery"), cleaned.get("delivered_on")
        if delivery in DELIVERED and not delivered and "delivered_on" not in self.errors:
            self.add_error("delivered_on", _("Say when it was delivered."))
        if delivery not in DELIVERED and delivered:
            self.add_error(
                "delivered_on",
                _(
                    "Leave this empty while nothing was delivered, or say above that it was "
                    "delivered completely or partly."
                ),
            )
        if delivered and delivered > timezone.localdate():
            self.add_error("delivered_on", _("The delivery date cannot be in the future."))
        if delivery == Pledge.Delivery.NOT_DELIVERED and not cleaned.get("note", "").strip():
            self.add_error(
                "note", _("Say what got in the way: a pledge not delivered needs a note.")
            )
        return cleaned

    def _clean_resource(self, cleaned) -> None:
        if "new_resource" not in self.fields:
            return
        chosen, named = cleaned.get("resource"), cleaned.get("new_resource", "").strip()
        if "resource" in self.errors:
            return
        if chosen and named:
            self.add_error(
                "new_resource",
                _("Choose a resource from the register or name a new one, not both."),
            )
        elif not chosen and not named:
            self.add_error(
                "resource", _("Choose a resource from the register, or name a new one below.")
            )
        elif named and not cleaned.get("new_resource_kind"):
            self.add_error("new_resource_kind", _("Say what kind of resource the new one is."))
