"""Each person's language: chosen once, kept in their profile, and used for everything
Accord shows or sends them (pages, live meetings, emails, files).

Until a person chooses, their pages follow the browser (LocaleMiddleware reads the cookie
and Accept-Language) and what is sent to them is in the site's default language."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.utils import translation


def codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def chosen(code: str | None) -> str | None:
    """`code` if it is one of the site's languages (a region variant counts as its
    language: es-MX is es), else None."""
    if not code or not isinstance(code, str):
        return None
    code = code.lower()
    for candidate in (code, code.split("-")[0]):
        if candidate in codes():
            return candidate
    return None


def language_of(user) -> str:
    """The language to write to this person in."""
    return chosen(getattr(user, "language", None)) or settings.LANGUAGE_CODE


def speaking(user):
    """A context in which everything rendered is in `user`'s language:
    `with speaking(user): mail.message(...)`."""
    return translation.override(language_of(user))


T = TypeVar("T")


def by_language(
    items: Iterable[T], person: Callable[[T], object] = lambda item: item
) -> dict[str, list[T]]:
    """`items` (people, or rows with a `person`) grouped by their person's language, so that
    what is the same for everyone who reads a language (a subject, an attachment) is
    rendered once for it."""
    groups: dict[str, list[T]] = defaultdict(list)
    for item in items:
        groups[language_of(person(item))].append(item)
    return dict(groups)


def each_in_their_language(
    items: Iterable[T],
    write: Callable[[T], object],
    person: Callable[[T], object] = lambda item: item,
) -> list[tuple[object, object]]:
    """(person, `write(item)`) for each of `items` (people, or rows with a `person`), each
    written in its person's language: `write` builds an email (its subject, its body, its
    files) and whatever it translates is in that language. The pairs are what
    `accord.mail.not_reached` sends."""
    written = []
    for code, group in by_language(items, person).items():
        with translation.override(code):
            written.extend((person(item), write(item)) for item in group)
    return written


def user_language(get_response):
    """Middleware, after authentication: a signed-in person's pages are in the language
    they chose, on any device, whatever the browser says."""

    def middleware(request):
        user = getattr(request, "user", None)
        code = chosen(user.language) if user is not None and user.is_authenticated else None
        if code and code != translation.get_language():
            translation.activate(code)
            request.LANGUAGE_CODE = code
        return get_response(request)

    return middleware
