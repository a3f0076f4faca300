from django import forms
from django.utils.translation import gettext_lazy as _

from webhooks import events
from webhooks.addresses import Refused, check
from webhooks.models import Webhook


class EventsField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(
            choices=events.CHOICES,
            label=_("Send these events"),
            error_messages={"required": _("Choose at least one event.")},
            **kwargs,
        )


class WebhookForm(forms.ModelForm):
    """A new webhook: the address (checked: webhooks/addresses.py) and its events."""

    url = forms.URLField(
        label=_("Address"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The address the other system gave you, starting with https://."),
        error_messages={"invalid": _("Enter a full web address, starting with https://.")},
    )
    events = EventsField()

    class Meta:
        model = Webhook
        fields = ["url", "events"]

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        try:
            check(url)
        except Refused as refusal:
            raise forms.ValidationError(str(refusal), code="refused") from None
        return url


class WebhookEditForm(forms.ModelForm):
    """A webhook's events and whether it sends; its address stays (a new address is a new
    webhook, with its own secret and log)."""

    events = EventsField()

    class Meta:
        model = Webhook
        fields = ["events", "active"]
