"""Importing an alliance's document (see `records.transfer` and docs/alliance-document.md).

`import_alliance` checks the whole document first and lists every problem, each with where
it is (`goals[2].created_by: refers to nothing`), so that a person can correct them all at
once; only when there is none does it create the alliance, in one transaction, so that a
refused document changes nothing.
"""

import base64
import binascii
import datetime
import json
import math
import random
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import ProhibitNullCharactersValidator
from django.db import DatabaseError, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accord import phrases
from accord.jsontext import has_lone_surrogate
from accounts.models import User
from alliances.models import Alliance, Role
from indicators.models import Indicator
from ratings.models import (
    RATING_MAX,
    RATING_MIN,
    REFLECTION_MAX_LENGTH,
    Participation,
    Rating,
    Reflection,
)
from records.transfer import (
    ADDED,
    ALLIANCE,
    ALLIANCE_FIELDS,
    BY_KEY,
    FORMAT,
    PEOPLE,
    TABLES,
    VERSION,
    Table,
    list_of,
)
from registers import uploads
from reviews.framework import framework
from reviews.models import Question

_shuffle = random.SystemRandom().shuffle

MB = 1024 * 1024
# What a document may hold (docs/alliance-document.md, "Limits"). Each limit is checked
# before the next step costs anything: the size before the file is read, the values and the
# depth before it is parsed, the rows before any of them is checked. So a hostile file is
# refused within about a second, and the check of a file within limits takes seconds and a
# few hundred megabytes at most.
# Values (objects, lists, texts, numbers...) outside texts: parsing allocates per value.
MAX_VALUES = 3_000_000
# Levels of lists and objects: a document exported by Accord nests 9 deep.
MAX_DEPTH = 32
# Rows of every list together, with the answers of rounds (each is a row once imported).
MAX_ROWS = 100_000
# People: their addresses are looked up in one query each time, and SQLite takes at most
# 32,766 parameters in a query (250,000 as Debian builds it).
MAX_PEOPLE = 10_000


class Unreadable(ValueError):
    """The file cannot be read as a document; the message says why, in words."""


def limit_mb() -> int:
    return settings.IMPORT_MAX_MB


def read_document(file):
    """The JSON document in `file` (opened in binary), or `Unreadable` with the reason. The
    file is never read past the size limit, and never parsed past the other limits."""
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    if size > limit_mb() * MB:
        raise Unreadable(
            phrases.FILE_TOO_LARGE
            % {"size": f"{math.ceil(size * 10 / MB) / 10:.1f}", "limit": limit_mb()}
        )
    data = file.read(limit_mb() * MB + 1)
    _check_structure(data)
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except RecursionError:  # deeper than the depth check allows: a file that is not JSON
        raise Unreadable(_too_deep()) from None
    except (UnicodeDecodeError, ValueError):
        raise Unreadable(_not_json()) from None
    if has_lone_surrogate(data, document):
        raise Unreadable(_not_json())
    too_many = _too_many(document)
    if too_many:
        raise Unreadable(too_many)
    return document


# A JSON string, escapes included: what is left outside them is the document's structure.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKETS = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))


def _check_structure(data: bytes) -> None:
    """Refuse a file with too many values or nested too deep, from its bytes (in C-speed
    passes, before parsing builds anything)."""
    structure = _STRING.sub(b"", data)
    # Every value but the first of each list or object follows a comma.
    values = 2 * (structure.count(b"[") + structure.count(b"{")) + structure.count(b",") + 1
    if values > MAX_VALUES:
        raise Unreadable(
            _(
                "This file holds more than %(max)s values: an alliance this Accord imports "
                "holds fewer. It is not a file exported by Accord, or it is too large."
            )
            % {"max": number_format(MAX_VALUES, force_grouping=True)}
        )
    brackets = structure.translate(_BRACKETS, _NOT_BRACKETS)
    for _level in range(MAX_DEPTH):
        brackets = brackets.replace(b"[]", b"")  # the innermost level goes each time
    if brackets:
        raise Unreadable(_too_deep())


def _not_json() -> str:
    return _("This file is not JSON: it is not a file exported by Accord.")


def _too_deep() -> str:
    return _(
        "This file nests lists and objects more than %(max)d levels deep: it is not a file "
        "exported by Accord."
    ) % {"max": MAX_DEPTH}


