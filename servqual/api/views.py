"""The ``/api/v1`` endpoints: bearer tokens, JSON in and out, no cookies and no CSRF."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException

from servqual.api import operations, payload
from servqual.api.models import ApiToken
from servqual.api.openapi import document
from servqual.api.representations import campaign_json, instrument_json, today
from servqual.api.schemas import IDEMPOTENCY_KEY_PATTERN
from servqual.config import SUPPORTED_LOCALES
from servqual.extensions import csrf, db, limiter
from servqual.surveys.models import Campaign
from servqual.surveys.operations import SurveyError, token_hash
from servqual.surveys.steps import instrument_of

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

REALM = "servqual"
_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)


def request_lang(fallback: str | None = None) -> str:
    """Pick the language of messages: ``?lang=``, Accept-Language, ``fallback``, the default.

    Unlike the staff pages, no cookie or user preference counts: a kiosk's requests
    must be answered the same way whatever it stored.
    """
    asked = request.args.get("lang")
    if asked in SUPPORTED_LOCALES:
        return asked
    if request.accept_languages:
        best = request.accept_languages.best_match(SUPPORTED_LOCALES)
        if best:
            return best
    if fallback in SUPPORTED_LOCALES:
        return fallback
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _in_request_lang(view: Callable) -> Callable:
    @wraps(view)
    def speaking(*args, **kwargs):
        with force_locale(request_lang()):
            return view(*args, **kwargs)

    return speaking


def error(status: int, code: str, message: str, **extra: Any):
    """Return a JSON error: a stable ``code`` for programs and a ``message`` for people."""
    response = jsonify({"error": code, "message": message, **extra})
    response.status_code = status
    return response


# --- authentication, limits and errors ----------------------------------------------------


def _bearer() -> str | None:
    scheme, _sep, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def _unauthorized(message: str, invalid: bool):
    response = error(401, "unauthorized", message)
    challenge = f'Bearer realm="{REALM}"'
    if invalid:
        challenge += ', error="invalid_token"'
    response.headers["WWW-Authenticate"] = challenge
    return response


def token_required(view: Callable) -> Callable:
    """Let only requests carrying a live API token reach the view (``g.api_token``)."""

    @wraps(view)
    @_in_request_lang
    def guarded(*args, **kwargs):
        secret = _bearer()
        if secret is None:
            return _unauthorized(
                _("Send an API token in the header “Authorization: Bearer <token>”."),
                invalid=False,
            )
        token = operations.authenticate(secret)
        if token is None:
            db.session.rollback()
            return _unauthorized(_("This API token is not valid or was revoked."), invalid=True)
        db.session.commit()  # last_used_at, even if the request goes on to fail
        g.api_token = token
        return view(*args, **kwargs)

    return guarded


def _rate_key() -> str:
    """Count requests per token (by its hash), or per address when none is sent."""
    secret = _bearer()
    return f"token:{token_hash(secret)}" if secret else f"address:{get_remote_address()}"


def _api_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


rate_limited = limiter.shared_limit(_api_limit, scope="api", key_func=_rate_key)


@bp.before_request
def _limit_body():
    # Answers fit in a few kilobytes; refuse bigger bodies before reading them.
    request.max_content_length = current_app.config["API_MAX_BODY_KB"] * 1024


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    g.pop("lang_from_query", None)  # ?lang= is per request here: set no language cookie
    return response


_HTTP_MESSAGES = {
    400: ("bad_request", lambda: _("The request could not be understood.")),
    403: ("forbidden", lambda: _("This API token may not use this campaign.")),
    404: ("not_found", lambda: _("There is nothing at this address.")),
    405: ("method_not_allowed", lambda: _("This address does not accept that method.")),
    413: (
        "too_large",
        lambda: _(
            "The body is too large (at most %(kb)d KB).",
            kb=current_app.config["API_MAX_BODY_KB"],
        ),
    ),
    415: ("unsupported_media_type", lambda: _("Send the body as application/json.")),
    429: ("rate_limited", lambda: _("Too many requests for this token. Wait and try again.")),
}


def _http_error(exc: HTTPException):
    """Answer an HTTP error in JSON (registered per code: the app's HTML handlers are too)."""
    code, message = _HTTP_MESSAGES.get(exc.code or 500, ("error", lambda: exc.description))
    with force_locale(request_lang()):
        return error(exc.code or 500, code, message())


for _code in _HTTP_MESSAGES:
    bp.register_error_handler(_code, _http_error)
bp.register_error_handler(HTTPException, _http_error)


@bp.errorhandler(500)
def _server_error(exc):
    with force_locale(request_lang()):
        return error(500, "server_error", _("Something went wrong on our side. Try again later."))


def _campaign(campaign_id: int) -> Campaign | None:
    """Return the token's campaign if ``campaign_id`` names it (None: out of scope)."""
    token: ApiToken = g.api_token
    return token.campaign if campaign_id == token.campaign_id else None


def _forbidden():
    return error(403, "forbidden", _("This API token may not use this campaign."))


# --- endpoints ----------------------------------------------------------------------------


@bp.route("/openapi.json")
@rate_limited
def openapi():
    """Serve the OpenAPI 3.1 document of this API."""
    return jsonify(document(request.script_root + bp.url_prefix))


@bp.route("/campaigns")
@rate_limited
@token_required
def campaigns():
    """List the campaigns this token may submit to now."""
    token: ApiToken = g.api_token
    open_now = [token.campaign] if token.campaign.accepts_responses(today()) else []
    return jsonify({"campaigns": [campaign_json(c, token) for c in open_now]})


@bp.route("/campaigns/<int:campaign_id>/instrument")
@rate_limited
@token_required
def instrument(campaign_id: int):
    """Describe a campaign's questions in one language."""
    campaign = _campaign(campaign_id)
    if campaign is None:
        return _forbidden()
    if request.args.get("lang", SUPPORTED_LOCALES[0]) not in SUPPORTED_LOCALES:
        values = ", ".join(SUPPORTED_LOCALES)
        return _invalid(
            [payload.FieldError("lang", _("Must be one of: %(values)s.", values=values))]
        )
    lang = request_lang()
    return jsonify(instrument_json(campaign, g.api_token, lang))


def _invalid(errors: list[payload.FieldError]):
    return error(
        422,
        "validation_failed",
        _("The response was not stored: correct the fields listed."),
        errors=[e.as_dict() for e in errors],
    )


def _parse_body() -> tuple[Any, Any]:
    """Return ``(body, None)`` or ``(None, error response)``."""
    if request.mimetype != "application/json":
        return None, error(415, "unsupported_media_type", _("Send the body as application/json."))
    raw = request.get_data(cache=False)  # raises 413 past the size limit
    try:
        return json.loads(raw), None
    except (ValueError, RecursionError):
        return None, error(400, "invalid_json", _("The body is not valid JSON."))


def _where(token: ApiToken, campaign: Campaign, body: dict[str, Any]):
    """Return ``(link, None)`` or ``(None, error response)`` for where the answers were given."""
    if "link" in body:
        link = next((k for k in campaign.links if k.slug == body["link"]), None)
        if link is None:
            return None, _invalid(
                [payload.FieldError("link", _("The campaign has no link with this code."))]
            )
    elif "touchpoint_id" in body:
        site_id = body.get("site_id")
        link = next(
            (
                k
                for k in campaign.links
                if k.touchpoint_id == body["touchpoint_id"] and k.site_id == site_id
            ),
            None,
        )
        if link is None:
            return None, _invalid(
                [
                    payload.FieldError(
                        "touchpoint_id",
                        _("The campaign is not collected at this touchpoint and site."),
                    )
                ]
            )
    elif token.link is not None:
        link = token.link
    else:
        return None, _invalid(
            [
                payload.FieldError(
                    "link", _("Say where the answers were given: link or touchpoint_id.")
                )
            ]
        )
    if token.link_id is not None and link.id != token.link_id:
        return None, error(
            403, "forbidden", _("This API token may only submit through its own link.")
        )
    return link, None


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _created(result: operations.Submitted):
    response = result.response
    return jsonify(
        {
            "id": response.id,
            "campaign_id": response.campaign_id,
            "touchpoint_id": response.touchpoint_id,
            "site_id": response.site_id,
            "language": response.language,
            "submitted_at": _utc(response.submitted_at).isoformat(),
            "replayed": result.replayed,
        }
    ), (200 if result.replayed else 201)


def _key_reused():
    return error(
        409,
        "idempotency_key_reused",
        _("This Idempotency-Key was already used with a different body."),
    )


def _replay(token: ApiToken, key: str, digest: str):
    """Answer with the earlier result of this key, or None when there is none."""
    try:
        earlier = operations.earlier_submission(token, key, digest)
    except operations.KeyReused:
        return _key_reused()
    return _created(earlier) if earlier is not None else None


@bp.route("/campaigns/<int:campaign_id>/responses", methods=["POST"])
@rate_limited
@token_required
def submit(campaign_id: int):
    """Store one respondent's answers, exactly once per Idempotency-Key."""
    token: ApiToken = g.api_token
    campaign = _campaign(campaign_id)
    if campaign is None:
        return _forbidden()
    key = request.headers.get("Idempotency-Key", "")
    if not _KEY.match(key):
        return error(
            400,
            "idempotency_key_missing",
            _("Send a unique Idempotency-Key header (1 to 255 printable ASCII characters)."),
        )
    body, refused = _parse_body()
    if refused is not None:
        return refused
    digest = operations.body_hash(body)
    # Without ?lang= or Accept-Language, answer in the language the respondent used.
    with force_locale(request_lang(body.get("language") if isinstance(body, dict) else None)):
        replay = _replay(token, key, digest)
        if replay is not None:
            return replay
        return _store(token, campaign, key, digest, body)


def _closed(campaign: Campaign):
    return error(
        409,
        "campaign_closed",
        _("The campaign “%(name)s” is not collecting answers now.", name=campaign.name),
        campaign_status=campaign.status,
    )


def _store(token: ApiToken, campaign: Campaign, key: str, digest: str, body: Any):
    if not campaign.accepts_responses(today()):
        return _closed(campaign)
    errors = payload.shape_errors(body)
    if errors:
        return _invalid(errors)
    link, refused = _where(token, campaign, body)
    if refused is not None:
        return refused
    answers, errors = payload.validated_answers(
        campaign, instrument_of(campaign), body, body["language"]
    )
    if errors:
        return _invalid(errors)
    try:
        response = operations.submit(
            token, link, key, digest, body["language"], answers, body.get("segment"), today()
        )
        db.session.commit()
    except SurveyError:
        db.session.rollback()
        return _closed(campaign)
    except sa.exc.IntegrityError:
        # A concurrent request with the same key stored its response first.
        db.session.rollback()
        replay = _replay(token, key, digest)
        if replay is None:
            raise
        return replay
    return _created(operations.Submitted(response, replayed=False))
