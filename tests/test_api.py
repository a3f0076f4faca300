"""The indicators API: another system sends values with a token of one alliance.

Harvest's county data hub pushes the count of children eating at a summer meal site, by
county. Riverside (Olga's alliance) has an indicator and a token of its own, and must stay
out of reach of Harvest's token, and the other way round.
"""

import datetime
import json
import re
import time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from alliances.models import Alliance
from history.models import Revision
from indicators import api, values
from indicators.models import ApiToken, Breakdown, Indicator, Value, hash_token
from indicators.views.tokens import NEW_TOKEN
from meetings import services as meetings
from meetings.models import Meeting, Phase
from reviews.models import ComponentRecord
from tests import pages

pytestmark = pytest.mark.usefixtures("fast_passwords")

SECRET = re.compile(r"acc_[A-Za-z0-9_-]{43}")
NOT_A_DATE = "“31/03/2027” is not a date; write it as year-month-day, e.g. 2027-03-31."

_made: list[ApiToken] = []


def make_token(alliance, name="County data hub", by=None) -> tuple[ApiToken, str]:
    token = ApiToken(alliance=alliance, name=name, created_by=by)
    secret = token.issue()
    token.save()
    _made.append(token)
    return token, secret


@pytest.fixture(autouse=True)
def forget_rate_limits():
    """Counters live in the cache (Redis when REDIS_URL is set), not in the test's database
    transaction: each test removes those of its tokens."""
    yield
    window = int(time.time() // api.WINDOW_SECONDS)
    cache.delete_many(
        [api.rate_limit_key(t, w) for t in _made for w in range(window - 2, window + 1)]
    )
    _made.clear()


@pytest.fixture
def meals(alliance):
    indicator = Indicator.objects.create(
        alliance=alliance,
        name="Children eating at a summer meal site",
        unit="children",
        breakdown_label="county",
        baseline_value=Decimal("900"),
        baseline_date=datetime.date(2027, 1, 1),
    )
    Breakdown.objects.create(indicator=indicator, name="Harrison County", position=0)
    Breakdown.objects.create(indicator=indicator, name="Polk County", position=1)
    return indicator


@pytest.fixture
def hub(alliance, carol):
    return make_token(alliance, by=carol)


@pytest.fixture
def secret(hub):
    return hub[1]


@pytest.fixture
def riverside(olga):
    alliance = Alliance.objects.get(slug="riverside-alliance")
    indicator = Indicator.objects.create(alliance=alliance, name="Families housed")
    token, secret = make_token(alliance, name="Riverside housing list", by=olga)
    return {"indicator": indicator, "token": token, "secret": secret}


def values_url(indicator) -> str:
    return reverse("indicators:api_values", args=[indicator.pk])


def post(client, indicator, body, secret, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    auth = {"Authorization": f"Bearer {secret}"} if secret else {}
    return client.post(
        values_url(indicator) if isinstance(indicator, Indicator) else indicator,
        data,
        content_type="application/json",
        headers={**auth, **headers},
    )


def get(client, url, secret, **headers):
    return client.get(url, headers={"Authorization": f"Bearer {secret}", **headers})


def saved(indicator) -> list[tuple]:
    return list(
        Value.objects.filter(indicator=indicator).values_list("date", "value", "breakdown__name")
    )


# Who may call


def test_api_refuses_call_without_token(client, meals):
    response = post(client, meals, {"date": "2027-03-31", "value": 1250}, None)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == 'Bearer realm="Accord"'
    assert response.json()["error"].startswith("A valid API token is needed")
    assert saved(meals) == []


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer acc_not-a-token-anyone-made",
        "Bearer ",
        "Basic Y2Fyb2w6c2VjcmV0",
        "{secret}",  # the token without its scheme
    ],
)
def test_api_refuses_unknown_token(client, meals, secret, authorization):
    response = client.post(
        values_url(meals),
        json.dumps({"date": "2027-03-31", "value": 1250}),
        content_type="application/json",
        headers={"Authorization": authorization.format(secret=secret)},
    )

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="Accord"'
    assert saved(meals) == []


