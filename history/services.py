"""Saving shared records without losing anyone's work.

Every edit of a `Versioned` row goes through `save_edit`: it refuses a save made from a
version that someone else has since replaced (raising `EditConflict`, which carries both
versions for the person to merge) and keeps a `Revision` of what changed.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction

from history.models import Revision


@dataclass(frozen=True)
class FieldConflict:
    label: str
    theirs: str
    yours: str


class EditConflict(Exception):
    def __init__(self, current, fields: list[FieldConflict], last_revision: Revision | None):
        super().__init__("The record was changed by someone else.")
        self.current = current
        self.fields = fields
        self.last_revision = last_revision


def display_value(instance, field: models.Field) -> str:
    """A field's value as a person reads it."""
    if field.choices:
        return str(getattr(instance, f"get_{field.name}_display")())
    if field.is_relation:
        related = getattr(instance, field.name)
        return "" if related is None else str(related)
    value = field.value_from_object(instance)
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _edited_fields(form) -> list[models.Field]:
    """The model fields the form edits. A form may carry others (base_version, or what the
    view saves apart, such as the partners who bring a resource)."""
    meta = form.instance._meta
    columns = {field.name for field in meta.concrete_fields}
    return [meta.get_field(name) for name in form.fields if name in columns]


def _differences(before, after, fields) -> dict:
    return {
        field.name: {
            "label": str(field.verbose_name),
            "old": display_value(before, field),
            "new": display_value(after, field),
        }
        for field in fields
        if field.value_from_object(before) != field.value_from_object(after)
    }


def log_change(instance, *, action, alliance, author, changes) -> Revision:
    return Revision.objects.create(
        alliance=alliance,
        content_type=ContentType.objects.get_for_model(instance),
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        version=instance.version,
        action=action,
        author=author,
        changes=changes,
    )


def create_with_history(instance, *, alliance, author) -> None:
    """Save a new Versioned row and its first revision."""
    fields = [f for f in instance._meta.concrete_fields if f.editable and not f.primary_key]
    # With its first revision or not at all: a row without one has no history to merge later
    # edits against, and no `last_change` for cached pages to notice.
    with transaction.atomic():
        instance.save()
        changes = {
            f.name: {"label": str(f.verbose_name), "old": "", "new": display_value(instance, f)}
            for f in fields
            if display_value(instance, f)
        }
        log_change(
            instance,
            action=Revision.Action.CREATED,
            alliance=alliance,
            author=author,
            changes=changes,
        )


def change_with_history(instance, *, alliance, author, **values) -> dict:
    """Set `values` on a Versioned row, with a revision of what changed: the way code rather
    than a person's form edits one (a review's rules, the demo's story). The caller has just
    read the row (under a lock where people may edit it too). Returns the changes, empty
    when nothing changed (then nothing is written); raises VersionTaken when another save
    claimed the version meanwhile."""
    fields = [type(instance)._meta.get_field(name) for name in values]
    before = {field.name: display_value(instance, field) for field in fields}
    for name, value in values.items():
        setattr(instance, name, value)
    changes = {
        field.name: {
            "label": str(field.verbose_name),
            "old": before[field.name],
            "new": display_value(instance, field),
        }
        for field in fields
        if before[field.name] != display_value(instance, field)
    }
    if not changes:
        return changes
    with transaction.atomic():
        if not claim_version(instance, current=instance.version):
            raise VersionTaken
        instance.save(update_fields=[*values, "version"])
        log_change(
            instance,
            action=Revision.Action.CHANGED,
            alliance=alliance,
            author=author,
            changes=changes,
        )
    return changes


