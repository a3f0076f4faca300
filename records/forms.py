"""The forms of the pages that read the whole alliance: two reviews to compare, and an
alliance's document to import."""

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances import access
from records.transfer_import import Unreadable, limit_mb, read_document


class CompareForm(forms.Form):
    """Which two reviews to compare. The ids are checked as numbers here; each review is
    then loaded through `access.get_review`, so that a review of another alliance is a 404
    like everywhere else, never a hint that it exists."""

    before = forms.IntegerField(label=gettext_lazy("Earlier review"), widget=forms.Select)
    after = forms.IntegerField(label=gettext_lazy("Later review"), widget=forms.Select)

    def __init__(self, *args, membership, reviews, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        choices = [
            (
                r.pk,
                _("%(name)s (started %(date)s)")
                % {"name": r.name, "date": date_format(r.started_on)},
            )
            for r in reviews
        ]
        for name in ("before", "after"):
            self.fields[name].widget.choices = choices
            self.fields[name].error_messages["required"] = _("Choose a review.")
            self.fields[name].error_messages["invalid"] = _("Choose a review from the list.")

    def clean_before(self):
        return access.get_review(self.membership, self.cleaned_data["before"])

    def clean_after(self):
        return access.get_review(self.membership, self.cleaned_data["after"])

    def clean(self):
        before, after = self.cleaned_data.get("before"), self.cleaned_data.get("after")
        if before is None or after is None:
            return self.cleaned_data
        if before == after:
            self.add_error("after", _("Choose a review other than the earlier one."))
        elif (before.started_on, before.pk) > (after.started_on, after.pk):
            self.add_error(
                "before",
                _("Choose a review that started before “%(later)s”.") % {"later": after.name},
            )
        return self.cleaned_data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("The alliance's file"),
        widget=forms.FileInput(attrs={"accept": ".json,application/json"}),
        error_messages={
            "required": gettext_lazy("Choose the file to import."),
            "empty": gettext_lazy("The file is empty."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.document = None
        self.fields["file"].help_text = _(
            "The JSON file that Accord gave when the alliance was exported; up to %(limit)d MB."
        ) % {"limit": limit_mb()}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.document = read_document(upload)
        except Unreadable as error:
            raise forms.ValidationError(str(error), code="unreadable") from None
        return upload
