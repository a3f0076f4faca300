from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accord.widgets import DateTimeField
from ratings.models import CONFIDENCE_SCALE, REFLECTION_MAX_LENGTH, SCALE
from ratings.services import ComponentAnswer, rules_changed_message
from reviews.framework import framework


class CheckInForm(forms.Form):
    components = forms.MultipleChoiceField(
        label=_("Components to check in on"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one component.")},
    )
    closes_at = DateTimeField(
        label=_("Closes at"),
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
    a rating per component, and a written answer per question if they wish; with the trust
    component, their confidence in each agreed goal if they wish (`goal_rounds`)."""

    # The review's rules as this form states them (`Review.rules`): the answer is taken only
    # if they are still the rules when it arrives.
    rules = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, rounds, questions_by_key, goal_rounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rounds = rounds
        self.review = rounds[0].review
        self.fields["rules"].initial = self.review.rules
        self.sections = []
        confidence_by_key: dict[str, list] = {}
        for round in goal_rounds:
            name = f"{round.component_key}-goal{round.goal_id}"
            self.fields[name] = forms.TypedChoiceField(
                label=round.goal.statement,
                choices=[(value, f"{value}: {label}") for value, label in CONFIDENCE_SCALE.items()],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Confidence goes from 1 to 5.")},
            )
            confidence_by_key.setdefault(round.component_key, []).append((name, round))
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
                    label=question.shown_text,
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
            self.sections.append(
                (
                    round,
                    rating_name,
                    question_fields,
                    confidence_by_key.get(round.component_key, []),
                )
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("rules") != self.review.rules:
            self.rules_changed()
        return cleaned

    def rules_changed(self, message: str = "") -> None:
        """Refuse the answer beside the form, keeping what was typed, and arm the form
        with the rules as they are now, shown above it, for the person to send again."""
        self.add_error(None, message or rules_changed_message(self.review))
        self.data = self.data.copy()
        self.data[self.add_prefix("rules")] = self.review.rules

    def section_fields(self):
        """Per component: its round, its rating, its questions and the confidence in each
        goal asked with it (empty but for trust)."""
        for round, rating_name, question_fields, confidence in self.sections:
            yield (
                round,
                self[rating_name],
                [self[name] for name, _ in question_fields],
                [self[name] for name, _ in confidence],
            )

    def answers(self) -> list[ComponentAnswer]:
        answers = []
        for round, rating_name, question_fields, confidence in self.sections:
            answers.append(
                ComponentAnswer(
                    round=round,
                    rating=self.cleaned_data[rating_name],
                    reflections={q: self.cleaned_data[name] for name, q in question_fields},
                )
            )
            # A goal left unanswered is skipped: confidence is asked, never required.
            answers += [
                ComponentAnswer(round=goal_round, rating=self.cleaned_data[name])
                for name, goal_round in confidence
                if self.cleaned_data.get(name) is not None
            ]
        return answers


class QuestionForm(forms.Form):
    """A question of the alliance's own: which component it is about, and its wording."""

    component_key = forms.ChoiceField(label=_("Component"))
    text = forms.CharField(
        label=_("Question"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Asked after the framework's questions, in check-ins and meetings; answered in "
            "writing, and shown under the review's rules like the others. For example: Are "
            "the rural partners heard as much as the county ones?"
        ),
    )

    def __init__(self, *args, with_component=True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_component:
            self.fields["component_key"].choices = [
                (c.key, f"{c.number}. {c.name}") for c in framework()
            ]
        else:
            del self.fields["component_key"]

    def clean_text(self):
        text = " ".join(self.cleaned_data["text"].split())
        if not text:
            raise forms.ValidationError(_("Write the question."))
        return text
