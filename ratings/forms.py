from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ratings.models import REFLECTION_MAX_LENGTH, SCALE
from ratings.services import ComponentAnswer


class CheckInForm(forms.Form):
    components = forms.MultipleChoiceField(
        label=_("Components to check in on"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one component.")},
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Members can answer until then, or until you close it."),
        error_messages={"invalid": _("Enter a date and time, for example 2027-03-01 17:00.")},
    )
    message = forms.CharField(
        label=_("A message for the members (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args, records, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["components"].choices = [
            (r.component_key, f"{r.number}. {r.component.name}") for r in records
        ]
        self.fields["components"].initial = [
            r.component_key for r in records if r.state != "recorded"
        ]
        self.fields["closes_at"].initial = (timezone.localtime() + timedelta(days=7)).replace(
            hour=17, minute=0, second=0, microsecond=0
        )

    def clean_closes_at(self):
        closes_at = self.cleaned_data["closes_at"]
        if closes_at <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future."))
        return closes_at


class AnswerForm(forms.Form):
    """One person's answers to the rounds of a check-in (or a meeting's reflect step):
    a rating per component, and a written answer per question if they wish."""

    def __init__(self, *args, rounds, questions_by_key, **kwargs):
        super().__init__(*args, **kwargs)
        self.rounds = rounds
        self.sections = []
        for round in rounds:
            component = round.component
            rating_name = f"{round.component_key}-rating"
            self.fields[rating_name] = forms.TypedChoiceField(
                label=_("How true is “%(name)s” of our alliance today?") % {"name": component.name},
                choices=[(value, f"{value}: {label}") for value, label in SCALE.items()],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose a rating from 1 to 5."),
                    "invalid_choice": _("A rating goes from 1 to 5."),
                },
            )
            question_fields = []
            for question in questions_by_key.get(round.component_key, []):
                name = f"{round.component_key}-q{question.pk}"
                self.fields[name] = forms.CharField(
                    label=question.text,
                    required=False,
                    max_length=REFLECTION_MAX_LENGTH,
                    widget=forms.Textarea(
                        attrs={
                            "rows": 3,
                            "maxlength": REFLECTION_MAX_LENGTH,
                            "data-counter": "",
                            "aria-describedby": f"id_{name}_counter",
                        }
                    ),
                )
                question_fields.append((name, question))
            self.sections.append((round, rating_name, question_fields))

    def section_fields(self):
        for round, rating_name, question_fields in self.sections:
            yield round, self[rating_name], [self[name] for name, _ in question_fields]

    def answers(self) -> list[ComponentAnswer]:
        return [
            ComponentAnswer(
                round=round,
                rating=self.cleaned_data[rating_name],
                reflections={q: self.cleaned_data[name] for name, q in question_fields},
            )
            for round, rating_name, question_fields in self.sections
        ]
