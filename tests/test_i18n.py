"""Every page in Spanish and English; the Spanish catalogue is complete."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask_babel import force_locale

from servqual.i18n import number
from tests.test_roles import (  # noqa: F401 - records is a fixture
    AUDITOR_OWN,
    MATRIX,
    TOKEN,
    _url,
    records,
)

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "servqual" / "translations" / "es" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
SIGN_OUT = {"es": "Cerrar sesión", "en": "Sign out"}


def extracted_messages() -> dict[str, tuple[str, int]]:
    """Extract the messages from the code and templates afresh, as pybabel would."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str, tuple[str, int]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, (filename, lineno))
    return found


def test_spanish_catalogue_has_every_message_translated():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="es")
    problems = []
    for msgid, (filename, lineno) in sorted(extracted_messages().items()):
        entry = catalogue.get(msgid)
        where = f"{filename}:{lineno}: {msgid!r}"
        if entry is None:
            problems.append(f"missing {where}")
        elif entry.fuzzy:
            problems.append(f"fuzzy {where}")
        elif not all(entry.string) if isinstance(entry.string, tuple) else not entry.string:
            problems.append(f"empty {where}")
    assert not problems, "\n".join(problems)
    format_errors = [f"{message.id!r}: {errors}" for message, errors in catalogue.check() if errors]
    assert not format_errors


def _get_routes(app):
    for rule in app.url_map.iter_rules():
        if MATRIX.get(rule.endpoint) is TOKEN:
            continue  # JSON for API tokens; tests/api checks its messages in both languages
        if "GET" in rule.methods and rule.endpoint not in {
            "static",
            "accounts.login",
            "respond.resume",
        }:
            yield rule


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_page_renders_in_both_languages(app, client, make_user, login, records, lang):  # noqa: F811
    routes = list(_get_routes(app))
    # An auditor's own visit opens for that auditor only: those pages are checked as them.
    own = [rule for rule in routes if MATRIX[rule.endpoint] is AUDITOR_OWN]
    login(make_user("admin"))
    for rule in [rule for rule in routes if rule not in own] + [None, *own]:
        if rule is None:
            login(records["auditor"])
            continue
        url = _url(app, rule, records)
        response = client.get(url, headers={"Accept-Language": lang})
        # Personal-invitation and unsubscribe pages need tokens of their own: their
        # "not valid" pages are checked here; the invitation tests walk the real ones.
        expected = {404} if rule.endpoint in {"respond.invited", "respond.unsubscribe"} else {200}
        assert response.status_code in expected, url
        if response.mimetype != "text/html":
            continue  # QR codes, posters
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in html, url
        assert SIGN_OUT[lang] in html, url
        other = "en" if lang == "es" else "es"
        assert SIGN_OUT[other] not in html, url


@pytest.mark.parametrize(("lang", "words"), [("es", "Iniciar sesión"), ("en", "Sign in")])
def test_public_pages_follow_the_browser(client, lang, words):
    for url in ("/", "/login"):
        html = client.get(url, headers={"Accept-Language": f"{lang},fr;q=0.5"}).get_data(True)
        assert f'<html lang="{lang}">' in html and words in html


def test_the_switcher_remembers_the_choice(client):
    response = client.post("/language", data={"lang": "en", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    html = client.get("/login", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    client.post("/language", data={"lang": "es", "next": "https://evil.example/"})
    html = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="es">' in html


def test_numbers_are_formatted_for_the_locale(app):
    with app.test_request_context():
        with force_locale("es"):
            assert number(1234.5) == "1.234,50"
        with force_locale("en"):
            assert number(1234.5) == "1,234.50"
        assert number(None) == "—"
