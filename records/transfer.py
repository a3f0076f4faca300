"""The whole alliance as one JSON document, and back (described in docs/alliance-document.md).

`export_alliance` writes every row of an alliance as plain JSON: one list per model, each row
a dict of the model's fields with a document-local "ref", its foreign keys written as the
refs of the rows they point at (people by a ref into the "people" list, matched by email on
import). `records.transfer_import.import_alliance` reads such a document into an
installation: it checks everything first and lists every problem it finds, and only when
there is none creates the whole alliance in one transaction.

Private answers leave only as `ratings.results` shows them: for each round, the number of
people who answered; the ratings only once the round is closed and K people answered (as
a sorted list of values, with no id, day or author); the written answers to a question only
once K were written to it (in a shuffled order, with their author in a named review only).
Who answered a round of an anonymous review is never written, only how many.
"""

import base64
import datetime
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from accounts.models import User
from alliances.models import Alliance, Membership, Partner
from history.models import Revision
from indicators.models import Breakdown, Indicator, Story, Value
from meetings.models import Attendance, LogEntry, Meeting, Phase
from ratings import results
from ratings.models import (
    CheckIn,
    Participation,
    Round,
)
from registers import uploads
from registers.models import (
    Accomplishment,
    Agreement,
    Alignment,
    Contribution,
    Dependency,
    Goal,
    ImpactAnswer,
    Pledge,
    Resource,
)
from reviews.models import Commitment, ComponentRecord, Question, Review

FORMAT = "accord-alliance"
VERSION = 3
ALLIANCE = "alliance"
PEOPLE = "people"
# The fields each version added, by list. A document of an earlier version lacks them, and
# an import gives them their default: what the alliance had before the field existed.
ADDED = {
    2: {ALLIANCE: {"language"}, "meetings": {"projector_languages"}},
    3: {
        "dependencies": {"strength", "dependent_confirmed", "provider_confirmed"},
        "questions": {"chain", "created_by"},
    },
}

_shuffle = random.SystemRandom().shuffle


@dataclass(frozen=True)
class Table:
    """One list of the document: the rows of one model that belong to the alliance."""

    key: str
    model: type[models.Model]
    # Each foreign key, and the list whose refs it holds (PEOPLE for a person).
    refs: dict[str, str] = field(default_factory=dict)
    # How a row reaches its alliance (a lookup path).
    via: str = "alliance"
    # Fields left out of the document (the documentation says why).
    skip: tuple[str, ...] = ()
    # Foreign keys that may point at a row further on: set once every row exists.
    later: tuple[str, ...] = ()
    related: tuple[str, ...] = ()

    @property
    def fields(self) -> list[models.Field]:
        """The fields a row carries. Every row belongs to the document's alliance, so a row's
        own foreign key to it is implied, never written."""
        return [
            f
            for f in self.model._meta.concrete_fields
            if not f.primary_key and f.name != "alliance" and f.name not in self.skip
        ]

    def rows(self, alliance):
        return (
            self.model.objects.filter(**{self.via: alliance})
            .select_related(*self.related)
            .order_by("pk")
        )