def test_api_refuses_revoked_token(client, meals, hub):
    token, secret = hub
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=datetime.datetime.now(datetime.UTC))

    response = post(client, meals, {"date": "2027-03-31", "value": 1250}, secret)

    assert response.status_code == 401
    assert saved(meals) == []


def test_api_ignores_a_signed_in_session(client, meals, carol):
    """A coordinator's browser session is no key to the API: only a token is."""
    client.force_login(carol)

    response = post(client, meals, {"date": "2027-03-31", "value": 1250}, None)

    assert response.status_code == 401


def test_api_adds_value_with_the_right_token(client, meals, secret):
    response = post(
        client,
        meals,
        {"date": "2027-03-31", "value": 1250, "note": "Counted at the three sites."},
        secret,
    )

    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    value = Value.objects.get(indicator=meals)
    assert response.json() == {
        "values": [
            {
                "id": value.pk,
                "date": "2027-03-31",
                "value": "1250",
                "breakdown": None,
                "note": "Counted at the three sites.",
            }
        ],
        "warnings": [],
    }
    assert (value.value, value.origin, value.reported_by) == (Decimal("1250"), "api", None)
    revision = Revision.objects.get(object_id=value.pk, content_type__model="value")
    assert (revision.action, revision.author, revision.alliance_id) == (
        "created",
        None,
        meals.alliance_id,
    )


def test_api_notes_when_a_token_was_last_used(client, meals, hub):
    token, secret = hub
    assert token.last_used_at is None

    post(client, meals, {"date": "2027-03-31", "value": 1250}, secret)

    token.refresh_from_db()
    assert token.last_used_at is not None
    first = token.last_used_at

    get(client, values_url(meals), secret)

    token.refresh_from_db()
    assert token.last_used_at == first  # written at most once a minute


def test_api_hides_indicator_of_another_alliance(client, meals, riverside, secret):
    response = post(client, riverside["indicator"], {"date": "2027-03-31", "value": 7}, secret)

    assert response.status_code == 404
    assert response.json() == {
        "error": f"This token's alliance has no indicator {riverside['indicator'].pk}."
    }
    assert saved(riverside["indicator"]) == []


def test_api_token_of_another_alliance_cannot_reach_ours(client, meals, riverside):
    response = post(client, meals, {"date": "2027-03-31", "value": 7}, riverside["secret"])

    assert response.status_code == 404
    assert saved(meals) == []
    assert get(client, values_url(meals), riverside["secret"]).status_code == 404


def test_api_unknown_indicator_is_not_found(client, meals, secret):
    response = post(client, "/api/v1/indicators/999999/values/", {"value": 1}, secret)

    assert response.status_code == 404


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_api_refuses_other_methods(client, meals, secret, method):
    response = client.generic(
        method, values_url(meals), headers={"Authorization": f"Bearer {secret}"}
    )

    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert response.json() == {"error": f"{method} is not allowed here; use GET or POST."}


def test_api_list_refuses_post(client, meals, secret):
    response = post(client, reverse("indicators:api_indicators"), {}, secret)

    assert response.status_code == 405
    assert response["Allow"] == "GET"


# What a body must be


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"date": "2027-03-31", "value": 12', "The body is not JSON: Expecting"),
        ("", "The body is not JSON: Expecting value"),
        (b"\xff\xfe", "The body is not JSON:"),
        ("[1, 2]", 'The body must be a JSON object: one value, or {"values": [...]}.'),
        ('"2027-03-31"', 'The body must be a JSON object: one value, or {"values": [...]}.'),
    ],
)
def test_api_refuses_body_that_is_not_a_json_object(client, meals, secret, body, message):
    response = post(client, meals, body, secret)

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["index"], error["field"]) == (None, None)
    assert error["message"].startswith(message)


