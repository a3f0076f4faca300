"""The date and time inputs every form uses: the browser's own pickers (keyboard reachable,
read by screen readers, localised by the browser), fed values in the ISO format they expect
whatever the page's language."""

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)
