"""The OpenAPI 3.1 description of the indicators API (`api.py`), served at
/api/v1/openapi.json for integrators and checked by tests/test_api.py."""

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from indicators.api import MAX_VALUES, PAGE_SIZE
from indicators.values import MAX_ABS, NOTE_MAX

INDICATORS_PATH = "/api/v1/indicators/"
VALUES_PATH = "/api/v1/indicators/{indicator_id}/values/"
SCHEMA_PATH = "/api/v1/openapi.json"


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _json(schema: dict, description: str, **extra) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
        **extra,
    }


VALUE_IN = {
    "type": "object",
    "description": "One value of the indicator: for the whole, or for one of its breakdowns.",
    "required": ["date", "value"],
    "additionalProperties": False,
    "properties": {
        "date": {
            "type": "string",
            "format": "date",
            "description": "The date the value is for, as year-month-day.",
            "examples": ["2027-03-31"],
        },
        "value": {
            "type": ["number", "string"],
            "description": (
                "A number, or a string holding one (to keep its decimals exact). Kept with "
                f"up to 4 decimals; at most {MAX_ABS} either way."
            ),
            "examples": [1250, "12.5"],
        },
        "breakdown": {
            "type": ["string", "null"],
            "description": (
                "The name of one of the indicator's breakdowns (a county, an age group), "
                "in any case. Leave it out for the value of the whole."
            ),
            "examples": ["Harrison County"],
        },
        "note": {
            "type": ["string", "null"],
            "maxLength": NOTE_MAX,
            "description": "Anything worth knowing about this value.",
        },
    },
}

VALUE_BATCH = {
    "type": "object",
    "description": f"Up to {MAX_VALUES} values, added all together or not at all.",
    "required": ["values"],
    "additionalProperties": False,
    "properties": {
        "values": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_VALUES,
            "items": _ref("schemas", "ValueIn"),
        }
    },
}

VALUE = {
    "type": "object",
    "required": ["id", "date", "value", "breakdown", "note"],
    "properties": {
        "id": {"type": "integer"},
        "date": {"type": "string", "format": "date"},
        "value": {
            "type": "string",
            "description": 'The value as a decimal number written out, e.g. "1250" or "12.5".',
            "examples": ["1250"],
        },
        "breakdown": {"type": ["string", "null"]},
        "note": {"type": "string"},
    },
}

CREATED = {
    "type": "object",
    "required": ["values", "warnings"],
    "properties": {
        "values": {"type": "array", "items": _ref("schemas", "Value")},
        "warnings": {
            "type": "array",
            "description": "Accepted, but worth a look: for example a date before the baseline.",
            "items": {
                "type": "object",
                "required": ["index", "message"],
                "properties": {
                    "index": {
                        "type": "integer",
                        "description": "The value's place in the body, from 0.",
                    },
                    "message": {"type": "string"},
                },
            },
        },
    },
}

VALUE_PAGE = {
    "type": "object",
    "required": ["count", "page", "pages", "next", "previous", "values"],
    "properties": {
        "count": {"type": "integer", "description": "How many values the indicator has."},
        "page": {"type": "integer"},
        "pages": {"type": "integer"},
        "next": {"type": ["string", "null"], "format": "uri"},
        "previous": {"type": ["string", "null"], "format": "uri"},
        "values": {
            "type": "array",
            "maxItems": PAGE_SIZE,
            "description": "In date order.",
            "items": _ref("schemas", "Value"),
        },
    },
}

INDICATOR = {
    "type": "object",
    "required": ["id", "name", "unit", "breakdown_label", "breakdowns", "values_url"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "unit": {"type": "string"},
        "breakdown_label": {
            "type": "string",
            "description": "What the breakdowns are, e.g. county; empty when there are none.",
        },
        "breakdowns": {"type": "array", "items": {"type": "string"}},
        "values_url": {"type": "string", "format": "uri"},
    },
}

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}},
}

VALIDATION_ERRORS = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["index", "field", "message"],
                "properties": {
                    "index": {
                        "type": ["integer", "null"],
                        "description": (
                            "The value's place in the body, from 0 (0 for a single value); "
                            "null for a problem with the body as a whole."
                        ),
                    },
                    "field": {
                        "type": ["string", "null"],
                        "description": "The field at fault; null when it is no one field.",
                    },
                    "message": {"type": "string"},
                },
            },
        }
    },
    "examples": [
        {
            "errors": [
                {
                    "index": 2,
                    "field": "date",
                    "message": (
                        "“31/03/2027” is not a date; write it as year-month-day, e.g. 2027-03-31."
                    ),
                }
            ]
        }
    ],
}

INDICATOR_ID = {
    "name": "indicator_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
    "description": "The indicator's id, as GET /api/v1/indicators/ lists them.",
}

PAGE = {
    "name": "page",
    "in": "query",
    "required": False,
    "schema": {"type": "integer", "minimum": 1, "default": 1},
    "description": f"{PAGE_SIZE} values a page.",
}


