"""Every change to the registers: goals and where partners stand on them, resources and who
brings them, dependencies and impact answers, accomplishments, agreements and pledges.

Each function writes in one transaction, keeps the history through `history.services` (a
related row's change joins the row's revision through `record_related`), and then tells a
running meeting that discusses the register's component (`live.tell_meetings`, which
broadcasts only once the change has committed). The meeting is told after the write's own
transaction, so that a meeting ending at that moment cannot undo the register's change.

Functions that edit a row take its bound, valid form: `save_edit` needs it to merge with a
concurrent edit and to re-arm it when both changed the same field (EditConflict).
"""

from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from alliances.models import Partner
from history.models import Revision
from history.services import (
    EditConflict,
    FieldConflict,
    VersionTaken,
    change_with_history,
    create_with_history,
    record_related,
    save_edit,
)
from registers import live
from registers.models import (
    Agreement,
    Alignment,
    Contribution,
    Dependency,
    ImpactAnswer,
    Resource,
    agreement_file_path,
)
from reviews.framework import key_of

# The components whose registers these functions change, by the framework's keys.
PURPOSE = key_of("goals")
POWER = key_of("resources")
INTERDEPENDENCE = key_of("dependencies")
TRUST = key_of("trust")
CONTROL = key_of("control")

# A row just created is at its first version; its related rows join that first revision.
NEW = 0


def _added(row, component: str, *, alliance, author):
    """A new row of a register, with its first revision, shown to a meeting discussing it."""
    create_with_history(row, alliance=alliance, author=author)
    live.tell_meetings(alliance, component, author)
    return row


def _edited(form, component: str, *, alliance, author):
    """A register row's edit (EditConflict when someone else changed the same field), shown
    to a meeting discussing it."""
    row = save_edit(form, alliance=alliance, author=author)
    live.tell_meetings(alliance, component, author)
    return row


# Shared purpose: goals and the alignment matrix


def add_goal(*, goal, alliance, author):
    """Add a goal to the register, with its first revision."""
    goal.created_by = author
    return _added(goal, PURPOSE, alliance=alliance, author=author)


def edit_goal(*, form, alliance, author):
    """Save a goal's edit (EditConflict when someone else changed the same field)."""
    return _edited(form, PURPOSE, alliance=alliance, author=author)


def _cell(goal, partner) -> Alignment:
    try:
        with transaction.atomic():
            return Alignment.objects.get_or_create(goal=goal, partner=partner)[0]
    except IntegrityError:  # two people opened the same empty cell at once
        return Alignment.objects.get(goal=goal, partner=partner)


def set_alignment(*, form, goal, partner, alliance, author):
    """Save where a partner stands on a goal: one cell of the matrix. An empty cell is
    made first (once, whoever comes first), so that two people answering at once merge
    as two edits of one row."""
    if form.instance.pk is None:
        form.instance = _cell(goal, partner)
        form.instance.stance = form.cleaned_data["stance"]
        form.instance.comment = form.cleaned_data["comment"]
        form.instance.essential = form.cleaned_data["essential"]
    return _edited(form, PURPOSE, alliance=alliance, author=author)


# Shared power: resources, and the partners who bring them
#
# The partners who bring a resource are Contribution rows, not a column, so save_edit does
# not see them. They are saved beside it, in the same revision (`record_related`), and
# guarded the same way: where someone else changed them meanwhile, their change stands if
# this person left the partners as they found them, and is a conflict if both changed them.


def _names(partners) -> str:
    return ", ".join(p.name for p in sorted(partners, key=lambda p: p.name.lower()))


def _brought_by(old: str, new: str) -> dict:
    return {"label": _("brought by"), "old": old, "new": new}


def _create_resource(resource, partners, *, alliance, author) -> Resource:
    """A new resource and the partners who bring it, in one first revision."""
    with transaction.atomic():
        create_with_history(resource, alliance=alliance, author=author)
        Contribution.objects.bulk_create(
            [Contribution(resource=resource, partner=p) for p in partners]
        )
        if partners:
            changes = {"partners": _brought_by("", _names(partners))}
            record_related(resource, changes, since=NEW, alliance=alliance, author=author)
    return resource


def add_resource(*, resource, partners, alliance, author) -> Resource:
    """Add a resource and the partners who bring it."""
    _create_resource(resource, list(partners), alliance=alliance, author=author)
    live.tell_meetings(alliance, POWER, author)
    return resource


def _partners_at(resource, version: int) -> str | None:
    """Who brought the resource at `version`, if that changed since; None if it did not."""
    later = Revision.objects.for_object(resource).filter(version__gt=version).order_by("version")
    for changes in later.values_list("changes", flat=True):
        if "partners" in changes:
            return changes["partners"]["old"]
    return None


