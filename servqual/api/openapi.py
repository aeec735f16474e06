"""The OpenAPI 3.1 description of ``/api/v1``, written by hand.

``RESPONSE_REQUEST`` is also the JSON Schema that a submitted body is checked against
first, so the document and the server cannot disagree about the shape of a request.
"""

from __future__ import annotations

from typing import Any

from servqual.api.schemas import (
    CAMPAIGN,
    ERROR,
    ID,
    IDEMPOTENCY_KEY_PATTERN,
    INSTRUMENT,
    LANG,
    LINK,
    RESPONSE_CREATED,
    RESPONSE_REQUEST,
    VALIDATION_ERROR,
)


def _json(schema_ref: str, description: str, headers: dict | None = None) -> dict:
    body = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}},
    }
    if headers:
        body["headers"] = headers
    return body


_RATE_HEADERS = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "string"},
    }
}

_COMMON_ERRORS = {
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "403": _json("Error", "The token may not use this campaign or link."),
    "429": _json("Error", "Too many requests for this token.", _RATE_HEADERS),
}

_CAMPAIGN_ID = {
    "name": "campaign_id",
    "in": "path",
    "required": True,
    "schema": ID,
}


def document(server_url: str = "/api/v1") -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of the API."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "servqual survey API",
            "version": "1.0.0",
            "description": (
                "Submit survey responses from kiosks and apps. Each token belongs to one "
                "campaign (and possibly one touchpoint/site link) and is sent as "
                "`Authorization: Bearer <token>`. Messages are in the language of `?lang=`, "
                "else of Accept-Language, else (when submitting) of the body's `language`, "
                "else the server's default language (es or en)."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This document",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        "429": _COMMON_ERRORS["429"],
                    },
                }
            },
            "/campaigns": {
                "get": {
                    "operationId": "listCampaigns",
                    "summary": "The open campaigns this token may use",
                    "responses": {
                        "200": {
                            "description": "Zero or one campaign: the token's, while it is open.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["campaigns"],
                                        "properties": {
                                            "campaigns": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/Campaign"},
                                            }
                                        },
                                    }
                                }
                            },
                        },
                        **_COMMON_ERRORS,
                    },
                }
            },
            "/campaigns/{campaign_id}/instrument": {
                "get": {
                    "operationId": "getInstrument",
                    "summary": "The questions of a campaign, in one language",
                    "parameters": [
                        _CAMPAIGN_ID,
                        {
                            "name": "lang",
                            "in": "query",
                            "required": False,
                            "schema": LANG,
                            "description": "Defaults to the Accept-Language of the request.",
                        },
                    ],
                    "responses": {
                        "200": _json("Instrument", "The items, sections and links."),
                        "422": _json("ValidationError", "An unsupported language."),
                        **_COMMON_ERRORS,
                    },
                }
            },
            "/campaigns/{campaign_id}/responses": {
                "post": {
                    "operationId": "submitResponse",
                    "summary": "Store one respondent's answers (exactly once per key)",
                    "parameters": [
                        _CAMPAIGN_ID,
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
                            "description": (
                                "A unique value per respondent (e.g. a UUID). Sending the same "
                                "key and body again returns the first result; the same key "
                                "with another body is refused with 409."
                            ),
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ResponseRequest"}
                            }
                        },
                    },
                    "responses": {
                        "201": _json("ResponseCreated", "The response was stored."),
                        "200": _json("ResponseCreated", "A replay: the response stored before."),
                        "400": _json(
                            "Error", "The Idempotency-Key is missing or the body is not JSON."
                        ),
                        "409": _json(
                            "Error",
                            "The campaign is not collecting answers, or the key was "
                            "already used with another body.",
                        ),
                        "413": _json("Error", "The body is too large."),
                        "415": _json("Error", "The body is not application/json."),
                        "422": _json("ValidationError", "The answers do not validate."),
                        **_COMMON_ERRORS,
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token created on the campaign's API tokens page.",
                }
            },
            "responses": {
                "Unauthorized": {
                    "description": "The token is missing, unknown or revoked.",
                    "headers": {
                        "WWW-Authenticate": {
                            "required": True,
                            "schema": {"type": "string"},
                            "description": 'A Bearer challenge, e.g. Bearer realm="servqual".',
                        }
                    },
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }
            },
            "schemas": {
                "Error": ERROR,
                "ValidationError": VALIDATION_ERROR,
                "Link": LINK,
                "Campaign": CAMPAIGN,
                "Instrument": INSTRUMENT,
                "ResponseRequest": RESPONSE_REQUEST,
                "ResponseCreated": RESPONSE_CREATED,
            },
        },
    }
