"""Fixtures of the audit tests: the audit world, auditors, a manager, a signed-in client."""

from __future__ import annotations

import pytest

from servqual.i18n import LOCALE_COOKIE
from tests.audits import builders


@pytest.fixture
def world(db, make_user):
    """The service model, both checklists and a running branch-visit programme."""
    return builders.world(make_user("manager"))


@pytest.fixture
def auditor(world, make_user):
    """An auditor of both sites."""
    return make_user("auditor", sites=[world.bogota, world.medellin], name="Aurelio")


@pytest.fixture
def other_auditor(world, make_user):
    """A second auditor of both sites."""
    return make_user("auditor", sites=[world.bogota, world.medellin], name="Berta")


@pytest.fixture
def english(client):
    """Make the client read English pages."""
    client.set_cookie(LOCALE_COOKIE, "en", domain="servqual.test")
    return client
