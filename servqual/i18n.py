"""Locale and time-zone selection, the language switcher and locale-aware filters."""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import format_decimal
from flask_login import current_user

from servqual.config import SUPPORTED_LOCALES

LOCALE_COOKIE = "servqual_lang"
LANGUAGE_NAMES = {"es": "Español", "en": "English"}


def select_locale() -> str:
    """Pick the language: ``?lang=``, the remembered choice, the user's, then the browser's."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in SUPPORTED_LOCALES:
        g.lang_from_query = asked
        return asked
    remembered = request.cookies.get(LOCALE_COOKIE)
    if remembered in SUPPORTED_LOCALES:
        return remembered
    if current_user and current_user.is_authenticated and current_user.locale in SUPPORTED_LOCALES:
        return current_user.locale
    return request.accept_languages.best_match(
        SUPPORTED_LOCALES, default=current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def select_timezone() -> str:
    """Show times in the organisation's time zone."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _remember_query_language(response):
    """Keep a language chosen through ``?lang=`` for the following pages."""
    lang = g.get("lang_from_query")
    if lang and request.cookies.get(LOCALE_COOKIE) != lang:
        response.set_cookie(
            LOCALE_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    return response


def number(value, digits: int = 2) -> str:
    """Format a number for the current locale with a fixed number of decimals."""
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0")


def init_app(app: Flask) -> None:
    """Register the language cookie hook and the template helpers."""
    app.after_request(_remember_query_language)
    app.jinja_env.filters["number"] = number
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
