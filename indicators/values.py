"""Taking values, the one way: from the form, a CSV import or the API.

`check` reads one raw row (strings, as a file or a JSON body gives them) and says, field by
field, what is wrong with it; `add` saves checked rows, all or nothing, each with its
revision. Both sources report the same problems in the same words.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.core.validators import ProhibitNullCharactersValidator
from django.db import transaction
from django.utils.translation import gettext as _

from history.models import Revision
from history.services import display_value
from indicators.models import Breakdown, Indicator, Value

# A value is stored with 16 digits, 4 after the point.
MAX_ABS = Decimal("999999999999.9999")
NOTE_MAX = Value._meta.get_field("note").max_length


@dataclass(frozen=True)
class Row:
    date: datetime.date
    value: Decimal
    breakdown: Breakdown | None = None
    note: str = ""


@dataclass
class Checked:
    row: Row | None
    errors: dict[str, str] = field(default_factory=dict)  # field name -> message
    warnings: list[str] = field(default_factory=list)  # allowed, but worth saying

    @property
    def ok(self) -> bool:
        return not self.errors


class Checker:
    """Checks rows for one indicator, remembering the dates already taken (in the database
    and earlier in the same file or body) to refuse a duplicate."""

    def __init__(self, indicator: Indicator):
        self.indicator = indicator
        self.breakdowns = {b.name.casefold(): b for b in indicator.breakdowns.all()}
        self.taken = set(indicator.values.values_list("breakdown_id", "date"))

    def check(self, raw: dict) -> Checked:
        errors: dict[str, str] = {}
        date = _date(raw.get("date"), errors)
        value = _number(raw.get("value"), errors)
        breakdown = self._breakdown(raw.get("breakdown"), errors)
        note = raw.get("note")
        if note is not None and not isinstance(note, str):  # from a JSON body
            errors["note"] = _("A note must be text (a JSON string).")
            note = ""
        note = (note or "").strip()
        if len(note) > NOTE_MAX:
            errors["note"] = _("A note can be at most %(max)d characters.") % {"max": NOTE_MAX}
        elif "\x00" in note:  # as a form refuses it (PostgreSQL could not store it)
            errors["note"] = str(ProhibitNullCharactersValidator.message)
        warnings = []
        if date and not errors.get("breakdown"):
            key = (breakdown.pk if breakdown else None, date)
            if key in self.taken:
                errors["date"] = _(
                    "There is already a value on %(date)s%(part)s; correct that one instead."
                ) % {
                    "date": date.isoformat(),
                    "part": _(" for %(name)s") % {"name": breakdown.name} if breakdown else "",
                }
            elif not errors:
                self.taken.add(key)
            baseline = self.indicator.baseline_date
            if baseline and date < baseline:
                warnings.append(
                    _("Before the baseline date (%(date)s).") % {"date": baseline.isoformat()}
                )
        if errors:
            return Checked(None, errors, warnings)
        return Checked(Row(date, value, breakdown, note), {}, warnings)

    def _breakdown(self, raw, errors) -> Breakdown | None:
        name = str(raw or "").strip()
        if not name:
            return None
        found = self.breakdowns.get(name.casefold())
        if found is None:
            known = ", ".join(b.name for b in self.breakdowns.values())
            errors["breakdown"] = (
                _("“%(name)s” is not a breakdown of this indicator (it has: %(known)s).")
                % {"name": name, "known": known}
                if known
                else _("“%(name)s” is not a breakdown: this indicator has none.") % {"name": name}
            )
        return found


def _date(raw, errors) -> datetime.date | None:
    text = str(raw or "").strip()
    if not text:
        errors["date"] = _("A date is needed.")
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        errors["date"] = _(
            "“%(text)s” is not a date; write it as year-month-day, e.g. 2027-03-31."
        ) % {"text": text}
        return None


def _number(raw, errors) -> Decimal | None:
    if isinstance(raw, bool):  # JSON true/false are not numbers
        raw = str(raw).lower()
    text = str(raw if raw is not None else "").strip().replace(" ", "")
    if not text:
        errors["value"] = _("A value is needed.")
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        errors["value"] = _("“%(text)s” is not a number, e.g. 1250 or 12.5.") % {"text": text}
        return None
    # copy_abs, not abs(): abs applies the decimal context, which raises Overflow for
    # "1e999999999" instead of saying the value is too large.
    if number.copy_abs() > MAX_ABS:
        errors["value"] = _("%(text)s is too large a value.") % {"text": text}
        return None
    return number.quantize(Decimal("0.0001"))


def add(indicator: Indicator, rows: list[Row], *, origin: str, author) -> list[Value]:
    """Save checked rows, all or nothing, each with a revision naming its author. Pages and
    the API add values through `services.add_values`, which calls this and tells a running
    meeting in the same transaction."""
    values = [
        Value(
            indicator=indicator,
            breakdown=row.breakdown,
            date=row.date,
            value=row.value,
            note=row.note,
            reported_by=author,
            origin=origin,
        )
        for row in rows
    ]
    fields = [Value._meta.get_field(n) for n in ("breakdown", "date", "value", "note")]
    # Values and their revisions together: a value without one would be missing from the
    # history and would not move `last_change`, so cached pages would not show it.
    with transaction.atomic():
        Value.objects.bulk_create(values)  # ids are set on PostgreSQL and SQLite
        content_type = ContentType.objects.get_for_model(Value)
        Revision.objects.bulk_create(
            Revision(
                alliance_id=indicator.alliance_id,
                content_type=content_type,
                object_id=value.pk,
                object_repr=str(value)[:200],
                version=value.version,
                action=Revision.Action.CREATED,
                author=author,
                changes={
                    f.name: {
                        "label": str(f.verbose_name),
                        "old": "",
                        "new": display_value(value, f),
                    }
                    for f in fields
                    if display_value(value, f)
                },
            )
            for value in values
        )
    return values
