from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from alliances.models import Role
from meetings.models import Meeting

# Who may lead, co-lead, record or take over a meeting: anyone but an observer.
STEERING_ROLES = [Role.COORDINATOR, Role.FACILITATOR, Role.MEMBER]


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
        ]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }
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
