"""The indicators' services: each write is one transaction, keeps one revision per save,
and tells a running meeting in the same transaction."""

import datetime
from decimal import Decimal

import pytest

from history.models import Revision
from indicators import services, values
from indicators.forms import ApiTokenForm, IndicatorForm
from indicators.models import ApiToken, Indicator, Value
from registers.models import Goal

NEW = {"name": "Meals served", "direction": "up", "frequency": "monthly"}


def indicator_form(alliance, instance=None, **data):
    form = IndicatorForm({**NEW, **data}, instance=instance, alliance=alliance)
    assert form.is_valid(), form.errors
    return form


@pytest.fixture
def summer(alliance):
    return Goal.objects.create(alliance=alliance, statement="No child hungry in summer")


def test_a_new_indicator_with_goals_and_breakdowns_is_one_revision(alliance, carol, summer):
    form = indicator_form(alliance, goals=[summer.pk], breakdowns="North\nSouth")

    meals = services.save_indicator(form=form, alliance=alliance, author=carol)

    (revision,) = Revision.objects.for_object(meals)
    assert (revision.action, revision.version, meals.version) == ("created", 1, 1)
    assert revision.changes["goals"]["new"] == "No child hungry in summer"
    assert revision.changes["breakdowns"]["new"] == "North\nSouth"
    assert meals.created_by == carol


def test_changing_only_the_breakdowns_claims_the_next_version(alliance, carol):
    meals = services.save_indicator(
        form=indicator_form(alliance, breakdowns="North"), alliance=alliance, author=carol
    )
    current = Indicator.objects.get(pk=meals.pk)
    form = indicator_form(alliance, current, breakdowns="North\nEast", base_version=1)

    services.save_indicator(form=form, alliance=alliance, author=carol)

    latest = Revision.objects.for_object(meals).first()
    assert (latest.version, list(latest.changes)) == (2, ["breakdowns"])
    assert Indicator.objects.get(pk=meals.pk).version == 2


def test_values_are_not_kept_when_the_meeting_cannot_be_told(alliance, carol, monkeypatch):
    meals = services.save_indicator(form=indicator_form(alliance), alliance=alliance, author=carol)

    def refuse(*args):
        raise RuntimeError("the meeting refused")

    monkeypatch.setattr("registers.live.tell_meetings", refuse)
    row = values.Row(datetime.date(2027, 3, 31), Decimal(1250))
    with pytest.raises(RuntimeError):
        services.add_values(indicator=meals, rows=[row], origin=Value.Origin.FORM, author=carol)

    assert not Value.objects.filter(indicator=meals).exists()


def test_a_token_is_revoked_once(alliance, carol):
    form = ApiTokenForm({"name": "County data hub"})
    assert form.is_valid()
    token, secret = services.issue_api_token(form=form, alliance=alliance, author=carol)
    assert secret.startswith(token.prefix)

    assert services.revoke_api_token(token=token) is True
    revoked_at = ApiToken.objects.get(pk=token.pk).revoked_at
    assert services.revoke_api_token(token=token) is False
    assert ApiToken.objects.get(pk=token.pk).revoked_at == revoked_at
