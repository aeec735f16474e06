"""JSON Schemas of ``/api/v1`` bodies, shared by the OpenAPI document and the request check."""

from typing import Any

from servqual.config import SUPPORTED_LOCALES
from servqual.surveys.models import CampaignStatus, SurveyFormat

#: Largest id the database columns hold (32-bit integers).
MAX_ID = 2_147_483_647
#: Text that can be stored: no NUL and no lone surrogates.
STORABLE_TEXT = "^[^\\u0000\\ud800-\\udfff]*$"
#: What an ``Idempotency-Key`` may be: 1 to 255 printable ASCII characters.
IDEMPOTENCY_KEY_PATTERN = "^[!-~]{1,255}$"

ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_NULLABLE_ID = {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ID}
_POINT = {"type": ["integer", "null"], "minimum": -1000, "maximum": 1000}
LANG = {"type": "string", "enum": list(SUPPORTED_LOCALES)}
_NAMED = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
}

ANSWER = {
    "type": "object",
    "description": (
        "The levels given to one item: expectation (e), perception (p), adequate (a) and "
        "desired (ds) service. Give those the campaign's format asks (see the instrument's "
        "sections); null means not applicable / don't know."
    ),
    "additionalProperties": False,
    "properties": dict.fromkeys(("e", "p", "a", "ds"), _POINT),
}

RESPONSE_REQUEST: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["language", "answers"],
    "properties": {
        "link": {
            "type": "string",
            "pattern": "^[A-Za-z0-9_-]{1,16}$",
            "description": "The slug of the campaign link (touchpoint and site) answered at.",
        },
        "touchpoint_id": {**ID, "description": "Instead of link: the touchpoint answered at."},
        "site_id": {**_NULLABLE_ID, "description": "With touchpoint_id: the site, if any."},
        "language": {**LANG, "description": "The language the respondent answered in."},
        "answers": {
            "type": "object",
            "maxProperties": 200,
            "propertyNames": {"maxLength": 32},
            "additionalProperties": ANSWER,
            "description": "Item code → levels, for every item of the instrument.",
        },
        "overall_quality": {**_POINT, "description": "The overall-quality item, if asked."},
        "recommend": {
            "type": ["integer", "null"],
            "minimum": 0,
            "maximum": 10,
            "description": "Likelihood to recommend (0-10), if asked.",
        },
        "importance": {
            "type": "object",
            "maxProperties": 50,
            "propertyNames": {"maxLength": 64},
            "additionalProperties": {"type": "integer", "minimum": -1000, "maximum": 1000},
            "description": "Dimension code → importance points; they must add up to the total.",
        },
        "comment": {
            "type": ["string", "null"],
            "maxLength": 2000,
            "pattern": STORABLE_TEXT,
        },
        "may_contact": {"type": "boolean"},
        "segment": {
            "type": ["string", "null"],
            "maxLength": 64,
            "pattern": STORABLE_TEXT,
            "description": "A customer segment chosen by the integration.",
        },
    },
}

ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "A stable code for programs."},
        "message": {"type": "string", "description": "An explanation for people."},
        "campaign_status": {
            "type": "string",
            "enum": [s.value for s in CampaignStatus],
            "description": "With campaign_closed: the campaign's status.",
        },
    },
}

VALIDATION_ERROR = {
    "type": "object",
    "required": ["error", "message", "errors"],
    "properties": {
        **ERROR["properties"],
        "errors": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {
                        "type": "string",
                        "description": "Where, as a dotted path, e.g. answers.REL1.e.",
                    },
                    "message": {"type": "string"},
                },
            },
        },
    },
}

LINK = {
    "type": "object",
    "required": ["slug", "touchpoint", "site"],
    "properties": {
        "slug": {"type": "string"},
        "touchpoint": _NAMED,
        "site": {"oneOf": [_NAMED, {"type": "null"}]},
    },
}

CAMPAIGN = {
    "type": "object",
    "required": [
        "id",
        "name",
        "wave",
        "format",
        "status",
        "opens_on",
        "closes_on",
        "accepts_responses",
        "instrument",
        "links",
    ],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "wave": {"type": "string"},
        "format": {"type": "string", "enum": [f.value for f in SurveyFormat]},
        "status": {"type": "string", "enum": [s.value for s in CampaignStatus]},
        "opens_on": {"type": ["string", "null"], "format": "date"},
        "closes_on": {"type": ["string", "null"], "format": "date"},
        "accepts_responses": {"type": "boolean"},
        "instrument": {
            "type": "object",
            "required": ["key", "version"],
            "properties": {"key": {"type": "string"}, "version": {"type": "integer"}},
        },
        "links": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/Link"},
            "description": "The links this token may submit through.",
        },
    },
}

