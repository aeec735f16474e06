"""Manager JSON API of the gap analyses: ``/gaps/api/campaigns/<id>`` and its summary.

Signed-in administrators and managers only. A manager limited to sites sees only their
sites: by default the scope is their sites, and asking for another site answers 403.
Results on fewer than 5 respondents are blanked (``suppressed``).
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from flask_babel import get_locale
from flask_login import current_user

from servqual.accounts.models import Role
from servqual.extensions import db
from servqual.gaps.sources import Scope, SourceError, analyse_wave, summary
from servqual.security import roles_required
from servqual.surveys.models import Campaign

bp = Blueprint("analysis", __name__, url_prefix="/gaps/api")


def _list(name: str) -> list[str]:
    return [v.strip() for raw in request.args.getlist(name) for v in raw.split(",") if v.strip()]


def _int_list(name: str) -> tuple[int, ...] | None:
    values = _list(name)
    if not values:
        return None
    if not all(v.isdigit() for v in values):
        abort(400, description=f"{name} must be ids")
    return tuple(int(v) for v in values)


def request_scope(campaign_id: int) -> Scope:
    """Build the scope from the query string within the current user's sites (403 outside)."""
    db.get_or_404(Campaign, campaign_id)
    allowed = current_user.site_ids
    asked = _int_list("site")
    if asked is not None and allowed is not None and not set(asked) <= allowed:
        abort(403)
    sites = asked if asked is not None else (tuple(sorted(allowed)) if allowed else None)
    return Scope(
        campaign_id,
        site_ids=sites,
        touchpoint_ids=_int_list("touchpoint"),
        channel_ids=_int_list("channel"),
        segments=tuple(_list("segment")) or None,
    )


def _bad_request(error: SourceError):
    response = jsonify({"error": str(error)})
    response.status_code = 400
    return response


@bp.route("/campaigns/<int:campaign_id>")
@roles_required(Role.MANAGER)
def campaign_gaps(campaign_id: int):
    """Return the full analysis of one wave (``?by=touchpoint,site&site=..&correction=bh``)."""
    scope = request_scope(campaign_id)
    by = _list("by") or ["touchpoint"]
    try:
        analysis = analyse_wave(
            scope,
            by=by,
            correction=request.args.get("correction", "holm"),
            lang=str(get_locale() or "es"),
        )
    except SourceError as error:
        return _bad_request(error)
    return jsonify(analysis.to_dict(for_staff=True))


@bp.route("/campaigns/<int:campaign_id>/summary")
@roles_required(Role.MANAGER)
def campaign_summary(campaign_id: int):
    """Return the touchpoint × pillar Gap 5 summary of one wave (``?site=..``)."""
    return jsonify(summary(request_scope(campaign_id)).to_dict(for_staff=True))
