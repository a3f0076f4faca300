"""The framework as data: read `framework.toml`, check it, and serve it as plain objects.

Accord refuses to start with a broken framework file, and says which file, which entry and
what is wrong, because every page of a review depends on it.

The framework's words are English; every other language in settings.LANGUAGES has a
translation of each of them in the same file. A component's `name` and `about`, and the
framework's `title` and `attribution`, are read in the active language; `questions` stays
the exact English wording, which is what `Question` rows hold and ratings answer.
"""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import get_language

from reviews.components import TOOLS

FRAMEWORK_FILE = Path(__file__).with_name("framework.toml")

# The language the framework was written in: its questions are quoted in it exactly.
SOURCE_LANGUAGE = "en"

POSITIONS = ("apex", "base-left", "base-right", "left-side", "base", "right-side")


def _in_active_language(translations: tuple, original):
    """The entry of `translations` ((code, entry) pairs) for the active language ("es-mx"
    falls back to "es"), or `original` in the source language or one without a
    translation."""
    language = (get_language() or SOURCE_LANGUAGE).lower()
    found = dict(translations)
    return found.get(language) or found.get(language.split("-")[0]) or original


@dataclass(frozen=True)
class Wording:
    """A component's words in one language: its name, Accord's explanation, and each of
    the framework's questions as (the English wording, its wording in this language)."""

    name: str
    about: str
    questions: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Component:
    key: str
    number: int
    position: str
    tool: str
    original: Wording
    translations: tuple[tuple[str, Wording], ...] = ()

    def __str__(self):
        return self.name

    @property
    def wording(self) -> Wording:
        return _in_active_language(self.translations, self.original)

    @property
    def translated(self) -> bool:
        return self.wording is not self.original

    @property
    def name(self) -> str:
        return self.wording.name

    @property
    def about(self) -> str:
        return self.wording.about

    @property
    def questions(self) -> tuple[str, ...]:
        """The framework's questions, quoted exactly in English."""
        return tuple(english for english, _ in self.original.questions)

    @property
    def shown_questions(self) -> tuple[str, ...]:
        return tuple(text for _, text in self.wording.questions)

    def question_text(self, english: str) -> str:
        """`english` in the active language; as it is when no translation is of that exact
        wording (an older version of a question)."""
        return dict(self.wording.questions).get(english, english)


@dataclass(frozen=True)
class Source:
    """Where the framework's words come from, in one language; `note` marks a translation."""

    title: str
    attribution: str
    note: str = ""


@dataclass(frozen=True)
class Framework:
    original: Source
    components: tuple[Component, ...]
    translations: tuple[tuple[str, Source], ...] = ()

    def __iter__(self):
        return iter(self.components)

    def __len__(self):
        return len(self.components)

    @property
    def source(self) -> Source:
        return _in_active_language(self.translations, self.original)

    @property
    def translated(self) -> bool:
        return self.source is not self.original

    @property
    def title(self) -> str:
        return self.source.title

    @property
    def attribution(self) -> str:
        return self.source.attribution

    def get(self, key: str) -> Component | None:
        return next((c for c in self.components if c.key == key), None)

    def keys(self) -> list[str]:
        return [c.key for c in self.components]


class FrameworkError(ImproperlyConfigured):
    pass


def _fail(path: Path, entry: str, problem: str):
    raise FrameworkError(f"{path}: {entry}: {problem}")


def _text(path, entry, raw, field) -> str:
    value = raw.get(field)
    if not isinstance(value, str) or not value.strip():
        _fail(path, entry, f"'{field}' must be a non-empty text")
    return " ".join(value.split())


def _translation(path: Path, entry: str, raw, language: str) -> dict:
    translations = raw.get("translations")
    if not isinstance(translations, dict) or not isinstance(translations.get(language), dict):
        _fail(path, entry, f"there is no translation into '{language}' ([translations.{language}])")
    return translations[language]


