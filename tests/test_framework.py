from pathlib import Path

import pytest

from reviews.framework import FrameworkError, framework, load
from reviews.models import Question
from reviews.services import sync_framework_questions

FRAMEWORK_QUESTIONS = {
    "purpose": ["Do we (does each organization) have the same goals for the alliance?"],
    "power": [
        "What knowledge, skills, relationships, and staff (or other resources) are necessary "
        "to accomplish the shared purpose?"
    ],
    "interdependence": [
        "Do we really believe that we are interdependent?",
        "Why do we need each other to accomplish the purpose to which we aspire?",
    ],
    "trust": [
        "Do we believe we can accomplish our goals?",
        "Did each of us do what we said we would do?",
    ],
    "control": [
        "Are we sharing the resources needed for the alliance in a complete and timely way?"
    ],
    "indicators": [
        "In areas where we are progressing toward our shared purpose, what can we do to "
        "improve our results?",
        "Where we aren't progressing toward our shared purpose, what is making it hard to "
        "move forward?",
    ],
}


def test_framework_has_six_components_in_order():
    assert framework().keys() == [
        "purpose",
        "power",
        "interdependence",
        "trust",
        "control",
        "indicators",
    ]
    assert [c.number for c in framework()] == [1, 2, 3, 4, 5, 6]
    assert [c.position for c in framework()] == [
        "apex",
        "base-left",
        "left-side",
        "base-right",
        "base",
        "right-side",
    ]


def test_framework_questions_are_quoted_exactly():
    assert {c.key: list(c.questions) for c in framework()} == FRAMEWORK_QUESTIONS


def broken(tmp_path: Path, old: str, new: str) -> Path:
    text = Path("reviews/framework.toml").read_text().replace(old, new, 1)
    path = tmp_path / "framework.toml"
    path.write_text(text)
    return path


def test_broken_framework_names_file_entry_and_problem(tmp_path):
    path = broken(tmp_path, 'position = "base-left"', 'position = "middle"')
    with pytest.raises(FrameworkError) as error:
        load(path)
    assert str(error.value) == (
        f"{path}: component 2 (power): 'position' must be one of apex, base-left, "
        "base-right, left-side, base, right-side"
    )


def test_framework_without_questions_is_refused(tmp_path):
    path = broken(
        tmp_path,
        'questions = [\n    "Are we sharing',
        'questions = []\nignored = [\n    "Are we sharing',
    )
    with pytest.raises(FrameworkError, match=r"component 5 \(control\): 'questions' must list"):
        load(path)


def test_unreadable_framework_is_refused(tmp_path):
    path = tmp_path / "framework.toml"
    path.write_text("title = ")
    with pytest.raises(FrameworkError, match="cannot be read"):
        load(path)


def test_duplicate_keys_are_refused(tmp_path):
    path = broken(tmp_path, 'key = "power"', 'key = "purpose"')
    with pytest.raises(FrameworkError, match="two components share the key 'purpose'"):
        load(path)


@pytest.mark.django_db
def test_questions_are_rows_one_per_framework_question():
    rows = Question.objects.filter(retired_at=None, review=None)
    assert sorted((q.component_key, q.position, q.version) for q in rows) == sorted(
        (key, n, 1)
        for key, questions in FRAMEWORK_QUESTIONS.items()
        for n in range(1, len(questions) + 1)
    )


@pytest.mark.django_db
def test_a_changed_wording_is_a_new_version_and_the_old_row_is_kept():
    old = Question.objects.get(component_key="purpose", position=1, retired_at=None)
    Question.objects.filter(pk=old.pk).update(text="An older wording?")
    sync_framework_questions()
    old.refresh_from_db()
    assert old.text == "An older wording?"
    assert old.retired_at is not None
    new = Question.objects.get(component_key="purpose", position=1, retired_at=None)
    assert (new.version, new.text) == (2, FRAMEWORK_QUESTIONS["purpose"][0])
    sync_framework_questions()
    assert Question.objects.filter(component_key="purpose").count() == 2
