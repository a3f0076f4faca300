"""The indicators API: another system pushes values with a per-alliance token.

No session, no CSRF, JSON only. A request is answered in this order: a method the URL does
not take (405), no valid token (401), too many calls with this token this minute (429), an
indicator outside the token's alliance (404), a body that is not right (422, every problem
of every row, nothing saved), and then the values (201). The schema in `openapi.py` says
the same for integrators.

The API answers in the language of the request's Accept-Language header alone (English when
it names none of Accord's languages): an integrator has no profile or cookie, and a
signed-in browser's session is ignored here as it is for access.
"""

import functools
import json
import math
import time
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from accord.jsontext import has_lone_surrogate
from alliances import access
from indicators import values
from indicators.models import ApiToken, Indicator, Value, hash_token
from registers import live
from reviews.framework import key_of

COMPONENT = key_of("indicators")
MAX_VALUES = 1000
PAGE_SIZE = 100
FIELDS = ("date", "value", "breakdown", "note")
WINDOW_SECONDS = 60
# last_used_at is written at most once a minute per token, not on every call.
LAST_USED_PRECISION = 60


# Answers


def _error(status: int, message: str, **headers) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _invalid(errors: list[dict]) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=422)


def _problem(message: str, *, index: int | None = None, field: str | None = None) -> dict:
    return {"index": index, "field": field, "message": message}


def _number(number: Decimal) -> str:
    """1250.0000 -> "1250", 12.5000 -> "12.5": as written, without an exponent."""
    return format(number.normalize(), "f")


def _value(value: Value) -> dict:
    return {
        "id": value.pk,
        "date": value.date.isoformat(),
        "value": _number(value.value),
        "breakdown": value.breakdown.name if value.breakdown else None,
        "note": value.note,
    }


# The token and its rate limit


def _token(request) -> ApiToken | None:
    """The unrevoked token the request carries as `Authorization: Bearer <token>`."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        return None
    return (
        ApiToken.objects.select_related("alliance")
        .filter(digest=hash_token(secret), revoked_at=None)
        .first()
    )


def rate_limit_key(token: ApiToken, window: int) -> str:
    # The digest's start keeps tokens apart even where ids are reused (SQLite, in tests).
    return f"api-rate:{token.pk}:{token.digest[:12]}:{window}"


def _over_limit(token: ApiToken) -> int:
    """Count this call in the token's current one-minute window; the seconds to wait when
    it is one too many, else 0."""
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = rate_limit_key(token, window)
    # add, then incr, each atomic in the cache: a get and a set would let two calls at once
    # count as one.
    # Kept a little longer than its window, so that a slow clock never restarts a count.
    if cache.add(key, 1, timeout=WINDOW_SECONDS * 2):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=WINDOW_SECONDS * 2)
            count = 1
    if count <= settings.API_RATE_LIMIT:
        return 0
    return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))


def _touch(token: ApiToken) -> None:
    now = timezone.now()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def requested_language(request) -> str:
    """The first of Accept-Language's languages (by their q) that Accord speaks."""
    asked = []
    for part in request.headers.get("Accept-Language", "").split(","):
        code, _sep, weight = part.strip().partition(";q=")
        try:
            asked.append((-float(weight or 1), code.strip()))
        except ValueError:
            continue
    for _weight, code in sorted(asked, key=lambda pair: pair[0]):
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def api_view(*methods):
    """JSON in the Accept-Language's language, no session or CSRF; 405, 401 and 429
    answered before the view runs, which gets the token as its second argument."""

    def decorator(view):
        @csrf_exempt
        @never_cache
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            with translation.override(requested_language(request)):
                if request.method not in methods:
                    return _error(
                        405,
                        _("%(method)s is not allowed here; use %(methods)s.")
                        % {"method": request.method, "methods": _(" or ").join(methods)},
                        Allow=", ".join(methods),
                    )
                token = _token(request)
                if token is None:
                    return _error(
                        401,
                        _(
                            "A valid API token is needed: send it as "
                            "'Authorization: Bearer <token>'. A coordinator of the alliance "
                            "makes one on its API tokens page."
                        ),
                        WWW_Authenticate='Bearer realm="Accord"',
                    )
                wait = _over_limit(token)
                if wait:
                    return _error(
                        429,
                        _(
                            "More than %(limit)d calls a minute with this token; try again "
                            "in %(wait)d seconds."
                        )
                        % {"limit": settings.API_RATE_LIMIT, "wait": wait},
                        Retry_After=str(wait),
                    )
                _touch(token)
                return view(request, token, *args, **kwargs)

        return wrapper

    return decorator


# The endpoints


