"""What a person changes of their own account: their profile, their language, whether they
get the daily digest, and the alliance their pages open on."""

from accounts.models import User


def save_profile(*, form) -> User:
    """Save a valid ProfileForm of the signed-in person (name, language, digest)."""
    return form.save()


def choose_language(*, user, code: str) -> None:
    """Keep a person's language in their profile, so that it follows them to every device,
    live meeting and email. Nothing is written when it is already theirs."""
    if user.language != code:
        user.language = code
        user.save(update_fields=["language"])


def stop_digests(*, user) -> None:
    """Turn off a person's daily digest (from the link at its foot, without signing in)."""
    User.objects.filter(pk=user.pk).update(wants_digest=False)


def remember_alliance(*, user, alliance) -> None:
    """The alliance a person opened last, where signing in takes them next time. Written
    only when it changes: the alliance's overview is read far more often than switched."""
    if user.last_alliance_id != alliance.pk:
        user.last_alliance = alliance
        user.save(update_fields=["last_alliance"])