def _too_many(document) -> str | None:
    """Why the document holds more than this Accord imports at once, or None. Only lengths
    are read, so that this is immediate however many rows there are."""
    if not isinstance(document, dict):
        return None
    people = document.get(PEOPLE)
    if isinstance(people, list) and len(people) > MAX_PEOPLE:
        return _(
            "This file names %(count)s people; this Accord imports at most %(max)s people "
            "in one alliance."
        ) % {
            "count": number_format(len(people), force_grouping=True),
            "max": number_format(MAX_PEOPLE, force_grouping=True),
        }
    lists = [document.get(key) for key in (PEOPLE, *BY_KEY)]
    rows = sum(len(rows) for rows in lists if isinstance(rows, list))
    rounds = document.get("rounds")
    if rows <= MAX_ROWS and isinstance(rounds, list):
        rows += sum(_answers(round_) for round_ in rounds)
    if rows > MAX_ROWS:
        return _(
            "This file holds more than %(max)s rows (counting each answer of a round); this "
            "Accord imports at most %(max)s rows in one alliance."
        ) % {"max": number_format(MAX_ROWS, force_grouping=True)}
    return None


def _answers(round_) -> int:
    """The rows a round's answers become: a participation per person who answered and a
    written answer per count of each question."""
    if not isinstance(round_, dict):
        return 0
    counts = [round_.get("answers")]
    groups = round_.get("reflections")
    if isinstance(groups, list):
        counts += [group.get("count") for group in groups if isinstance(group, dict)]
    return sum(n for n in counts if isinstance(n, int) and not isinstance(n, bool) and n > 0)


@dataclass
class ImportResult:
    """Every problem found (and nothing imported), or the alliance created."""

    problems: list[str]
    alliance: Alliance | None = None


@dataclass
class _Row:
    ref: str
    # By attname; a foreign key's holds the ref it points at, until the rows exist.
    values: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    ok: bool = True


def import_alliance(document, *, by=None) -> ImportResult:
    """Check the whole document, listing every problem, and only when there is none create
    the alliance it describes, in one transaction. `by` is the person importing it through
    the web: they must be one of its coordinators."""
    too_many = _too_many(document)
    if too_many:
        return ImportResult([too_many])
    check = _Check(document, by)
    problems = check.run()
    if problems:
        return ImportResult(problems)
    return _Create(check).run()


def _rules() -> dict[str, str]:
    """What each check constraint means, for a problem's message."""
    return {
        "review_thresholds_at_least_3": _("the thresholds of a review are at least 3"),
        "no_dependency_on_oneself": _("a partner cannot depend on itself"),
        "pledge_due_after_pledged": _("it is due before it was pledged"),
    }


