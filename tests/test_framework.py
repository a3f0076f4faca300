from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from reviews.framework import FRAMEWORK_FILE, FrameworkError, framework, load
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


# The framework in Spanish (and in every language Accord offers)

SPANISH = {
    "purpose": (
        "Propósito compartido",
        ["¿Tenemos (tiene cada organización) las mismas metas para la alianza?"],
    ),
    "power": (
        "Poder compartido",
        [
            "¿Qué conocimientos, habilidades, relaciones y personal (u otros recursos) se "
            "necesitan para lograr el propósito compartido?"
        ],
    ),
    "interdependence": (
        "Visión compartida de la interdependencia",
        [
            "¿Creemos de verdad que somos interdependientes?",
            "¿Por qué nos necesitamos unos a otros para lograr el propósito al que aspiramos?",
        ],
    ),
    "trust": (
        "Respeto y confianza mutuos",
        [
            "¿Creemos que podemos alcanzar nuestras metas?",
            "¿Cada uno de nosotros hizo lo que dijo que haría?",
        ],
    ),
    "control": (
        "Control compartido",
        [
            "¿Estamos compartiendo los recursos que necesita la alianza de manera completa y "
            "oportuna?"
        ],
    ),
    "indicators": (
        "Indicadores de progreso compartidos",
        [
            "En las áreas donde estamos avanzando hacia nuestro propósito compartido, ¿qué "
            "podemos hacer para mejorar nuestros resultados?",
            "Donde no estamos avanzando hacia nuestro propósito compartido, ¿qué nos está "
            "dificultando seguir adelante?",
        ],
    ),
}
OTHER_LANGUAGES = [code for code, _ in settings.LANGUAGES if code != "en"]


def test_the_framework_is_translated_into_spanish():
    with translation.override("es"):
        assert {c.key: (c.name, list(c.shown_questions)) for c in framework()} == SPANISH
        assert (
            framework()
            .get("purpose")
            .about.startswith(
                "Una alianza existe para lograr resultados que ninguna de sus organizaciones socias"
            )
        )
        # The questions themselves stay the English that Question rows hold.
        assert {c.key: list(c.questions) for c in framework()} == FRAMEWORK_QUESTIONS
    with translation.override("es-mx"):  # a regional variant reads its language's words
        assert framework().get("trust").name == "Respeto y confianza mutuos"


def test_english_is_unchanged_and_not_marked_as_a_translation():
    with translation.override("en"):
        assert framework().get("purpose").name == "Shared purpose"
        assert framework().get("purpose").about.startswith("An alliance exists to reach")
        assert not framework().translated
        assert not any(c.translated for c in framework())


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_language_has_every_framework_entry(language):
    """Each language Accord offers has, for each component, its own name, explanation and
    a translation of every question, and the framework its attribution and the note that
    marks it as a translation."""
    english = {c.key: (c.name, c.about, c.shown_questions) for c in framework()}
    with translation.override(language):
        assert framework().translated
        assert framework().attribution and framework().source.note
        for component in framework():
            name, about, questions = english[component.key]
            assert component.translated, component.key
            assert component.name and component.name != name
            assert component.about and component.about != about
            assert len(component.shown_questions) == len(questions)
            assert all(text and text not in questions for text in component.shown_questions)


def test_spanish_is_one_of_the_languages_checked():
    assert "es" in OTHER_LANGUAGES


def test_a_language_added_to_the_settings_without_its_entries_stops_loading(settings):
    settings.LANGUAGES = [*settings.LANGUAGES, ("fr", "French")]

    with pytest.raises(FrameworkError) as error:
        load()

    assert str(error.value) == (
        f"{FRAMEWORK_FILE}: component 1 (purpose): there is no translation into 'fr' "
        "([translations.fr])"
    )


@pytest.mark.parametrize(
    "old, new, problem",
    [
        (
            'name = "Poder compartido"',
            'name = ""',
            "component 2 (power), translation 'es': 'name' must be a non-empty text",
        ),
        (
            'about = """\nEl control compartido',
            'abstract = """\nEl control compartido',
            "component 5 (control), translation 'es': 'about' must be a non-empty text",
        ),
        (
            'text = "¿Creemos de verdad que somos interdependientes?"',
            'text = "  "',
            "component 3 (interdependence), translation 'es', question 1: 'text' must be a "
            "non-empty text",
        ),
        (
            '[[components.translations.es.questions]]\noriginal = "Why do we need',
            '[components.translations.es.unused]\noriginal = "Why do we need',
            "component 3 (interdependence), translation 'es': 'questions' must translate each "
            "of the 2 questions",
        ),
        (
            "[translations.es]",
            "[translations.esp]",
            "framework: there is no translation into 'es' ([translations.es])",
        ),
        (
            'note = "Traducción de Accord',
            'notes = "Traducción de Accord',
            "framework, translation 'es': 'note' must be a non-empty text",
        ),
    ],
)
def test_a_broken_or_missing_spanish_entry_is_named(tmp_path, old, new, problem):
    path = broken(tmp_path, old, new)

    with pytest.raises(FrameworkError) as error:
        load(path)

    assert str(error.value) == f"{path}: {problem}"


def test_a_changed_english_question_makes_its_old_translation_fail(tmp_path):
    # The English list comes first: only the question changes, not what its translation
    # says it translates.
    path = broken(
        tmp_path,
        '"Do we believe we can accomplish our goals?"',
        '"Do we believe we can reach our goals?"',
    )

    with pytest.raises(FrameworkError) as error:
        load(path)

    assert str(error.value) == (
        f"{path}: component 4 (trust), translation 'es', question 1: 'original' must be the "
        "English question it translates, exactly: 'Do we believe we can reach our goals?' "
        "(a changed question needs a new translation)"
    )


def test_start_up_checks_the_translations():
    # apps.ReviewsConfig.ready() loads the framework, which checks every language.
    assert [language for language, _ in framework().translations] == OTHER_LANGUAGES
    assert [language for language, _ in framework().get("purpose").translations] == (
        OTHER_LANGUAGES
    )
