"""The staff menu: each feature adds its entries with the roles that see them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user


@dataclass(frozen=True)
class MenuEntry:
    """One link of the staff menu."""

    endpoint: str
    label: Any
    roles: frozenset[str]


MENU: list[MenuEntry] = [
    MenuEntry("main.home", _l("Start"), frozenset({"admin", "manager", "auditor", "agent"})),
    MenuEntry("surveys.campaigns", _l("Campaigns"), frozenset({"admin", "manager"})),
    MenuEntry("dashboard.index", _l("Dashboard"), frozenset({"admin", "manager"})),
    MenuEntry("actions.index", _l("Action plans"), frozenset({"admin", "manager"})),
    MenuEntry("audits.index", _l("Audits"), frozenset({"admin", "manager"})),
    MenuEntry("pqr_cases.queue_page", _l("PQR cases"), frozenset({"admin", "manager", "agent"})),
    MenuEntry("fieldwork.my_visits", _l("My visits"), frozenset({"auditor"})),
    MenuEntry(
        "internal.open_waves",
        _l("Internal surveys"),
        frozenset({"admin", "manager", "auditor", "agent"}),
    ),
    MenuEntry(
        "reports.reports", _l("Reports"), frozenset({"admin", "manager", "auditor", "agent"})
    ),
    MenuEntry("service.overview", _l("Service model"), frozenset({"admin"})),
    MenuEntry("accounts.users", _l("Users"), frozenset({"admin"})),
]


def _context() -> dict[str, Any]:
    menu = []
    if current_user.is_authenticated:
        for entry in MENU:
            if current_user.role == "admin" or current_user.role in entry.roles:
                url = url_for(entry.endpoint)
                menu.append({"url": url, "label": entry.label, "active": request.path == url})
    return {"staff_menu": menu, "current_lang": str(get_locale() or "es")}


def init_app(app: Flask) -> None:
    """Expose the menu and the current language to every template."""
    app.context_processor(_context)