class _Check:
    """Reads a document and lists everything wrong with it, each problem with where it is
    (`goals[2].created_by`), so that a person can correct them all at once."""

    def __init__(self, document, by):
        self.document = document
        self.by = by
        self.now = timezone.now()
        self.problems: list[str] = []
        # For each list, each ref and a number standing for it (for the check constraints).
        self.refs: dict[str, dict[str, int]] = {}
        self.rows: dict[str, list[_Row]] = {}
        self.by_ref: dict[str, dict[str, _Row]] = {}
        self.alliance = _Row("")
        self.people: list[_Row] = []
        self.exported_at = None

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def run(self) -> list[str]:
        document = self.document
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            return [
                _(
                    "This file is not an alliance exported by Accord: its “format” should be "
                    "“%(format)s”."
                )
                % {"format": FORMAT}
            ]
        self.version = document.get("version")
        if self.version not in range(1, VERSION + 1) or isinstance(self.version, bool):
            self.problem(
                "version",
                _("%(found)s: this Accord reads versions 1 to %(version)d of the document.")
                % {"found": self.version, "version": VERSION},
            )
            self.version = VERSION
        self.exported_at = self._datetime("exported_at", document.get("exported_at"))
        lists = {key: self._list(key) for key in (PEOPLE, *BY_KEY)}
        self._collect_refs(lists)
        self._check_alliance(document.get(ALLIANCE))
        self._check_people(lists[PEOPLE])
        for each in TABLES:
            self._check_table(each, lists[each.key])
        self._check_importer()
        return self.problems

    # The document's shape

    def _list(self, key: str) -> list:
        raw = self.document.get(key)
        if raw is None:
            self.problem(key, _("missing"))
            return []
        if not isinstance(raw, list):
            self.problem(key, _("should be a list"))
            return []
        for index, item in enumerate(raw):
            if not isinstance(item, dict):
                self.problem(f"{key}[{index}]", _("should be an object, in braces"))
        return [item if isinstance(item, dict) else {} for item in raw]

    def _collect_refs(self, lists: dict) -> None:
        alliance = self.document.get(ALLIANCE)
        ref = alliance.get("ref") if isinstance(alliance, dict) else None
        self.refs[ALLIANCE] = {str(ref): 1} if isinstance(ref, str | int) else {}
        for key, rows in lists.items():
            seen = self.refs[key] = {}
            for index, row in enumerate(rows):
                ref = row.get("ref")
                where = f"{key}[{index}].ref"
                if not isinstance(ref, str | int) or isinstance(ref, bool) or str(ref) == "":
                    self.problem(where, _("missing"))
                elif str(ref) in seen:
                    self.problem(
                        where,
                        _("“%(ref)s” is also the ref of %(other)s")
                        % {"ref": ref, "other": f"{key}[{seen[str(ref)] - 1}]"},
                    )
                else:
                    seen[str(ref)] = index + 1

    # Values

    def _value(self, where: str, model_field, raw):
        """The field's value read from `raw`, or None with a problem."""
        if isinstance(raw, dict | list) and not isinstance(model_field, models.JSONField):
            self.problem(where, _("should be a single value"))
            return None
        # Django would keep `true` as the text "True" and cut 90.5 to 90.
        text = isinstance(model_field, models.CharField | models.TextField)
        if text and raw is not None and not isinstance(raw, str):
            self.problem(where, _("should be text, in quotes"))
            return None
        if isinstance(model_field, models.IntegerField) and (
            isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer())
        ):
            self.problem(where, _("should be a whole number"))
            return None
        try:
            value = model_field.to_python(raw)
        except ValidationError as error:
            self.problem(where, " ".join(error.messages))
            return None
        if value is None:
            if not model_field.null:
                self.problem(where, _("cannot be empty"))
            return None
        if _has_null(value):  # as a form refuses it (PostgreSQL could not store it)
            self.problem(where, _null_characters())
            return None
        if isinstance(value, datetime.datetime) and timezone.is_naive(value):
            value = timezone.make_aware(value)
        try:
            # An empty JSON value ({} of changes, [] of an agenda) is a value.
            if model_field.editable and not isinstance(model_field, models.JSONField):
                model_field.validate(value, None)
            model_field.run_validators(value)
        except ValidationError as error:
            self.problem(where, " ".join(error.messages))
            return None
        if model_field.name == "projector_languages" and not _language_list(value):
            self.problem(where, _("should be a list of at most two language codes"))
            return None
        if model_field.name == "component_key" and value and framework().get(value) is None:
            self.problem(
                where, _("no component of the framework has the key “%(key)s”") % {"key": value}
            )
        return value

    def _datetime(self, where: str, raw):
        if raw is None:
            self.problem(where, _("missing"))
            return None
        return self._value(where, models.DateTimeField(), raw)

    def ref(self, where: str, target: str, raw, *, null: bool):
        """The ref `raw`, checked to name a row of `target`."""
        if raw is None:
            if not null:
                self.problem(where, _("cannot be empty"))
            return None
        if str(raw) not in self.refs.get(target, {}) or isinstance(raw, dict | list | bool):
            self.problem(
                where,
                _("refers to nothing (no row of “%(list)s” has the ref “%(ref)s”)")
                % {"list": target, "ref": raw},
            )
            return None
        return str(raw)

    def _added_later(self, key: str) -> set[str]:
        """The fields of list `key` that versions after the document's added."""
        return {
            name
            for version, lists in ADDED.items()
            if version > self.version
            for name in lists.get(key, ())
        }

    def _fields(self, key: str, where: str, fields, raw: dict, row: _Row, refs: dict) -> None:
        before = len(self.problems)
        added_later = self._added_later(key)
        for f in fields:
            here = f"{where}.{f.name}"
            if f.name not in raw and f.name in added_later:
                row.values[f.attname] = f.get_default()
            elif f.name not in raw:
                self.problem(here, _("missing"))
            elif f.is_relation:
                row.values[f.attname] = self.ref(here, refs[f.name], raw[f.name], null=f.null)
            else:
                row.values[f.attname] = self._value(here, f, raw[f.name])
        row.ok = len(self.problems) == before

    # The alliance and its people

    def _check_alliance(self, raw) -> None:
        if not isinstance(raw, dict):
            self.problem(ALLIANCE, _("missing"))
            return
        self.alliance = _Row(str(raw.get("ref", "")))
        if not self.refs[ALLIANCE]:
            self.problem(f"{ALLIANCE}.ref", _("missing"))
        self._fields(ALLIANCE, ALLIANCE, ALLIANCE_FIELDS, raw, self.alliance, {})
        slug = self.alliance.values.get("slug")
        if slug == "":
            self.problem(f"{ALLIANCE}.slug", _("cannot be empty"))
        elif slug and Alliance.objects.filter(slug=slug).exists():
            self.problem(
                f"{ALLIANCE}.slug",
                _(
                    "an alliance here already has the address “%(slug)s”: it may have been "
                    "imported already"
                )
                % {"slug": slug},
            )

    def _check_people(self, rows: list) -> None:
        fields = [User._meta.get_field("email"), User._meta.get_field("name")]
        emails: dict[str, int] = {}
        for index, raw in enumerate(rows):
            where = f"{PEOPLE}[{index}]"
            row = _Row(str(raw.get("ref", "")))
            self._fields(PEOPLE, where, fields, raw, row, {})
            email = (row.values.get("email") or "").lower()
            if email in emails:
                self.problem(
                    f"{where}.email",
                    _("also the email of %(other)s") % {"other": f"{PEOPLE}[{emails[email]}]"},
                )
            elif email:
                emails[email] = index
            row.values["email"] = email
            self.people.append(row)

    def _check_importer(self) -> None:
        if self.by is None:
            return
        refs = {row.ref for row in self.people if row.values["email"] == self.by.email.lower()}
        coordinating = any(
            row.values.get("user_id") in refs and row.values.get("role") == Role.COORDINATOR
            for row in self.rows.get("memberships", [])
        )
        if not coordinating:
            self.problems.append(
                _(
                    "You are not a coordinator of this alliance in the file: only one of its "
                    "coordinators can import it."
                )
            )
        # Making someone who already has an account here a member of an alliance, and the
        # author of what it holds, is theirs to accept: only the site's staff may do it for
        # them. Which accounts exist is not said (that would tell who uses this site).
        others = {row.values["email"] for row in self.people if row.ref not in refs}
        if not self.by.is_staff and others:
            existing = (
                User.objects.annotate(address=Lower("email")).filter(address__in=others).count()
            )
            if existing:
                self.problems.append(
                    ngettext(
                        "%(n)d person in this file already has an account on this site: only "
                        "the site's administrators can make existing accounts members of an "
                        "imported alliance. Ask one of them to import the file.",
                        "%(n)d people in this file already have an account on this site: only "
                        "the site's administrators can make existing accounts members of an "
                        "imported alliance. Ask one of them to import the file.",
                        existing,
                    )
                    % {"n": existing}
                )

    # The lists

    def _check_table(self, each: Table, raws: list) -> None:
        rows = self.rows[each.key] = []
        for index, raw in enumerate(raws):
            where = f"{each.key}[{index}]"
            row = _Row(str(raw.get("ref", "")))
            self._fields(each.key, where, each.fields, raw, row, each.refs)
            extra = self._extras().get(each.key)
            if extra:
                before = len(self.problems)
                extra(where, raw, row)
                row.ok = row.ok and len(self.problems) == before
            if row.ok:
                self._check_rules(each, where, row)
            rows.append(row)
        self.by_ref[each.key] = {row.ref: row for row in rows}
        self._check_unique(each, rows)

    def _extras(self) -> dict:
        """What some lists carry beyond their fields, and the lists' own rules."""
        return {
            "questions": self._check_questions,
            "agreements": self._check_agreements,
            "indicators": self._check_indicators,
            "rounds": self._check_rounds,
            "meetings": self._check_meetings,
            "revisions": self._check_revisions,
        }

    def _stand_in(self, each: Table, values: dict) -> dict:
        """The row's values with each ref replaced by a number standing for its row."""
        stand_in = dict(values)
        for f in each.fields:
            if f.is_relation and values.get(f.attname) is not None:
                stand_in[f.attname] = self.refs[each.refs[f.name]][values[f.attname]]
        return stand_in

    def _check_rules(self, each: Table, where: str, row: _Row) -> None:
        checks = [c for c in each.model._meta.constraints if isinstance(c, models.CheckConstraint)]
        if not checks:
            return
        instance = each.model(**self._stand_in(each, row.values))
        for constraint in checks:
            try:
                constraint.validate(each.model, instance)
            except ValidationError:
                rule = _rules().get(constraint.name) or _("it breaks the rule “%(rule)s”") % {
                    "rule": constraint.name
                }
                self.problem(where, rule)

    def _check_unique(self, each: Table, rows: list[_Row]) -> None:
        """Two rows that the database would refuse together (two alignments of one partner
        with one goal, two partners of one name)."""
        for constraint in each.model._meta.constraints:
            parts = _unique_parts(constraint)
            if parts is None:
                continue
            attnames = [(each.model._meta.get_field(name).attname, fold) for name, fold in parts]
            first: dict[tuple, int] = {}
            for index, row in enumerate(rows):
                if not row.ok or not _applies(constraint.condition, each.model, row.values):
                    continue
                key = tuple(_folded(row.values.get(a), fold) for a, fold in attnames)
                if key in first:
                    self.problem(
                        f"{each.key}[{index}]",
                        _("the same %(fields)s as %(other)s")
                        % {
                            "fields": ", ".join(name for name, _fold in parts),
                            "other": f"{each.key}[{first[key]}]",
                        },
                    )
                else:
                    first[key] = index

    # What some lists carry beyond their fields

    def _check_questions(self, where: str, raw: dict, row: _Row) -> None:
        """A framework's question is this installation's own row of the same wording."""
        if raw.get("review") is not None or not row.ok:
            return
        found = self._framework_questions.get((row.values["component_key"], row.values["text"]))
        if found is None:
            self.problem(
                f"{where}.text",
                _("this Accord does not know this question of the framework"),
            )
        row.extra["existing"] = found

    @cached_property
    def _framework_questions(self) -> dict[tuple[str, str], int]:
        """This installation's framework questions by wording, each the newest version: one
        query for the whole document, however many questions it lists."""
        rows = Question.objects.filter(review=None).order_by("version")
        found = rows.values_list("pk", "component_key", "text")
        return {(key, text): pk for pk, key, text in found}

    def _check_agreements(self, where: str, raw: dict, row: _Row) -> None:
        if "file" not in raw:
            self.problem(f"{where}.file", _("missing"))
            return
        attached = raw["file"]
        if attached is None:
            return
        if not isinstance(attached, dict) or not isinstance(attached.get("name"), str):
            self.problem(f"{where}.file", _("should be an object with a name and base64 content"))
            return
        try:
            data = base64.b64decode(attached.get("base64") or "", validate=True)
        except (binascii.Error, TypeError, ValueError):
            self.problem(f"{where}.file.base64", _("not valid base64"))
            return
        name = Path(attached["name"]).name
        refused = uploads.check(SimpleUploadedFile(name, data))
        if refused:
            self.problem(f"{where}.file", refused)
            return
        row.extra["file"] = (name, data)

    def _check_indicators(self, where: str, raw: dict, row: _Row) -> None:
        goals = raw.get("goals")
        if not isinstance(goals, list):
            self.problem(f"{where}.goals", _("should be a list of refs of goals"))
            return
        row.extra["goals"] = [
            self.ref(f"{where}.goals[{n}]", "goals", ref, null=False) for n, ref in enumerate(goals)
        ]

    def _check_meetings(self, where: str, raw: dict, row: _Row) -> None:
        agenda = row.values.get("agenda")
        keys = framework().keys()
        if agenda is not None and (
            not isinstance(agenda, list) or any(key not in keys for key in agenda)
        ):
            self.problem(f"{where}.agenda", _("should be a list of keys of the framework"))

    def _check_revisions(self, where: str, raw: dict, row: _Row) -> None:
        """A revision is about a kind of row (`registers.goal`) and, unless that row was
        deleted before the export, about one row of the list that holds that kind."""
        label = raw.get("model")
        try:
            # The app registry first: a made-up label costs no query, however many rows.
            content_type = ContentType.objects.get_for_model(apps.get_model(str(label)))
        except (LookupError, ValueError):
            self.problem(f"{where}.model", _("this Accord has no “%(model)s”") % {"model": label})
            return
        if "object" not in raw:
            self.problem(f"{where}.object", _("missing"))
            return
        key = list_of(content_type.model_class())
        if key is None and raw["object"] is not None:
            self.problem(
                f"{where}.object", _("no list of the document holds “%(model)s”") % {"model": label}
            )
            return
        ref = self.ref(f"{where}.object", key, raw["object"], null=True) if key else None
        row.extra["revision"] = (content_type, key, ref)

    def _check_rounds(self, where: str, raw: dict, row: _Row) -> None:
        review = self.by_ref.get("reviews", {}).get(row.values.get("review_id"))
        if review is None or not review.ok:
            return
        closed = raw.get("closed")
        if not isinstance(closed, bool):
            self.problem(f"{where}.closed", _("should be true or false"))
            return
        answers = raw.get("answers")
        if not isinstance(answers, int) or isinstance(answers, bool) or answers < 0:
            self.problem(f"{where}.answers", _("should be a number of people"))
            return
        check = _Answers(self, where, raw, review.values, answers)
        if closed and self._open_here(row):
            self.problem(f"{where}.closed", _("the round is still open: it has no closing time"))
        elif closed:
            row.extra["answers"] = check.closed(goal=row.values.get("goal_id") is not None)
        else:
            check.open()

    def _open_here(self, row: _Row) -> bool:
        if row.values.get("closed_at") is not None:
            return False
        check_in = self.by_ref.get("check_ins", {}).get(row.values.get("check_in_id"))
        if check_in is None:
            return True
        values = check_in.values
        return values.get("closed_at") is None and (values.get("closes_at") or self.now) > self.now


