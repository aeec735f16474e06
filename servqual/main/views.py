"""Home page, language switcher and the error pages every blueprint shares."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest

from servqual.config import SUPPORTED_LOCALES
from servqual.i18n import LOCALE_COOKIE
from servqual.security import safe_next

bp = Blueprint("main", __name__, template_folder="templates")


@bp.route("/")
def home():
    """Staff start page, or a short welcome with the sign-in link."""
    return render_template("main/home.html", user=current_user)


@bp.route("/language", methods=["POST"])
def language():
    """Switch the interface language and remember the choice."""
    lang = request.form.get("lang")
    target = safe_next(request.form.get("next")) or url_for("main.home")
    response = redirect(target)
    if lang in SUPPORTED_LOCALES:
        response.set_cookie(
            LOCALE_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    return response


def _error(code: int, message: str):
    return render_template("error.html", code=code, message=message), code


@bp.app_errorhandler(400)
def bad_request(error):
    """Explain a malformed request, with the reason the view gave if it gave one."""
    if error.description and error.description != BadRequest.description:
        return _error(400, str(error.description))
    return _error(400, _("The request could not be understood."))


@bp.app_errorhandler(CSRFError)
def csrf_failed(error):
    """Explain a missing or stale form token without losing the user."""
    return _error(
        400,
        _(
            "The form expired or did not come from this site. "
            "Go back, reload the page and try again."
        ),
    )


@bp.app_errorhandler(403)
def forbidden(error):
    """Explain a refused page."""
    return _error(403, _("You do not have access to this page."))


@bp.app_errorhandler(404)
def not_found(error):
    """Explain a missing page."""
    return _error(404, _("This page does not exist."))


@bp.app_errorhandler(405)
def wrong_method(error):
    """Explain a request made with the wrong method."""
    return _error(405, _("This address does not accept that kind of request."))


@bp.app_errorhandler(413)
def too_large(error):
    """Explain an oversized upload."""
    return _error(413, _("What you sent is too large."))


@bp.app_errorhandler(429)
def too_many(error):
    """Explain a rate limit."""
    return _error(429, _("Too many attempts. Please wait a minute and try again."))


@bp.app_errorhandler(500)
def server_error(error):
    """Apologise for an unexpected error."""
    return _error(500, _("Something went wrong on our side. Please try again later."))
