"""The link at the foot of every digest, which turns it off without signing in. It is the
account's setting (`User.wants_digest`) that it changes, so it lives here, below the
reviews app that sends the digest."""

from datetime import timedelta

from django.core import signing

from accounts.models import User

STOP_SALT = "accord.digest.stop"
STOP_MAX_AGE = timedelta(days=60)


def stop_token(user: User) -> str:
    return signing.TimestampSigner(salt=STOP_SALT).sign(str(user.pk))


def user_for_stop_token(token: str) -> User | None:
    """The person a stop link was made for; None when it is forged, broken or expired."""
    try:
        pk = signing.TimestampSigner(salt=STOP_SALT).unsign(token, max_age=STOP_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    return User.objects.filter(pk=pk).first() if pk.isdigit() else None