def edit_resource(*, form, alliance, author) -> Resource:
    """Save a resource's edit with the partners who bring it, as one revision. Raises
    EditConflict where someone else changed the same field or the same partners, or where
    the partner responsible would no longer be among those who bring it."""
    resource = _edit_resource(form, alliance=alliance, author=author)
    live.tell_meetings(alliance, POWER, author)
    return resource


def _edit_resource(form, *, alliance, author) -> Resource:
    pk = form.instance.pk
    with transaction.atomic():
        current = Resource.objects.select_for_update().get(pk=pk)
        theirs = list(Partner.objects.filter(contributions__resource_id=pk))
        yours = list(form.cleaned_data["partners"])
        found = _partners_at(current, form.cleaned_data["base_version"])
        if found is not None and _names(yours) == found:
            yours = theirs  # someone else changed them; this person left them as found
        clash = found is not None and _names(yours) != _names(theirs)
        try:
            resource = save_edit(form, alliance=alliance, author=author)
        except EditConflict as error:
            if clash:
                error.fields.append(FieldConflict(_("brought by"), _names(theirs), _names(yours)))
            raise
        if clash or resource.responsible_id not in {None, *(p.pk for p in yours)}:
            fields = [FieldConflict(_("brought by"), _names(theirs), _names(yours))]
            if resource.responsible_id != current.responsible_id:
                fields.append(
                    FieldConflict(
                        _("partner responsible"),
                        str(current.responsible or ""),
                        str(resource.responsible or ""),
                    )
                )
            # Leaving the transaction with the error undoes the save above.
            raise _conflict(form, current, fields)
        if _names(yours) != _names(theirs):
            _replace_partners(form, resource, current, theirs, yours, alliance, author)
    return resource


def _conflict(form, current, fields) -> EditConflict:
    """Re-arm the form with the version as it stands, as save_edit does for its own."""
    form.data = form.data.copy()
    form.data[form.add_prefix("base_version")] = current.version
    return EditConflict(current, fields, Revision.objects.for_object(current).first())


def _replace_partners(form, resource, current, theirs, yours, alliance, author) -> None:
    Contribution.objects.filter(resource=resource).exclude(partner__in=yours).delete()
    Contribution.objects.bulk_create(
        [Contribution(resource=resource, partner=p) for p in yours if p not in theirs]
    )
    changes = {"partners": _brought_by(_names(theirs), _names(yours))}
    try:
        record_related(resource, changes, since=current.version, alliance=alliance, author=author)
    except VersionTaken:
        raise _conflict(form, Resource.objects.get(pk=resource.pk), []) from None


# Interdependence: dependencies and each partner's answer to the impact question


def add_dependency(*, dependency, alliance, author, partner_id=None):
    """Add who depends on whom, with its first revision. Adding it confirms the side of
    `partner_id`, the adder's own partner, when it is one of the two."""
    dependency.dependent_confirmed = (
        partner_id is not None and partner_id == dependency.dependent_id
    )
    dependency.provider_confirmed = partner_id is not None and partner_id == dependency.provider_id
    return _added(dependency, INTERDEPENDENCE, alliance=alliance, author=author)


def edit_dependency(*, form, alliance, author):
    """Save a dependency's edit (EditConflict when someone else changed the same field). A
    side whose partner the edit changes has not confirmed the tie any more."""
    with transaction.atomic():
        dependency = _edited(form, INTERDEPENDENCE, alliance=alliance, author=author)
        cleared = {
            f"{side}_confirmed": False
            for side in ("dependent", "provider")
            if side in form.changed_data and getattr(dependency, f"{side}_confirmed")
        }
        if cleared:
            change_with_history(dependency, alliance=alliance, author=author, **cleared)
    return dependency


def confirm_dependency(*, dependency_id: int, side: str, alliance, author) -> bool:
    """A partner says the tie is as written: `side` is "dependent" or "provider", and the
    caller has checked that the author may answer for that side's partner. False when it
    was confirmed already."""
    with transaction.atomic():
        dependency = Dependency.objects.select_for_update().get(pk=dependency_id, alliance=alliance)
        changed = change_with_history(
            dependency, alliance=alliance, author=author, **{f"{side}_confirmed": True}
        )
    if changed:
        live.tell_meetings(alliance, INTERDEPENDENCE, author)
    return bool(changed)


def answer_impact(*, form, alliance, author) -> None:
    """Save a partner's answer to the impact question for a review. If someone gave it
    meanwhile (the form started from no answer, version 0), this one is merged into theirs
    as an edit, which raises EditConflict where both said different things."""
    _save_answer(form, alliance=alliance, author=author)
    live.tell_meetings(alliance, INTERDEPENDENCE, author)


def _save_answer(form, *, alliance, author) -> None:
    answer = form.instance
    if answer.pk:
        save_edit(form, alliance=alliance, author=author)
        return
    try:
        with transaction.atomic():
            answer.version = 1
            create_with_history(answer, alliance=alliance, author=author)
    except IntegrityError:
        form.instance = ImpactAnswer.objects.get(review=answer.review, partner=answer.partner)
        form.instance.answer, form.instance.why = answer.answer, answer.why
        save_edit(form, alliance=alliance, author=author)