# In the order an import creates them: a list's foreign keys point at lists above it, but
# for the `later` ones.
TABLES = (
    Table("partners", Partner),
    Table("memberships", Membership, {"user": PEOPLE, "partner": "partners"}),
    Table("reviews", Review, {"created_by": PEOPLE}),
    # A review's own questions, and (added by the rounds) the framework's questions that
    # written answers were given to: those are matched by their wording, never created.
    Table(
        "questions", Question, {"review": "reviews", "created_by": PEOPLE}, via="review__alliance"
    ),
    Table(
        "records",
        ComponentRecord,
        {"review": "reviews", "opened_by": PEOPLE, "recorded_by": PEOPLE},
        via="review__alliance",
    ),
    Table("goals", Goal, {"created_by": PEOPLE}),
    Table("alignments", Alignment, {"goal": "goals", "partner": "partners"}, via="goal__alliance"),
    Table("resources", Resource, {"goal": "goals", "responsible": "partners"}),
    Table(
        "contributions",
        Contribution,
        {"resource": "resources", "partner": "partners"},
        via="resource__alliance",
    ),
    Table(
        "dependencies",
        Dependency,
        {"dependent": "partners", "provider": "partners", "goal": "goals", "resource": "resources"},
    ),
    Table(
        "impact_answers",
        ImpactAnswer,
        {"review": "reviews", "partner": "partners"},
        via="review__alliance",
    ),
    Table("accomplishments", Accomplishment, {"goal": "goals", "created_by": PEOPLE}),
    # The file itself travels apart, as base64 (see _file_out).
    Table("agreements", Agreement, {"owner": "partners", "created_by": PEOPLE}, skip=("file",)),
    Table(
        "pledges",
        Pledge,
        {"partner": "partners", "resource": "resources", "created_by": PEOPLE},
    ),
    Table(
        "commitments",
        Commitment,
        {"review": "reviews", "partner": "partners", "owner": PEOPLE, "created_by": PEOPLE},
    ),
    Table("indicators", Indicator, {"responsible": "partners", "created_by": PEOPLE}),
    Table("breakdowns", Breakdown, {"indicator": "indicators"}, via="indicator__alliance"),
    Table(
        "values",
        Value,
        {"indicator": "indicators", "breakdown": "breakdowns", "reported_by": PEOPLE},
        via="indicator__alliance",
    ),
    Table(
        "stories",
        Story,
        {"indicator": "indicators", "review": "reviews"},
        via="indicator__alliance",
    ),
    Table("check_ins", CheckIn, {"review": "reviews", "opened_by": PEOPLE}, via="review__alliance"),
    # With what may be shown of their answers (see _rounds_out).
    Table(
        "rounds",
        Round,
        {"review": "reviews", "check_in": "check_ins", "goal": "goals", "asked_with": "rounds"},
        via="review__alliance",
        later=("asked_with",),
        related=("review", "check_in"),
        # Whether its sealed answers were written out belongs to this installation: what a
        # document holds of a closed round's answers is written out already on import.
        skip=("settled",),
    ),
    # A projector link is a secret of the installation that made it (and so is a calendar's
    # version of the meeting, below).
    Table(
        "meetings",
        Meeting,
        {
            "review": "reviews",
            "facilitator": PEOPLE,
            "co_facilitator": PEOPLE,
            "recorder": PEOPLE,
            "created_by": PEOPLE,
            "current": "phases",
        },
        via="review__alliance",
        # The calendar's SEQUENCE goes with UIDs that name this installation: a meeting
        # imported elsewhere starts again from its first version there.
        skip=("projector_token_hash", "calendar_sequence", "calendar_changed_at"),
        later=("current",),
    ),
    Table(
        "phases", Phase, {"meeting": "meetings", "round": "rounds"}, via="meeting__review__alliance"
    ),
    Table(
        "log_entries",
        LogEntry,
        {"meeting": "meetings", "actor": PEOPLE},
        via="meeting__review__alliance",
    ),
    Table(
        "attendance",
        Attendance,
        {"meeting": "meetings", "user": PEOPLE},
        via="meeting__review__alliance",
    ),
    # Last: a revision names the row it is about by its list and ref (see _revisions_out).
    Table("revisions", Revision, {"author": PEOPLE}, skip=("content_type", "object_id")),
)
BY_KEY = {table.key: table for table in TABLES}
ALLIANCE_FIELDS = [f for f in Alliance._meta.concrete_fields if not f.primary_key]


def table(key: str) -> Table:
    return BY_KEY[key]


def list_of(model) -> str | None:
    """The document's list that holds rows of `model`."""
    if model is Alliance:
        return ALLIANCE
    return next((t.key for t in TABLES if t.model is model), None)


def dump(value):
    """A field's value as JSON holds it: dates and times in ISO 8601, decimals as strings
    (so that no digit is lost to a float), UUIDs as strings."""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


# Export


class Writer:
    """Writes rows as the document holds them, and remembers every row each ref points at
    (the people to list, and for a review's export, the partners and goals it names)."""

    def __init__(self):
        self.seen: dict[str, set] = {}

    def ref(self, target: str, pk) -> str | None:
        if pk is None:
            return None
        self.seen.setdefault(target, set()).add(pk)
        return str(pk)

    def row(self, each: Table, obj, fields=None) -> dict:
        row = {"ref": str(obj.pk)}
        for f in fields or each.fields:
            if f.is_relation:
                row[f.name] = self.ref(each.refs[f.name], getattr(obj, f.attname))
            else:
                row[f.name] = dump(f.value_from_object(obj))
        return row

    def people(self, with_email: bool) -> list[dict]:
        users = User.objects.filter(pk__in=self.seen.get(PEOPLE, ())).order_by("pk")
        return [
            {"ref": str(u.pk), **({"email": u.email} if with_email else {}), "name": u.name}
            for u in users
        ]


def export_alliance(alliance: Alliance) -> dict:
    """The alliance as one JSON-ready document."""
    return _Export(alliance).document()


