"""The emails of creating an account. Every link starts with SITE_URL."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from accord import mail
from accounts import language, throttle
from accounts.models import User

logger = logging.getLogger(__name__)

SIGNUP_SALT = "accounts.signup"
# Sign-up sends email to any address typed in: at most this many an hour to one address, so
# that it cannot be used to flood someone's inbox.
SIGNUP_EMAILS_PER_HOUR = 3


def signup_token(email: str) -> str:
    return signing.dumps(email.strip().lower(), salt=SIGNUP_SALT, compress=True)


def email_for_signup_token(token: str) -> str | None:
    """The address a sign-up link was sent to, while the link works."""
    try:
        return signing.loads(token, salt=SIGNUP_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
    except signing.BadSignature:
        return None


def send_signup_email(email: str) -> None:
    """What sign-up sends: the link to make the account, or to the owner of an account that
    exists already, a reminder that it does. The page says the same either way (and also
    when the hour's emails to this address are spent and nothing is sent). Raises
    mail.NotSent, logged, when the mail server does not take the email (either one: the
    page still tells nobody whether the address has an account)."""
    try:
        _send_signup_email(email)
    except mail.NotSent as error:
        logger.error("A sign-up email could not be sent: %s", error)
        raise


def _send_signup_email(email: str) -> None:
    if throttle.over_limit(
        "signup-email",
        throttle.mailbox(email),
        limit=SIGNUP_EMAILS_PER_HOUR,
        lasts=timedelta(hours=1),
    ):
        return
    account = User.objects.with_address(email)
    if account is None:
        # Nobody to ask yet: the language of the page the address was typed into.
        link = settings.SITE_URL + reverse("accounts:signup_finish", args=[signup_token(email)])
        subject = _("Create your Accord account")
        context = {"link": link, "hours": settings.PASSWORD_RESET_TIMEOUT // 3600}
        body = render_to_string("accounts/email/signup.txt", context)
        mail.send(mail.message(subject=subject, body=body, to=[email]))
        return
    with language.speaking(account):
        subject = _("You already have an Accord account")
        context = {
            "account": account,
            "sign_in_link": settings.SITE_URL + reverse("accounts:login"),
            "reset_link": settings.SITE_URL + reverse("accounts:password_reset"),
        }
        body = render_to_string("accounts/email/signup_existing.txt", context)
        mail.send(mail.message(subject=subject, body=body, to=[email]))