def _translated_questions(path, entry, raw, english: tuple[str, ...]) -> tuple:
    """Each English question with its translation, in order. A translation names the
    English it translates, so that a changed question fails here until translated anew."""
    questions = raw.get("questions")
    if not isinstance(questions, list) or len(questions) != len(english):
        _fail(path, entry, f"'questions' must translate each of the {len(english)} questions")
    pairs = []
    for number, (question, original) in enumerate(zip(questions, english, strict=True), 1):
        where = f"{entry}, question {number}"
        if not isinstance(question, dict):
            _fail(path, where, "must be a table with 'original' and 'text'")
        if question.get("original") != original:
            _fail(
                path,
                where,
                f"'original' must be the English question it translates, exactly: "
                f"'{original}' (a changed question needs a new translation)",
            )
        pairs.append((original, _text(path, where, question, "text")))
    return tuple(pairs)


def _component(path: Path, number: int, raw: dict, languages: list[str]) -> Component:
    entry = f"component {number} ({raw.get('key', 'no key')})"
    if not isinstance(raw.get("key"), str) or not raw["key"].isidentifier():
        _fail(path, entry, "'key' must be a short lowercase word")
    questions = raw.get("questions")
    if not isinstance(questions, list) or not questions:
        _fail(path, entry, "'questions' must list at least one question")
    if not all(isinstance(q, str) and q.strip() for q in questions):
        _fail(path, entry, "every question must be a non-empty text")
    if raw.get("position") not in POSITIONS:
        _fail(path, entry, f"'position' must be one of {', '.join(POSITIONS)}")
    if raw.get("tool") not in TOOLS:
        _fail(path, entry, f"'tool' must be one of {', '.join(TOOLS)}")
    english = tuple(q.strip() for q in questions)
    original = Wording(
        name=_text(path, entry, raw, "name"),
        about=_text(path, entry, raw, "about"),
        questions=tuple((q, q) for q in english),
    )
    translations = []
    for language in languages:
        translation = _translation(path, entry, raw, language)
        where = f"{entry}, translation '{language}'"
        wording = Wording(
            name=_text(path, where, translation, "name"),
            about=_text(path, where, translation, "about"),
            questions=_translated_questions(path, where, translation, english),
        )
        translations.append((language, wording))
    return Component(
        key=raw["key"],
        number=number,
        position=raw["position"],
        tool=raw["tool"],
        original=original,
        translations=tuple(translations),
    )


def _source(path: Path, entry: str, raw: dict, note: bool) -> Source:
    return Source(
        title=_text(path, entry, raw, "title"),
        attribution=_text(path, entry, raw, "attribution"),
        note=_text(path, entry, raw, "note") if note else "",
    )


def translated_languages() -> list[str]:
    """The languages the framework file must translate: every one Accord offers but its own."""
    return [code for code, _ in settings.LANGUAGES if code != SOURCE_LANGUAGE]


def load(path: Path = FRAMEWORK_FILE, languages: list[str] | None = None) -> Framework:
    languages = translated_languages() if languages is None else languages
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise FrameworkError(f"{path}: cannot be read: {error}") from error
    raw_components = data.get("components")
    if not isinstance(raw_components, list) or len(raw_components) != len(POSITIONS):
        _fail(path, "components", f"there must be exactly {len(POSITIONS)} components")
    components = tuple(
        _component(path, n, raw, languages) for n, raw in enumerate(raw_components, 1)
    )
    for field in ("key", "position"):
        values = [getattr(c, field) for c in components]
        duplicate = next((v for v in values if values.count(v) > 1), None)
        if duplicate:
            _fail(path, "components", f"two components share the {field} '{duplicate}'")
    translations = tuple(
        (
            language,
            _source(
                path,
                f"framework, translation '{language}'",
                _translation(path, "framework", data, language),
                note=True,
            ),
        )
        for language in languages
    )
    return Framework(
        original=_source(path, "framework", data, note=False),
        components=components,
        translations=translations,
    )


@cache
def framework() -> Framework:
    return load()


def key_of(tool: str) -> str:
    """The key of the framework's component whose tool is `tool`: code that acts for one
    tool (a register's page tells the meetings discussing its component) asks here rather
    than copying the key that framework.toml gives."""
    return next(c.key for c in framework() if c.tool == tool)