# Hostile bodies: a 4xx with the reason, never a 500, and nothing saved.


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[" * 100_000, "The body is not JSON: maximum recursion depth exceeded"),
        ('{"a": ' * 100_000, "The body is not JSON: maximum recursion depth exceeded"),
        (
            '{"date": "2027-03-31", "value": 1, "note": "\\ud800"}',
            "The body is not JSON: it holds a lone surrogate escape (\\ud800 to \\udfff).",
        ),
        ('{"date": "2027-03-31", "value": ' + "9" * 5000 + "}", "The body is not JSON: Exceeds"),
    ],
    ids=["deep-list", "deep-object", "lone-surrogate", "5000-digits"],
)
def test_api_refuses_a_hostile_body_with_its_reason(client, meals, secret, body, message):
    response = post(client, meals, body, secret)

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["message"].startswith(message)
    assert saved(meals) == []


@pytest.mark.parametrize("value", ["1e999999999", 1e300, "-1E+999999999"])
def test_api_refuses_a_value_beyond_any_decimal_as_too_large(client, meals, secret, value):
    body = '{"date": "2027-03-31", "value": ' + json.dumps(value) + "}"

    response = post(client, meals, body, secret)

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["field"], error["message"].endswith("is too large a value.")) == ("value", True)
    assert saved(meals) == []


def test_api_refuses_a_body_over_the_request_limit_before_reading_it(
    client, meals, secret, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"values": [{"date": "2027-03-31", "value": 1, "note": "x" * 2000}]})

    response = post(client, meals, body, secret)

    assert response.status_code == 413
    assert response.json() == {"error": "The body is too large; send at most 1000 values at once."}
    assert saved(meals) == []


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"values": {"date": "2027-03-31"}}, "values", '"values" must be a list of value objects.'),
        ({"values": []}, "values", '"values" is empty: send at least one value.'),
        (
            {"values": [{"date": "2027-03-31", "value": n} for n in range(1001)]},
            "values",
            "1001 values is too many at once: send at most 1000 in one request.",
        ),
        (
            {"values": [], "indicator": 3},
            "indicator",
            'Send either one value or {"values": [...]}, with nothing beside "values".',
        ),
    ],
)
def test_api_refuses_values_that_are_not_a_list(client, meals, secret, body, field, message):
    response = post(client, meals, body, secret)

    assert response.status_code == 422
    assert response.json() == {"errors": [{"index": None, "field": field, "message": message}]}


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"value": 1250}, "date", "A date is needed."),
        ({"date": "31/03/2027", "value": 1250}, "date", NOT_A_DATE),
        ({"date": "2027-03-31"}, "value", "A value is needed."),
        (
            {"date": "2027-03-31", "value": "lots"},
            "value",
            "“lots” is not a number, e.g. 1250 or 12.5.",
        ),
        (
            {"date": "2027-03-31", "value": True},
            "value",
            "“true” is not a number, e.g. 1250 or 12.5.",
        ),
        (
            {"date": "2027-03-31", "value": 10**13},
            "value",
            "10000000000000 is too large a value.",
        ),
        (
            {"date": "2027-03-31", "value": 5, "breakdown": "Marion County"},
            "breakdown",
            "“Marion County” is not a breakdown of this indicator "
            "(it has: Harrison County, Polk County).",
        ),
        (
            {"date": "2027-03-31", "value": 5, "note": "x" * 301},
            "note",
            "A note can be at most 300 characters.",
        ),
        (
            # PostgreSQL cannot store it: refused here, not a server error at the save.
            {"date": "2027-03-31", "value": 5, "note": "Counted\u0000 twice"},
            "note",
            "Null characters are not allowed.",
        ),
        (
            # Not kept as "{'by': 'hub'}", nor a false or 0 dropped in silence.
            {"date": "2027-03-31", "value": 5, "note": {"by": "hub"}},
            "note",
            "A note must be text (a JSON string).",
        ),
        (
            {"date": "2027-03-31", "value": 5, "note": 0},
            "note",
            "A note must be text (a JSON string).",
        ),
        (
            {"date": "2027-03-31", "value": 5, "comment": "typo"},
            "comment",
            "Unknown field; a value has date, value, breakdown, note.",
        ),
    ],
)
def test_api_refuses_bad_field_with_its_message(client, meals, secret, row, field, message):
    response = post(client, meals, row, secret)

    assert response.status_code == 422
    assert response.json() == {"errors": [{"index": 0, "field": field, "message": message}]}
    assert saved(meals) == []