@api_view("GET")
def indicator_list(request, token):
    indicators = Indicator.objects.filter(alliance=token.alliance).prefetch_related("breakdowns")
    return JsonResponse(
        {
            "indicators": [
                {
                    "id": indicator.pk,
                    "name": indicator.name,
                    "unit": indicator.unit,
                    "breakdown_label": indicator.breakdown_label,
                    "breakdowns": [b.name for b in indicator.breakdowns.all()],
                    "values_url": request.build_absolute_uri(
                        reverse("indicators:api_values", args=[indicator.pk])
                    ),
                }
                for indicator in indicators
            ]
        }
    )


@api_view("GET", "POST")
def indicator_values(request, token, indicator_id):
    try:
        indicator = access.get_token_indicator(token, indicator_id)
    except Http404:
        message = _("This token's alliance has no indicator %(id)s.") % {"id": indicator_id}
        return _error(404, message)
    if request.method == "GET":
        return _list_values(request, indicator)
    return _add_values(request, indicator)


def _list_values(request, indicator):
    paginator = Paginator(indicator.values.select_related("breakdown"), PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (PageNotAnInteger, EmptyPage):
        return _invalid(
            [
                _problem(
                    _("There is no page %(page)r; pages go from 1 to %(pages)d.")
                    % {"page": request.GET.get("page"), "pages": paginator.num_pages},
                    field="page",
                )
            ]
        )

    def link(number):
        return request.build_absolute_uri(f"{request.path}?page={number}")

    return JsonResponse(
        {
            "count": paginator.count,
            "page": page.number,
            "pages": paginator.num_pages,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "values": [_value(value) for value in page],
        }
    )


def _add_values(request, indicator):
    try:
        raw_rows = _rows(request)
    except _Refused as refused:
        return refused.response
    checker = values.Checker(indicator)
    rows, warnings, errors = _check(checker, raw_rows)
    if errors:
        return _invalid(errors)
    try:
        added = values.add(indicator, rows, origin=Value.Origin.API, author=None)
    except IntegrityError:
        # Someone added a value on one of these dates between the check and the save.
        errors = _check(values.Checker(indicator), raw_rows)[2]
        if not errors:
            raise
        return _invalid(errors)
    live.tell_meetings(indicator.alliance, COMPONENT, None)
    return JsonResponse(
        {"values": [_value(value) for value in added], "warnings": warnings}, status=201
    )


class _Refused(Exception):
    def __init__(self, response):
        self.response = response


def _rows(request) -> list:
    """The body's value objects: one object, or {"values": [...]}."""
    try:
        body = request.body
    except RequestDataTooBig:
        raise _Refused(
            _error(
                413,
                _("The body is too large; send at most %(max)d values at once.")
                % {"max": MAX_VALUES},
            )
        ) from None
    try:
        data = json.loads(body, parse_float=Decimal)
    except (ValueError, RecursionError) as error:
        message = _("The body is not JSON: %(error)s.") % {"error": error}
        raise _Refused(_invalid([_problem(message)])) from None
    if has_lone_surrogate(body, data):
        message = _("The body is not JSON: it holds a lone surrogate escape (\\ud800 to \\udfff).")
        raise _Refused(_invalid([_problem(message)]))
    if not isinstance(data, dict):
        raise _Refused(
            _invalid(
                [_problem(_('The body must be a JSON object: one value, or {"values": [...]}.'))]
            )
        )
    if "values" not in data:
        return [data]
    rows = data["values"]
    extra = sorted(set(data) - {"values"})
    if extra:
        message = _('Send either one value or {"values": [...]}, with nothing beside "values".')
        raise _Refused(_invalid([_problem(message, field=name) for name in extra]))
    if not isinstance(rows, list):
        raise _Refused(
            _invalid([_problem(_('"values" must be a list of value objects.'), field="values")])
        )
    if not rows:
        raise _Refused(
            _invalid([_problem(_('"values" is empty: send at least one value.'), field="values")])
        )
    if len(rows) > MAX_VALUES:
        raise _Refused(
            _invalid(
                [
                    _problem(
                        _("%(n)d values is too many at once: send at most %(max)d in one request.")
                        % {"n": len(rows), "max": MAX_VALUES},
                        field="values",
                    )
                ]
            )
        )
    return rows


def _check(checker, raw_rows):
    """Check every row; the rows, the warnings and every problem found (empty when none)."""
    rows, warnings, errors = [], [], []
    for index, raw in enumerate(raw_rows):
        if not isinstance(raw, dict):
            errors.append(_problem(_("Each value must be a JSON object."), index=index))
            continue
        unknown = sorted(set(raw) - set(FIELDS))
        for name in unknown:
            errors.append(
                _problem(
                    _("Unknown field; a value has %(fields)s.") % {"fields": ", ".join(FIELDS)},
                    index=index,
                    field=name,
                )
            )
        checked = checker.check(raw)
        errors.extend(
            _problem(message, index=index, field=name) for name, message in checked.errors.items()
        )
        warnings.extend({"index": index, "message": message} for message in checked.warnings)
        if checked.ok and not unknown:
            rows.append(checked.row)
    return rows, warnings, errors