def _unique_parts(constraint) -> list[tuple[str, bool]] | None:
    """The fields a unique constraint holds together, each with whether it ignores case
    (`Lower("name")`), but the alliance's (a document holds one alliance); None for any
    other constraint."""
    if not isinstance(constraint, models.UniqueConstraint):
        return None
    parts = []
    for part in constraint.fields or constraint.expressions:
        if isinstance(part, str | F):
            parts.append((part if isinstance(part, str) else part.name, False))
        elif isinstance(part, Lower) and isinstance(part.source_expressions[0], F):
            parts.append((part.source_expressions[0].name, True))
        else:
            return None
    return [(name, fold) for name, fold in parts if name != "alliance"]


def _applies(condition, model, values: dict) -> bool:
    """Whether a unique constraint's condition (`Q(breakdown=None)`, `Q(review__isnull=
    False)`) holds for a row; a condition written otherwise is left to the database."""
    if condition is None:
        return True
    if condition.negated or condition.connector != Q.AND:
        return False
    for lookup, wanted in condition.children:
        name, _sep, operator = lookup.partition("__")
        value = values.get(model._meta.get_field(name).attname)
        if operator == "" and wanted is None:
            holds = value is None
        elif operator == "isnull":
            holds = (value is None) == wanted
        else:
            return False
        if not holds:
            return False
    return True


