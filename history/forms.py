from django import forms


class VersionedForm(forms.ModelForm):
    """A ModelForm that remembers which version of the row the person started from."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base_version"].initial = self.instance.version

    def clean_base_version(self):
        value = self.cleaned_data.get("base_version")
        return self.instance.version if value is None else value
