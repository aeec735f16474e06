"""Security headers and access checks shared by every staff page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, request
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

#: Marks a view as a staff page (set by ``roles_required``).
STAFF_ATTRIBUTE = "servqual_roles"


def roles_required(*roles: str) -> Callable:
    """Let only signed-in users holding one of ``roles`` (or admins) reach the view."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        setattr(guarded, STAFF_ATTRIBUTE, frozenset(roles) | {"admin"})
        return guarded

    return decorate


def never_cached(view: Callable) -> Callable:
    """Mark a public view whose page shows one person's data: browsers and proxies keep none.

    Staff pages are never cached anyway (:func:`_headers`); this covers pages a customer
    reaches without signing in, such as the status of their own case.
    """

    @wraps(view)
    def marked(*args, **kwargs):
        g.never_cached = True
        return view(*args, **kwargs)

    return marked


def _headers(response):
    """Set the security headers every response carries; staff and private pages are never cached."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if (
        current_user.is_authenticated
        or request.endpoint == "accounts.login"
        or g.get("never_cached")
    ):
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Register the header hook."""
    app.after_request(_headers)


def abort_unless_site(site_id: int | None) -> None:
    """Answer 403 when the current user may not see records of ``site_id``."""
    if not current_user.can_see_site(site_id):
        abort(403)


def safe_next(target: str | None) -> str | None:
    """Return ``target`` if it is a path on this site, else ``None`` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target
