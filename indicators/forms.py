from django import forms
from django.db.models import Count
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accord.widgets import DateInput
from alliances.models import Partner
from history.forms import VersionedForm
from history.models import Revision
from indicators import imports, values
from indicators.models import ApiToken, Breakdown, Indicator, Story, Value
from registers.models import Goal

NUMBER = _("Enter a number, for example 45 or 1200.50.")
DATE = _("Enter the date as year-month-day, for example 2027-09-30.")
BREAKDOWN_MAX = Breakdown._meta.get_field("name").max_length


def change_since(instance, version: int, key: str) -> dict | None:
    """The first change to `key` recorded after `version`: its "old" side is what the
    person editing from `version` saw. None when `key` has not changed since."""
    later = Revision.objects.for_object(instance).filter(version__gt=version).order_by("version")
    for changes in later.values_list("changes", flat=True):
        if key in changes:
            return changes[key]
    return None


def breakdowns_at(indicator: Indicator, version: int) -> list[str]:
    """The breakdown names of `indicator` as they were at `version`."""
    change = change_since(indicator, version, "breakdowns")
    if change is not None:
        return [name for name in change["old"].splitlines() if name]
    return list(indicator.breakdowns.values_list("name", flat=True))


class IndicatorForm(VersionedForm):
    # Not a column of Indicator: the view saves the lines as Breakdown rows.
    breakdowns = forms.CharField(
        label=_("Breakdowns, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Optional. For example, one county per line. Each breakdown has values of its "
            "own. A breakdown that has values cannot be removed."
        ),
    )

    class Meta:
        model = Indicator
        fields = [
            "name",
            "definition",
            "source",
            "unit",
            "direction",
            "goals",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_date",
            "frequency",
            "responsible",
            "breakdown_label",
        ]
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 3}),
            "direction": forms.RadioSelect,
            "goals": forms.CheckboxSelectMultiple,
            "baseline_date": DateInput(),
            "target_date": DateInput(),
            "baseline_value": forms.TextInput(attrs={"inputmode": "decimal"}),
            "target_value": forms.TextInput(attrs={"inputmode": "decimal"}),
        }
        help_texts = {
            "unit": _("For example: children, meals, percent."),
            "source": _("Where the figures come from, for example: the county health survey."),
            "baseline_value": _("Where it stood when you started measuring."),
            "target_value": _("Where the alliance wants it to be, by the target date."),
        }
        error_messages = {
            "name": {"required": _("Give the indicator a name.")},
            "baseline_value": {"invalid": NUMBER},
            "target_value": {"invalid": NUMBER},
            "baseline_date": {"invalid": DATE},
            "target_date": {"invalid": DATE},
        }

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.alliance = alliance
        self.fields["goals"].queryset = Goal.objects.filter(alliance=alliance)
        self.fields["goals"].help_text = _("The goals this indicator shows progress on.")
        self.fields["responsible"].queryset = Partner.objects.filter(alliance=alliance)
        self.fields["direction"].choices = Indicator.Direction.choices
        if self.instance.pk:
            self.fields["breakdowns"].initial = "\n".join(
                self.instance.breakdowns.values_list("name", flat=True)
            )

    def clean_breakdowns(self) -> list[str]:
        names, seen = [], set()
        for line in self.cleaned_data["breakdowns"].splitlines():
            name = " ".join(line.split())
            if not name:
                continue
            if len(name) > BREAKDOWN_MAX:
                raise forms.ValidationError(
                    gettext("“%(name)s” is too long: a breakdown has at most %(max)d characters.")
                    % {"name": name, "max": BREAKDOWN_MAX}
                )
            if name.casefold() in seen:
                raise forms.ValidationError(gettext("“%(name)s” is listed twice.") % {"name": name})
            seen.add(name.casefold())
            names.append(name)
        return names

    def clean(self):
        cleaned = super().clean()
        for part in ("baseline", "target"):
            value, date = cleaned.get(f"{part}_value"), cleaned.get(f"{part}_date")
            if value is not None and date is None and f"{part}_date" not in self.errors:
                self.add_error(
                    f"{part}_date",
                    _("Give the date of the baseline too, or leave both empty.")
                    if part == "baseline"
                    else _("Give the target date too, or leave both empty."),
                )
            if date is not None and value is None and f"{part}_value" not in self.errors:
                self.add_error(
                    f"{part}_value",
                    _("Give the baseline value too, or leave both empty.")
                    if part == "baseline"
                    else _("Give the target value too, or leave both empty."),
                )
        start, end = cleaned.get("baseline_date"), cleaned.get("target_date")
        if start and end and end <= start:
            self.add_error("target_date", _("The target date must come after the baseline date."))
        names = cleaned.get("breakdowns")
        if names is not None and self.instance.pk:
            self._keep_breakdowns_with_values(names, cleaned.get("base_version"))
        return cleaned

    def _keep_breakdowns_with_values(self, names, version) -> None:
        seen = breakdowns_at(self.instance, version or self.instance.version)
        removed = {n.casefold() for n in seen} - {n.casefold() for n in names}
        if not removed:
            return
        used = (
            Breakdown.objects.filter(indicator=self.instance)
            .annotate(count=Count("values"))
            .filter(count__gt=0)
        )
        for breakdown in used:
            if breakdown.name.casefold() in removed:
                self.add_error(
                    "breakdowns",
                    gettext(
                        "“%(name)s” has %(count)d values, so it cannot be removed: keep its "
                        "name in the list."
                    )
                    % {"name": breakdown.name, "count": breakdown.count},
                )


