"""The date and time inputs every form uses: the browser's own pickers (keyboard reachable,
read by screen readers, localised by the browser), fed values in the ISO format they expect
whatever the page's language; and `DateTimeField`, the one form field for a moment people
choose."""

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateTimeField(forms.DateTimeField):
    """A moment chosen with the picker. One in the first or the last year of the calendar
    is refused as invalid: the database keeps moments in UTC, where the last hours of the
    year 9999 west of it are in the year 10000 (and the first of the year 1 east of it
    before the year 1), and a meeting's end or a reminder adds hours to what was chosen."""

    widget = DateTimeInput

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is not None and not 1 < moment.year < 9999:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return moment