def _folded(value, fold: bool):
    return value.casefold() if fold and isinstance(value, str) else value


class _Answers:
    """Checks what a round says of its answers: only what `ratings.results` would show, and
    consistent with the number of people who answered."""

    def __init__(self, check: _Check, where: str, raw: dict, review: dict, answers: int):
        self.check = check
        self.where = where
        self.raw = raw
        self.review = review  # the values of the round's review
        self.answers = answers

    def problem(self, name: str, message: str) -> None:
        self.check.problem(f"{self.where}.{name}", message)

    def open(self) -> None:
        """An open round shows no answer yet: the document holds none of them."""
        if self.raw.get("participants") is not None:
            self.problem("participants", _("a round still open names nobody"))
        if self.raw.get("ratings") is not None:
            self.problem("ratings", _("a round still open shows no ratings"))
        groups = self.raw.get("reflections")
        if isinstance(groups, list) and any(
            isinstance(g, dict) and g.get("texts") is not None for g in groups
        ):
            self.problem("reflections", _("a round still open shows no written answers"))

    def closed(self, *, goal: bool) -> dict:
        return {
            "answers": self.answers,
            "participants": self._participants(),
            "ratings": self._ratings(),
            "reflections": self._reflections(goal),
        }

    def _participants(self) -> list[str]:
        raw = self.raw.get("participants")
        if self.review["anonymous"]:
            if raw is not None:
                self.problem(
                    "participants", _("the document of an anonymous review never says who answered")
                )
            return []
        if not isinstance(raw, list) or len(raw) != self.answers:
            self.problem(
                "participants",
                _("should list the %(n)d people who answered") % {"n": self.answers},
            )
            return []
        refs = [
            self.check.ref(f"{self.where}.participants[{n}]", PEOPLE, ref, null=False)
            for n, ref in enumerate(raw)
        ]
        if len(set(refs)) != len(refs):
            self.problem("participants", _("a person answers a round once"))
        return refs

    def _threshold(self, k: int) -> int:
        """K, or K more than the room saw for a round reopened since (`shown_count`)."""
        seen = self.raw.get("shown_count")
        if isinstance(seen, int) and not isinstance(seen, bool) and 0 < self.answers - seen < k:
            return seen + k
        return k

    def _ratings(self) -> list[int]:
        raw = self.raw.get("ratings")
        threshold = self._threshold(self.review["rating_threshold"])
        if self.answers < threshold:
            if raw is not None:
                self.problem(
                    "ratings",
                    _("fewer than %(k)d people answered: their ratings cannot be shown")
                    % {"k": threshold},
                )
            return []
        valid = isinstance(raw, list) and all(
            isinstance(v, int) and not isinstance(v, bool) and RATING_MIN <= v <= RATING_MAX
            for v in raw
        )
        if not valid or len(raw) != self.answers:
            self.problem(
                "ratings",
                _("should list the %(n)d ratings, each from %(min)d to %(max)d")
                % {"n": self.answers, "min": RATING_MIN, "max": RATING_MAX},
            )
            return []
        return raw

    def _reflections(self, goal: bool) -> list[dict]:
        raw = self.raw.get("reflections")
        if not isinstance(raw, list):
            self.problem("reflections", _("should be a list"))
            return []
        if goal and raw:
            self.problem("reflections", _("confidence in a goal is a rating only"))
            return []
        groups, questions = [], set()
        for index, group in enumerate(raw):
            checked = self._group(f"reflections[{index}]", group)
            if checked and checked["question"] in questions:
                self.problem(f"reflections[{index}].question", _("listed twice"))
            elif checked:
                questions.add(checked["question"])
                groups.append(checked)
        return groups

    def _group(self, where: str, group) -> dict | None:
        if not isinstance(group, dict):
            self.problem(where, _("should be an object, in braces"))
            return None
        question = self.check.ref(
            f"{self.where}.{where}.question", "questions", group.get("question"), null=False
        )
        count = group.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or not 0 < count <= self.answers:
            self.problem(f"{where}.count", _("should be a number, at most the number of answers"))
            return None
        texts = self._texts(where, group.get("texts"), count)
        if question is None or texts is None:
            return None
        return {"question": question, "count": count, "texts": texts}

    def _texts(self, where: str, raw, count: int) -> list | None:
        threshold = self.review["reflection_threshold"]
        if count < threshold or self._threshold(threshold) != threshold:
            if raw is not None:
                self.problem(
                    f"{where}.texts",
                    _("fewer than %(k)d written answers: they cannot be shown") % {"k": threshold},
                )
                return None
            return []
        if not isinstance(raw, list) or len(raw) != count:
            self.problem(
                f"{where}.texts", _("should list the %(n)d written answers") % {"n": count}
            )
            return None
        texts = []
        for n, item in enumerate(raw):
            here = f"{where}.texts[{n}]"
            text = item.get("text") if isinstance(item, dict) else None
            if not isinstance(text, str) or not text.strip() or len(text) > REFLECTION_MAX_LENGTH:
                self.problem(
                    here,
                    _("should hold a text of at most %(max)d characters")
                    % {"max": REFLECTION_MAX_LENGTH},
                )
                return None
            if "\x00" in text:
                self.problem(here, _null_characters())
                return None
            author = item.get("author")
            if author is not None and self.review["anonymous"]:
                self.problem(f"{here}.author", _("an anonymous review's answers have no author"))
                return None
            texts.append(
                (text, self.check.ref(f"{self.where}.{here}.author", PEOPLE, author, null=True))
            )
        return texts


