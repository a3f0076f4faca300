import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from meetings import live
from meetings import services as meetings
from meetings.models import Phase
from ratings import results
from ratings.models import Rating, Reflection
from ratings.services import close_check_in
from reviews.framework import FRAMEWORK_FILE, FrameworkError, framework, load
from reviews.models import Question
from reviews.services import sync_framework_questions
from tests import pages
from tests.answering import check_in_on
from tests.framework_questions import FRAMEWORK_QUESTIONS


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
ORIGINAL_ATTRIBUTION = (
    "Working Together Benchmarks, first introduced by Chris Kloth, ChangeWorks of the Heartland."
)
SPANISH_ATTRIBUTION = (
    "Working Together Benchmarks, presentados por primera vez por Chris Kloth, de ChangeWorks "
    "of the Heartland. Traducción de Accord del texto original en inglés."
)
ORIGINAL_WORDING = "Traducido del inglés: ver el texto original"
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


@pytest.mark.django_db
def test_a_question_is_shown_in_the_readers_language_and_kept_in_english():
    question = Question.objects.get(component_key="trust", position=2, retired_at=None)
    with translation.override("es"):
        assert question.shown_text == "¿Cada uno de nosotros hizo lo que dijo que haría?"
        assert question.shown_lang == ""
    assert question.text == "Did each of us do what we said we would do?"
    assert question.shown_text == question.text


@pytest.mark.django_db
def test_an_older_wording_has_no_translation_and_says_it_is_english():
    old = Question.objects.get(component_key="purpose", position=1, retired_at=None)
    Question.objects.filter(pk=old.pk).update(text="An older wording?")
    old.refresh_from_db()
    with translation.override("es"):
        assert (old.shown_text, old.shown_lang) == ("An older wording?", "en")


@pytest.mark.django_db
def test_an_alliances_own_question_stays_as_written(review):
    own = Question.objects.create(
        component_key="purpose",
        position=9,
        text="Do we still agree on the pantry?",
        origin=Question.Origin.ALLIANCE,
        review=review,
    )
    with translation.override("es"):
        assert (own.shown_text, own.shown_lang) == ("Do we still agree on the pantry?", "")


