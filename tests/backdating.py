"""Rows dated in the past, for the tests that read an alliance's story over time (compare,
timeline): the services stamp rows with the time they run, so these helpers save through
them and then move the stamps to the day the story needs."""

import datetime

from django.forms.models import model_to_dict
from django.utils import timezone

from history.models import Revision
from history.services import save_edit
from registers.forms import GoalForm
from reviews.models import ComponentRecord
from reviews.services import record_component
from tests.factories import make_goal


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


def record_all(review, author, days: list[datetime.date], texts: dict | None = None):
    """Record the first len(days) components of `review`, in order, on those days."""
    texts = texts or {}
    for number, day in enumerate(days, 1):
        record = ComponentRecord.objects.get(review=review, number=number)
        for field, text in texts.get(record.component_key, {}).items():
            setattr(record, field, text)
        record.save()
        record_component(record=record, author=author)
        ComponentRecord.objects.filter(pk=record.pk).update(recorded_at=at(day))


def add_goal(alliance, statement, status, created, author=None):
    """A goal with `status`, added on the day `created`."""
    goal = make_goal(alliance, statement, author=author, status=status, created_at=at(created))
    Revision.objects.for_object(goal).update(created_at=at(created))
    return goal


def set_status(goal, status, day, author=None):
    """Change a goal's status the way its edit page does, on `day`."""
    data = {**model_to_dict(goal), "status": status, "base_version": goal.version}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    form = GoalForm(data, instance=goal, alliance=goal.alliance)
    assert form.is_valid(), form.errors
    save_edit(form, alliance=goal.alliance, author=author)
    latest = Revision.objects.for_object(goal).order_by("-id").first()
    Revision.objects.filter(pk=latest.pk).update(created_at=at(day))