# Mutual respect and trust


def set_partner_follow_through(*, form, alliance, author):
    """Turn the per-partner follow-through table of a review on or off."""
    return _edited(form, TRUST, alliance=alliance, author=author)


def add_accomplishment(*, accomplishment, alliance, author):
    """Add an accomplishment, with its first revision."""
    accomplishment.created_by = author
    return _added(accomplishment, TRUST, alliance=alliance, author=author)


def edit_accomplishment(*, form, alliance, author):
    """Save an accomplishment's edit (EditConflict when someone else changed the same field)."""
    return _edited(form, TRUST, alliance=alliance, author=author)


# Shared control: agreements and their files
#
# A file is stored under a random name (so that two editors' files never meet) and its
# revision names it by the name people gave it. That name (`file_name`) is saved beside
# the file, not as a field of its own in the revision: the file's change says it.


def _file_label() -> str:
    return str(Agreement._meta.get_field("file").verbose_name)


def _named_file(old_name: str, new_name: str) -> dict:
    return {"file": {"label": _file_label(), "old": old_name, "new": new_name}}


def add_agreement(*, agreement, upload, alliance, author) -> Agreement:
    """Add an agreement, with its file if one was uploaded."""
    agreement.created_by = author
    with transaction.atomic():
        if upload:
            agreement.file = upload  # stored under a random name by the save
            agreement.file_name = Path(upload.name).name[:200]
        create_with_history(agreement, alliance=alliance, author=author)
        if upload:
            changes = _named_file("", agreement.file_name)
            record_related(agreement, changes, since=NEW, alliance=alliance, author=author)
    live.tell_meetings(alliance, CONTROL, author)
    return agreement


def edit_agreement(*, form, old_file: str, old_name: str, alliance, author) -> Agreement:
    """Save the agreement; a new file (`form`'s upload) is stored first, under its random
    name, and the one it replaces (`old_file`, which people named `old_name`) is deleted
    once the save commits. A file's change is a conflict only with another file's."""
    agreement = _edit_agreement(form, old_file, old_name, alliance=alliance, author=author)
    live.tell_meetings(alliance, CONTROL, author)
    return agreement


def _edit_agreement(form, old_file: str, old_name: str, *, alliance, author) -> Agreement:
    agreement = form.instance
    storage = agreement.file.storage
    upload = form.cleaned_data.get("upload")
    stored, new_name = "", None
    if upload:
        stored = storage.save(agreement_file_path(agreement, upload.name), upload)
        new_name = Path(upload.name).name[:200]
    elif form.cleaned_data.get("remove_file"):
        new_name = ""
    extra = {} if new_name is None else {"file": stored}
    # The version this request loaded: save_edit moves the instance past it only when it
    # saves, which tells a save that changed the file from one that merged into no change.
    since = agreement.version
    try:
        with transaction.atomic():
            saved = save_edit(form, alliance=alliance, author=author, extra_fields=extra)
            if extra and agreement.version > since:  # the file changed, in this save
                agreement.file_name = new_name
                agreement.save(update_fields=["file_name"])
                changes = _named_file(old_name, new_name)
                record_related(agreement, changes, since=since, alliance=alliance, author=author)
            if old_file and saved.file.name != old_file:
                transaction.on_commit(lambda: storage.delete(old_file))
    except EditConflict as error:
        if stored:
            storage.delete(stored)
        if extra:
            label = _file_label()
            error.fields[:] = [f for f in error.fields if f.label != label]
            theirs = error.current.file_name if error.current.file else ""
            error.fields.append(FieldConflict(label, theirs, new_name))
        raise
    except BaseException:
        if stored:
            storage.delete(stored)
        raise
    return saved


# Shared control: pledges


def pledge(*, form, alliance, author):
    """Add a partner's pledge. A resource named on the form rather than chosen from the
    register is added to the shared power register first, with the pledging partner as
    the one who brings it, so that both registers' meetings are told."""
    new_pledge = form.instance
    new_pledge.created_by = author
    named = form.cleaned_data.get("new_resource", "").strip()
    with transaction.atomic():
        if named:
            resource = Resource(
                alliance=alliance, description=named, kind=form.cleaned_data["new_resource_kind"]
            )
            partners = [form.cleaned_data["partner"]]
            new_pledge.resource = _create_resource(
                resource, partners, alliance=alliance, author=author
            )
        create_with_history(new_pledge, alliance=alliance, author=author)
    live.tell_meetings(alliance, CONTROL, author)
    if named:
        live.tell_meetings(alliance, POWER, author)
    return new_pledge


def edit_pledge(*, form, alliance, author):
    """Save a pledge's edit (EditConflict when someone else changed the same field)."""
    return _edited(form, CONTROL, alliance=alliance, author=author)