def schema() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Accord indicators API",
            "version": "1.0.0",
            "description": (
                "Another system sends the values of an alliance's shared indicators of "
                "progress. A coordinator of the alliance makes a token on the alliance's "
                "API tokens page; each token reaches that one alliance's indicators. Every "
                f"token may make {settings.API_RATE_LIMIT} calls a minute. Messages are in "
                "the request's Accept-Language (English or Spanish; English otherwise)."
            ),
        },
        "servers": [{"url": settings.SITE_URL}],
        "security": [{"bearerAuth": []}],
        "paths": {
            INDICATORS_PATH: {
                "get": {
                    "operationId": "listIndicators",
                    "summary": "The indicators of the token's alliance",
                    "responses": {
                        "200": _json(_ref("schemas", "IndicatorList"), "The indicators."),
                        "401": _ref("responses", "Unauthorized"),
                        "429": _ref("responses", "TooManyRequests"),
                    },
                }
            },
            VALUES_PATH: {
                "parameters": [INDICATOR_ID],
                "get": {
                    "operationId": "listValues",
                    "summary": "The indicator's values, in date order, a page at a time",
                    "parameters": [PAGE],
                    "responses": {
                        "200": _json(_ref("schemas", "ValuePage"), "A page of values."),
                        "401": _ref("responses", "Unauthorized"),
                        "404": _ref("responses", "NotFound"),
                        "422": _ref("responses", "Invalid"),
                        "429": _ref("responses", "TooManyRequests"),
                    },
                },
                "post": {
                    "operationId": "addValues",
                    "summary": "Add values to the indicator, all or nothing",
                    "description": (
                        "A date that already has a value (for the same breakdown) is "
                        "refused: correct that value in Accord instead."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        _ref("schemas", "ValueIn"),
                                        _ref("schemas", "ValueBatch"),
                                    ]
                                },
                                "examples": {
                                    "one": {
                                        "summary": "One value",
                                        "value": {
                                            "date": "2027-03-31",
                                            "value": 1250,
                                            "breakdown": "Harrison County",
                                            "note": "Counted at the three summer sites.",
                                        },
                                    },
                                    "several": {
                                        "summary": "Several values",
                                        "value": {
                                            "values": [
                                                {"date": "2027-03-31", "value": 1250},
                                                {"date": "2027-04-30", "value": "1312.5"},
                                            ]
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "responses": {
                        "201": _json(_ref("schemas", "Created"), "The values are added."),
                        "401": _ref("responses", "Unauthorized"),
                        "404": _ref("responses", "NotFound"),
                        "413": _json(_ref("schemas", "Error"), "The body is too large."),
                        "422": _ref("responses", "Invalid"),
                        "429": _ref("responses", "TooManyRequests"),
                    },
                },
            },
            SCHEMA_PATH: {
                "get": {
                    "operationId": "getSchema",
                    "summary": "This description",
                    "security": [],
                    "responses": {"200": {"description": "The OpenAPI document."}},
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from the alliance's API tokens page.",
                }
            },
            "schemas": {
                "ValueIn": VALUE_IN,
                "ValueBatch": VALUE_BATCH,
                "Value": VALUE,
                "Created": CREATED,
                "ValuePage": VALUE_PAGE,
                "Indicator": INDICATOR,
                "IndicatorList": {
                    "type": "object",
                    "required": ["indicators"],
                    "properties": {
                        "indicators": {"type": "array", "items": _ref("schemas", "Indicator")}
                    },
                },
                "Error": ERROR,
                "ValidationErrors": VALIDATION_ERRORS,
            },
            "responses": {
                "Unauthorized": _json(
                    _ref("schemas", "Error"),
                    "No token, or one that is unknown or revoked.",
                    headers={"WWW-Authenticate": {"schema": {"type": "string"}}},
                ),
                "NotFound": _json(
                    _ref("schemas", "Error"),
                    "The token's alliance has no such indicator.",
                ),
                "Invalid": _json(
                    _ref("schemas", "ValidationErrors"),
                    "The body or the query is not right: every problem, one per field and "
                    "value. Nothing is saved.",
                ),
                "TooManyRequests": _json(
                    _ref("schemas", "Error"),
                    "Too many calls this minute with this token.",
                    headers={
                        "Retry-After": {
                            "description": "Seconds to wait.",
                            "schema": {"type": "integer"},
                        }
                    },
                ),
            },
        },
    }


@csrf_exempt
def openapi_json(request):
    """The schema, for anyone (no token): integrators read it before they have one."""
    if request.method not in ("GET", "HEAD"):
        message = f"{request.method} is not allowed here; use GET."
        return JsonResponse({"error": message}, status=405, headers={"Allow": "GET, HEAD"})
    return JsonResponse(schema(), json_dumps_params={"ensure_ascii": False})
