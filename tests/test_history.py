"""Two people editing one record: nobody's work is silently lost, and every change is kept."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from history.models import Revision
from history.services import EditConflict, save_edit
from reviews.forms import ComponentRecordForm
from reviews.models import ComponentRecord


def edit_url(review, key="purpose"):
    return reverse("reviews:record_edit", args=[review.alliance.slug, review.pk, key])


def record_data(version, **fields):
    data = {"notes": "", "agreements": "", "concerns": "", "ideas": "", "base_version": version}
    data.update(fields)
    return data


@pytest.fixture
def two_editors(client, django_user_model, review, fiona, mia):
    from django.test import Client

    other = Client()
    client.force_login(fiona)
    other.force_login(mia)
    return client, other


def test_second_editor_sees_a_conflict_and_loses_nothing(two_editors, review):
    fiona, mia = two_editors
    assert fiona.get(edit_url(review)).context["form"]["base_version"].value() == 1
    assert mia.get(edit_url(review)).context["form"]["base_version"].value() == 1

    first = fiona.post(edit_url(review), record_data(1, notes="Fiona's notes"))
    assert first.status_code == 302
    second = mia.post(edit_url(review), record_data(1, notes="Mia's notes"))

    assert second.status_code == 200
    page = second.content.decode()
    assert "Someone else saved this while you were editing" in page
    conflict = second.context["conflict"]
    assert [(f.label, f.theirs, f.yours) for f in conflict.fields] == [
        ("notes", "Fiona's notes", "Mia's notes")
    ]
    assert conflict.last_revision.author.name == "Fiona Facilitator"
    # Mia's text is still in her form, which now builds on Fiona's version.
    assert second.context["form"]["notes"].value() == "Mia's notes"
    assert second.context["form"]["base_version"].value() == 2
    record = ComponentRecord.objects.get(review=review, component_key="purpose")
    assert (record.notes, record.version) == ("Fiona's notes", 2)

    merged = mia.post(edit_url(review), record_data(2, notes="Fiona's notes\n\nMia's notes"))
    assert merged.status_code == 302
    record.refresh_from_db()
    assert (record.notes, record.version) == ("Fiona's notes\n\nMia's notes", 3)


def test_edits_of_different_fields_from_one_version_both_stand(two_editors, review):
    fiona, mia = two_editors
    assert fiona.post(edit_url(review), record_data(1, notes="Notes")).status_code == 302
    assert mia.post(edit_url(review), record_data(1, ideas="An idea")).status_code == 302
    record = ComponentRecord.objects.get(review=review, component_key="purpose")
    assert (record.notes, record.ideas, record.version) == ("Notes", "An idea", 3)


def test_saving_unchanged_values_writes_no_revision(two_editors, review):
    fiona, _ = two_editors
    before = Revision.objects.count()
    assert fiona.post(edit_url(review), record_data(1)).status_code == 302
    assert Revision.objects.count() == before


def test_history_lists_who_changed_what_and_when(two_editors, review):
    fiona, mia = two_editors
    fiona.post(edit_url(review), record_data(1, notes="First"))
    mia.post(edit_url(review), record_data(2, notes="Second", concerns="A worry"))
    record = ComponentRecord.objects.get(review=review, component_key="purpose")

    revisions = list(Revision.objects.for_object(record))
    assert [(r.version, r.action, r.author.name) for r in revisions] == [
        (3, "changed", "Mia Member"),
        (2, "changed", "Fiona Facilitator"),
    ]
    assert revisions[0].changes == {
        "notes": {"label": "notes", "old": "First", "new": "Second"},
        "concerns": {
            "label": "where they still disagree or have concerns",
            "old": "",
            "new": "A worry",
        },
    }
    url = reverse(
        "alliances:history",
        args=[review.alliance.slug, "reviews.componentrecord", record.pk],
    )
    page = mia.get(url).content.decode()
    assert "Version 3: changed by Mia Member" in page
    assert "Version 2: changed by Fiona Facilitator" in page
    assert "A worry" in page


def test_history_of_another_alliances_record_is_not_found(client, review, olga):
    record = ComponentRecord.objects.get(review=review, component_key="purpose")
    client.force_login(olga)
    riverside = olga.memberships.get().alliance
    url = reverse("alliances:history", args=[riverside.slug, "reviews.componentrecord", record.pk])
    assert client.get(url).status_code == 404


def test_history_of_an_unknown_model_is_not_found(client, review, fiona):
    client.force_login(fiona)
    url = reverse("alliances:history", args=[review.alliance.slug, "nothing.here", 1])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "model", ["reviews.componentrecord\x00", "reviews\x00.componentrecord", "a.b.c", "."]
)
def test_history_of_a_malformed_model_name_is_not_found(client, review, fiona, model):
    client.force_login(fiona)
    record = ComponentRecord.objects.get(review=review, component_key="purpose")
    url = reverse("alliances:history", args=[review.alliance.slug, model, record.pk])
    assert client.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_from_one_version_keep_exactly_one(review, fiona, mia):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that runs writers in parallel")
    record = ComponentRecord.objects.get(review=review, component_key="purpose")
    barrier = threading.Barrier(2)
    outcomes = []

    def save(author, text):
        try:
            form = ComponentRecordForm(
                record_data(1, notes=text), instance=type(record).objects.get(pk=record.pk)
            )
            assert form.is_valid()
            barrier.wait()
            save_edit(form, alliance=review.alliance, author=author)
            outcomes.append(("saved", text))
        except EditConflict:
            outcomes.append(("conflict", text))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(fiona, "A")),
        threading.Thread(target=save, args=(mia, "B")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(kind for kind, _ in outcomes) == ["conflict", "saved"]
    record.refresh_from_db()
    winner = next(text for kind, text in outcomes if kind == "saved")
    assert (record.notes, record.version) == (winner, 2)
    assert Revision.objects.for_object(record).count() == 1
