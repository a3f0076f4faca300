from django import forms
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accord.widgets import DateInput
from accounts import language
from accounts.forms import LanguageField
from alliances.models import Alliance, Invitation, Membership, Partner, Role
from history.forms import VersionedForm

ROLES_WITHOUT_PARTNER = {Role.FACILITATOR, Role.OBSERVER}


class AllianceForm(VersionedForm):
    language = LanguageField(  # a form sent without it keeps the alliance's
        label=Alliance._meta.get_field("language").verbose_name,
        help_text=Alliance._meta.get_field("language").help_text,
    )

    class Meta:
        model = Alliance
        fields = ["name", "community", "purpose", "language"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:  # a new alliance: the language its creator reads
            self.initial.setdefault("language", language.chosen(translation.get_language()))

    def clean_language(self):
        return self.cleaned_data["language"] or self.instance.language


class PartnerForm(VersionedForm):
    # People type "foodbank.org"; read it as https, as browsers do.
    website = forms.URLField(
        label=_("website"), required=False, max_length=200, assume_scheme="https"
    )

    class Meta:
        model = Partner
        fields = ["name", "description", "website", "contact_name", "contact_email", "joined_on"]
        widgets = {"joined_on": DateInput()}
        error_messages = {
            "joined_on": {"invalid": _("Enter the date as year-month-day, for example 2026-06-02.")}
        }

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.alliance = alliance
        self.fields["joined_on"].required = False

    def clean_joined_on(self):
        """Left empty: the date it had, or today for a new partner."""
        return self.cleaned_data["joined_on"] or self.instance.joined_on or timezone.localdate()

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = Partner.objects.filter(alliance=self.instance.alliance, name__iexact=name)
        if others.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("This alliance already has a partner named “%(name)s”."), params={"name": name}
            )
        return name

    def validate_constraints(self):
        # clean_name gives the friendly message; the database constraint stays the backstop.
        pass


class InvitationForm(forms.ModelForm):
    language = LanguageField(
        label=_("Language of the invitation"),
        help_text=_(
            "The email is written in it, and the new account starts in it. Someone who "
            "already has an account here gets it in the language they chose."
        ),
    )

    class Meta:
        model = Invitation
        fields = ["email", "role", "partner", "language"]
        help_texts = {
            "partner": _(
                "Everyone but an outside facilitator or an observer (a funder, a "
                "board member, an evaluator) represents a partner organization."
            ),
        }

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.alliance = alliance
        self.fields["partner"].queryset = Partner.objects.filter(alliance=alliance)
        self.fields["role"].initial = Role.MEMBER
        # The inviter's own language, which is most often the one they share with the person.
        self.fields["language"].initial = self._default_language()

    @staticmethod
    def _default_language() -> str:
        return language.chosen(translation.get_language()) or settings.LANGUAGE_CODE

    def clean_language(self):
        return self.cleaned_data.get("language") or self._default_language()

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if Membership.objects.filter(alliance=self.alliance, user__email__iexact=email).exists():
            raise forms.ValidationError(_("This person is already in the alliance."))
        if Invitation.objects.pending().filter(alliance=self.alliance, email=email).exists():
            raise forms.ValidationError(
                _(
                    "An invitation to this address is already waiting for an answer. Revoke it "
                    "first to send a new one."
                )
            )
        return email

    def clean(self):
        cleaned = super().clean()
        role, partner = cleaned.get("role"), cleaned.get("partner")
        # An unknown partner already has its error beside the field: one message is enough.
        missing = partner is None and not self.has_error("partner")
        if role and role not in ROLES_WITHOUT_PARTNER and missing:
            self.add_error(
                "partner",
                _("Choose the partner organization this person represents."),
            )
        return cleaned


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "partner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.filter(alliance=self.instance.alliance)

    def clean(self):
        cleaned = super().clean()
        role, partner = cleaned.get("role"), cleaned.get("partner")
        # An unknown partner already has its error beside the field: one message is enough.
        missing = partner is None and not self.has_error("partner")
        if role and role not in ROLES_WITHOUT_PARTNER and missing:
            self.add_error("partner", _("Choose the partner organization this person represents."))
        if (
            self.instance.role == Role.COORDINATOR
            and role != Role.COORDINATOR
            and not Membership.objects.filter(
                alliance=self.instance.alliance, role=Role.COORDINATOR
            )
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("role", _("An alliance needs at least one coordinator."))
        return cleaned
