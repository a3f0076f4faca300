import logging
from datetime import timedelta
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accord import mail
from accounts import language, throttle
from accounts.models import User

logger = logging.getLogger(__name__)

# The most password reset emails sent to one address in an hour (sign-up's limit too).
RESET_EMAILS_PER_HOUR = 3


class ThrottledSignIn:
    """Counts each sign-in against `accounts.throttle`, and refuses without checking the
    password while the account is locked from this address."""

    throttled = False

    def clean(self):
        email = self.cleaned_data.get("username")
        if email is None or not self.cleaned_data.get("password"):
            return super().clean()
        counter = throttle.Throttle(email, throttle.client_address(self.request))
        wait = counter.attempt()
        if wait:
            self.throttled = True
            minutes = -(-wait // 60)
            raise forms.ValidationError(
                ngettext(
                    "Too many attempts to sign in. Try again in %(minutes)d minute, or reset "
                    "your password.",
                    "Too many attempts to sign in. Try again in %(minutes)d minutes, or reset "
                    "your password.",
                    minutes,
                )
                % {"minutes": minutes},
                code="throttled",
            )
        cleaned = super().clean()
        counter.succeeded()
        return cleaned


class SignInForm(ThrottledSignIn, AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class AdminSignInForm(ThrottledSignIn, AdminAuthenticationForm):
    """The admin site's sign-in, under the same throttle (it checks the same passwords)."""


class ResetForm(PasswordResetForm):
    def get_users(self, email):
        # Django leaves out accounts without a usable password; an account an import made
        # for this address has none until its owner claims it, which is done here.
        person = User.objects.with_address(email)
        if person is None or not person.is_active:
            return []
        return [person] if person.has_usable_password() or person.is_unclaimed else []

    def save(self, **kwargs):
        # Anyone may ask for any address: as at sign-up, at most a few emails an hour go to
        # one address, so that this cannot flood its owner's inbox. The page says the same.
        if throttle.over_limit(
            "reset-email",
            throttle.mailbox(self.cleaned_data["email"]),
            limit=RESET_EMAILS_PER_HOUR,
            lasts=timedelta(hours=1),
        ):
            return
        # The link starts with SITE_URL, never with the request's Host header (which a
        # client chooses, and a permissive ALLOWED_HOSTS would let through).
        site = urlsplit(settings.SITE_URL)
        kwargs.update(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            extra_email_context={"site_url": settings.SITE_URL},
        )
        return super().save(**kwargs)

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        # In the account's language, not the language of the page the reset was asked from
        # (which anyone who knows the address may ask, from any browser).
        with language.speaking(context["user"]):
            message = mail.message(
                subject=render_to_string(subject_template_name, context),
                body=render_to_string(email_template_name, context),
                to=[context["email"]],
            )
        try:
            mail.send(message)
        except Exception:
            # As Django does: the page says the same whether or not an email left, so that
            # it does not tell who has an account.
            logger.exception(
                "The password reset email to person %s could not be sent.", context["user"].pk
            )


class NewPasswordForm(SetPasswordForm):
    def save(self, commit=True):
        user = super().save(commit)
        # Whoever could reset the password holds the address: the account's sign-in locks,
        # from every address, end.
        throttle.forget_account(user.email)
        return user


def language_choices() -> list[tuple[str, str]]:
    """Each language named in itself, so that a person who does not read the page's
    language still finds their own."""
    choices = []
    for code, name in settings.LANGUAGES:
        with translation.override(code):
            choices.append((code, str(name)))
    return choices


class LanguageSelect(forms.Select):
    """Each option says its language, so that a screen reader reads "Español" in Spanish."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = value
        return option


class LanguageField(forms.ChoiceField):
    """One of the site's languages, each named in itself. Not required: a form sent
    without it (an old page, a script) falls back to a language its form chooses."""

    widget = LanguageSelect

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(choices=language_choices, **kwargs)


class SetPasswordFields(forms.Form):
    """Name and a new password, typed twice; shared by sign-up and accepting an invitation."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    language = LanguageField(
        label=_("Language"),
        help_text=_("Pages, live meetings and emails will be in this language."),
    )

    email_for_validation = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("language", translation.get_language())
        super().__init__(*args, **kwargs)

    def clean_language(self):
        return self.cleaned_data.get("language") or language.chosen(translation.get_language())

    def clean_password2(self):
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if first and second and first != second:
            raise forms.ValidationError(_("The two passwords are not the same."))
        if second:
            probe = User(email=self.email_for_validation, name=self.cleaned_data.get("name", ""))
            password_validation.validate_password(second, probe)
        return second


class SignUpForm(forms.Form):
    """Only the address: whether it has an account is told by email, to its owner."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class ProfileForm(forms.ModelForm):
    language = LanguageField(
        label=_("Language"),
        help_text=_("Pages, live meetings and emails are in this language."),
    )

    class Meta:
        model = User
        fields = ["name", "language", "wants_digest"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["language"] = language.chosen(self.instance.language) or (
            translation.get_language()
        )

    def clean_language(self):
        return self.cleaned_data.get("language") or self.initial["language"]
