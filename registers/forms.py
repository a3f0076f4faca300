from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from history.forms import VersionedForm
from registers.models import Alignment, Goal
from reviews.forms import DateInput


class GoalForm(VersionedForm):
    class Meta:
        model = Goal
        fields = [
            "statement",
            "community",
            "measure",
            "target_value",
            "target_unit",
            "target_date",
            "status",
        ]
        widgets = {"target_date": DateInput()}
        error_messages = {
            "target_value": {"invalid": _("Enter a number, for example 45 or 1200.50.")},
            "target_date": {
                "invalid": _("Enter the date as year-month-day, for example 2027-09-30.")
            },
        }

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.alliance = alliance

    def clean(self):
        cleaned = super().clean()
        date, status = cleaned.get("target_date"), cleaned.get("status")
        if date and status == Goal.Status.PROPOSED and date < timezone.localdate():
            self.add_error(
                "target_date",
                _("A proposed goal needs a target date in the future."),
            )
        return cleaned


class AlignmentForm(VersionedForm):
    class Meta:
        model = Alignment
        fields = ["stance", "comment", "essential"]