def in_spanish(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"


def component_url(review, key):
    return reverse("reviews:component", args=[review.alliance.slug, review.pk, key])


def about_section(content: str) -> str:
    return content.split('<section aria-labelledby="about-title">')[1].split("</section>")[0]


@pytest.mark.usefixtures("fast_passwords")
@pytest.mark.parametrize("key", list(SPANISH))
def test_a_spanish_component_page_shows_the_spanish_words_and_the_original_a_click_away(
    client, mia, review, key
):
    client.force_login(mia)
    in_spanish(client)

    response = client.get(component_url(review, key))

    assert response.status_code == 200
    name, questions = SPANISH[key]
    component = framework().get(key)
    section = about_section(response.content.decode())
    shown, original = section.split('<details class="original-wording">')
    assert f"<h1>{component.number}. {name}</h1>" in response.content.decode()
    with translation.override("es"):
        assert html.escape(component.about) in shown
    quoted = re.findall(r"<blockquote><p>(.*?)</p></blockquote>", shown, re.S)
    assert [html.unescape(q) for q in quoted] == questions
    assert SPANISH_ATTRIBUTION in " ".join(html.unescape(shown).split())
    # One click away: the English wording, marked as English, with its attribution.
    assert f"<summary>{ORIGINAL_WORDING}</summary>" in original
    english = original.split('<div lang="en">')[1].split("</div>")[0]
    assert f"<strong>{component.number}. {component.original.name}</strong>" in english
    quoted = re.findall(r"<blockquote><p>(.*?)</p></blockquote>", english, re.S)
    assert [html.unescape(q) for q in quoted] == FRAMEWORK_QUESTIONS[key]
    assert ORIGINAL_ATTRIBUTION in english
    assert component.original.name not in pages.text(response).replace(
        f"{component.number}. {component.original.name}", "", 1
    )


@pytest.mark.usefixtures("fast_passwords")
def test_an_english_component_page_quotes_and_offers_no_translation(client, mia, review):
    client.force_login(mia)

    content = client.get(component_url(review, "purpose")).content.decode()

    assert "original-wording" not in content
    assert "Traducción" not in content


def stage_in(language: str, meeting, kind: str, key: str = "purpose") -> str:
    while live.load(meeting.pk).current.kind != kind:
        meetings.advance(meeting=live.load(meeting.pk), actor=meeting.facilitator, confirmed=True)
    meeting = live.load(meeting.pk)
    with translation.override(language):
        return live.render_stage(meeting, meeting.current)


@pytest.fixture
def running(fast_passwords, people, review):
    meeting = meetings.plan_meeting(
        review=review,
        agenda=["purpose"],
        author=people["fiona"],
        starts_at=timezone.now(),
        place="Town hall",
        facilitator=people["fiona"],
    )
    meetings.start(meeting=meeting, actor=people["fiona"])
    return live.load(meeting.pk)


@pytest.mark.parametrize("kind", [Phase.Kind.INTRODUCE, Phase.Kind.REFLECT])
def test_the_meeting_stage_in_spanish_shows_the_spanish_words(running, kind):
    text = stage_in("es", running, kind)

    name, questions = SPANISH["purpose"]
    shown, original = text.split('<details class="original-wording">')
    assert name in shown
    assert "Shared purpose" not in shown
    for question in questions:
        assert f"<p>{html.escape(question)}</p>" in shown
    assert FRAMEWORK_QUESTIONS["purpose"][0] not in shown
    assert f"<summary>{ORIGINAL_WORDING}</summary>" in original
    assert '<div lang="en">' in original
    assert html.escape(FRAMEWORK_QUESTIONS["purpose"][0]) in original
    assert ORIGINAL_ATTRIBUTION in original


def test_the_meeting_stage_in_english_is_unchanged(running):
    text = stage_in("en", running, Phase.Kind.INTRODUCE)

    assert '<h2 class="stage__headline">Shared purpose</h2>' in text
    assert f"<p>{html.escape(FRAMEWORK_QUESTIONS['purpose'][0])}</p>" in text
    assert "original-wording" not in text


@pytest.mark.usefixtures("fast_passwords")
def test_ratings_given_in_spanish_and_in_english_answer_the_same_question(client, people, review):
    check_in = check_in_on(review, ["interdependence"])
    page_url = reverse("ratings:check_in", args=[review.alliance.slug, check_in.pk])
    answer_url = reverse("ratings:check_in_answer", args=[review.alliance.slug, check_in.pk])
    fields = {}
    for person, language, rating, written in [
        ("mia", "es", "2", "Solo en parte."),
        ("carol", "en", "4", "Mostly."),
    ]:
        client.force_login(people[person])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(page_url)
        form = page.context["form"]
        name = next(n for n in form.fields if n.startswith("interdependence-q"))
        fields[language] = (name, form.fields[name].label)
        response = client.post(
            answer_url,
            {"rules": review.rules, "interdependence-rating": rating, name: written},
        )
        assert response.status_code == 302

    # The same field, that is the same Question row, under each language's wording.
    question = Question.objects.get(
        component_key="interdependence", position=1, review=None, retired_at=None
    )
    assert fields == {
        "es": (f"interdependence-q{question.pk}", SPANISH["interdependence"][1][0]),
        "en": (f"interdependence-q{question.pk}", FRAMEWORK_QUESTIONS["interdependence"][0]),
    }
    close_check_in(check_in=check_in)
    round = check_in.rounds.get()
    assert sorted(Rating.objects.filter(round=round).values_list("value", flat=True)) == [2, 4]
    assert sorted(
        Reflection.objects.filter(round=round, question=question).values_list("text", flat=True)
    ) == ["Mostly.", "Solo en parte."]
    result = results.result(round, [question])
    assert (result.count, result.reflections[0].count) == (2, 2)