class _Export:
    def __init__(self, alliance):
        self.alliance = alliance
        self.writer = Writer()
        self.lists: dict[str, list] = {}
        self.kept: dict[str, set] = {ALLIANCE: {alliance.pk}}  # the pks written, per list

    def document(self) -> dict:
        exported_at = timezone.now()
        alliance = {"ref": str(self.alliance.pk)}
        alliance |= {f.name: dump(f.value_from_object(self.alliance)) for f in ALLIANCE_FIELDS}
        # What some lists carry beyond their fields.
        extras = {
            "agreements": self._agreements,
            "indicators": self._indicators,
            "rounds": self._rounds,
            "revisions": self._revisions,
        }
        for each in TABLES:
            objects = list(each.rows(self.alliance))
            self.lists[each.key] = [self.writer.row(each, obj) for obj in objects]
            self.kept[each.key] = {obj.pk for obj in objects}
            if each.key in extras:
                extras[each.key](objects, self.lists[each.key])
        return {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": exported_at.isoformat(),
            ALLIANCE: alliance,
            PEOPLE: self.writer.people(with_email=True),
            **self.lists,
        }

    def _agreements(self, agreements, rows) -> None:
        for agreement, row in zip(agreements, rows, strict=True):
            row["file"] = _file_of(agreement)

    def _indicators(self, indicators, rows) -> None:
        links = Indicator.goals.through.objects.filter(indicator__alliance=self.alliance)
        goals: dict[int, list[str]] = {}
        for indicator_id, goal_id in links.order_by("goal_id").values_list(
            "indicator_id", "goal_id"
        ):
            goals.setdefault(indicator_id, []).append(self.writer.ref("goals", goal_id))
        for indicator, row in zip(indicators, rows, strict=True):
            row["goals"] = goals.get(indicator.pk, [])

    def _rounds(self, rounds, rows) -> None:
        """Each round with what may be shown of its answers; the framework's questions
        they answered join the questions."""
        questions = list(Question.objects.filter(review=None)) + list(
            Question.objects.filter(review__alliance=self.alliance)
        )
        answered: dict[int, Question] = {}
        for row, answers in zip(rows, round_answers(self.writer, rounds, questions), strict=True):
            row.update(answers.document)
            answered.update((q.pk, q) for q in answers.questions if q.review_id is None)
        self.lists["questions"] += [
            self.writer.row(table("questions"), q) for _pk, q in sorted(answered.items())
        ]

    def _revisions(self, revisions, rows) -> None:
        """A revision names its row by list and ref; one about a row since deleted names
        none ("object": null)."""
        for revision, row in zip(revisions, rows, strict=True):
            content_type = ContentType.objects.get_for_id(revision.content_type_id)
            key = list_of(content_type.model_class())
            row["model"] = ".".join(content_type.natural_key())
            row["object"] = (
                str(revision.object_id) if revision.object_id in self.kept.get(key, ()) else None
            )


def _file_of(agreement) -> dict | None:
    if not agreement.file:
        return None
    try:
        with agreement.file.open("rb") as stored:
            data = stored.read()
    except OSError:
        return None  # the file is missing from this installation's storage
    name = Path(agreement.file.name).name
    kind = uploads.kind_of(name)
    return {
        "name": name,
        "content_type": kind.content_type if kind else "application/octet-stream",
        "base64": base64.b64encode(data).decode("ascii"),
    }


@dataclass
class Answers:
    """What a document holds of one round's answers, and the questions they were given to."""

    document: dict
    result: results.RoundResult
    questions: list


def round_answers(writer: Writer, rounds: list[Round], questions: list[Question]) -> list[Answers]:
    """For each round (each loaded with its review and check-in), what `ratings.results`
    shows of its answers: always their number; the ratings once shown; the written answers
    to each question once shown, with their authors in a named review."""
    # A confidence round takes ratings only; a component's, written answers to its questions.
    asked = {
        r.pk: [
            q
            for q in questions
            if q.component_key == r.component_key and q.review_id in (None, r.review_id)
        ]
        for r in rounds
        if not r.goal_id
    }
    found = results.results_of(rounds, asked)
    participants = _participants(rounds)
    return [_round_answers(writer, r, found[r.pk], participants.get(r.pk, [])) for r in rounds]


def _participants(rounds) -> dict[int, list]:
    """Who answered each round of a named review (an anonymous review's are never read)."""
    named = [r.pk for r in rounds if not r.review.anonymous]
    found: dict[int, list] = {}
    if named:
        rows = Participation.objects.filter(round_id__in=named).order_by("user__name", "user_id")
        for round_id, user_id, name in rows.values_list("round_id", "user_id", "user__name"):
            found.setdefault(round_id, []).append((user_id, name))
    return found


def _round_answers(writer, round, summary, participants) -> Answers:
    document = {
        "closed": summary.closed,
        "answers": summary.count,
        "participants": None,
        "ratings": None,
        "reflections": [],
    }
    if summary.closed and not round.review.anonymous:
        document["participants"] = [writer.ref(PEOPLE, pk) for pk, _name in participants if pk]
    if summary.shown:
        # Rebuilt from the spread, so sorted: the rows' own order and ids could hint at who
        # answered when.
        document["ratings"] = [bar.value for bar in summary.bars for _n in range(bar.count)]
    if round.goal_id:  # a confidence round takes ratings only
        return Answers(document, summary, [])
    groups = [g for g in summary.reflections if g.count]
    by_name = _unique_names(participants)
    document["reflections"] = [
        {
            "question": writer.ref("questions", g.question.pk),
            "count": g.count,
            "texts": [
                {
                    "text": text,
                    "author": writer.ref(PEOPLE, by_name.get(author)) if author else None,
                }
                for text, author in g.texts
            ]
            if g.shown
            else None,
        }
        for g in groups
    ]
    return Answers(document, summary, [g.question for g in groups])


def _unique_names(participants) -> dict[str, int]:
    """`ratings.results` gives a written answer's author by name: the person is the one of
    the round's participants with that name (none when two share it)."""
    names: dict[str, list] = {}
    for pk, name in participants:
        names.setdefault(name, []).append(pk)
    # Two people of one name: no author rather than one person's words given to the other.
    return {name: pks[0] for name, pks in names.items() if len(pks) == 1}
