"""The attacker reads the database: rows at any moment, a later copy, and the physical pages
of the tables (dead row versions and free space included). They know who answered when
(participations appear in the order people answer); they must not learn who gave which
answer. Each test is one way in; each failed on the storage before sealing, where every
answer rewrote the round's rows in the clear and both sides kept the day.

Run on SQLite and PostgreSQL (DATABASE_URL): the physical tests read SQLite's file image and
PostgreSQL's pages with `pageinspect`."""

import io
import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from ratings import sealing, services
from ratings.models import CheckIn, Participation, Rating, Reflection, Round, SealedAnswer
from ratings.results import result
from ratings.services import close_check_in
from reviews.models import Question, Review
from reviews.services import start_review
from tests.answering import answer, check_in_on, meeting_at_reflect
from tests.factories import add_members

TABLES = [Participation, SealedAnswer, Rating, Reflection]
ANSWERS = 30


def marker(n: int) -> str:
    """A text that appears nowhere else, so that finding it anywhere is finding it."""
    return f"Only member {n} thinks this {uuid.uuid4().hex}"


def rows(model) -> list[tuple]:
    """Every row of a table as it comes from the database, its columns in the model's order,
    its rows in the order they sit on disk (no ORDER BY)."""
    columns = ", ".join(f.column for f in model._meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {model._meta.db_table}")  # noqa: S608
        return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in cursor]


def snapshot() -> dict:
    return {model: rows(model) for model in TABLES}


def fresh_pages() -> None:
    """PostgreSQL keeps the dead rows of earlier tests in a table's pages: start each physical
    test on new files, so that every byte read is this test's."""
    if connection.vendor == "postgresql":
        tables = ", ".join(m._meta.db_table for m in (Rating, Reflection, SealedAnswer))
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables}")
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")


def _relations(model) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = %s::regclass",
            [model._meta.db_table],
        )
        toast = cursor.fetchone()[0]
    return [model._meta.db_table] + ([toast] if toast and toast != "-" else [])


def _pages(relation: str) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT get_raw_page(%s, n::int) FROM generate_series(0, "
            "pg_relation_size(%s::regclass) / current_setting('block_size')::int - 1) n",
            [relation, relation],
        )
        return b"".join(bytes(page) for (page,) in cursor.fetchall())


def physical(*models) -> bytes:
    """What a reader of the disk sees of these tables: on PostgreSQL their pages (and their
    TOAST pages) byte for byte, dead row versions and free space included; on SQLite the
    whole database file as it is (in tests, the in-memory database's image)."""
    if connection.vendor == "postgresql":
        return b"".join(_pages(rel) for model in models for rel in _relations(model))
    connection.ensure_connection()
    return connection.connection.serialize()