class _ValueFields(forms.Form):
    """The fields of a value as text, so that `values.Checker` reads them as it reads a file
    or an API body, and says what is wrong in the same words."""

    date = forms.CharField(label=_("Date"), required=False, widget=DateInput())
    value = forms.CharField(
        label=_("Value"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": values.NOTE_MAX}),
        help_text=_("Optional: where it comes from, or what is unusual about it."),
    )


def _apply(form, checked: values.Checked) -> None:
    for name, message in checked.errors.items():
        form.add_error(name if name in form.fields else None, message)


class ValueForm(_ValueFields):
    """A new value of an indicator: on a date, for the whole or one breakdown."""

    field_order = ["date", "value", "breakdown", "note"]

    def __init__(self, *args, indicator: Indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.checker = values.Checker(indicator)
        self.checked: values.Checked | None = None
        parts = list(self.checker.breakdowns.values())
        if parts:
            label = indicator.breakdown_label or gettext("breakdown")
            self.fields["breakdown"] = forms.ChoiceField(
                label=_("For"),
                required=False,
                choices=[("", gettext("The whole (no breakdown)"))]
                + [(b.name, b.name) for b in parts],
                help_text=gettext("The whole, or one %(label)s.") % {"label": label},
            )
            self.order_fields(self.field_order)

    def clean(self):
        cleaned = super().clean()
        self.checked = self.checker.check(
            {
                "date": cleaned.get("date"),
                "value": cleaned.get("value"),
                "breakdown": cleaned.get("breakdown"),
                "note": cleaned.get("note"),
            }
        )
        _apply(self, self.checked)
        return cleaned


class CorrectionForm(VersionedForm):
    """A correction of a value: its date, the number or the note. Checked like a new value
    (a date taken by another value of the same breakdown is refused)."""

    date = _ValueFields.base_fields["date"]
    value = _ValueFields.base_fields["value"]
    note = _ValueFields.base_fields["note"]

    class Meta:
        model = Value
        fields = ["date", "value", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        value = self.instance
        self.initial["value"] = format(value.value.normalize(), "f")
        self.checker = values.Checker(value.indicator)
        self.checker.taken.discard((value.breakdown_id, value.date))
        self.checked: values.Checked | None = None

    def clean(self):
        cleaned = super().clean()
        self.checked = self.checker.check(
            {
                "date": cleaned.get("date"),
                "value": cleaned.get("value"),
                "breakdown": self.instance.breakdown.name if self.instance.breakdown else "",
                "note": cleaned.get("note"),
            }
        )
        _apply(self, self.checked)
        if self.checked.ok:
            cleaned["date"] = self.checked.row.date
            cleaned["value"] = self.checked.row.value
            cleaned["note"] = self.checked.row.note
        return cleaned


class StoryForm(VersionedForm):
    class Meta:
        model = Story
        fields = ["helping", "hindering", "actions"]
        help_texts = {
            "helping": _("Where the alliance is progressing: what makes it work?"),
            "hindering": _("Where it is not: what is making it hard to move forward?"),
            "actions": _(
                "What the alliance will do to improve the results. Each can become a "
                "commitment, with a partner, a person and a date."
            ),
        }


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        widget=forms.FileInput(attrs={"accept": imports.ACCEPT}),
        error_messages={
            "required": _("Choose a CSV file to upload."),
            "empty": _("The file is empty: it should start with a line naming the columns."),
        },
    )

    def __init__(self, *args, indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.result = None
        self.fields["file"].help_text = gettext(
            "Separated by commas, semicolons or tabs; up to %(limit)d MB."
        ) % {"limit": imports.limit_mb()}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.result = imports.read(upload, self.indicator)
        except imports.Unreadable as error:
            raise forms.ValidationError(str(error), code="unreadable") from error
        return upload


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name"]