def test_api_names_every_bad_field_of_every_row(client, meals, secret):
    body = {
        "values": [
            {"date": "2027-03-31", "value": 1250},
            {"date": "31/03/2027", "value": "lots"},
            {"date": "2027-04-30", "value": 1300},
            "2027-05-31",
        ]
    }

    response = post(client, meals, body, secret)

    assert response.status_code == 422
    assert response.json() == {
        "errors": [
            {"index": 1, "field": "date", "message": NOT_A_DATE},
            {"index": 1, "field": "value", "message": "“lots” is not a number, e.g. 1250 or 12.5."},
            {"index": 3, "field": None, "message": "Each value must be a JSON object."},
        ]
    }
    assert saved(meals) == []  # all or nothing: the good rows are not kept either


def test_api_refuses_a_date_that_already_has_a_value(client, meals, secret):
    post(client, meals, {"date": "2027-03-31", "value": 1250}, secret)

    response = post(client, meals, {"date": "2027-03-31", "value": 1300}, secret)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "index": 0,
            "field": "date",
            "message": "There is already a value on 2027-03-31; correct that one instead.",
        }
    ]
    assert saved(meals) == [(datetime.date(2027, 3, 31), Decimal("1250.0000"), None)]


def test_api_refuses_the_same_date_twice_in_one_body(client, meals, secret):
    body = {
        "values": [
            {"date": "2027-03-31", "value": 1250, "breakdown": "Polk County"},
            {"date": "2027-03-31", "value": 1300, "breakdown": "polk county"},
        ]
    }

    response = post(client, meals, body, secret)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "index": 1,
            "field": "date",
            "message": "There is already a value on 2027-03-31 for Polk County; "
            "correct that one instead.",
        }
    ]
    assert saved(meals) == []


def test_api_adds_values_by_breakdown_name(client, meals, secret):
    body = {
        "values": [
            {"date": "2027-03-31", "value": "612.5", "breakdown": "harrison county"},
            {"date": "2027-03-31", "value": 640, "breakdown": "Polk County"},
            {"date": "2027-03-31", "value": 1252.5, "breakdown": None},
        ]
    }

    response = post(client, meals, body, secret)

    assert response.status_code == 201
    assert [(v["breakdown"], v["value"]) for v in response.json()["values"]] == [
        ("Harrison County", "612.5"),
        ("Polk County", "640"),
        (None, "1252.5"),
    ]
    assert sorted(saved(meals), key=str) == sorted(
        [
            (datetime.date(2027, 3, 31), Decimal("612.5000"), "Harrison County"),
            (datetime.date(2027, 3, 31), Decimal("640.0000"), "Polk County"),
            (datetime.date(2027, 3, 31), Decimal("1252.5000"), None),
        ],
        key=str,
    )


def test_api_keeps_decimals_exact(client, meals, secret):
    response = post(client, meals, '{"date": "2027-03-31", "value": 0.1}', secret)

    assert response.json()["values"][0]["value"] == "0.1"
    assert saved(meals)[0][1] == Decimal("0.1000")