class _Create:
    """Creates what a checked document describes, in one transaction."""

    def __init__(self, check: _Check):
        self.check = check
        self.pks: dict[str, dict[str, int]] = {}
        self.stored: list = []  # the agreements' files, removed again if the import fails

    def run(self) -> ImportResult:
        try:
            # All or nothing: a half-imported alliance could neither be used nor imported again (its
            # slug and people would exist already).
            with transaction.atomic():
                alliance = self._alliance()
                self._people()
                for each in TABLES:
                    self._table(each, alliance)
                self._later()
                self._goal_links()
                self._answers()
        except (DatabaseError, ValidationError, OSError) as error:
            for stored in self.stored:
                stored.storage.delete(stored.name)
            return ImportResult(
                [
                    _("The database refused the document, so nothing was imported: %(error)s")
                    % {"error": error}
                ]
            )
        return ImportResult([], alliance)

    def _alliance(self) -> Alliance:
        alliance = Alliance(**self.check.alliance.values)
        alliance.save()
        self.pks[ALLIANCE] = {self.check.alliance.ref: alliance.pk}
        return alliance

    def _people(self) -> None:
        rows = self.check.people
        emails = [row.values["email"] for row in rows]
        existing = {
            user.lowered: user.pk
            for user in User.objects.annotate(lowered=Lower("email")).filter(lowered__in=emails)
        }
        pks = self.pks[PEOPLE] = {}
        for row in rows:
            email = row.values["email"]
            if email not in existing:
                # Made unclaimed (no usable password, never signed in), so that nobody, the
                # importer included, can sign in to it; the address's owner claims it through
                # "forgot your password", sign-up's email or an invitation (User.is_unclaimed).
                existing[email] = User.objects.create_user(email, None, name=row.values["name"]).pk
            pks[row.ref] = existing[email]

    def _values(self, each: Table, row: _Row) -> dict:
        values = dict(row.values)
        for f in each.fields:
            if f.is_relation:
                ref = values[f.attname]
                later = f.name in each.later
                values[f.attname] = (
                    None if ref is None or later else self.pks[each.refs[f.name]][ref]
                )
        return values

    def _table(self, each: Table, alliance: Alliance) -> None:
        pks = self.pks[each.key] = {}
        made, refs = [], []
        for row in self.check.rows[each.key]:
            if row.extra.get("existing"):
                pks[row.ref] = row.extra["existing"]  # a framework's question, here already
                continue
            obj = each.model(**self._values(each, row))
            if each.via == "alliance":
                obj.alliance = alliance
            self._extra(obj, row, alliance)
            made.append(obj)
            refs.append(row.ref)
        each.model.objects.bulk_create(made, batch_size=500)
        pks.update((ref, obj.pk) for ref, obj in zip(refs, made, strict=True))

    def _extra(self, obj, row: _Row, alliance: Alliance) -> None:
        if "file" in row.extra:
            name, data = row.extra["file"]
            obj.file.save(name, ContentFile(data), save=False)
            self.stored.append(obj.file)
        if "revision" in row.extra:
            content_type, key, ref = row.extra["revision"]
            obj.content_type = content_type
            # A revision of a row deleted before the export is about no row here (0).
            obj.object_id = self.pks[key][ref] if ref is not None else 0

    def _later(self) -> None:
        for each in TABLES:
            for name in each.later:
                attname = each.model._meta.get_field(name).attname
                target = self.pks[each.refs[name]]
                changed = [
                    each.model(
                        pk=self.pks[each.key][row.ref], **{attname: target[row.values[attname]]}
                    )
                    for row in self.check.rows[each.key]
                    if row.values[attname] is not None
                ]
                each.model.objects.bulk_update(changed, [name], batch_size=500)

    def _goal_links(self) -> None:
        link = Indicator.goals.through
        goals = self.pks["goals"]
        link.objects.bulk_create(
            link(indicator_id=self.pks["indicators"][row.ref], goal_id=goals[ref])
            for row in self.check.rows["indicators"]
            for ref in row.extra["goals"]
        )

    def _answers(self) -> None:
        """A closed round's answers, as its document shows them: a participation per person
        who answered (nobody's in an anonymous review), the ratings once shown, and the
        written answers once shown; fewer written answers than the threshold are kept as
        empty ones, which are never shown, so that their number stays right."""
        participations, ratings, reflections = [], [], []
        people, questions = self.pks[PEOPLE], self.pks["questions"]
        for row in self.check.rows["rounds"]:
            answers = row.extra.get("answers")
            if answers is None:
                continue
            round_id = self.pks["rounds"][row.ref]
            users = [people[ref] for ref in answers["participants"]] or [None] * answers["answers"]
            participations += [Participation(round_id=round_id, user_id=u) for u in users]
            mine = [Rating(round_id=round_id, value=v) for v in answers["ratings"]]
            for group in answers["reflections"]:
                texts = group["texts"] or [("", None)] * group["count"]
                mine += [
                    Reflection(
                        round_id=round_id,
                        question_id=questions[group["question"]],
                        text=text,
                        author_id=people[author] if author else None,
                    )
                    for text, author in texts
                ]
            # Shuffled as `settle` does: rows written in the document's order would keep on disk
            # whatever order its maker gave them.
            _shuffle(mine)
            ratings += [a for a in mine if isinstance(a, Rating)]
            reflections += [a for a in mine if isinstance(a, Reflection)]
        Participation.objects.bulk_create(participations, batch_size=500)
        Rating.objects.bulk_create(ratings, batch_size=500)
        Reflection.objects.bulk_create(reflections, batch_size=500)


def _null_characters() -> str:
    return str(ProhibitNullCharactersValidator.message)


def _has_null(value) -> bool:
    """Whether a text, or a text anywhere in a JSON value, holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_null(key) or _has_null(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_null(item) for item in value)
    return False


def _language_list(value) -> bool:
    return (
        isinstance(value, list)
        and len(value) <= 2
        and all(isinstance(code, str) and len(code) <= 16 for code in value)
    )
