"""The framework as data: read `framework.toml`, check it, and serve it as plain objects.

Accord refuses to start with a broken framework file, and says which file, which entry and
what is wrong, because every page of a review depends on it.
"""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

FRAMEWORK_FILE = Path(__file__).with_name("framework.toml")

POSITIONS = ("apex", "base-left", "base-right", "left-side", "base", "right-side")
TOOLS = ("goals", "resources", "dependencies", "trust", "control", "indicators")


@dataclass(frozen=True)
class Component:
    key: str
    number: int
    name: str
    position: str
    tool: str
    about: str
    questions: tuple[str, ...]

    def __str__(self):
        return self.name


@dataclass(frozen=True)
class Framework:
    title: str
    attribution: str
    components: tuple[Component, ...]

    def __iter__(self):
        return iter(self.components)

    def __len__(self):
        return len(self.components)

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


def _component(path: Path, number: int, raw: dict) -> Component:
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
    return Component(
        key=raw["key"],
        number=number,
        name=_text(path, entry, raw, "name"),
        position=raw["position"],
        tool=raw["tool"],
        about=_text(path, entry, raw, "about"),
        questions=tuple(q.strip() for q in questions),
    )


def load(path: Path = FRAMEWORK_FILE) -> Framework:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise FrameworkError(f"{path}: cannot be read: {error}") from error
    raw_components = data.get("components")
    if not isinstance(raw_components, list) or len(raw_components) != len(POSITIONS):
        _fail(path, "components", f"there must be exactly {len(POSITIONS)} components")
    components = tuple(_component(path, n, raw) for n, raw in enumerate(raw_components, 1))
    for field in ("key", "position"):
        values = [getattr(c, field) for c in components]
        duplicate = next((v for v in values if values.count(v) > 1), None)
        if duplicate:
            _fail(path, "components", f"two components share the {field} '{duplicate}'")
    return Framework(
        title=_text(path, "framework", data, "title"),
        attribution=_text(path, "framework", data, "attribution"),
        components=components,
    )


@cache
def framework() -> Framework:
    return load()