def test_api_warns_of_a_value_before_the_baseline(client, meals, secret):
    body = {"values": [{"date": "2027-03-31", "value": 1}, {"date": "2026-12-31", "value": 2}]}

    response = post(client, meals, body, secret)

    assert response.status_code == 201
    assert response.json()["warnings"] == [
        {"index": 1, "message": "Before the baseline date (2027-01-01)."}
    ]


def test_api_answers_in_english_when_no_language_is_asked(client, meals, secret):
    response = post(client, meals, {"date": "31/03/2027", "value": 1}, secret)

    assert response.json()["errors"][0]["message"] == NOT_A_DATE


def test_api_answers_in_the_language_of_accept_language(client, meals, secret):
    body = {"values": [{"date": "31/03/2027", "value": 1, "colour": "red"}]}

    response = post(client, meals, body, secret, Accept_Language="fr;q=1, es-MX;q=0.8, en;q=0.5")

    assert response.status_code == 422
    assert [error["message"] for error in response.json()["errors"]] == [
        "Campo desconocido; un valor tiene date, value, breakdown, note.",
        "«31/03/2027» no es una fecha; escríbala como año-mes-día, por ejemplo 2027-03-31.",
    ]


def test_api_follows_accept_language_not_the_signed_in_persons_language(
    client, meals, secret, carol
):
    carol.language = "es"
    carol.save()
    client.force_login(carol)

    response = post(client, meals, {"date": "31/03/2027", "value": 1}, secret, Accept_Language="en")

    assert response.json()["errors"][0]["message"] == NOT_A_DATE


def test_api_tells_a_meeting_discussing_the_indicators(client, review, fiona, meals, secret):
    ComponentRecord.objects.filter(review=review, component_key="indicators").update(
        state=ComponentRecord.State.IN_DISCUSSION
    )
    meeting = meetings.plan_meeting(
        review=review,
        agenda=["indicators"],
        author=fiona,
        starts_at=datetime.datetime(2027, 5, 3, 17, tzinfo=datetime.UTC),
        facilitator=fiona,
    )
    meetings.start(meeting=meeting, actor=fiona)
    while Meeting.objects.get(pk=meeting.pk).current.kind != Phase.Kind.DISCUSS:
        meetings.advance(meeting=meeting, actor=fiona, confirmed=True)
    seq = Meeting.objects.get(pk=meeting.pk).seq

    post(client, meals, {"date": "2027-03-31", "value": 1250}, secret)

    assert Meeting.objects.get(pk=meeting.pk).seq == seq + 1


# Rate limit


def test_api_limits_calls_per_token_and_minute(client, settings, meals, hub, riverside):
    settings.API_RATE_LIMIT = 3
    token, secret = hub
    if time.time() % 60 > 56:  # the four calls must fall in one minute
        time.sleep(61 - time.time() % 60)
    for day in (1, 2, 3):
        response = post(client, meals, {"date": f"2027-03-0{day}", "value": day}, secret)
        assert response.status_code == 201

    response = post(client, meals, {"date": "2027-03-04", "value": 4}, secret)

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json() == {
        "error": "More than 3 calls a minute with this token; try again in "
        f"{response['Retry-After']} seconds."
    }
    assert len(saved(meals)) == 3
    # GET calls count too, and the refusal comes before the indicator is looked up.
    assert get(client, values_url(meals), secret).status_code == 429
    assert get(client, values_url(riverside["indicator"]), secret).status_code == 429
    # Another token keeps its own count.
    other = get(client, reverse("indicators:api_indicators"), riverside["secret"])
    assert other.status_code == 200


