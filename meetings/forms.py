from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accord.widgets import DateTimeField
from accounts.models import User
from alliances.rules import WRITING_ROLES
from meetings.models import Meeting

# Who may lead, co-lead, record or take over a meeting: anyone but an observer.
STEERING_ROLES = WRITING_ROLES


def projector_choices(alliance) -> list[tuple[str, str]]:
    """What the room's screen can show: the alliance's language alone, or beside another
    (for a bilingual room). A value is the languages' codes, comma-separated."""
    names = dict(settings.LANGUAGES)
    first = alliance.language if alliance.language in names else settings.LANGUAGE_CODE
    choices = [("", _("%(language)s only") % {"language": names[first]})]
    for code, name in settings.LANGUAGES:
        if code != first:
            label = _("%(first)s and %(second)s, side by side")
            choices.append((f"{first},{code}", label % {"first": names[first], "second": name}))
    return choices


class ProjectorLanguagesField(forms.TypedChoiceField):
    """The projector's languages, chosen as one of `projector_choices`, kept as a list."""

    def __init__(self, **kwargs):
        super().__init__(
            label=_("The projector shows"),
            required=False,
            coerce=lambda value: value.split(",") if value else [],
            empty_value=[],
            **kwargs,
        )

    def prepare_value(self, value):
        return ",".join(value) if isinstance(value, list) else value


class MeetingForm(forms.ModelForm):
    video_link = forms.URLField(
        label=_("video link"), required=False, max_length=200, assume_scheme="https"
    )
    agenda = forms.MultipleChoiceField(
        label=_("Agenda: the components to discuss"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They are taken in the framework's order."),
        error_messages={"required": _("Choose at least one component.")},
    )
    projector_languages = ProjectorLanguagesField()

    class Meta:
        model = Meeting
        fields = [
            "starts_at",
            "duration_minutes",
            "place",
            "video_link",
            "agenda",
            "facilitator",
            "co_facilitator",
            "recorder",
            "unpartnered_answer",
            "projector_languages",
        ]
        field_classes = {"starts_at": DateTimeField}
        error_messages = {
            "starts_at": {"invalid": _("Enter a date and time, for example 2027-03-01 17:00.")}
        }

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        people = (
            # One filter() call: the alliance and the role are those of the same membership
            # (an exclude() would drop whoever observes any other alliance).
            User.objects.filter(
                memberships__alliance=review.alliance, memberships__role__in=STEERING_ROLES
            ).order_by("name")
        )
        for name in ("facilitator", "co_facilitator", "recorder"):
            self.fields[name].queryset = people
        self.fields["projector_languages"].choices = projector_choices(review.alliance)
        self.fields["agenda"].choices = [
            (r.component_key, f"{r.number}. {r.component.name} ({r.get_state_display()})")
            for r in review.records.order_by("number")
        ]

    def clean(self):
        cleaned = super().clean()
        facilitator = cleaned.get("facilitator")
        for name in ("co_facilitator", "recorder"):
            if facilitator and cleaned.get(name) == facilitator:
                self.add_error(name, _("Choose someone other than the facilitator."))
        return cleaned


class HandoverForm(forms.Form):
    to = forms.ModelChoiceField(label=_("Hand facilitation to"), queryset=User.objects.none())
    confirm = forms.BooleanField(
        label=_("I confirm: this person leads the meeting from now on."),
        error_messages={"required": _("Tick the box to confirm the handover.")},
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = (
            User.objects.filter(
                memberships__alliance=meeting.review.alliance,
                memberships__role__in=STEERING_ROLES,
            )
            .exclude(pk=meeting.facilitator_id)
            .order_by("name")
        )


class CancelForm(forms.Form):
    """Why a planned meeting is called off: everyone invited reads it in the email, and the
    meeting's log keeps it."""

    reason = forms.CharField(
        label=_("Why is the meeting cancelled?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Everyone invited reads this in the email that tells them."),
        error_messages={"required": _("Say why, in a few words: the people invited read it.")},
    )


class ProjectorForm(forms.Form):
    """The facilitator's choice, in the meeting's console, of what the room's screen shows."""

    languages = ProjectorLanguagesField()

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["languages"].choices = projector_choices(meeting.review.alliance)
        self.fields["languages"].initial = ",".join(meeting.projector_languages)