def save_edit(form, *, alliance, author, extra_fields: dict | None = None):
    """Save a valid ModelForm of a Versioned row. If someone saved the row since the form
    was loaded, their changes are kept where this person left a field untouched; where both
    changed the same field, EditConflict is raised and the form is re-armed with the current
    version, so that the person can merge and save again."""
    instance = form.instance
    for name, value in (extra_fields or {}).items():
        setattr(instance, name, value)
    model = type(instance)
    fields = _edited_fields(form) + [model._meta.get_field(n) for n in (extra_fields or {})]
    base_version = form.cleaned_data["base_version"]
    with transaction.atomic():
        # No lock: the conditional update below settles a race, so a slow merge never holds the row.
        current = model.objects.get(pk=instance.pk)
        changed_meanwhile = _values_at(current, base_version)
        _keep_their_changes(instance, current, fields, changed_meanwhile)
        changes = _differences(current, instance, fields)
        if not changes:
            return current
        if set(changes) & set(changed_meanwhile):
            raise _conflict(form, current, fields)
        # The conditional UPDATE is the guard: of two concurrent saves from one version,
        # exactly one claims the next version number.
        if not claim_version(instance, current=current.version):
            raise _conflict(form, model.objects.get(pk=instance.pk), fields)
        instance.save(update_fields=[f.name for f in fields] + ["version"])
        log_change(
            instance,
            action=Revision.Action.CHANGED,
            alliance=alliance,
            author=author,
            changes=changes,
        )
    return instance


class VersionTaken(Exception):
    """Another save claimed the version this one was made from."""


def claim_version(instance, *, current: int) -> bool:
    """Move a Versioned row from version `current` to the next, the one way a version is
    claimed: a conditional UPDATE, so that of two saves made from one version exactly one
    wins (SQLite does not lock rows, so a lock alone would not settle it). On success,
    `instance.version` is the new number; False when someone else claimed it first."""
    model = type(instance)
    claimed = model.objects.filter(pk=instance.pk, version=current).update(version=current + 1)
    if claimed:
        instance.version = current + 1
    return bool(claimed)


def record_related(instance, changes: dict, *, since: int, alliance, author) -> None:
    """Add `changes` to related rows (the partners who bring a resource, an indicator's
    goals or breakdowns) to the history of `instance`, the one way they are written: if
    this save already made a revision of the row (its version moved past `since`), the
    changes join that revision, so that one save is one revision; otherwise the row claims
    the next version and a revision of these changes alone is kept. Raises VersionTaken
    when another save claimed that version first. Call it inside the save's transaction."""
    if not changes:
        return
    if instance.version > since:
        revision = Revision.objects.for_object(instance).filter(version=instance.version).first()
        revision.changes.update(changes)
        revision.save(update_fields=["changes"])
        return
    if not claim_version(instance, current=since):
        raise VersionTaken
    log_change(
        instance, action=Revision.Action.CHANGED, alliance=alliance, author=author, changes=changes
    )


def _values_at(instance, version: int) -> dict[str, str]:
    """For each field changed after `version`, its value (as displayed) in that version."""
    values: dict[str, str] = {}
    later = Revision.objects.for_object(instance).filter(version__gt=version).order_by("version")
    for changes in later.values_list("changes", flat=True):
        for name, change in changes.items():
            values.setdefault(name, change["old"])
    return values


def _keep_their_changes(instance, current, fields, changed_meanwhile: dict[str, str]) -> None:
    """Where the other editor changed a field and this person left it as they found it,
    the other's value stands."""
    for field in fields:
        if display_value(instance, field) == changed_meanwhile.get(field.name):
            setattr(instance, field.attname, getattr(current, field.attname))


def _conflict(form, current, fields) -> EditConflict:
    differing = [
        FieldConflict(
            label=str(field.verbose_name),
            theirs=display_value(current, field),
            yours=display_value(form.instance, field),
        )
        for field in fields
        if field.value_from_object(current) != field.value_from_object(form.instance)
    ]
    form.data = form.data.copy()
    form.data[form.add_prefix("base_version")] = current.version
    last = Revision.objects.for_object(current).first()
    return EditConflict(current, differing, last)


def log_deletion(instance, *, alliance, author) -> None:
    log_change(
        instance, action=Revision.Action.DELETED, alliance=alliance, author=author, changes={}
    )


def last_change(alliance_id: int) -> int:
    """The id of the alliance's latest revision (0 before any): it changes whenever anything
    of the alliance that people edit changes, so pages built from that data can be cached
    until it does. Cached pages ask it on every request, so it is one plain statement:
    building it through the ORM costs more than running it (docs/performance.md)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Revision._meta.db_table} "  # noqa: S608 (our own table's name)
            "WHERE alliance_id = %s ORDER BY id DESC LIMIT 1",
            [alliance_id],
        )
        row = cursor.fetchone()
    return row[0] if row else 0