def test_api_rate_limit_counts_in_the_shared_cache(client, settings, meals, hub):
    settings.API_RATE_LIMIT = 100
    token, secret = hub
    window = int(time.time() // api.WINDOW_SECONDS)

    get(client, values_url(meals), secret)
    get(client, values_url(meals), secret)

    counted = cache.get(api.rate_limit_key(token, window)) or cache.get(
        api.rate_limit_key(token, window + 1)
    )
    assert counted in (1, 2)  # 2, or 1 when the minute turned between the calls


# Reading


def test_api_lists_the_alliances_indicators(client, meals, riverside, secret):
    response = get(client, reverse("indicators:api_indicators"), secret)

    assert response.status_code == 200
    assert response.json() == {
        "indicators": [
            {
                "id": meals.pk,
                "name": "Children eating at a summer meal site",
                "unit": "children",
                "breakdown_label": "county",
                "breakdowns": ["Harrison County", "Polk County"],
                "values_url": f"http://testserver/api/v1/indicators/{meals.pk}/values/",
            }
        ]
    }


def test_api_lists_values_a_page_at_a_time(client, meals, secret):
    checker = values.Checker(meals)
    start = datetime.date(2027, 1, 1)
    rows = [
        checker.check({"date": (start + datetime.timedelta(days=n)).isoformat(), "value": n}).row
        for n in range(101)
    ]
    values.add(meals, rows, origin=Value.Origin.FORM, author=None)
    url = values_url(meals)

    first = get(client, url, secret).json()
    second = get(client, f"{url}?page=2", secret).json()
    beyond = get(client, f"{url}?page=3", secret)

    assert (first["count"], first["page"], first["pages"]) == (101, 1, 2)
    assert first["next"] == f"http://testserver{url}?page=2"
    assert first["previous"] is None
    assert len(first["values"]) == 100
    assert first["values"][0]["date"] == "2027-01-01"
    assert second["next"] is None
    assert second["previous"] == f"http://testserver{url}?page=1"
    assert [(v["date"], v["value"]) for v in second["values"]] == [("2027-04-11", "100")]
    assert beyond.status_code == 422
    assert beyond.json()["errors"] == [
        {"index": None, "field": "page", "message": "There is no page '3'; pages go from 1 to 2."}
    ]


# The schema


def test_openapi_schema_is_valid_and_public(client):
    response = client.get(reverse("indicators:openapi"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = response.json()
    validate(document)  # raises when the document is not valid OpenAPI
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {
        reverse("indicators:api_indicators"),
        reverse("indicators:api_values", args=[123]).replace("123", "{indicator_id}"),
        reverse("indicators:openapi"),
    }


def test_openapi_schema_describes_the_real_answers(client, meals, secret):
    """The bodies the API sends match the shapes the schema promises."""
    document = client.get(reverse("indicators:openapi")).json()

    def check(response, status, schema_name):
        assert response.status_code == status
        schema = {"$ref": f"#/components/schemas/{schema_name}"}
        OAS31Validator({**schema, "components": document["components"]}).validate(response.json())

    def check_body(body, schema_name):
        schema = {"$ref": f"#/components/schemas/{schema_name}"}
        OAS31Validator({**schema, "components": document["components"]}).validate(body)

    one = {"date": "2026-12-31", "value": 1250, "breakdown": "Polk County", "note": "A note."}
    several = {"values": [{"date": "2027-03-31", "value": "12.5"}]}
    check_body(one, "ValueIn")
    check_body(several, "ValueBatch")
    check(post(client, meals, one, secret), 201, "Created")
    check(post(client, meals, several, secret), 201, "Created")
    check(post(client, meals, several, secret), 422, "ValidationErrors")
    check(post(client, meals, "nonsense", secret), 422, "ValidationErrors")
    check(post(client, meals, one, "wrong"), 401, "Error")
    check(get(client, values_url(meals), secret), 200, "ValuePage")
    check(get(client, reverse("indicators:api_indicators"), secret), 200, "IndicatorList")


def test_openapi_schema_refuses_post(client):
    response = client.post(reverse("indicators:openapi"))

    assert response.status_code == 405
    assert response.json() == {"error": "POST is not allowed here; use GET."}


# The coordinators' pages


def test_token_pages_are_for_coordinators_only(client, alliance, people, hub):
    token, _secret = hub
    urls = [
        reverse("indicators:api_tokens", args=[alliance.slug]),
        reverse("indicators:api_token_created", args=[alliance.slug, token.pk]),
        reverse("indicators:api_token_revoke", args=[alliance.slug, token.pk]),
    ]
    for name, status in [("carol", 200), ("fiona", 403), ("mia", 403), ("otto", 403)]:
        client.force_login(people[name])
        assert [client.get(url).status_code for url in urls] == [status] * 3
    client.force_login(people["olga"])
    assert [client.get(url).status_code for url in urls] == [404] * 3


def test_token_page_lists_tokens_and_explains_the_api(client, alliance, carol, meals, hub):
    token, _secret = hub
    client.force_login(carol)

    response = client.get(reverse("indicators:api_tokens", args=[alliance.slug]))

    text = pages.text(response)
    assert "County data hub" in text
    assert f"{token.prefix}…" in text
    assert "Carol Coordinator" in text
    assert "never" in text  # last used
    assert "in use" in text
    assert token.digest not in response.content.decode()
    assert f"http://127.0.0.1:8000/api/v1/indicators/{meals.pk}/values/" in text
    assert "http://127.0.0.1:8000/api/v1/openapi.json" in text
    assert "curl -X POST" in text
    assert "Each token may make 60 calls a minute." in text


def test_coordinator_makes_a_token_shown_once(client, alliance, carol, meals):
    client.force_login(carol)
    list_url = reverse("indicators:api_tokens", args=[alliance.slug])

    response = client.post(list_url, {"name": "State nutrition database"})

    token = ApiToken.objects.get(alliance=alliance, name="State nutrition database")
    assert response.status_code == 302
    assert response.url == reverse("indicators:api_token_created", args=[alliance.slug, token.pk])
    page = client.get(response.url)
    text = pages.text(page)
    [secret] = set(SECRET.findall(page.content.decode()))
    assert "Copy it now: it will not be shown again." in text
    assert f'-H "Authorization: Bearer {secret}"' in text
    # Nor kept by the browser, to come back with its Back button or its history.
    assert "no-store" in page["Cache-Control"]
    # Only a fingerprint is kept: the token is in no column, nor left in the session.
    assert token.digest == hash_token(secret)
    assert token.prefix == secret[:8]
    assert token.created_by == carol
    assert secret not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert NEW_TOKEN not in client.session
    _made.append(token)
    # It works.
    assert post(client, meals, {"date": "2027-03-31", "value": 1}, secret).status_code == 201
    # Shown once.
    again = client.get(response.url)
    assert again.status_code == 200
    assert secret not in again.content.decode()
    assert "was shown once, when it was made, and is not shown again" in pages.text(again)


def test_token_needs_a_name(client, alliance, carol):
    client.force_login(carol)

    response = client.post(reverse("indicators:api_tokens", args=[alliance.slug]), {"name": ""})

    assert response.status_code == 200
    assert pages.form_fields(response)["name"].errors == ["This field is required."]
    assert not ApiToken.objects.exists()


def test_coordinator_revokes_a_token(client, alliance, carol, meals, hub):
    token, secret = hub
    client.force_login(carol)
    url = reverse("indicators:api_token_revoke", args=[alliance.slug, token.pk])
    assert "Revoke the token “County data hub”?" in pages.text(client.get(url))

    response = client.post(url)

    assert response.status_code == 302
    assert response.url == reverse("indicators:api_tokens", args=[alliance.slug])
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert pages.messages(client.get(response.url)) == [
        "The token “County data hub” is revoked: calls with it are refused from now on."
    ]
    assert post(client, meals, {"date": "2027-03-31", "value": 1}, secret).status_code == 401


def test_token_of_another_alliance_cannot_be_revoked_from_ours(client, alliance, carol, riverside):
    client.force_login(carol)
    token = riverside["token"]

    response = client.post(reverse("indicators:api_token_revoke", args=[alliance.slug, token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