_TEXT_BY_FORM = {"type": "object", "additionalProperties": {"type": "string"}}

_SCALE = {
    "type": "object",
    "required": ["min", "max", "anchors", "not_applicable"],
    "properties": {
        "min": {"type": "integer"},
        "max": {"type": "integer"},
        "anchors": {
            "type": "object",
            "description": "Scale point → its label, at least both ends.",
            "additionalProperties": {"type": "string"},
        },
        "not_applicable": {
            "type": "boolean",
            "description": "Whether null (not applicable / don't know) is accepted.",
        },
    },
}

_QUESTION = {
    "type": "object",
    "required": ["item", "measure", "field", "text"],
    "properties": {
        "item": {"type": "string"},
        "measure": {"type": "string", "enum": ["e", "p", "a", "ds"]},
        "field": {"type": "string", "description": "Where the answer goes: answers.ITEM.m"},
        "text": {"type": "string"},
    },
}

_SECTION = {
    "type": "object",
    "required": ["kind", "title", "instructions", "questions"],
    "properties": {
        "kind": {"type": "string", "enum": ["items", "closing"]},
        "title": {"type": "string"},
        "instructions": {"type": ["string", "null"]},
        "questions": {"type": "array", "items": _QUESTION},
    },
}

_CLOSING = {
    "type": "object",
    "required": ["overall_quality", "recommend", "importance", "comment"],
    "properties": {
        "overall_quality": {
            "oneOf": [
                {
                    "type": "object",
                    "required": ["text", "scale"],
                    "properties": {"text": {"type": "string"}, "scale": _SCALE},
                },
                {"type": "null"},
            ]
        },
        "recommend": {
            "oneOf": [
                {
                    "type": "object",
                    "required": ["text", "min", "max"],
                    "properties": {
                        "text": {"type": "string"},
                        "min": {"type": "integer"},
                        "max": {"type": "integer"},
                    },
                },
                {"type": "null"},
            ]
        },
        "importance": {
            "oneOf": [
                {
                    "type": "object",
                    "required": ["text", "total", "dimensions"],
                    "properties": {
                        "text": {"type": "string"},
                        "total": {"type": "integer"},
                        "dimensions": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["code", "label"],
                                "properties": {
                                    "code": {"type": "string"},
                                    "label": {"type": "string"},
                                },
                            },
                        },
                    },
                },
                {"type": "null"},
            ]
        },
        "comment": {
            "oneOf": [
                {
                    "type": "object",
                    "required": ["text", "max_length"],
                    "properties": {
                        "text": {"type": "string"},
                        "max_length": {"type": "integer"},
                    },
                },
                {"type": "null"},
            ]
        },
    },
}

INSTRUMENT = {
    "type": "object",
    "required": [
        "campaign",
        "language",
        "instrument",
        "dimensions",
        "items",
        "sections",
        "closing",
        "links",
    ],
    "properties": {
        "campaign": {"$ref": "#/components/schemas/Campaign"},
        "language": LANG,
        "instrument": {
            "type": "object",
            "required": ["key", "version", "title"],
            "properties": {
                "key": {"type": "string"},
                "version": {"type": "integer"},
                "title": {"type": "string"},
            },
        },
        "dimensions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "label"],
                "properties": {"code": {"type": "string"}, "label": {"type": "string"}},
            },
        },
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "dimension", "label", "text", "scale"],
                "properties": {
                    "code": {"type": "string"},
                    "dimension": {"type": "string"},
                    "label": {"type": "string"},
                    "text": {
                        **_TEXT_BY_FORM,
                        "description": "Measure (e, p, a, ds) → the wording for it.",
                    },
                    "scale": _SCALE,
                },
            },
        },
        "sections": {
            "type": "array",
            "items": _SECTION,
            "description": "The pages of the campaign's format, in order.",
        },
        "closing": _CLOSING,
        "links": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}},
    },
}

RESPONSE_CREATED = {
    "type": "object",
    "required": [
        "id",
        "campaign_id",
        "touchpoint_id",
        "site_id",
        "language",
        "submitted_at",
        "replayed",
    ],
    "properties": {
        "id": {"type": "integer"},
        "campaign_id": {"type": "integer"},
        "touchpoint_id": {"type": "integer"},
        "site_id": {"type": ["integer", "null"]},
        "language": LANG,
        "submitted_at": {"type": "string", "format": "date-time"},
        "replayed": {
            "type": "boolean",
            "description": "True when this answers a replay of an earlier request.",
        },
    },
}
