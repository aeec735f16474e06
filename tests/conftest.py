"""Fixtures: an app per database backend, a rolled-back transaction per test, a client.

Every test that uses ``app`` (or ``db``, ``client``) runs on SQLite and, when
``SERVQUAL_TEST_DATABASE_URL`` is set, again on that PostgreSQL database. When the
variable is set and the server cannot be reached, those tests fail: they never skip.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from flask import Flask, g
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.orm import scoped_session, sessionmaker

from servqual import create_app
from servqual.accounts.models import LoginSession, User
from servqual.accounts.passwords import hash_password
from servqual.config import postgres_test_url
from servqual.extensions import db as _db
from servqual.service.models import Site

BACKENDS = ["sqlite"] + (["postgresql"] if postgres_test_url() else [])

#: A password that passes the strength rules, for accounts tests create.
GOOD_PASSWORD = "violet-harbour-quantum-41"


def worker_database(base_url: str) -> str:
    """Return the PostgreSQL URL of this pytest-xdist worker's own database.

    Each worker ("gw0", "gw1", …) drops and creates its schema, so workers get a database
    each, ``<name>_gw0`` …, created on first use; without xdist the URL is unchanged.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return base_url
    url = sa.engine.make_url(base_url)
    name = f"{url.database}_{worker}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        for attempt in range(5):
            with admin.connect() as connection:
                found = connection.scalar(
                    sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
                )
                if found:
                    break
                try:
                    connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
                    break
                except sa.exc.OperationalError:
                    # Two workers copying template1 at once: wait and look again.
                    time.sleep(0.5 * (attempt + 1))
        else:
            raise RuntimeError(f"could not create the test database {name}")
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def backend_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Return a database URL for ``backend``, a fresh file for SQLite."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
    return worker_database(postgres_test_url())


def make_app(url: str, instance_path, **overrides) -> Flask:
    """Create an app for tests: CSRF off (one test turns it on), rate limits off."""
    config = {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "servqual.test",
        "INSTANCE_PATH": str(instance_path),
    }
    config.update(overrides)
    app = create_app(config)

    @app.before_request
    def _keep_test_setup():
        # The test and its requests share one session; release the test's own setup
        # (a savepoint) so that a view rolling back its work does not undo it.
        _db.session.commit()

    @app.teardown_request
    def _forget_request_state(exc):
        # Tests keep one app context pushed, so ``g`` would outlive each request;
        # clear it so every request loads its user (and its limits) afresh.
        vars(g).clear()

    return app


@pytest.fixture(scope="session", params=BACKENDS)
def app(request, tmp_path_factory) -> Iterator[Flask]:
    """The application on one backend, with an empty schema."""
    url = backend_url(request.param, tmp_path_factory)
    application = make_app(url, tmp_path_factory.mktemp("instance"))
    with application.app_context():
        if _db.engine.dialect.name == "postgresql":
            # Start from an empty schema: tables left by another version of the models
            # (another branch, an earlier session) would block a metadata drop_all.
            with _db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE"))
                connection.execute(sa.text("CREATE SCHEMA public"))
        else:
            _db.drop_all()
        _db.create_all()
    yield application
    with application.app_context():
        _db.engine.dispose()


@pytest.fixture
def db(app) -> Iterator:
    """The database, inside a transaction that is rolled back after the test."""
    with app.app_context():
        connection = _db.engine.connect()
        transaction = connection.begin()
        original = _db.session
        # A plain SQLAlchemy session bound to the connection: Flask-SQLAlchemy's own
        # session class would pick the engine and escape the transaction.
        factory = sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", query_cls=_db.Query
        )
        _db.session = scoped_session(factory, scopefunc=_app_ctx_id)
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def client(app, db):
    """A test client whose requests share the test's rolled-back transaction."""
    return app.test_client()


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    """Return a factory of staff users: ``make_user("manager", sites=[site])``."""

    def factory(role: str = "admin", sites: list[Site] | None = None, **fields) -> User:
        number = secrets.token_hex(4)
        user = User(
            email=fields.pop("email", f"{role}-{number}@example.com"),
            name=fields.pop("name", f"{role.title()} {number}"),
            password_hash=hash_password(fields.pop("password", GOOD_PASSWORD)),
            role=role,
            **fields,
        )
        user.sites = list(sites or [])
        db.session.add(user)
        db.session.flush()
        return user

    return factory


@pytest.fixture
def login(client, db) -> Callable[[User], None]:
    """Return a function that signs ``user`` in on the test client."""

    def sign_in(user: User) -> None:
        token = secrets.token_urlsafe(16)
        db.session.add(LoginSession(token=token, user_id=user.id))
        db.session.flush()
        with client.session_transaction() as session:
            session.clear()
            session["_user_id"] = token
            session["_fresh"] = True

    return sign_in


@pytest.fixture(params=BACKENDS)
def empty_app(request, tmp_path) -> Iterator[Flask]:
    """An app on an empty database: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        app = make_app(f"sqlite:///{tmp_path / 'migrations.db'}", tmp_path)
        yield app
        with app.app_context():
            _db.engine.dispose()
        return
    base_url = postgres_test_url()
    schema = f"migration_check_{secrets.token_hex(4)}"
    admin = sa.create_engine(base_url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base_url else "?"
    app = make_app(f"{base_url}{separator}options=-csearch_path%3D{schema}", tmp_path)
    try:
        yield app
    finally:
        with app.app_context():
            _db.engine.dispose()
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