def row_versions(model) -> int:
    """On PostgreSQL, how many versions of rows a table's pages hold, dead ones included."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM generate_series(0, pg_relation_size(%s::regclass) / "
            "current_setting('block_size')::int - 1) n, heap_page_items(get_raw_page(%s, "
            "n::int)) WHERE t_data IS NOT NULL",
            [model._meta.db_table, model._meta.db_table],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def room(alliance, review):
    members = add_members(alliance, ANSWERS)
    check_in = check_in_on(review)
    return {"members": members, "check_in": check_in, "round": check_in.rounds.get()}


def answer_all(room) -> list[str]:
    """Everyone answers, in a known order, with a text of their own and a rating that
    follows the order."""
    texts = [marker(n) for n in range(ANSWERS)]
    for n, membership in enumerate(room["members"]):
        answer(membership, room["round"], rating=n % 5 + 1, q1=texts[n])
    return texts


# (a) A snapshot between two answers


def test_a_snapshot_between_two_answers_shows_who_answered_and_nothing_of_what(room):
    texts = answer_all(room)
    before = snapshot()
    late = add_members(room["check_in"].review.alliance, 1, start=ANSWERS)[0]
    secret = marker(99)
    answer(late, room["round"], rating=5, q1=secret)
    after = snapshot()

    new = {model: [r for r in after[model] if r not in before[model]] for model in TABLES}
    assert [r[-1] for r in new[Participation]] == [late.user_id]  # who: that was known
    assert new[Rating] == [] and new[Reflection] == []  # what: nothing in the clear
    ((sealed_id, round_id, blob),) = new[SealedAnswer]
    assert round_id == room["round"].pk
    dump = repr(after).encode()
    for text in [*texts, secret]:
        assert text.encode() not in dump and text.encode() not in blob
    # However much each wrote, their blobs have one size: the newest is not told by it.
    assert {len(r[2]) for r in after[SealedAnswer]} == {len(blob)}


def test_two_equal_answers_give_unrelated_blobs(room):
    first, second = room["members"][:2]
    answer(first, room["round"], rating=3, q1="Same words")
    answer(second, room["round"], rating=3, q1="Same words")
    one, two = SealedAnswer.objects.values_list("blob", flat=True)
    assert bytes(one) != bytes(two)
    assert bytes(one)[:12] != bytes(two)[:12]  # a fresh nonce each time


def test_a_copy_of_the_database_opens_nowhere_without_the_servers_secret(room, settings):
    answer(room["members"][0], room["round"], rating=4, q1="Kept sealed")
    blob = SealedAnswer.objects.get().blob
    settings.SECRET_KEY = "another installation's secret"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(sealing.SealError):
        sealing.open_blob(blob, round_id=room["round"].pk)


def test_a_blob_moved_to_another_round_does_not_open(room, review):
    answer(room["members"][0], room["round"], rating=4)
    other = check_in_on(review).rounds.get()
    with pytest.raises(sealing.SealError):
        sealing.open_blob(SealedAnswer.objects.get().blob, round_id=other.pk)


# (b) After close, no order lines them up


def test_at_close_the_answers_are_written_once_in_the_order_of_a_shuffle(room, monkeypatch):
    texts = answer_all(room)
    shuffled = []

    def spy(items):  # a known permutation, to see that it is the one written
        items.reverse()
        shuffled.append([getattr(i, "text", None) or i.value for i in items])

    monkeypatch.setattr(services, "_shuffle", spy)
    close_check_in(check_in=room["check_in"])

    # Once per table, over the whole round at once: not a rewrite per answer.
    assert len(shuffled) == 2
    assert sorted(shuffled[1]) == sorted(texts)
    assert [r[-1] for r in rows(Reflection)] == shuffled[1]
    assert [r[-1] for r in rows(Rating)] == shuffled[0]


def test_after_close_neither_the_rows_nor_their_ids_follow_the_order_people_answered(room):
    texts = answer_all(room)
    close_check_in(check_in=room["check_in"])
    on_disk = [r[-1] for r in rows(Reflection)]
    by_id = list(Reflection.objects.order_by("pk").values_list("text", flat=True))
    assert sorted(on_disk) == sorted(texts)
    # Equal to the answer order with a chance of one in 30! if shuffled, always if not.
    assert on_disk != texts and by_id != texts
    assert on_disk != texts[::-1] and by_id != texts[::-1]


# (c) No shared day or time


def test_participations_and_answers_share_no_column_but_the_round(db):
    """Read from the database itself, not the models: a column added by hand counts too."""
    with connection.cursor() as cursor:
        columns = {
            model: {
                c.name
                for c in connection.introspection.get_table_description(
                    cursor, model._meta.db_table
                )
            }
            for model in TABLES
        }
    for model in (SealedAnswer, Rating, Reflection):
        assert columns[Participation] & columns[model] == {"id", "round_id"}
    assert columns[SealedAnswer] == {"id", "round_id", "blob"}
    assert columns[Participation] == {"id", "round_id", "user_id"}


def test_a_check_in_open_over_several_days_cannot_be_joined_on_the_day(room):
    texts = answer_all(room)
    close_check_in(check_in=room["check_in"])
    for model in (Participation, Rating, Reflection):
        dated = [f.name for f in model._meta.concrete_fields if f.get_internal_type() in DATES]
        assert dated == []
    assert len(texts) == Reflection.objects.count()


DATES = {"DateField", "DateTimeField", "TimeField", "DurationField"}


# (d) The physical pages


@pytest.mark.django_db(transaction=True)
def test_the_pages_hold_no_answer_while_open_and_each_answer_once_after_close(room):
    fresh_pages()
    texts = answer_all(room)
    sealed_bytes = [bytes(b)[12:60] for b in SealedAnswer.objects.values_list("blob", flat=True)]

    while_open = physical(Rating, Reflection, SealedAnswer)
    for text in texts:
        assert text.encode() not in while_open
    if connection.vendor == "postgresql":
        # No generation of the round sits in the answer tables, dead or alive.
        assert row_versions(Rating) == 0 and row_versions(Reflection) == 0

    close_check_in(check_in=room["check_in"])

    after = physical(Rating, Reflection)
    for text in texts:
        assert after.count(text.encode()) == 1  # one version of each answer, no dead ones
    if connection.vendor == "postgresql":
        assert row_versions(Rating) == ANSWERS and row_versions(Reflection) == ANSWERS
        # The sealed rows' dead versions stay until VACUUM: ciphertext, nothing in the clear.
        assert not any(t.encode() in physical(SealedAnswer) for t in texts)
    else:
        # secure_delete: the deleted sealed rows are zeroed in the file.
        image = physical()
        assert not any(chunk in image for chunk in sealed_bytes)


def test_sqlite_zeroes_what_is_deleted(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's secure_delete")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone() == (1,)


# (e) A later copy of the database


def test_a_later_copy_of_the_database_cannot_pair_a_person_with_an_answer(room):
    texts = answer_all(room)
    close_check_in(check_in=room["check_in"])
    copy = snapshot()

    assert copy[SealedAnswer] == []
    # Participations in the order people answered, as the attacker can know it.
    who = [user for _id, _round, user in sorted(copy[Participation])]
    assert who == [m.user_id for m in room["members"]]
    # Every order the copy offers of the answers (on disk, by id, by any column) is not the
    # order of the participations: zipping them pairs nobody with their own text.
    orders = [[r[-1] for r in copy[Reflection]]]
    orders += [[r[-1] for r in sorted(copy[Reflection], key=lambda r: str(r[i]))] for i in (0, 1)]
    for order in orders:
        assert sum(a == b for a, b in zip(order, texts, strict=True)) < ANSWERS // 2
    assert all(author is None for *_rest, author, _q, _t in copy[Reflection])


# Settling: every way a round closes


def test_a_check_in_past_its_time_settles_when_its_results_are_read(room):
    texts = answer_all(room)
    CheckIn.objects.filter(pk=room["check_in"].pk).update(closes_at=timezone.now())
    round = Round.objects.select_related("check_in", "review").get(pk=room["round"].pk)
    assert not Reflection.objects.exists()

    shown = result(round, [first_question()])

    assert sorted(t for t, _author in shown.reflections[0].texts) == sorted(texts)
    assert not SealedAnswer.objects.exists()
    assert Round.objects.get(pk=round.pk).closed_at == round.check_in.closes_at


def first_question() -> Question:
    return Question.objects.get(component_key="purpose", review=None, position=1, retired_at=None)


def test_the_settle_command_settles_every_closed_round(room, review):
    answer_all(room)
    CheckIn.objects.filter(pk=room["check_in"].pk).update(closes_at=timezone.now())
    still_open = check_in_on(review).rounds.get()
    answer(room["members"][0], still_open, rating=2, q1="Not yet")

    out = io.StringIO()
    call_command("settle_rounds", stdout=out)

    assert out.getvalue() == "1 closed round(s) settled.\n"

    assert Rating.objects.filter(round=room["round"]).count() == ANSWERS
    assert not SealedAnswer.objects.filter(round=room["round"]).exists()
    assert SealedAnswer.objects.filter(round=still_open).count() == 1
    assert not Rating.objects.filter(round=still_open).exists()


def test_settling_twice_writes_nothing_twice(room):
    answer_all(room)
    close_check_in(check_in=room["check_in"])
    services.settle(room["round"])
    services.settle_closed_rounds()
    assert Rating.objects.count() == ANSWERS


def test_an_open_round_is_never_settled(room):
    answer_all(room)
    services.settle(room["round"])
    assert not Rating.objects.exists()
    assert SealedAnswer.objects.count() == ANSWERS


def test_a_key_rotated_while_a_round_was_open_still_opens_it(room, settings):
    answer_all(room)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the new secret"
    close_check_in(check_in=room["check_in"])
    assert Rating.objects.count() == ANSWERS


def test_a_named_review_seals_its_authors_and_writes_them_at_close(room, alliance, carol):
    review = start_review(
        alliance=alliance, name="Named", started_on=timezone.localdate(), author=carol
    )
    Review.objects.filter(pk=review.pk).update(anonymous=False)
    check_in = check_in_on(Review.objects.get(pk=review.pk))
    round = check_in.rounds.get()
    for membership in room["members"][:3]:
        answer(membership, round, rating=4, q1=f"Signed by {membership.user.name}")
    close_check_in(check_in=check_in)
    authors = dict(Reflection.objects.values_list("text", "author"))
    assert authors == {f"Signed by {m.user.name}": m.user_id for m in room["members"][:3]}


def test_a_meeting_that_reveals_settles_its_round_at_once(review, people, room):
    from meetings import services as meetings

    meeting = meeting_at_reflect(review, people["fiona"])
    for membership in room["members"][:3]:
        answer(membership, meeting.current.round, rating=3, q1="Said in the room")
    assert SealedAnswer.objects.count() == 3

    meetings.advance(meeting=meeting, actor=people["fiona"], confirmed=True)  # to the reveal

    assert not SealedAnswer.objects.exists()
    assert Rating.objects.filter(round=meeting.current.round_id).count() == 3


def test_a_meeting_ended_while_answering_settles_when_read_or_by_cron(review, people, room):
    from meetings import services as meetings

    meeting = meeting_at_reflect(review, people["fiona"])
    round = meeting.current.round
    answer(room["members"][0], round, rating=5)
    meetings.end(meeting=meeting, actor=people["fiona"])

    call_command("settle_rounds", verbosity=0)

    assert not SealedAnswer.objects.exists()
    assert list(Rating.objects.filter(round=round).values_list("value", flat=True)) == [5]
